import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// Issue 9: the deferral rows are derived from the history (rebuilt like every projection), and
/// the applicants' flags are append-only in the database itself.
@Suite struct DeferralStoreTests {
    let window = DeskActor.clerk("wangfang")
    let supervisor = DeskActor.clerk("zhouqiang")

    func deferredCase(_ desk: Desk) async throws -> CaseNumber {
        let application = Fixtures.application()
        let needed = try desk.checklist().requirements(for: application).map(\.code)
        let handed = needed.filter { $0 != "officer-appointment" }.map { ReceivedDocument(code: $0, form: .paper) }
        let number = try await desk.playing(Fixtures.at(9, 5)).intake(
            application, documents: .some(handed), as: window
        ).case.number
        _ = try await desk.playing(Fixtures.at(9, 10)).commitDeferral(
            number, codes: ["officer-appointment"], signer: "张伟", signerID: Fixtures.idZhang, as: window)
        return number
    }

    @Test func aDeferralRowThatDriftedIsFoundAndRepairedFromTheHistory() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), path: path)
        let number = try await deferredCase(desk)
        _ = desk.playing(Fixtures.at(18, 0))
        let clean = try await desk.rebuild(as: supervisor)
        #expect(clean.repaired.isEmpty)
        #expect(try await desk.deferrals(.overdue, at: Fixtures.at(11, 0)).isEmpty)
        try await RebuildTests.shell(path).write { db in
            try db.execute(sql: "UPDATE case_deferral SET next_deadline = 0")
            try db.execute(sql: "DELETE FROM deferral_party")
        }
        #expect(try await desk.deferrals(.overdue, at: Fixtures.at(11, 0)).map(\.number) == [number])
        #expect(try await desk.rebuild(as: supervisor).repaired == [number.description])
        #expect(try await desk.deferrals(.overdue, at: Fixtures.at(11, 0)).isEmpty)
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
    }

    @Test func flagsAreAppendOnlyInTheDatabase() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), path: path)
        _ = try await desk.flagApplicant(Fixtures.idLi, flagged: true, reason: "列入失信名单", as: supervisor)
        let edited = #expect(throws: DatabaseError.self) {
            try RebuildTests.shell(path).write { db in try db.execute(sql: "UPDATE applicant_flag SET flagged = 0") }
        }
        #expect(edited?.message == "applicant flags are append-only")
        #expect(throws: DatabaseError.self) {
            try RebuildTests.shell(path).write { db in try db.execute(sql: "DELETE FROM applicant_flag") }
        }
        #expect(try await desk.applicant(Fixtures.idLi).standing.excluded)
    }

    @Test func theDeferralListsReadThroughTheDeadlineIndex() throws {
        let store = try Fixtures.store()
        let plan = try store.read { db in
            try Row.fetchAll(
                db,
                sql: "EXPLAIN QUERY PLAN " + CaseStore.deferralsSQL, arguments: [0, 1, 10]
            ).map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(plan.contains("case_deferral_open"), "\(plan)")
        #expect(!plan.contains("SCAN c"), "\(plan)")
        // A rebuild reads each case's parties by its id, not by scanning everyone's.
        let parties = try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + CaseStore.partiesSQL, arguments: [1])
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
        #expect(parties.contains("deferral_party_by_case") && !parties.contains("SCAN"), "\(parties)")
    }
}
