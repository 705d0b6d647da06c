import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Synchronization
import Testing

/// Issue 10: concurrent portal submissions share one transaction (group commit), each in its own
/// savepoint, on a real SQLite file.
@Suite struct GroupCommitTests {
    struct Refused: Error {}

    final class Flag: Sendable {
        let state = Mutex(false)
        var value: Bool { state.withLock { $0 } }
        func set() { state.withLock { $0 = true } }
    }

    @Test func writesWaitingTogetherShareOneTransactionAndARefusalUndoesOnlyItself() async throws {
        let store = try Fixtures.store()
        let clock = try Fixtures.sla()
        let count = 40
        // The first write holds its transaction open until every other write is queued behind
        // it, so that those are written together as the next group.
        let firstStarted = Flag()
        let numbers = try await withThrowingTaskGroup(of: (Int, CaseNumber?).self) { group in
            for index in 0..<count {
                if index == 1 {
                    // The others are sent once the first is being written.
                    while !firstStarted.value { try await Task.sleep(for: .milliseconds(1)) }
                }
                group.addTask {
                    do {
                        let state = try await store.groupedBatch(clock: clock) { batch in
                            if index == 0 {
                                firstStarted.set()
                                let deadline = Date().addingTimeInterval(30)
                                while store.committer.waitingCount < count - 1 && Date() < deadline {
                                    usleep(1_000)
                                }
                            }
                            let state = try batch.intake(
                                Fixtures.application(), workflowID: "company-formation", hall: "510811",
                                by: "wangfang", at: Fixtures.at(9, index % 60))
                            // Every fifth is refused after its case was written: only it is undone.
                            if index % 5 == 4 { throw Refused() }
                            return state
                        }
                        return (index, state.number)
                    } catch is Refused {
                        return (index, nil)
                    }
                }
            }
            var numbers: [Int: CaseNumber?] = [:]
            for try await (index, number) in group { numbers[index] = number }
            return numbers
        }
        #expect(store.committer.groupsWritten == 2, "the 39 writes queued behind the first are one transaction")
        let written = numbers.values.compactMap { $0 }
        #expect(written.count == count - count / 5)
        #expect(numbers.filter { $0.key % 5 == 4 }.allSatisfy { $0.value == nil })
        // The refused writes' case numbers were rolled back with them: the numbering stays dense.
        #expect(Set(written.map(\.sequence)) == Set(1...written.count))
        let queued = try store.queue(stages: nil, limit: 1000)
        #expect(Set(queued.map(\.number)) == Set(written))
        // Each committed case is whole: its history replays to the state answered.
        for number in written { #expect(try await store.history(number).count == 1) }
        #expect(try await store.rebuild(clock: clock).repaired.isEmpty)
    }

    @Test func aWriteAloneIsCommittedAndAnsweredAtOnce() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let store = try Fixtures.store(path: path)
        let state = try await store.groupedBatch(clock: try Fixtures.sla()) { batch in
            try batch.intake(
                Fixtures.application(), workflowID: "company-formation", hall: "510811", by: "wangfang",
                at: Fixtures.at(9, 0))
        }
        // Durable: another connection to the file sees it as soon as it was answered.
        let other = try CaseStore(path: path)
        #expect(try await other.registrationCase(state.number).version == 1)
        #expect(store.committer.groupsWritten == 1)
    }
}
