import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// Issue 11, special service: the flag's column is derived from the history, rebuilt like the
/// others, and the worklist reads the open flagged cases through their own partial index.
@Suite struct SpecialStoreTests {
    let window = DeskActor.clerk("wangfang")
    let supervisor = DeskActor.clerk("zhouqiang")

    @Test func theOpenFlaggedCasesAreReadThroughTheirPartialIndexOnly() throws {
        let store = try Fixtures.store()
        for stages in [nil, ["received"]] {
            let plan = try store.specialPlan(stages: stages)
            #expect(plan.contains("USING INDEX registration_case_special"), "\(plan)")
            #expect(!plan.contains("SCAN registration_case\n") && !plan.hasSuffix("SCAN registration_case"), "\(plan)")
        }
    }

    @Test func theFlagAndTheVisitsClockAreRebuiltFromTheHistory() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), path: path)
        var application = Fixtures.application(channel: .special)
        application.special = SpecialRequest(kind: .doorToDoor, reason: "申请人瘫痪在床")
        let number = try await desk.playing(Fixtures.at(9, 0)).intake(application, documents: .all, as: window).case
            .number
        _ = try await desk.playing(Fixtures.at(10, 40)).recordVisit(
            number, at: Fixtures.at(10, 30), place: "昭化区王家店村3组12号", clerks: ["wangfang"], as: window)
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
        let stored = try RebuildTests.shell(path).read { db in
            try Row.fetchOne(
                db, sql: "SELECT special_kind, clock_segments FROM registration_case WHERE number = ?",
                arguments: [number.description])
        }
        #expect(stored?["special_kind"] as String? == "door-to-door")
        // Paused from intake to the visit, running since.
        let segments = ClockSegment.decode((stored?["clock_segments"] as String?)?[...] ?? "")
        #expect(segments?.map(\.effect) == [.paused, .running])
        #expect(segments?.last?.start == Fixtures.at(10, 30))
        for drift in ["special_kind = NULL", "special_kind = 'elderly'", "clock_segments = 'r,received,1795654800,'"] {
            try await RebuildTests.shell(path).write { db in
                try db.execute(
                    sql: "UPDATE registration_case SET \(drift) WHERE number = ?", arguments: [number.description])
            }
            #expect(try await desk.rebuild(as: supervisor).repaired == [number.description], "\(drift)")
            #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty, "\(drift)")
        }
        _ = try await desk.playing(Fixtures.at(10, 50)).unflagSpecial(number, reason: "误标", as: supervisor)
        let after = try await RebuildTests.shell(path).read { db in
            try String.fetchOne(
                db, sql: "SELECT special_kind FROM registration_case WHERE number = ?", arguments: [number.description])
        }
        #expect(after == nil)
    }
}
