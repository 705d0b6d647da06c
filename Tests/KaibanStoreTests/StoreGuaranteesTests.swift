import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

/// The store's safety guarantees, each with a test that fails when the code keeping it goes:
/// stale steps refused, a history the database itself keeps append-only, credit codes unique
/// and never reused, clerks administered by active supervisors only.
@Suite struct StoreGuaranteesTests {
    let path = Fixtures.temporaryDatabasePath()
    let store: CaseStore

    init() throws {
        store = try Fixtures.store(path: path)
    }

    func intake(_ minute: Int = 0, tasks: [String] = ["seal", "tax", "bank"]) throws -> RegistrationCase {
        try store.intake(
            Fixtures.application(tasks: tasks), workflowID: "company-formation", hall: "510811", by: Fixtures.window.id,
            at: Fixtures.at(9, minute), clock: try Fixtures.sla())
    }

    @discardableResult
    func step(
        _ number: CaseNumber, _ transition: String, as clerk: Clerk = Fixtures.supervisor, reason: String? = nil,
        expectedVersion: Int? = nil
    ) throws -> StepOutcome {
        try store.apply(
            .transition(transition, reason: reason), to: number, by: clerk.id, at: Fixtures.at(10, 0),
            expectedVersion: expectedVersion, clock: try Fixtures.sla())
    }

    func count(_ table: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    /// A case at the licence (核准 done), ready for 发照.
    func approved(_ minute: Int, tasks: [String] = []) throws -> CaseNumber {
        let number = try intake(minute, tasks: tasks).number
        for transition in ["accept", "review", "approve"] { try step(number, transition) }
        return number
    }

    // MARK: Stale steps

    @Test func aStepDecidedOnAnOlderVersionIsRefusedAsStaleAndWritesNothing() throws {
        let number = try intake().number
        try step(number, "accept", as: Fixtures.window, expectedVersion: 1)
        // The reviewer saw version 1 (before 受理): review would be legal now, but not on what they saw.
        #expect(throws: WorkflowError.stale(case: number, expected: 1, actual: 2)) {
            try step(number, "review", as: Fixtures.reviewer, expectedVersion: 1)
        }
        #expect(try store.history(number).count == 2)
        #expect(try store.registrationCase(number).version == 2)
        #expect(try step(number, "review", as: Fixtures.reviewer, expectedVersion: 2).state.stage == "review")
    }

