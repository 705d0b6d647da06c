import Foundation
import GRDB
import KaibanCore

/// The result of a step: the case as it now stands and the events appended.
public struct StepOutcome: Sendable {
    public var state: RegistrationCase
    public var events: [CaseEvent]
}

extension CaseStore {
    /// Takes in an application (收件) under the newest version of `workflowID`: checks it, gives it
    /// the next case number of `hall` for its local intake date, and stores the opening event.
    public func intake(
        _ application: CaseApplication, workflowID: String, hall: String, by clerkID: String, at now: Date
    ) throws -> RegistrationCase {
        let definition = try latestDefinition(workflowID)
        let problems = application.problems(knownTasks: definition.allTaskIDs)
        guard problems.isEmpty else { throw ApplicationRejected(problems: problems) }
        let engine = WorkflowEngine(definition: definition)
        return try write { db in
            let clerk = try fetchClerk(clerkID, db)
            let event = try engine.open(application: application, by: clerk, at: now)
            let date = HallTime.localDate(of: now)
            let prefix = "\(hall)-\(date.compact)"
            let sequence =
                try Int.fetchOne(
                    db,
                    sql: """
                        INSERT INTO case_number_counter (prefix, last) VALUES (?, 1)
                        ON CONFLICT(prefix) DO UPDATE SET last = last + 1 RETURNING last
                        """, arguments: [prefix]) ?? 1
            let number = CaseNumber(division: hall, date: date, sequence: sequence)
            let state = try RegistrationCase.replay([event], number: number, definition: definition)
            try insertCase(state, db)
            try append([event], to: number, db)
            return state
        }
    }

    /// Applies `command` to case `number` as clerk `clerkID` at `now`, in one transaction. When
    /// `expectedVersion` is given and the case has moved on since, the step is refused as stale.
    public func apply(
        _ command: CaseCommand, to number: CaseNumber, by clerkID: String, at now: Date, expectedVersion: Int? = nil
    ) throws -> StepOutcome {
        try write { db in
            let clerk = try fetchClerk(clerkID, db)
            var state = try fetchCase(number, db)
            let definition = try definition(state.definition, db)
            let events = try WorkflowEngine(definition: definition).decide(
                command, on: state, by: clerk, at: now, expectedVersion: expectedVersion)
            let previousVersion = state.version
            for event in events {
                try state.apply(event, definition: definition)
            }
            try append(events, to: number, db)
            try updateCase(state, previousVersion: previousVersion, db)
            return StepOutcome(state: state, events: events)
        }
    }

    /// The case as it stands.
    public func registrationCase(_ number: CaseNumber) throws -> RegistrationCase {
        try read { db in try fetchCase(number, db) }
    }

    /// The case's full history, oldest first.
    public func history(_ number: CaseNumber) throws -> [CaseEvent] {
        try read { db in
            _ = try fetchCase(number, db)
            return try fetchEvents(number, db)
        }
    }

    func fetchCase(_ number: CaseNumber, _ db: Database) throws -> RegistrationCase {
        guard
            let json = try String.fetchOne(
                db, sql: "SELECT state_json FROM registration_case WHERE number = ?", arguments: [number.description])
        else { throw StoreError.caseNotFound(number.description) }
        return try Self.decode(RegistrationCase.self, json)
    }

    func fetchEvents(_ number: CaseNumber, _ db: Database) throws -> [CaseEvent] {
        try String.fetchAll(
            db, sql: "SELECT event_json FROM case_event WHERE case_number = ? ORDER BY sequence",
            arguments: [number.description]
        ).map { try Self.decode(CaseEvent.self, $0) }
    }

    func insertCase(_ state: RegistrationCase, _ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO registration_case (number, workflow_id, workflow_version, stage, version, channel,
                    enterprise_type, proposed_name, opened_by, opened_at, updated_at, closed_at, state_json)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                state.number.description, state.definition.id, state.definition.version, state.stage, state.version,
                state.application.channel.rawValue, state.application.enterpriseType.rawValue,
                state.application.proposedName, state.openedBy, state.openedAt, state.updatedAt, state.closedAt,
                try Self.json(state),
            ])
    }

    /// Rewrites the projection row; with `previousVersion`, refuses (as stale) if another writer
    /// moved the case on meanwhile.
    func updateCase(_ state: RegistrationCase, previousVersion: Int?, _ db: Database) throws {
        try db.execute(
            sql: """
                UPDATE registration_case SET stage = ?, version = ?, updated_at = ?, closed_at = ?, state_json = ?
                WHERE number = ? AND (? IS NULL OR version = ?)
                """,
            arguments: [
                state.stage, state.version, state.updatedAt, state.closedAt, try Self.json(state),
                state.number.description, previousVersion, previousVersion,
            ])
        if db.changesCount != 1 {
            let actual = try Int.fetchOne(
                db, sql: "SELECT version FROM registration_case WHERE number = ?", arguments: [state.number.description]
            )
            throw WorkflowError.stale(case: state.number, expected: previousVersion ?? -1, actual: actual ?? -1)
        }
    }

    func append(_ events: [CaseEvent], to number: CaseNumber, _ db: Database) throws {
        for event in events {
            try db.execute(
                sql: """
                    INSERT INTO case_event (case_number, sequence, at, kind, actor, role, transition, from_stage,
                        to_stage, task, reason, automatic, event_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    number.description, event.sequence, event.at, event.kind.rawValue, event.actor, event.role,
                    event.transition, event.fromStage, event.toStage, event.task, event.reason, event.automatic,
                    try Self.json(event),
                ])
        }
    }
}
