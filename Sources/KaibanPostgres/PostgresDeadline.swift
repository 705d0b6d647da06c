import Synchronization

/// An operation on the database given a time limit, after which its caller is answered even if
/// the operation itself has not returned. PostgreSQL's pool keeps a request waiting while it
/// retries a lost server (up to its circuit breaker, a minute), and a task waiting there does not
/// always end when cancelled; the caller must not wait that long.
///
/// An operation answered as failed never commits afterwards: the store's transactions ask
/// ``enterCommit()`` just before their COMMIT, which refuses once the caller was answered. Once an
/// operation has entered its commit, its caller waits for the commit's own outcome (a lost
/// connection then says so), never told of a failure for a write that was saved; but not for
/// ever: a COMMIT sent as the server went away has been seen never to be answered, which held its
/// request, and with it the server's shutdown, for good. When the limit passes during the commit,
/// the commit gets a second limit as long; then the caller is told that the outcome is not known
/// (``CommitUnconfirmed``), which is the truth.
final class PostgresDeadline<Value: Sendable>: Sendable {
    struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var work: Task<Void, Never>?
        var timer: PostgresTimer.Entry?
        var finished = false
        var committing = false
    }

    let state = Mutex(State())
    let limit: Duration
    /// How long a commit still under way when ``limit`` passes is waited for.
    let commitLimit: Duration

    init(limit: Duration, commitLimit: Duration) {
        self.limit = limit
        self.commitLimit = commitLimit
    }

    /// The time limit was reached.
    struct Exceeded: Error {
        let limit: Duration
    }

    /// The time limit was reached while the operation was committing, and the commit did not
    /// answer within the commit's own limit either: the change may or may not have been saved.
    struct CommitUnconfirmed: Error {
        let waited: Duration
    }

    /// What ``finish(_:by:)`` does.
    enum Decision {
        case answer(CheckedContinuation<Value, any Error>?, Task<Void, Never>?, PostgresTimer.Entry?)
        case waitForCommit
        case ignore
    }

    /// Who answers the caller (``finish(_:by:)``).
    enum Answerer {
        case work, limit, cancellation, commitLimit
    }

    /// `body`'s value, or ``Exceeded`` once `limit` has passed, whichever comes first; the
    /// caller's own cancellation ends the wait at once too (`CancellationError`), unless the
    /// body is committing. A body committing when `limit` passes is waited for `commitLimit`
    /// more (by default as long as `limit`), then answered ``CommitUnconfirmed``.
    static func run(
        _ limit: Duration, commitLimit: Duration? = nil, _ body: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let deadline = PostgresDeadline(limit: limit, commitLimit: commitLimit ?? limit)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                deadline.start(continuation, body)
            }
        } onCancel: {
            deadline.finish(.failure(CancellationError()), by: .cancellation)
        }
    }

    func start(
        _ continuation: CheckedContinuation<Value, any Error>, _ body: @escaping @Sendable () async throws -> Value
    ) {
        let alreadyFinished = state.withLock { state in
            state.continuation = continuation
            return state.finished
        }
        // Cancelled before it started.
        if alreadyFinished {
            continuation.resume(throwing: CancellationError())
            return
        }
        let commit = PostgresCommitGate { self.enterCommit() }
        let work = Task {
            do {
                let value = try await PostgresCommitGate.$current.withValue(commit) { try await body() }
                self.finish(.success(value), by: .work)
            } catch {
                self.finish(.failure(error), by: .work)
            }
        }
        let timer = PostgresTimer.shared.schedule(after: limit) { [limit] in
            self.finish(.failure(Exceeded(limit: limit)), by: .limit)
        }
        let finished = state.withLock { state in
            state.work = work
            // (Unless the limit has passed already and set the commit's.)
            if state.timer == nil { state.timer = timer }
            return state.finished
        }
        // Finished (cancelled) while the tasks were being made.
        if finished {
            work.cancel()
            PostgresTimer.shared.cancel(timer)
        }
    }

    /// Whether the operation may commit: true once, unless its caller was answered already.
    func enterCommit() -> Bool {
        state.withLock { state in
            guard !state.finished else { return false }
            state.committing = true
            return true
        }
    }

    /// Answers the caller once: the first result wins, except that while the work is committing
    /// only the work itself or the commit's own limit answers (the limit reached then starts the
    /// commit's limit instead). The work still running is cancelled and the timer stopped.
    func finish(_ result: Result<Value, any Error>, by answerer: Answerer) {
        let decision = state.withLock { state -> Decision in
            guard !state.finished else { return .ignore }
            if state.committing, answerer == .limit || answerer == .cancellation {
                return answerer == .limit ? .waitForCommit : .ignore
            }
            state.finished = true
            defer { state.continuation = nil }
            return .answer(state.continuation, state.work, state.timer)
        }
        switch decision {
        case .ignore:
            return
        case .waitForCommit:
            let waited = limit + commitLimit
            let timer = PostgresTimer.shared.schedule(after: commitLimit) {
                self.finish(.failure(CommitUnconfirmed(waited: waited)), by: .commitLimit)
            }
            let (finished, limitTimer) = state.withLock { state in
                defer { state.timer = timer }
                return (state.finished, state.timer)
            }
            // (The limit's timer has fired already, unless the limit was reached by hand.)
            if let limitTimer { PostgresTimer.shared.cancel(limitTimer) }
            // The commit answered while the second limit was being set.
            if finished { PostgresTimer.shared.cancel(timer) }
        case .answer(let continuation, let work, let timer):
            if let timer { PostgresTimer.shared.cancel(timer) }
            if answerer != .work { work?.cancel() }
            continuation?.resume(with: result)
        }
    }
}

