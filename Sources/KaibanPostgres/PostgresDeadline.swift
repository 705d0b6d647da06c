import Synchronization

/// An operation on the database given a time limit, after which its caller is answered even if
/// the operation itself has not returned. PostgreSQL's pool keeps a request waiting while it
/// retries a lost server (up to its circuit breaker, a minute), and a task waiting there does not
/// always end when cancelled; the caller must not wait that long.
///
/// An operation answered as failed never commits afterwards: the store's transactions ask
/// ``enterCommit()`` just before their COMMIT, which refuses once the caller was answered. Once an
/// operation has entered its commit, its time limit no longer applies: the caller gets the
/// commit's own outcome (a lost connection then says so), never a failure for a write that was
/// saved.
final class PostgresDeadline<Value: Sendable>: Sendable {
    struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var work: Task<Void, Never>?
        var timer: PostgresTimer.Entry?
        var finished = false
        var committing = false
    }

    let state = Mutex(State())

    /// The time limit was reached.
    struct Exceeded: Error {
        let limit: Duration
    }

    /// `body`'s value, or ``Exceeded`` once `limit` has passed, whichever comes first; the
    /// caller's own cancellation ends the wait at once too (`CancellationError`), unless the
    /// body is committing.
    static func run(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let deadline = PostgresDeadline()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                deadline.start(continuation, limit: limit, body)
            }
        } onCancel: {
            deadline.finish(.failure(CancellationError()), byWork: false)
        }
    }

    func start(
        _ continuation: CheckedContinuation<Value, any Error>, limit: Duration,
        _ body: @escaping @Sendable () async throws -> Value
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
                self.finish(.success(value), byWork: true)
            } catch {
                self.finish(.failure(error), byWork: true)
            }
        }
        let timer = PostgresTimer.shared.schedule(after: limit) {
            self.finish(.failure(Exceeded(limit: limit)), byWork: false)
        }
        let finished = state.withLock { state in
            state.work = work
            state.timer = timer
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

    /// Answers the caller once: the first result wins, except that only the work answers once it
    /// is committing; the work still running is cancelled and the timer stopped.
    func finish(_ result: Result<Value, any Error>, byWork: Bool) {
        let taken = state.withLock {
            state -> (CheckedContinuation<Value, any Error>?, Task<Void, Never>?, PostgresTimer.Entry?)? in
            guard !state.finished, byWork || !state.committing else { return nil }
            state.finished = true
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer)
        }
        guard let (continuation, work, timer) = taken else { return }
        if let timer { PostgresTimer.shared.cancel(timer) }
        if !byWork { work?.cancel() }
        continuation?.resume(with: result)
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