    /// The projection row is rewritten only from the version it holds: a writer whose history and
    /// row disagree (a row that drifted, or another writer in between) changes nothing.
    @Test func theProjectionIsRewrittenOnlyFromTheVersionItHolds() throws {
        let number = try intake().number
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: "UPDATE registration_case SET version = 9 WHERE number = ?", arguments: [number.description])
        }
        #expect(throws: StoreError.projectionOutOfStep(case: number.description, history: 1, row: 9)) {
            try step(number, "accept", as: Fixtures.window)
        }
        #expect(try store.history(number).count == 1)
        let stage = try DatabaseQueue(path: path).read { db in
            try String.fetchOne(
                db, sql: "SELECT stage FROM registration_case WHERE number = ?", arguments: [number.description])
        }
        #expect(stage == "received")
        // A rebuild brings the row back in step with the history, and the case moves on.
        #expect(try store.rebuild(clock: try Fixtures.sla()).repaired == [number.description])
        _ = try step(number, "accept", as: Fixtures.window)
        #expect(try store.history(number).count == 2)
    }

    // MARK: Append-only history

    /// The message of the history's triggers.
    static func isAppendOnlyRefusal(_ error: DatabaseError?) -> Bool {
        error?.resultCode == .SQLITE_CONSTRAINT && error?.message == "case history is append-only"
    }

    @Test func theDatabaseRefusesToEditOrDeleteHistory() throws {
        let number = try intake().number
        try step(number, "request-correction", as: Fixtures.window, reason: "缺少章程签字页")
        let queue = try DatabaseQueue(path: path)
        for sql in [
            "UPDATE case_event SET actor = 'someone-else'", "UPDATE case_event SET reason = NULL WHERE sequence = 2",
            "DELETE FROM case_event", "DELETE FROM case_event WHERE sequence = 2",
            // REPLACE deletes the row it meets without firing delete triggers: refused on insert.
            """
            INSERT OR REPLACE INTO case_event (case_id, sequence, at, kind, actor)
            SELECT case_id, sequence, at, kind, 'someone-else' FROM case_event WHERE sequence = 1
            """,
            """
            REPLACE INTO case_event (case_id, sequence, at, kind, actor, reason)
            SELECT case_id, 2, at, 1, 'wangfang', '' FROM case_event WHERE sequence = 1
            """,
        ] {
            let error = #expect(throws: DatabaseError.self, "\(sql)") {
                try queue.write { db in try db.execute(sql: sql) }
            }
            #expect(Self.isAppendOnlyRefusal(error), "\(sql): \(String(describing: error))")
        }
        let history = try store.history(number)
        #expect(history.map(\.actor) == ["wangfang", "wangfang"])
        #expect(history.last?.reason == "缺少章程签字页")
        // A case whose history exists cannot be deleted from under it either.
        let orphaning = #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.execute(sql: "DELETE FROM registration_case") }
        }
        #expect(orphaning?.resultCode == .SQLITE_CONSTRAINT)
        #expect(try count("case_event") == 2)
    }

    // MARK: Credit codes

    @Test func licencesGetDistinctCodesThatAreNeverReused() throws {
        let first = try approved(1, tasks: ["seal"])
        let firstCode = try #require(try step(first, "issue-licence", as: Fixtures.window).state.creditCode)
        // A licensed case is not withdrawn (its registration would be revoked); completed, its code
        // stays issued, to it alone.
        #expect(throws: WorkflowError.afterLicence(case: first, step: LocalizedText(zh: "撤回", en: "withdraw"))) {
            try step(first, "withdraw", as: Fixtures.window, reason: "申请人撤回")
        }
        _ = try store.apply(
            .completeTask("seal", note: nil), to: first, by: Fixtures.window.id, at: Fixtures.at(11, 0),
            clock: try Fixtures.sla())
        let second = try approved(2)
        let secondCode = try #require(try step(second, "issue-licence", as: Fixtures.window).state.creditCode)
        #expect(firstCode != secondCode)
        #expect(try store.issuedCreditCodes() == [firstCode, secondCode].sorted())
        for code in [firstCode, secondCode] {
            #expect(try CreditCode(code).value.hasPrefix("91510811MA"))
        }
        let history = try store.history(second)
        #expect(history.compactMap(\.creditCode) == [secondCode])
    }

    @Test func theDatabaseRefusesADuplicateCodeAndASecondCodeForACase() throws {
        let first = try approved(1)
        let second = try approved(2)
        let code = try #require(try step(first, "issue-licence", as: Fixtures.window).state.creditCode)
        let queue = try DatabaseQueue(path: path)
        let duplicate = #expect(throws: DatabaseError.self) {
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO credit_code (code, case_number, issued_at) VALUES (?, ?, ?)",
                    arguments: [code, second.description, Fixtures.at(11, 0)])
            }
        }
        #expect(duplicate?.resultCode == .SQLITE_CONSTRAINT, "\(String(describing: duplicate))")
        let body = try #require(CreditCode.organizationBody(serial: 999_999))
        let other = try #require(CreditCode.make(authority: "9", type: "1", division: "510811", organizationBody: body))
        let secondForCase = #expect(throws: DatabaseError.self) {
            try queue.write { db in
                try db.execute(
                    sql: "INSERT INTO credit_code (code, case_number, issued_at) VALUES (?, ?, ?)",
                    arguments: [other.value, first.description, Fixtures.at(11, 0)])
            }
        }
        #expect(secondForCase?.resultCode == .SQLITE_CONSTRAINT, "\(String(describing: secondForCase))")
        #expect(try store.issuedCreditCodes() == [code])
    }

    // MARK: Clerk administration

    @Test func onlyAnActiveSupervisorRegistersClerks() throws {
        let newcomer = Clerk(id: "newcomer", name: "新人", roles: ["window"])
        let retired = Clerk(id: "retired", name: "退休", roles: ["supervisor"], active: false)
        try store.addClerk(retired, by: Fixtures.supervisor.id)
        for actor in [Fixtures.window.id, Fixtures.reviewer.id, Fixtures.trainee.id] {
            #expect(throws: StoreError.supervisorRequired(clerk: actor, act: CaseStore.clerkAdministration)) {
                try store.addClerk(newcomer, by: actor)
            }
        }
        // A deactivated supervisor is told so, not that they are no supervisor.
        #expect(throws: WorkflowError.clerkInactive(clerk: retired.id)) { try store.addClerk(newcomer, by: retired.id) }
        #expect(throws: StoreError.actorRequired) { try store.addClerk(newcomer, by: nil) }
        #expect(throws: StoreError.clerkNotFound("ghost")) { try store.addClerk(newcomer, by: "ghost") }
        #expect(try store.clerks().map(\.id).contains("newcomer") == false)
        try store.addClerk(newcomer, by: Fixtures.supervisor.id)
        #expect(try store.clerk("newcomer").roles == ["window"])
    }

    @Test func theFirstClerkOfANewDatabaseMustBeASupervisor() throws {
        let empty = try CaseStore(path: Fixtures.temporaryDatabasePath())
        #expect(throws: StoreError.firstClerkNotSupervisor("wangfang")) {
            try empty.addClerk(Fixtures.window, by: nil)
        }
        #expect(try empty.clerks().isEmpty)
        try empty.addClerk(Fixtures.supervisor, by: nil)
        #expect(try empty.clerks().map(\.id) == ["zhouqiang"])
    }

    @Test func aRefusedStepOfAClerkWithoutTheRoleWritesNothing() throws {
        let number = try intake().number
        let definition = try Fixtures.companyFormation().0
        #expect(
            throws: WorkflowError.roleRequired(
                clerk: "lijun", step: try #require(definition.transition("accept")?.name),
                required: [definition.roleName("window")], held: [definition.roleName("reviewer")])
        ) { try step(number, "accept", as: Fixtures.reviewer) }
        #expect(try store.history(number).count == 1)
    }
}
