import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

/// Two clerks on one database file: two independent connections pools, as two processes would
/// have, writing at the same time.
@Suite struct ConcurrentWritersTests {
    @Test func twoWritersNeitherLockNorLoseWork() throws {
        let path = Fixtures.temporaryDatabasePath()
        _ = try Fixtures.store(path: path)
        let stores = [try CaseStore(path: path), try CaseStore(path: path)]
        let perWriter = 40
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: stores.count) { writer in
            for index in 0..<perWriter {
                do {
                    let opened = try stores[writer].intake(
                        Fixtures.application(), workflowID: "company-formation", hall: "510811", by: "wangfang",
                        at: Fixtures.at(9, index), clock: try Fixtures.sla())
                    _ = try stores[writer].apply(
                        .transition("accept", reason: nil), to: opened.number, by: "wangfang",
                        at: Fixtures.at(10, index), clock: try Fixtures.sla())
                } catch {
                    failures.record("writer \(writer) #\(index): \(error)")
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let entries = try stores[0].queue(stages: nil, limit: 1000)
        #expect(entries.count == stores.count * perWriter)
        #expect(Set(entries.map(\.number.sequence)) == Set(1...(stores.count * perWriter)))
        #expect(entries.allSatisfy { $0.stage == "accepted" && $0.version == 2 })
        #expect(try stores[1].rebuild(clock: try Fixtures.sla()).repaired.isEmpty)
    }

    @Test func conflictingStepsOnOneCaseLetExactlyOneWin() throws {
        let path = Fixtures.temporaryDatabasePath()
        let setup = try Fixtures.store(path: path)
        let stores = [try CaseStore(path: path), try CaseStore(path: path)]
        for round in 0..<10 {
            let opened = try setup.intake(
                Fixtures.application(), workflowID: "company-formation", hall: "510811", by: "wangfang",
                at: Fixtures.at(9, round), clock: try Fixtures.sla())
            for transition in ["accept", "review"] {
                _ = try setup.apply(
                    .transition(transition, reason: nil), to: opened.number, by: "zhouqiang", at: Fixtures.at(9, 30),
                    clock: try Fixtures.sla())
            }
            let commands: [CaseCommand] = [
                .transition("approve", reason: nil), .transition("reject", reason: "经营范围不符"),
            ]
            let outcomes = Outcomes()
            DispatchQueue.concurrentPerform(iterations: 2) { writer in
                do {
                    let outcome = try stores[writer].apply(
                        commands[writer], to: opened.number, by: "lijun", at: Fixtures.at(10, 0), expectedVersion: 3,
                        clock: try Fixtures.sla())
                    outcomes.record(.success(outcome.state.stage))
                } catch {
                    outcomes.record(.failure(error))
                }
            }
            let results = outcomes.all
            let won = results.compactMap { try? $0.get() }
            #expect(won.count == 1, "round \(round): \(results)")
            let stored = try setup.registrationCase(opened.number)
            #expect(stored.stage == won.first)
            #expect(stored.version == 4)
            // The loser decided on version 3; it is refused as stale, whatever its step.
            for case .failure(let error) in results {
                #expect(
                    error as? WorkflowError == .stale(case: opened.number, expected: 3, actual: 4),
                    "round \(round): \(error)")
            }
        }
    }
}

/// Two clerks finishing different start-up tasks of one case at once, each on the version they
/// saw: both steps are legal in either order, so only the version check refuses the second.
@Suite struct ConcurrentStaleStepsTests {
    @Test func ofTwoStepsOnTheSameVersionOneWinsAndTheOtherIsStale() throws {
        let path = Fixtures.temporaryDatabasePath()
        let setup = try Fixtures.store(path: path)
        let stores = [try CaseStore(path: path), try CaseStore(path: path)]
        for round in 0..<6 {
            let opened = try setup.intake(
                Fixtures.application(tasks: ["seal", "tax", "bank"]), workflowID: "company-formation", hall: "510811",
                by: "wangfang", at: Fixtures.at(9, round), clock: try Fixtures.sla())
            for transition in ["accept", "review", "approve", "issue-licence"] {
                _ = try setup.apply(
                    .transition(transition, reason: nil), to: opened.number, by: "zhouqiang", at: Fixtures.at(9, 30),
                    clock: try Fixtures.sla())
            }
            let tasks = ["seal", "tax"]
            let outcomes = Outcomes()
            DispatchQueue.concurrentPerform(iterations: 2) { writer in
                do {
                    let outcome = try stores[writer].apply(
                        .completeTask(tasks[writer], note: nil), to: opened.number, by: "wangfang",
                        at: Fixtures.at(10, 0), expectedVersion: 5, clock: try Fixtures.sla())
                    outcomes.record(.success(outcome.events.first?.task ?? ""))
                } catch {
                    outcomes.record(.failure(error))
                }
            }
            let results = outcomes.all
            let won = results.compactMap { result -> String? in
                if case .success(let task) = result { return task }
                return nil
            }
            #expect(won.count == 1, "round \(round): \(results)")
            for case .failure(let error) in results {
                #expect(
                    error as? WorkflowError == .stale(case: opened.number, expected: 5, actual: 6),
                    "round \(round): \(error)")
            }
            let stored = try setup.registrationCase(opened.number)
            #expect(stored.version == 6)
            #expect(stored.tasks.filter(\.isDone).map(\.task) == won)
        }
    }
}

/// Thread-safe collectors for results from concurrent writers.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func record(_ message: String) {
        lock.withLock { messages.append(message) }
    }

    var all: [String] { lock.withLock { messages } }
}

final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<String, any Error>] = []

    func record(_ result: Result<String, any Error>) {
        lock.withLock { results.append(result) }
    }

    var all: [Result<String, any Error>] { lock.withLock { results } }
}

/// Licences issued by two writers at once.
@Suite struct ConcurrentLicencesTests {
    @Test func twoClerksIssuingAtOnceNeverGetTheSameCode() throws {
        let path = Fixtures.temporaryDatabasePath()
        let setup = try Fixtures.store(path: path)
        var numbers: [CaseNumber] = []
        for index in 0..<40 {
            let opened = try setup.intake(
                Fixtures.application(tasks: []), workflowID: "company-formation", hall: "510811", by: "wangfang",
                at: Fixtures.at(9, index), clock: try Fixtures.sla())
            for step in ["accept", "review", "approve"] {
                _ = try setup.apply(
                    .transition(step, reason: nil), to: opened.number, by: "zhouqiang", at: Fixtures.at(10, 0),
                    clock: try Fixtures.sla())
            }
            numbers.append(opened.number)
        }
        let stores = [try CaseStore(path: path), try CaseStore(path: path)]
        let failures = Failures()
        let cases = numbers
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            for number in cases.enumerated().filter({ $0.offset % 2 == writer }).map(\.element) {
                do {
                    _ = try stores[writer].apply(
                        .transition("issue-licence", reason: nil), to: number, by: "wangfang", at: Fixtures.at(11, 0),
                        clock: try Fixtures.sla())
                } catch {
                    failures.record("\(number): \(error)")
                }
            }
        }
        #expect(failures.all.isEmpty, "\(failures.all)")
        let codes = try setup.issuedCreditCodes()
        #expect(codes.count == 40)
        #expect(Set(codes).count == 40)
        for code in codes { _ = try CreditCode(code) }
        let states = try numbers.map { try setup.registrationCase($0) }
        #expect(Set(states.compactMap(\.creditCode)) == Set(codes))
        #expect(states.allSatisfy { $0.stage == "completed" })
    }
}
