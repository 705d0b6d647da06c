import Foundation
import Logging
import PostgresNIO
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

    /// A wait deaf to cancellation that ends when opened, or after `seconds`.
    final class Gate: Sendable {
        let state = Mutex<(waiting: CheckedContinuation<Void, Never>?, opened: Bool, ended: Bool)>((nil, false, false))

        var ended: Bool { state.withLock { $0.ended } }

        func wait(orAfter seconds: Double) async -> Int {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.opened { return true }
                    state.waiting = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { self.open() }
            }
            state.withLock { $0.ended = true }
            return 1
        }

        func open() {
            let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.opened = true
                defer { state.waiting = nil }
                return state.waiting
            }
            waiting?.resume()
        }
    }

    @Test func aBodyThatAnswersInTimeGivesItsValue() async throws {
        let value = try await PostgresDeadline.run(.seconds(120)) { await Self.deaf(0.01, 7) }
        #expect(value == 7)
    }

    @Test func aBodyDeafToCancellationIsAbandonedAtTheLimit() async throws {
        // The body ends only when the test lets it (or after two minutes, so that nothing hangs):
        // the caller is answered while it still runs.
        let gate = Gate()
        await #expect(throws: PostgresDeadline<Int>.Exceeded.self) {
            try await PostgresDeadline.run(.milliseconds(200)) { await gate.wait(orAfter: 120) }
        }
        #expect(!gate.ended, "answered at the limit, not when the body ended")
        gate.open()
    }

    /// Whichever comes first, the limit or the commit: the caller is told of a failure exactly
    /// when the body did not commit (never a failure for a write that was saved, never a value
    /// for one that was not). Run over timings that land on both sides.
    @Test func theCallerIsToldOfAFailureExactlyWhenTheBodyDidNotCommit() async throws {
        for round in 0..<40 {
            let committed = Mutex<Bool?>(nil)
            var answered: Int?
            do {
                // (A commit under way is waited for: here as long as it takes.)
                answered = try await PostgresDeadline<Int>.run(.milliseconds(round % 8 + 1), commitLimit: .seconds(60))
                {
                    _ = await Self.deaf(Double(round % 5) * 0.002, 0)
                    do {
                        try PostgresCommitGate.enterCommit()
                    } catch {
                        committed.withLock { $0 = false }
                        throw error
                    }
                    committed.withLock { $0 = true }
                    return await Self.deaf(0.01, round)
                }
            } catch is PostgresDeadline<Int>.Exceeded {
                answered = nil
            }
            // The body decides in a moment (or already has).
            for _ in 0..<500 where committed.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(5)) }
            let outcome = try #require(committed.withLock { $0 })
            #expect(
                outcome == (answered == round),
                "round \(round): committed \(outcome), answered \(String(describing: answered))")
        }
    }

    /// A body whose caller was answered (the limit passed) may not commit afterwards.
    @Test func aBodyAbandonedAtTheLimitMayNotCommitAfterwards() async throws {
        let gate = Gate()
        let outcome = Mutex<String?>(nil)
        await #expect(throws: PostgresDeadline<Int>.Exceeded.self) {
            try await PostgresDeadline.run(.milliseconds(100)) {
                _ = await gate.wait(orAfter: 120)
                do {
                    try PostgresCommitGate.enterCommit()
                    outcome.withLock { $0 = "committed" }
                } catch {
                    outcome.withLock { $0 = "refused" }
                }
                return 1
            }
        }
        gate.open()
        for _ in 0..<500 where outcome.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(10)) }
        #expect(outcome.withLock { $0 } == "refused")
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
        caller.cancel()
        // Answered cancelled long before the body's 20 s sleep or the 30 s limit could end it.
        await #expect(throws: CancellationError.self) { try await caller.value }
        // The body's task was cancelled too (its sleep ended early).
        for _ in 0..<100 where !bodyCancelled.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(bodyCancelled.withLock { $0 })
    }

    /// A caller waiting on a deadline (a limit of ten minutes) whose body has entered its commit
    /// and waits at `gate` (then returns 1 + `plus`); the limit is then reached by hand, as its
    /// timer would (on a loaded machine the body may start later than any short limit).
    static func committingPastTheLimit(commitLimit: Duration, gate: Gate, plus: Int = 0) async throws
        -> (caller: Task<Int, any Error>, deadline: PostgresDeadline<Int>)
    {
        let committing = Mutex(false)
        let deadline = PostgresDeadline<Int>(limit: .seconds(600), commitLimit: commitLimit)
        let caller = Task {
            try await withCheckedThrowingContinuation { continuation in
                deadline.start(continuation) {
                    try PostgresCommitGate.enterCommit()
                    committing.withLock { $0 = true }
                    return await gate.wait(orAfter: 120) + plus
                }
            }
        }
        for _ in 0..<3000 where !committing.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        try #require(committing.withLock { $0 })
        deadline.finish(.failure(PostgresDeadline<Int>.Exceeded(limit: .seconds(600))), by: .limit)
        return (caller, deadline)
    }

    /// A body that enters its commit and never hears back (a COMMIT sent as the server went
    /// away): once the limit has passed, its caller is told, after the commit's own limit, that
    /// the outcome is not known, rather than held for good; the caller's cancellation meanwhile
    /// does not cut the commit's wait short.
    @Test func aCommitNeverAnsweredIsToldUnconfirmedAfterTheCommitsLimit() async throws {
        let gate = Gate()
        let (caller, deadline) = try await Self.committingPastTheLimit(commitLimit: .milliseconds(300), gate: gate)
        let limitReached = ContinuousClock.now
        deadline.finish(.failure(CancellationError()), by: .cancellation)
        await #expect(throws: PostgresDeadline<Int>.CommitUnconfirmed.self) { try await caller.value }
        let waited = ContinuousClock.now - limitReached
        #expect(waited >= .milliseconds(280), "the commit was waited for its own limit: \(waited)")
        #expect(!gate.ended)
        gate.open()
    }

    /// A commit that answers after the limit, within the commit's own limit, gives its value.
    @Test func aCommitAnsweredAfterTheLimitGivesItsValue() async throws {
        let gate = Gate()
        let (caller, _) = try await Self.committingPastTheLimit(commitLimit: .seconds(600), gate: gate, plus: 8)
        gate.open()
        #expect(try await caller.value == 9)
    }

    /// Through the store (no server needed: the body does not use the connection): a commit not
    /// answered is the problem `database.commit-unconfirmed`, a storage problem (exit 74, 503),
    /// whose words say that the change may have been saved.
    @Test func theStoreAnswersAnUnconfirmedCommitAsItsOwnProblem() async throws {
        let location = try PostgresLocation("postgres://kaiban@127.0.0.1:1/kaiban")
        let store = PostgresStore(
            client: PostgresClient(configuration: location.configuration()), logger: Logger(label: "test"),
            deadline: .seconds(3), location: location.description)
        let gate = Gate()
        do {
            _ = try await store.guarded {
                try PostgresCommitGate.enterCommit()
                return await gate.wait(orAfter: 120)
            }
            Issue.record("answered with a value")
        } catch let error as PostgresStoreError {
            #expect(error.problem.code == "database.commit-unconfirmed")
            #expect(error.problem.kind == .storage)
            #expect(error.message(.zh).contains("可能已保存"), "\(error.message(.zh))")
            #expect(error.description.contains("may or may not have been saved"), "\(error)")
        }
        gate.open()
    }
}
