import Synchronization

/// One task at a time per key, the others waiting in order: the portal submissions of one trade
/// name and industry in one hall pass through it one by one, so that each reads the names in
/// progress only after the one before it has committed, and is warned of it. Submissions of
/// other names never wait for each other.
final class KeyedGate: Sendable {
    /// The keys held, each with the tasks waiting for it, oldest first.
    private let held = Mutex([String: [CheckedContinuation<Void, Never>]]())

    /// Returns once `key` is this task's; ``leave(_:)`` hands it on.
    func enter(_ key: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = held.withLock { held in
                guard var waiting = held[key] else {
                    held[key] = []
                    return true
                }
                waiting.append(continuation)
                held[key] = waiting
                return false
            }
            if free { continuation.resume() }
        }
    }

    /// Hands `key` to the task waiting longest for it, or frees it.
    func leave(_ key: String) {
        let next = held.withLock { held -> CheckedContinuation<Void, Never>? in
            guard var waiting = held[key], !waiting.isEmpty else {
                held[key] = nil
                return nil
            }
            let next = waiting.removeFirst()
            held[key] = waiting
            return next
        }
        next?.resume()
    }

    /// The keys held now (for tests: none once every task has left).
    var heldCount: Int { held.withLock { $0.count } }

    /// Runs `body` holding `key`.
    func holding<T: Sendable>(_ key: String, _ body: () async throws -> T) async throws -> T {
        await enter(key)
        defer { leave(key) }
        return try await body()
    }
}
