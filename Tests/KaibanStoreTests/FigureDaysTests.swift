import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// Issue 13: the hall's counts by local day (`case_figure_day`), kept by triggers, equal what
/// the cases and their histories give, follow a case that changes, and are repaired by a rebuild.
@Suite struct FigureDaysTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let supervisor = DeskActor.clerk("zhouqiang")

    typealias Counts = [String: Int]

    /// The stored rows that count, as "day measure channel type stage" → count.
    static func stored(_ path: String) throws -> Counts {
        try RebuildTests.shell(path).read { db in
            var result: Counts = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM case_figure_day WHERE count <> 0") {
                result[
                    "\(row[0] as String) \(row[1] as String) \(row[2] as String) \(row[3] as String) \(row[4] as String)"
                ] =
                    row[5]
            }
            return result
        }
    }

    /// The same rows computed afresh from the cases and their histories.
    static func fresh(_ path: String) throws -> Counts {
        try RebuildTests.shell(path).read { db in
            var result: Counts = [:]
            for row in try Row.fetchAll(db, sql: CaseStore.figureDaysSQL(bounded: false)) {
                result[
                    "\(row[0] as String) \(row[1] as String) \(row[2] as String) \(row[3] as String) \(row[4] as String)"
                ] =
                    row[5]
            }
            return result
        }
    }

    /// Five cases received on the 26th: the first licensed, the second refused, the third
    /// withdrawn after acceptance; returns the desk, the path and the numbers.
    func played() async throws -> (Desk, String, [CaseNumber]) {
        let (desk, path, numbers) = try await RebuildTests().desk()
        _ = try await desk.playing(Fixtures.at(10, 0)).step(
            numbers[1], "refuse", reason: "不属于登记范围", as: window, at: Fixtures.at(10, 0))
        _ = try await desk.playing(Fixtures.at(10, 5)).step(numbers[2], "accept", as: window, at: Fixtures.at(10, 5))
        _ = try await desk.playing(Fixtures.at(10, 10)).step(
            numbers[2], "withdraw", reason: "申请人撤回", as: window, at: Fixtures.at(10, 10))
        _ = desk.playing(Fixtures.at(18, 0))
        return (desk, path, numbers)
    }

    @Test func theTriggersKeepWhatTheHistoryGives() async throws {
        let (_, path, _) = try await played()
        let stored = try Self.stored(path)
        // Worked out by hand: five received, two accepted, one refused and one withdrawn closed.
        #expect(
            stored == [
                "2026-11-26 received window llc ": 5, "2026-11-26 accepted window llc ": 2,
                "2026-11-26 closed window llc refused": 1, "2026-11-26 closed window llc withdrawn": 1,
            ])
        #expect(try Self.fresh(path) == stored)
    }

    @Test func aCaseThatChangesMovesItsCountsToItsNewDayAndStage() async throws {
        let (_, path, numbers) = try await played()
        try await RebuildTests.shell(path).write { db in
            // 23:59:59 on the 25th in Shanghai is 15:59:59 UTC: the day before.
            try db.execute(
                sql:
                    "UPDATE registration_case SET opened_at = '2026-11-25 15:59:59.000', channel = 'online' WHERE number = ?",
                arguments: [numbers[2].description])
            try db.execute(
                sql: "UPDATE registration_case SET stage = 'rejected' WHERE number = ?",
                arguments: [numbers[1].description])
            // A 特殊办 case is received apart (the count per channel shows it).
            try db.execute(
                sql: "UPDATE registration_case SET special_kind = 'elderly' WHERE number = ?",
                arguments: [numbers[3].description])
        }
        let stored = try Self.stored(path)
        #expect(stored["2026-11-25 received online llc "] == 1)
        #expect(stored["2026-11-26 received window llc "] == 3)
        #expect(stored["2026-11-26 received window llc special"] == 1)
        #expect(stored["2026-11-26 accepted online llc "] == 1 && stored["2026-11-26 accepted window llc "] == 1)
        #expect(stored["2026-11-26 closed online llc withdrawn"] == 1)
        #expect(
            stored["2026-11-26 closed window llc rejected"] == 1
                && stored["2026-11-26 closed window llc refused"] == nil)
        #expect(try Self.fresh(path) == stored)
    }

    @Test func aRebuildRepairsCountsThatDrifted() async throws {
        let (desk, path, _) = try await played()
        let before = try Self.stored(path)
        try await RebuildTests.shell(path).write { db in
            try db.execute(sql: "UPDATE case_figure_day SET count = 7 WHERE measure = 'received'")
            try db.execute(sql: "DELETE FROM case_figure_day WHERE measure = 'accepted'")
            try db.execute(
                sql: "INSERT INTO case_figure_day VALUES ('2031-02-28', 'closed', 'mail', 'llc', 'completed', 3)")
        }
        let report = try await desk.rebuild(as: supervisor)
        #expect(report.repaired.isEmpty)
        // The received row, the accepted one and the stray day (years ahead: the empty months
        // between are checked without pausing).
        #expect(report.figureDaysRepaired == 3)
        #expect(try Self.stored(path) == before)
        #expect(try await desk.rebuild(as: supervisor).figureDaysRepaired == 0)
    }
}
