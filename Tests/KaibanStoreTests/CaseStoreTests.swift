import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

@Suite struct CaseStoreTests {
    let path = Fixtures.temporaryDatabasePath()
    let store: CaseStore

    init() throws {
        store = try Fixtures.store(path: path)
    }

    func intake(_ minute: Int = 0, day: Int = 26, hall: String = "510811") throws -> RegistrationCase {
        try store.intake(
            Fixtures.application(), workflowID: "company-formation", hall: hall, by: Fixtures.window.id,
            at: Fixtures.at(9, minute, day: day), clock: try Fixtures.sla())
    }

    func step(_ number: CaseNumber, _ transition: String, as clerk: Clerk, reason: String? = nil) throws -> StepOutcome
    {
        try store.apply(
            .transition(transition, reason: reason), to: number, by: clerk.id, at: Fixtures.at(10, 0),
            clock: try Fixtures.sla())
    }

    /// Raw counts straight from the file, to prove what was or was not written.
    func count(_ table: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    /// From a hostile trial: the write lock held by another process past the busy timeout came
    /// out as a raw SQLite error (`storage.failed`, "5 (database is locked)"). It is
    /// `database.busy`, as on PostgreSQL: nothing was changed, try again.
    @Test func aDatabaseLockedByAnotherProcessIsBusyNotAFailure() throws {
        _ = try intake(1)
        var configuration = Configuration()
        configuration.busyMode = .timeout(0.2)
        let impatient = try CaseStore(
            writer: try DatabasePool(path: path, configuration: configuration), location: path, migrate: false)
        try DatabaseQueue(path: path).inDatabase { holder in
            try holder.execute(sql: "BEGIN IMMEDIATE")
            defer { try? holder.execute(sql: "ROLLBACK") }
            let refused = #expect(throws: StoreError.self) {
                _ = try impatient.intake(
                    Fixtures.application(), workflowID: "company-formation", hall: "510811", by: Fixtures.window.id,
                    at: Fixtures.at(9, 2), clock: try Fixtures.sla())
            }
            #expect(refused == .databaseBusy)
            #expect(refused?.problem.code == "database.busy" && refused?.problem.kind == .storage)
        }
        #expect(try count("registration_case") == 1)
        #expect(
            try impatient.intake(
                Fixtures.application(), workflowID: "company-formation", hall: "510811", by: Fixtures.window.id,
                at: Fixtures.at(9, 3), clock: try Fixtures.sla()
            ).number.description == "510811-20261126-0002")
    }

    /// From an upgrade trial: an older build opened a database a newer one had migrated, and wrote
    /// by its older rules without a word. A database with a migration this build does not know
    /// is refused, saying which; and the file passes SQLite's own integrity check (the office
    /// hours table of migration 0032 had tripped SQLite 3.40's check with its key's column last).
    @Test func aDatabaseOfANewerBuildIsRefusedAndTheFileIsSound() throws {
        _ = try intake(1)
        let shell = try DatabaseQueue(path: path)
        #expect(try shell.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") } == ["ok"])
        try shell.write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999-from-the-future')")
        }
        let refused = #expect(throws: StoreError.self) { _ = try CaseStore(path: path) }
        #expect(refused == .databaseNewer(location: path, migrations: ["9999-from-the-future"]))
        #expect(refused?.problem.code == "database.newer-version")
        #expect(try count("registration_case") == 1)
    }

    @Test func caseNumbersRunPerHallAndLocalDay() throws {
        #expect(try intake(1).number.description == "510811-20261126-0001")
        #expect(try intake(2).number.description == "510811-20261126-0002")
        #expect(try intake(3, day: 27).number.description == "510811-20261127-0001")
        #expect(try intake(4, hall: "510802").number.description == "510802-20261126-0001")
        // 23:30 on the 26th in Shanghai is still the 26th locally, though the 26th's 15:30 UTC.
        let late = try store.intake(
            Fixtures.application(), workflowID: "company-formation", hall: "510811", by: Fixtures.window.id,
            at: Fixtures.at(23, 30), clock: try Fixtures.sla())
        #expect(late.number.description == "510811-20261126-0003")
    }

    @Test func aStepIsStoredWithWhoRoleWhenAndReason() throws {
        let opened = try intake()
        let outcome = try step(opened.number, "request-correction", as: Fixtures.window, reason: "缺少章程签字页")
        #expect(outcome.state.stage == "correction")
        let history = try store.history(opened.number)
        #expect(history.map(\.sequence) == [1, 2])
        #expect(history[1].actor == "wangfang")
        #expect(history[1].role == "window")
        #expect(history[1].reason == "缺少章程签字页")
        #expect(history[1].at == Fixtures.at(10, 0))
        #expect(try store.registrationCase(opened.number) == outcome.state)
    }

    @Test func aRefusedStepWritesNothing() throws {
        let opened = try intake()
        let eventsBefore = try count("case_event")
        let definition = try Fixtures.companyFormation().0
        let approve = #expect(throws: WorkflowError.self) { try step(opened.number, "approve", as: Fixtures.reviewer) }
        guard case .notAllowedFromStage(opened.number, definition.stageName("received"), _, _) = approve else {
            Issue.record("approve at intake: \(String(describing: approve))")
            return
        }
        #expect(
            throws: WorkflowError.roleRequired(
                clerk: "trainee", step: try #require(definition.transition("accept")?.name),
                required: [definition.roleName("window")], held: [])
        ) { try step(opened.number, "accept", as: Fixtures.trainee) }
        #expect(throws: StoreError.clerkNotFound("nobody")) {
            try store.apply(
                .transition("accept", reason: nil), to: opened.number, by: "nobody", at: Fixtures.at(10, 0),
                clock: try Fixtures.sla())
        }
        #expect(try count("case_event") == eventsBefore)
        #expect(try store.registrationCase(opened.number).version == 1)
    }

    @Test func aRefusedIntakeUsesNoNumber() throws {
        var bad = Fixtures.application()
        bad.legalRepresentative.idNumber = "123"
        let rejected = #expect(throws: ApplicationRejected.self) {
            try store.intake(
                bad, workflowID: "company-formation", hall: "510811", by: "wangfang", at: Fixtures.at(9, 0),
                clock: try Fixtures.sla())
        }
        #expect(rejected?.problems.map(\.field) == ["legalRepresentative.idNumber"])
        #expect(throws: StoreError.clerkNotFound("ghost")) {
            try store.intake(
                Fixtures.application(), workflowID: "company-formation", hall: "510811", by: "ghost",
                at: Fixtures.at(9, 0), clock: try Fixtures.sla())
        }
        #expect(try count("registration_case") == 0)
        #expect(try intake().number.sequence == 1)
    }

    @Test func unknownCasesAreNotFound() throws {
        let number = try #require(CaseNumber("510811-20261126-0099"))
        #expect(throws: StoreError.caseNotFound("510811-20261126-0099")) { try store.registrationCase(number) }
        #expect(throws: StoreError.caseNotFound("510811-20261126-0099")) { try store.history(number) }
    }

    @Test func rebuildRepairsEveryDerivedColumnThatDriftedFromTheHistory() throws {
        let opened = try intake()
        _ = try step(opened.number, "accept", as: Fixtures.window)
        #expect(try store.rebuild(clock: try Fixtures.sla()).repaired.isEmpty)
        let drifts = [
            "stage = 'approved'", "closed_at = '2026-11-26 02:00:00.000'", "clock_segments = ''", "version = 9",
            "channel = 'mail'", "proposed_name = '别的名称'", "updated_at = '2020-01-01 00:00:00.000'",
        ]
        for drift in drifts {
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "UPDATE registration_case SET \(drift)")
            }
            // The case itself is read from its history, whatever the projection says.
            #expect(try store.registrationCase(opened.number).stage == "accepted")
            let report = try store.rebuild(clock: try Fixtures.sla())
            #expect(report.cases == 1)
            #expect(report.events == 2)
            #expect(report.repaired == [opened.number.description], "\(drift)")
            #expect(try store.queue(stages: ["accepted"], limit: 10).map(\.number) == [opened.number], "\(drift)")
            #expect(try store.rebuild(clock: try Fixtures.sla()).repaired.isEmpty, "\(drift)")
        }
    }

    @Test func theWorklistIsOldestFirstAndFiltersByStage() throws {
        let first = try intake(5)
        let second = try intake(1)
        let third = try intake(3)
        _ = try step(third.number, "accept", as: Fixtures.window)
        _ = try step(first.number, "withdraw", as: Fixtures.window, reason: "申请人撤回")
        #expect(try store.queue(stages: nil, limit: 10).map(\.number) == [second.number, third.number])
        #expect(try store.queue(stages: ["accepted", "review"], limit: 10).map(\.number) == [third.number])
        #expect(try store.queue(stages: [], limit: 10).isEmpty)
        #expect(try store.queue(stages: nil, limit: 1).count == 1)
    }

    /// Each plan below is EXPLAIN QUERY PLAN of the very statement the read runs (not a copy).
    @Test func theWorklistReadsOnlyThePartialIndexesOfOpenCases() throws {
        let all = try store.queuePlan(stages: nil)
        let byStage = try store.queuePlan(stages: ["accepted", "review"])
        // Each page is read in order from its partial index: no other case is read, nothing is sorted.
        for plan in [all, byStage] {
            #expect(plan.contains("USING INDEX registration_case_due"), "\(plan)")
            #expect(plan.contains("USING INDEX registration_case_waiting"), "\(plan)")
            #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
            #expect(!plan.contains("SCAN registration_case\n") && !plan.hasSuffix("SCAN registration_case"), "\(plan)")
        }
    }

    @Test func theSLAReportReadsClosedCasesThroughItsIndexAndOnlyByStageTheRows() throws {
        for grouping in [SLAGrouping.all, .channel, .type, .clerk] {
            let plan = try store.closedCasesPlan(groupedBy: grouping)
            #expect(
                plan.contains("USING COVERING INDEX registration_case_report (closed_at>? AND closed_at<?)"),
                "\(grouping): \(plan)")
        }
        let byStage = try store.closedCasesPlan(groupedBy: .stage)
        #expect(byStage.contains("USING INDEX registration_case_report (closed_at>? AND closed_at<?)"), "\(byStage)")
        let span = try store.closedSpanPlan()
        #expect(span.components(separatedBy: "USING COVERING INDEX registration_case_report").count == 3, "\(span)")
        #expect(!span.contains("TEMP B-TREE"), "\(span)")
    }

    @Test func nameChecksReadTheirIndexesOnly() throws {
        let plans = try store.namePlans()
        #expect(
            plans.open.contains("USING INDEX registration_case_open_names (trade_name=? AND industry=?)"),
            "\(plans.open)")
        #expect(
            plans.registered.contains("USING INDEX registered_name_by_trade_name (division=? AND trade_name=?)"),
            "\(plans.registered)")
        #expect(
            plans.registered.contains("USING INDEX registered_name_by_industry (division=? AND industry=?)"),
            "\(plans.registered)")
        #expect(!plans.registered.contains("SCAN registered_name"), "\(plans.registered)")
    }
}

@Suite struct StorageTextTests {
    /// Instants the store writes as text read back as the same instants and sort like GRDB's own.
    @Test func instantsAreWrittenExactlyAsGRDBWritesDates() throws {
        let queue = try DatabaseQueue()
        let instants = [
            Date(timeIntervalSince1970: 0), Fixtures.at(9, 5), Date(timeIntervalSince1970: 1_795_622_400.25),
            Date(timeIntervalSince1970: -86_401.5), Fixtures.local("2060-12-31T23:59"),
        ]
        for instant in instants {
            let ours = CaseStore.storageText(instant)
            let theirs = try queue.read { db in try String.fetchOne(db, sql: "SELECT ?", arguments: [instant]) }
            #expect(ours == theirs, "\(instant)")
            let back = try queue.read { db in try Date.fetchOne(db, sql: "SELECT ?", arguments: [ours]) }
            #expect(back.map { abs($0.timeIntervalSince(instant)) < 0.001 } == true, "\(instant)")
        }
    }
}