/// What a transaction asks just before its COMMIT (``PostgresDeadline/enterCommit()``), through
/// the task running the operation.
struct PostgresCommitGate: Sendable {
    let enter: @Sendable () -> Bool

    @TaskLocal static var current: PostgresCommitGate?

    /// Throws `CancellationError` (the transaction rolls back) when the operation's caller was
    /// answered already; else the operation is committing and its caller will get the outcome.
    static func enterCommit() throws {
        if let gate = current, !gate.enter() { throw CancellationError() }
        try Task.checkCancellation()
    }
}

/// One clock for the time limits of every operation in the process: a limit is an entry in a
/// table, looked at every ``tick`` by one task that runs while any limit is pending, rather than a
/// task and a system timer of its own per operation (most operations end long before their limit,
/// and a timer made and cancelled per statement was a visible part of a submission's cost). A
/// limit is reached up to one tick late.
final class PostgresTimer: Sendable {
    static let shared = PostgresTimer()

    /// How often pending limits are looked at.
    static let tick: Duration = .milliseconds(20)

    /// A scheduled limit, to cancel it.
    struct Entry: Sendable, Hashable {
        let id: UInt64
    }

    struct State {
        var pending: [UInt64: (due: ContinuousClock.Instant, fire: @Sendable () -> Void)] = [:]
        var last: UInt64 = 0
        var ticking = false
    }

    let state = Mutex(State())

    /// Calls `fire` once `limit` has passed, unless cancelled first.
    func schedule(after limit: Duration, _ fire: @escaping @Sendable () -> Void) -> Entry {
        let due = ContinuousClock.now + limit
        let (entry, start) = state.withLock { state in
            state.last += 1
            state.pending[state.last] = (due, fire)
            defer { state.ticking = true }
            return (Entry(id: state.last), !state.ticking)
        }
        if start { Task.detached { await self.run() } }
        return entry
    }

    func cancel(_ entry: Entry) {
        _ = state.withLock { $0.pending.removeValue(forKey: entry.id) }
    }

    /// Fires what is due every tick, until nothing is pending.
    private func run() async {
        while true {
            try? await Task.sleep(for: Self.tick)
            let now = ContinuousClock.now
            let (due, more) = state.withLock { state in
                var due: [@Sendable () -> Void] = []
                for (id, limit) in state.pending where limit.due <= now {
                    due.append(limit.fire)
                    state.pending.removeValue(forKey: id)
                }
                state.ticking = !state.pending.isEmpty
                return (due, state.ticking)
            }
            for fire in due { fire() }
            if !more { return }
        }
    }
}
