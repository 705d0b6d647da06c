import Foundation
import Synchronization
import Testing

@testable import KaibanPostgres

/// The store's time limit on an operation, without a server: a body that ignores cancellation
/// (as the pool's wait for a lost server did) still gets its caller answered at the limit.
struct PostgresDeadlineTests {
    /// Waits `seconds` on another queue, deaf to cancellation; then returns `value`.
    static func deaf(_ seconds: Double, _ value: Int) async -> Int {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume(returning: value) }
        }
    }

    @Test func aBodyThatAnswersInTimeGivesItsValue() async throws {
        let value = try await PostgresDeadline.run(.seconds(5)) { await Self.deaf(0.01, 7) }
        #expect(value == 7)
    }

    @Test func aBodyDeafToCancellationIsAbandonedAtTheLimit() async throws {
        let started = ContinuousClock.now
        await #expect(throws: PostgresDeadline<Int>.Exceeded.self) {
            try await PostgresDeadline.run(.milliseconds(200)) { await Self.deaf(4, 7) }
        }
        // At the limit, not when the body ends four seconds later (room for a slow machine).
        #expect(ContinuousClock.now - started < .seconds(3))
    }

    @Test func aBodyErrorComesThrough() async throws {
        struct Refused: Error, Equatable {}
        await #expect(throws: Refused()) {
            try await PostgresDeadline<Int>.run(.seconds(5)) { throw Refused() }
        }
    }

    @Test func theCallersCancellationEndsTheWaitAndCancelsTheBody() async throws {
        let bodyCancelled = Mutex(false)
        let caller = Task {
            try await PostgresDeadline.run(.seconds(30)) {
                do {
                    try await Task.sleep(for: .seconds(20))
                } catch {
                    bodyCancelled.withLock { $0 = true }
                    throw error
                }
                return 1
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        let started = ContinuousClock.now
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(ContinuousClock.now - started < .seconds(10))
        // The body's task was cancelled too (its sleep ended early).
        for _ in 0..<100 where !bodyCancelled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(bodyCancelled.withLock { $0 })
    }
}
