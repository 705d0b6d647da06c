import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Many operations in one transaction (imports, generated data for benchmarks). Every operation
    /// follows the same rules as on its own; if any is refused, nothing of the batch is written.
    package struct Batch {
        let store: CaseStore
        let db: Database

        /// Takes in an application (收件) under the newest version of `workflowID`: checks it,
        /// gives it the next case number of `hall` for its local intake date, and stores the
        /// opening event.
        package func intake(
            _ application: CaseApplication, workflowID: String, hall: String, by clerkID: String, at now: Date,
            nameParts: NameParts? = nil
        ) throws -> RegistrationCase {
            let definition = try store.latestDefinition(workflowID, db)
            let problems = application.problems(knownTasks: definition.allTaskIDs)
            guard problems.isEmpty else { throw ApplicationRejected(problems: problems) }
            let clerk = try store.fetchClerk(clerkID, db)
            let event = try WorkflowEngine(definition: definition).open(application: application, by: clerk, at: now)
            let date = HallTime.localDate(of: now)
            let sequence = try store.next(in: "case_number_counter", prefix: "\(hall)-\(date.compact)", db)
            let number = CaseNumber(division: hall, date: date, sequence: sequence)
            let state = try RegistrationCase.replay([event], number: number, definition: definition)
            try store.insertCase(state, db)
            if let nameParts {
                try db.execute(
                    sql: "UPDATE registration_case SET trade_name = ?, industry = ? WHERE number = ?",
                    arguments: [nameParts.tradeName, nameParts.industry, number.description])
            }
            try store.append([event], to: number, db)
            return state
        }

        /// Applies `steps` to case `number` in order; with `expectedVersion`, the first step is
        /// refused as stale if the case moved on since that version.
        package func apply(_ steps: [BatchStep], to number: CaseNumber, expectedVersion: Int? = nil) throws
            -> StepOutcome
        {
            var state = try store.fetchCase(number, db)
            let definition = try store.definition(state.definition, db)
            let engine = WorkflowEngine(definition: definition)
            let previousVersion = state.version
            var appended: [CaseEvent] = []
            var clerks: [String: Clerk] = [:]
            for (index, step) in steps.enumerated() {
                let clerk = try clerks[step.clerk] ?? store.fetchClerk(step.clerk, db)
                clerks[step.clerk] = clerk
                var events = try engine.decide(
                    step.command, on: state, by: clerk, at: step.at, expectedVersion: index == 0 ? expectedVersion : nil
                )
                for position in events.indices
                where events[position].transition.flatMap(definition.transition)?.issuesCreditCode == true {
                    events[position].creditCode = try store.issueCreditCode(for: state, at: step.at, db).value
                }
                for event in events { try state.apply(event, definition: definition) }
                appended += events
            }
            try store.append(appended, to: number, db)
            try store.updateCase(state, previousVersion: previousVersion, db)
            return StepOutcome(state: state, events: appended)
        }
    }

    /// Runs `body` with a ``Batch`` in one IMMEDIATE transaction.
    package func batch<T>(_ body: (Batch) throws -> T) throws -> T {
        try write { db in try body(Batch(store: self, db: db)) }
    }

    /// Takes in one application in its own transaction (see ``Batch/intake(_:workflowID:hall:by:at:nameParts:)``).
    package func intake(
        _ application: CaseApplication, workflowID: String, hall: String, by clerkID: String, at now: Date,
        nameParts: NameParts? = nil
    ) throws -> RegistrationCase {
        try batch {
            try $0.intake(application, workflowID: workflowID, hall: hall, by: clerkID, at: now, nameParts: nameParts)
        }
    }

    /// Applies `command` to case `number` as clerk `clerkID` at `now`, in one transaction. When
    /// `expectedVersion` is given and the case has moved on since, the step is refused as stale.
    package func apply(
        _ command: CaseCommand, to number: CaseNumber, by clerkID: String, at now: Date, expectedVersion: Int? = nil
    ) throws -> StepOutcome {
        try batch {
            try $0.apply([BatchStep(command, by: clerkID, at: now)], to: number, expectedVersion: expectedVersion)
        }
    }

    /// The case as it stands.
    package func registrationCase(_ number: CaseNumber) throws -> RegistrationCase {
        try read { db in try fetchCase(number, db) }
    }

    /// The case's full history, oldest first.
    package func history(_ number: CaseNumber) throws -> [CaseEvent] {
        try read { db in
            _ = try fetchCase(number, db)
            return try fetchEvents(number, db)
        }
    }

    func fetchCase(_ number: CaseNumber, _ db: Database) throws -> RegistrationCase {
        guard
            let json = try String.fetchOne(
                db.cachedStatement(sql: "SELECT state_json FROM registration_case WHERE number = ?"),
                arguments: [number.description])
        else { throw StoreError.caseNotFound(number.description) }
        return try Self.decode(RegistrationCase.self, json)
    }

    /// What an opening event holds beyond the columns.
    struct OpeningData: Codable {
        var application: CaseApplication
        var definition: WorkflowDefinition.Key
    }

    func fetchEvents(_ number: CaseNumber, _ db: Database) throws -> [CaseEvent] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM case_event WHERE case_number = ? ORDER BY sequence"),
            arguments: [number.description]
        ).map { row in
            guard let kind = CaseEvent.Kind(rawValue: row["kind"]) else {
                throw StoreError.storage("case \(number): unknown event kind \(row["kind"] as String? ?? "")")
            }
            let data = try (row["data_json"] as String?).map { try Self.decode(OpeningData.self, $0) }
            return CaseEvent(
                sequence: row["sequence"], at: row["at"], kind: kind, actor: row["actor"], role: row["role"],
                transition: row["transition"], fromStage: row["from_stage"], toStage: row["to_stage"],
                task: row["task"],
                reason: row["reason"], application: data?.application, definition: data?.definition,
                automatic: row["automatic"], creditCode: row["credit_code"])
        }
    }

    func insertCase(_ state: RegistrationCase, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO registration_case (number, workflow_id, workflow_version, stage, version, channel,
                    enterprise_type, proposed_name, opened_by, opened_at, updated_at, closed_at, state_json,
                    clock_segments)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            state.number.description, state.definition.id, state.definition.version, state.stage, state.version,
            state.application.channel.rawValue, state.application.enterpriseType.rawValue,
            state.application.proposedName, state.openedBy, state.openedAt, state.updatedAt, state.closedAt,
            try Self.json(state), ClockSegment.encode(state.segments),
        ])
    }

    /// Rewrites the projection row; with `previousVersion`, refuses (as stale) if another writer
    /// moved the case on meanwhile.
    func updateCase(_ state: RegistrationCase, previousVersion: Int?, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE registration_case SET stage = ?, version = ?, updated_at = ?, closed_at = ?, state_json = ?,
                    clock_segments = ?
                WHERE number = ? AND (? IS NULL OR version = ?)
                """
        ).execute(arguments: [
            state.stage, state.version, state.updatedAt, state.closedAt, try Self.json(state),
            ClockSegment.encode(state.segments),
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
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO case_event (case_number, sequence, at, kind, actor, role, transition, from_stage,
                    to_stage, task, reason, automatic, data_json, credit_code)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for event in events {
            var data: String?
            if let application = event.application, let definition = event.definition {
                data = try Self.json(OpeningData(application: application, definition: definition))
            }
            try statement.execute(arguments: [
                number.description, event.sequence, event.at, event.kind.rawValue, event.actor, event.role,
                event.transition, event.fromStage, event.toStage, event.task, event.reason, event.automatic, data,
                event.creditCode,
            ])
        }
    }
}
