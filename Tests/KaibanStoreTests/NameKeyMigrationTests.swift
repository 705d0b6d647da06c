import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// Names stored before the normalised comparison key (issue 8, class 5) are re-keyed by migration
/// 0011, so that the store's exact lookups find them under the name they read as.
@Suite struct NameKeyMigrationTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")

    func application(named name: String) -> CaseApplication {
        var application = Fixtures.application()
        application.proposedName = name
        return application
    }

    /// Takes in `name` at `hour`:00 and, when `license`, licenses it.
    func take(_ name: String, hour: Int, license: Bool, on desk: Desk) async throws -> String {
        let number = try await desk.playing(Fixtures.at(hour, 0)).intake(
            application(named: name), documents: .all, as: window, at: Fixtures.at(hour, 0)
        ).case.number
        if license {
            for (step, actor, minute) in [
                ("accept", window, 5), ("review", reviewer, 10), ("approve", reviewer, 15),
                ("issue-licence", window, 20),
            ] {
                _ = try await desk.playing(Fixtures.at(hour, minute)).step(
                    number, step, as: actor, at: Fixtures.at(hour, minute))
            }
        }
        return number.description
    }

    @Test func namesStoredWithInvisibleCharactersAreReKeyedToTheNormalisedForm() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(path: path)
        _ = try await take("广元市昭化区青禾农业科技有限公司", hour: 9, license: true, on: desk)
        let gold = try await take("广元市昭化区金山农业科技有限公司", hour: 10, license: true, on: desk)
        let twice = try await take("广元市昭化区青苗农业科技有限公司", hour: 11, license: true, on: desk)
        let open = try await take("广元市昭化区不凡农业科技有限公司", hour: 12, license: false, on: desk)
        // What the earlier rules stored: a zero-width space, a Kangxi radical, and one name
        // licensed a second time with a zero-width space.
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in
            try db.execute(
                sql: "UPDATE registered_name SET trade_name = ? WHERE case_number = ?", arguments: ["金\u{200B}山", gold])
            try db.execute(
                sql: "UPDATE registration_case SET trade_name = ? WHERE number = ?", arguments: ["金\u{200B}山", gold])
            try db.execute(
                sql: "UPDATE registered_name SET trade_name = ? WHERE case_number = ?",
                arguments: ["青\u{200B}禾", twice])
            try db.execute(
                sql: "UPDATE registration_case SET trade_name = ? WHERE number = ?", arguments: ["\u{2F00}凡", open])
            try KaibanMigrations.normalizedNameKeys(db)
        }
        let keys = try await queue.read { db in
            try Row.fetchAll(db, sql: "SELECT case_number, trade_name FROM registered_name ORDER BY case_number").map {
                [$0["case_number"] as String: Array(($0["trade_name"] as String).unicodeScalars)]
            }
        }
        #expect(keys.contains([gold: Array("金山".unicodeScalars)]), "\(keys)")
        // 青禾 is registered already: the second spelling keeps its text, and no key is lost.
        #expect(keys.contains([twice: Array("青\u{200B}禾".unicodeScalars)]), "\(keys)")
        let openKey = try await queue.read { db in
            try String.fetchOne(db, sql: "SELECT trade_name FROM registration_case WHERE number = ?", arguments: [open])
        }
        #expect(openKey.map { Array($0.unicodeScalars) } == Array("一凡".unicodeScalars))
        // The store's exact lookups now find them.
        let store = try CaseStore(path: path)
        #expect(
            try await store.registeredNames(division: "510811", tradeName: "金山", industry: "").map(\.caseNumber) == [
                gold
            ])
        #expect(try await store.openApplications(hall: "510811", tradeName: "一凡", industry: "农业科技") == [open])
    }

    @Test func theStoreKeepsTheNormalisedNameAlsoOnTheBatchPath() throws {
        let store = try Fixtures.store()
        // ⼴ is the Kangxi radical U+2F34 (NFKC 广); the ASCII brackets become full-width.
        var application = Fixtures.application()
        application.enterpriseType = .partnership
        application.registeredCapital = .zero
        application.proposedName = " ⼴元市昭化区明德企业管理咨询中心(普通合伙) "
        let state = try store.intake(
            application, workflowID: "company-formation", hall: "510811", by: Fixtures.window.id,
            at: Fixtures.at(9, 0), clock: try Fixtures.sla())
        let stored = try store.registrationCase(state.number).application.proposedName
        #expect(Array(stored.unicodeScalars) == Array("广元市昭化区明德企业管理咨询中心（普通合伙）".unicodeScalars))
    }

    @Test func theMigrationIsRegisteredAfterTheEarlierOnes() {
        let names = KaibanMigrations.migrator.migrations
        // Migrations run in the order of their numbers; a new one goes last.
        #expect(names == names.sorted())
        #expect(
            names.firstIndex(of: "0011-normalized-name-keys") == names.firstIndex(of: "0010-case-lookup").map { $0 + 1 }
        )
    }
}
