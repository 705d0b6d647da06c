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
        var timer: Task<Void, Never>?
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
        let timer = Task {
            try? await Task.sleep(for: limit)
            if !Task.isCancelled { self.finish(.failure(Exceeded(limit: limit)), byWork: false) }
        }
        let finished = state.withLock { state in
            state.work = work
            state.timer = timer
            return state.finished
        }
        // Finished (cancelled) while the tasks were being made.
        if finished {
            work.cancel()
            timer.cancel()
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
            state -> (CheckedContinuation<Value, any Error>?, Task<Void, Never>?, Task<Void, Never>?)? in
            guard !state.finished, byWork || !state.committing else { return nil }
            state.finished = true
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer)
        }
        guard let (continuation, work, timer) = taken else { return }
        timer?.cancel()
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
