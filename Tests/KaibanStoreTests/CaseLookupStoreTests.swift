import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// The lookup `find` reads: kept with every intake and licence, read through its index, filled
/// for existing databases by its migration, checked and repaired by rebuild.
@Suite struct CaseLookupStoreTests {
    let store: CaseStore
    let path: String

    init() throws {
        path = Fixtures.temporaryDatabasePath()
        store = try Fixtures.store(path: path)
    }

    func intake(_ minute: Int) throws -> RegistrationCase {
        try store.intake(
            Fixtures.application(), workflowID: "company-formation", hall: "510811", by: "wangfang",
            at: Fixtures.at(9, minute), nameParts: NameParts(tradeName: "青禾", industry: "农业科技"),
            clock: try Fixtures.sla())
    }

    func found(_ key: String, _ kinds: [CaseLookup.Kind], prefix: Bool = false) throws -> [String] {
        try store.findCases(kinds: kinds, key: key, prefix: prefix, offset: 0, limit: 50).cases.map(
            \.number.description)
    }

    @Test func theFindReadSearchesTheLookupsKeyAndReadsCasesByTheirID() throws {
        // A whole key: the primary key read backwards, newest case first, with no sort of all
        // the matches (a common name costs a page, not every case with that name).
        let exact = try store.findPlan(prefix: false)
        #expect(exact.contains("SEARCH case_lookup USING PRIMARY KEY (kind=? AND key=?)"), "\(exact)")
        #expect(!exact.contains("TEMP B-TREE"), "\(exact)")
        let prefix = try store.findPlan(prefix: true)
        #expect(prefix.contains("SEARCH case_lookup USING PRIMARY KEY (kind=? AND key>? AND key<?)"), "\(prefix)")
        for plan in [exact, prefix] {
            #expect(plan.contains("SEARCH c USING INTEGER PRIMARY KEY (rowid=?)"), "\(plan)")
            #expect(!plan.contains("SCAN case_lookup") && !plan.contains("SCAN c"), "\(plan)")
        }
    }

    @Test func aCommonNameIsListedNewestFirstAndAPrefixTooBroadFallsBackToTheWholeName() throws {
        let numbers = try (0..<5).map { try intake($0).number.description }
        // 张伟 is in every case (legal representative, investor, contact): newest first, paged.
        let page = try store.findCases(kinds: [.name], key: "张伟", prefix: false, offset: 1, limit: 2)
        #expect(page.cases.map(\.number.description) == [numbers[3], numbers[2]])
        #expect(page.cases.first?.matched.contains("legalRepresentative.name") == true)
        #expect(!page.prefixLimited)
        // More rows start with 张 than the bound: only the whole key 张 (none) would be listed;
        // with the bound wide enough, every case.
        let narrow = try store.findCases(kinds: [.name], key: "张", prefix: true, offset: 0, limit: 10, bound: 3)
        #expect(narrow.prefixLimited)
        #expect(narrow.cases.isEmpty)
        let wide = try store.findCases(kinds: [.name], key: "张", prefix: true, offset: 0, limit: 10, bound: 100)
        #expect(!wide.prefixLimited)
        #expect(wide.cases.map(\.number.description) == numbers.reversed())
        let broadButWhole = try store.findCases(
            kinds: [.name], key: "张伟", prefix: true, offset: 0, limit: 2, bound: 3)
        #expect(broadButWhole.prefixLimited)
        #expect(broadButWhole.cases.map(\.number.description) == [numbers[4], numbers[3]])
    }

    @Test func intakeAndTheLicenceFileTheCaseInTheirTransactions() throws {
        let opened = try intake(5)
        let number = opened.number.description
        #expect(try found("青禾", [.name]) == [number])
        #expect(try found(Fixtures.idLi, [.idNumber]) == [number])
        #expect(try found("13800000000", [.phone]) == [number])
        var code: String?
        for (step, clerk) in [
            ("accept", "wangfang"), ("review", "lijun"), ("approve", "lijun"), ("issue-licence", "wangfang"),
        ] {
            let outcome = try store.apply(
                .transition(step, reason: nil), to: opened.number, by: clerk, at: Fixtures.at(10, 0),
                clock: try Fixtures.sla())
            code = outcome.state.creditCode ?? code
        }
        #expect(try found(try #require(code), [.creditCode]) == [number])
    }

    @Test func anExistingDatabaseIsFiledByTheMigrationFromItsHistory() throws {
        let first = try intake(5).number
        let second = try intake(6).number
        // The database as it was before migration 0010: no lookup.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(
                sql: """
                    DROP TABLE case_lookup;
                    DELETE FROM grdb_migrations WHERE identifier = '0010-case-lookup';
                    """)
        }
        try queue.close()
        let migrated = try CaseStore(path: path)
        let names = try migrated.findCases(kinds: [.name], key: "张伟", prefix: false, offset: 0, limit: 10).cases
        #expect(names.map(\.number) == [second, first])
        #expect(names[0].matched == ["contact.name", "investors[1].name", "legalRepresentative.name"])
        #expect(
            try migrated.findCases(kinds: [.name], key: "青禾", prefix: false, offset: 0, limit: 10).cases.map(\.number)
                == [second, first])
        #expect(try migrated.rebuild(clock: try Fixtures.sla()).repaired.isEmpty)
    }

    @Test func schedulesMarkedByAnOlderRuleAreRecomputed() throws {
        let number = try intake(5).number
        let clock = try Fixtures.sla()
        _ = try store.refreshSchedules(clock: clock)
        #expect(try store.refreshSchedules(clock: clock) == 0)
        // As a build that rounded each stretch before adding left it: its minutes, its mark.
        try store.write { db in
            try db.execute(
                sql: "UPDATE registration_case SET government_minutes = 1 WHERE number = ?",
                arguments: [number.description])
            try db.execute(
                sql: "UPDATE store_meta SET value = ? WHERE key = 'schedule-calendar'",
                arguments: ["\(clock.calendar.revision)"])
        }
        #expect(try store.refreshSchedules(clock: clock) == 1)
        let minutes = try store.read { db in
            try Int.fetchOne(
                db, sql: "SELECT government_minutes FROM registration_case WHERE number = ?",
                arguments: [number.description])
        }
        let expected = clock.schedule(try store.registrationCase(number), budgetMinutes: 192).governmentMinutes
        #expect(minutes != 1 && minutes == expected)
        #expect(try store.refreshSchedules(clock: clock) == 0)
    }

    @Test func rebuildRefilesACaseWhoseLookupWasTamperedWith() throws {
        let first = try intake(5).number
        let second = try intake(6).number
        #expect(try store.rebuild(clock: try Fixtures.sla()).repaired.isEmpty)
        try store.write { db in
            try db.execute(sql: "DELETE FROM case_lookup WHERE key = ?", arguments: [Fixtures.idZhang])
            try db.execute(
                sql:
                    "UPDATE case_lookup SET key = '王五' WHERE key = '李秀英' AND case_id = (SELECT id FROM registration_case WHERE number = ?)",
                arguments: [second.description])
        }
        #expect(try found(Fixtures.idZhang, [.idNumber]).isEmpty)
        let report = try store.rebuild(clock: try Fixtures.sla())
        #expect(report.repaired == [first.description, second.description])
        #expect(try found(Fixtures.idZhang, [.idNumber]) == [second.description, first.description])
        #expect(try found("王五", [.name]).isEmpty)
        #expect(try store.rebuild(clock: try Fixtures.sla()).repaired.isEmpty)
    }
}
