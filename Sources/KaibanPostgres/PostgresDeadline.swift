import Synchronization

/// An operation on the database given a time limit, after which its caller is answered even if
/// the operation itself has not returned. PostgreSQL's pool keeps a request waiting while it
/// retries a lost server (up to its circuit breaker, a minute), and a task waiting there does not
/// always end when cancelled; the caller must not wait that long. The operation is cancelled
/// when its time is up, and the store's transactions check for that before they commit, so an
/// operation answered as failed does not commit afterwards.
final class PostgresDeadline<Value: Sendable>: Sendable {
    struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        var finished = false
    }

    let state = Mutex(State())

    /// The time limit was reached.
    struct Exceeded: Error {
        let limit: Duration
    }

    /// `body`'s value, or ``Exceeded`` once `limit` has passed, whichever comes first; the
    /// caller's own cancellation ends the wait at once too (`CancellationError`).
    static func run(_ limit: Duration, _ body: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let deadline = PostgresDeadline()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                deadline.start(continuation, limit: limit, body)
            }
        } onCancel: {
            deadline.finish(.failure(CancellationError()))
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
        let work = Task {
            do {
                self.finish(.success(try await body()))
            } catch {
                self.finish(.failure(error))
            }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            if !Task.isCancelled { self.finish(.failure(Exceeded(limit: limit))) }
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

    /// Answers the caller once: the first result wins; the work still running is cancelled and
    /// the timer stopped.
    func finish(_ result: Result<Value, any Error>) {
        let taken = state.withLock {
            state -> (CheckedContinuation<Value, any Error>?, Task<Void, Never>?, Task<Void, Never>?)? in
            guard !state.finished else { return nil }
            state.finished = true
            defer { state.continuation = nil }
            return (state.continuation, state.work, state.timer)
        }
        guard let (continuation, work, timer) = taken else { return }
        timer?.cancel()
        if case .failure = result { work?.cancel() }
        continuation?.resume(with: result)
    }
}
