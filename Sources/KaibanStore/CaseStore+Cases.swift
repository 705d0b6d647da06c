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
        /// Places each case written in the worklist (its schedule columns).
        let clock: SLAClock
        /// The opening events written, remembered once the batch commits.
        let openings = OpeningsWritten()

        /// Takes in an application (收件) under the newest version of `workflowID`: checks it,
        /// gives it the next case number of `hall` for its local intake date, and stores the
        /// opening event.
        package func intake(
            _ application: CaseApplication, workflowID: String, hall: String, by clerkID: String, at now: Date,
            nameParts: NameParts? = nil, recording: Recording? = nil, checklist: CaseChecklist? = nil,
            documents: [ReceivedDocument] = []
        ) throws -> RegistrationCase {
            let definition = try store.latestDefinition(workflowID, db)
            let problems = application.problems(knownTasks: definition.allTaskIDs, on: HallTime.localDate(of: now))
            guard problems.isEmpty else { throw ApplicationRejected(problems: problems) }
            // Names are stored in their normalised form, as the desk's intake stores them.
            var application = application
            application.proposedName = EnterpriseNameText.normalized(application.proposedName)
            let clerk = try recording?.doneByThen ?? store.fetchClerk(clerkID, db)
            var event = try WorkflowEngine(definition: definition).open(application: application, by: clerk, at: now)
            if let recording { event.stamp(recording) }
            event.checklist = checklist
            event.documentsReceived = documents.isEmpty ? nil : documents
            let date = HallTime.localDate(of: now)
            if ExtendedHoursIntake.applies(to: application.channel) {
                event.extendedHours = try store.extendedHours(at: now, db)
            }
            let sequence = try store.next(in: "case_number_counter", prefix: "\(hall)-\(date.compact)", db)
            let number = CaseNumber(division: hall, date: date, sequence: sequence)
            let state = try RegistrationCase.replay([event], number: number, definition: definition)
            try store.insertCase(
                state, schedule: clock.schedule(state, budgetMinutes: definition.budgetMinutes),
                nameParts: nameParts, db)
            try store.append([event], to: number, db, openings: openings, nameParts: nameParts)
            try store.fileLookup(
                CaseLookup.entries(of: application, tradeName: nameParts?.tradeName, creditCode: nil), for: number, db)
            try store.writeMail(state, definition, db)
            if let reference = application.crossProvince {
                // The cross-province case gets its case here in the same transaction, once.
                try db.execute(
                    sql: """
                        UPDATE exchange_case SET local_case = ?
                        WHERE collaboration_number = ? AND partner_code = ? AND local_case IS NULL
                        """,
                    arguments: [number.description, reference.collaborationNumber, reference.partnerCode])
                guard db.changesCount == 1 else {
                    throw StoreError.crossProvinceCaseTaken(reference.collaborationNumber)
                }
            }
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
                let clerk = try step.recording?.doneByThen ?? clerks[step.clerk] ?? store.fetchClerk(step.clerk, db)
                if step.recording?.doneByThen == nil { clerks[step.clerk] = clerk }
                let at = step.instant(on: state)
                var events = try engine.decide(
                    step.command, on: state, by: clerk, at: at, expectedVersion: index == 0 ? expectedVersion : nil)
                for position in events.indices {
                    if let recording = step.recording { events[position].stamp(recording) }
                    if events[position].transition.flatMap(definition.transition)?.issuesCreditCode == true {
                        events[position].creditCode = try store.issueCreditCode(for: state, at: at, db).value
                    }
                }
                for event in events { try state.apply(event, definition: definition) }
                appended += events
            }
            try store.append(appended, to: number, db)
            if let revoked = definition.revocation(in: appended) {
                // Revoked (撤销): its name is held three years from now, then free.
                try db.cachedStatement(
                    sql: "UPDATE registered_name SET released_at = ? WHERE case_number = ? AND released_at IS NULL"
                ).execute(arguments: [revoked, number.description])
            }
            try store.updateCase(
                state, schedule: clock.schedule(state, budgetMinutes: definition.budgetMinutes),
                previousVersion: previousVersion, db)
            if state.deferral != nil {
                try store.writeDeferral(
                    state, parties: appended.contains { $0.kind == .deferralCommitted }, db)
            }
            try store.writeMail(state, definition, db)
            return StepOutcome(state: state, events: appended)
        }
    }

    /// Runs `body` with a ``Batch`` in one IMMEDIATE transaction.
    package func batch<T>(clock: SLAClock, _ body: (Batch) throws -> T) throws -> T {
        var written: [(key: String, text: String, data: OpeningData)] = []
        let result = try write { db in
            let batch = Batch(store: self, db: db, clock: clock)
            let result = try body(batch)
            try invalidateSchedules(ifOlderThanStored: clock, db)
            written = batch.openings.entries
            return result
        }
        // Committed: the applications just written need not be decoded again by the next step.
        remember(written)
        return result
    }

    /// Opening events written in a batch: case, stored text, value.
    package final class OpeningsWritten {
        var entries: [(key: String, text: String, data: OpeningData)] = []
    }

    /// Takes in one application in its own transaction (see ``Batch/intake(_:workflowID:hall:by:at:nameParts:)``).
    package func intake(
        _ application: CaseApplication, workflowID: String, hall: String, by clerkID: String, at now: Date,
        nameParts: NameParts? = nil, recording: Recording? = nil, checklist: CaseChecklist? = nil,
        documents: [ReceivedDocument] = [], clock: SLAClock
    ) throws -> RegistrationCase {
        try batch(clock: clock) {
            try $0.intake(
                application, workflowID: workflowID, hall: hall, by: clerkID, at: now, nameParts: nameParts,
                recording: recording, checklist: checklist, documents: documents)
        }
    }

    /// Applies `command` to case `number` as clerk `clerkID` at `now`, in one transaction. When
    /// `expectedVersion` is given and the case has moved on since, the step is refused as stale.
    package func apply(
        _ command: CaseCommand, to number: CaseNumber, by clerkID: String, at now: Date, expectedVersion: Int? = nil,
        recording: Recording? = nil, clock: SLAClock
    ) throws -> StepOutcome {
        try batch(clock: clock) {
            try $0.apply(
                [BatchStep(command, by: clerkID, at: now, recording: recording)], to: number,
                expectedVersion: expectedVersion)
        }
    }

    /// The case as it stands.
    package func registrationCase(_ number: CaseNumber) throws -> RegistrationCase {
        try read { db in try fetchCase(number, db) }
    }

    /// The case's full history, oldest first.
    package func history(_ number: CaseNumber) throws -> [CaseEvent] {
        try read { db in
            let events = try fetchEvents(number, db)
            guard !events.isEmpty else { throw StoreError.caseNotFound(number.description) }
            return events
        }
    }

    /// The case as it stands: the fold of its history (the truth), read through the history's
    /// primary key. The projection row serves queries only, so no step re-encodes the case.
    func fetchCase(_ number: CaseNumber, _ db: Database) throws -> RegistrationCase {
        let events = try fetchEvents(number, db)
        guard let key = events.first?.definition else {
            if events.isEmpty { throw StoreError.caseNotFound(number.description) }
            throw HistoryError(number: number, sequence: 1, issue: "the first event is not a well-formed opening")
        }
        return try RegistrationCase.replay(events, number: number, definition: try definition(key, db))
    }

    /// What an opening event holds beyond the columns (the form shared by every store).
    typealias OpeningData = StoredHistory.Opening

    /// Decoded opening events by case, each with the exact text it was decoded from: a step reads
    /// the text (the history is the truth) and decodes it only when it is not the text remembered.
    struct OpeningCache: Sendable {
        static let capacity = 8_192
        var entries: [String: (text: String, data: OpeningData)] = [:]
    }

    /// The opening event's data from its stored text, decoded once per text.
    func openingData(_ number: CaseNumber, _ text: String) throws -> OpeningData {
        let key = number.description
        if let cached = openings.withLock({ $0.entries[key] }), cached.text == text { return cached.data }
        let data = try Self.decodeStorage(OpeningData.self, text)
        remember([(key, text, data)])
        return data
    }

    /// Keeps decoded opening events (only ever from committed or stored text).
    func remember(_ entries: [(key: String, text: String, data: OpeningData)]) {
        guard !entries.isEmpty else { return }
        openings.withLock { cache in
            for entry in entries {
                if cache.entries.count >= OpeningCache.capacity { cache.entries.removeAll(keepingCapacity: true) }
                cache.entries[entry.key] = (entry.text, entry.data)
            }
        }
    }

    func fetchEvents(_ number: CaseNumber, _ db: Database) throws -> [CaseEvent] {
        // Positional access: this runs for every event of the case at every step.
        try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT sequence, at, kind, actor, role, transition, from_stage, to_stage, task, reason, automatic,
                        data_json, credit_code, recorded_at, recorded_by, late_reason, document, document_form,
                        document_sha256
                    FROM case_event WHERE case_id = (SELECT id FROM registration_case WHERE number = ?)
                    ORDER BY sequence
                    """),
            arguments: [number.description]
        ).map { row in
            let code: Int = row[2]
            guard let kind = Self.eventKind(code: code) else {
                throw StoreError.storage("case \(number): unknown event kind \(code)")
            }
            let text = row[11] as String?
            let data = try kind == .opened ? text.map { try openingData(number, $0) } : nil
            let seconds: Int64 = row[1]
            var event = CaseEvent(
                sequence: row[0], at: Date(timeIntervalSince1970: TimeInterval(seconds)), kind: kind, actor: row[3],
                role: row[4], transition: row[5],
                fromStage: row[6], toStage: row[7], task: row[8], reason: row[9], application: data?.application,
                definition: data?.definition, automatic: row[10], creditCode: row[12])
            event.checklist = data?.checklist
            event.documentsReceived = data?.received
            event.extendedHours = data?.extendedHours
            switch kind {
            case .deferralCommitted:
                event.commitment = try text.map { try Self.decodeStorage(DeferralCommitment.self, $0) }
            case .deferralExtended:
                event.deferralExtension = try text.map { try Self.decodeStorage(DeferralExtension.self, $0) }
            case .specialFlagged:
                event.special = try text.map { try Self.decodeStorage(SpecialRequest.self, $0) }
            case .visitRecorded:
                event.visit = try text.map { try Self.decodeStorage(VisitDetails.self, $0) }
            case .mailReceived, .mailSent:
                event.post = try text.map { try Self.decodeStorage(PostalItem.self, $0) }
            default:
                break
            }
            event.recordedAt = (row[13] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
            event.recordedBy = row[14]
            event.lateReason = row[15]
            if let code = row[16] as String? {
                let formText: String = row[17] ?? ""
                guard let form = ReceivedDocument.Form(rawValue: formText) else {
                    throw StoreError.storage("case \(number): unknown document form \(formText)")
                }
                event.document = ReceivedDocument(code: code, form: form, sha256: row[18])
            }
            return event
        }
    }

    func insertCase(_ state: RegistrationCase, schedule: CaseSchedule, nameParts: NameParts?, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO registration_case (number, workflow_id, workflow_version, stage, version, channel,
                    enterprise_type, proposed_name, opened_by, opened_at, updated_at, closed_at, clock_segments,
                    government_minutes, remaining_minutes, due_at, trade_name, industry, special_kind)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            state.number.description, state.definition.id, state.definition.version, state.stage, state.version,
            state.application.channel.rawValue, state.application.enterpriseType.rawValue,
            state.application.proposedName, state.openedBy, Self.storageText(state.openedAt),
            Self.storageText(state.updatedAt), state.closedAt.map(Self.storageText),
            ClockSegment.encode(state.segments, extra: state.extraWorkingTime), schedule.governmentMinutes,
            schedule.remainingMinutes,
            schedule.dueAt.map(Self.seconds), nameParts?.tradeName ?? "", nameParts?.industry ?? "",
            state.special?.kind.rawValue,
        ])
    }

    /// How the history stores an event's kind (the numbering shared by every store).
    static func eventKindCode(_ kind: CaseEvent.Kind) -> Int { StoredHistory.kindCode(kind) }

    static func eventKind(code: Int) -> CaseEvent.Kind? { StoredHistory.kind(code: code) }

    /// Unix seconds, as events and schedules store instants.
    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded(.down))
    }

    /// Rewrites the projection row; with `previousVersion`, refuses (as stale) if another writer
    /// moved the case on meanwhile.
    func updateCase(_ state: RegistrationCase, schedule: CaseSchedule, previousVersion: Int?, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE registration_case SET stage = ?, version = ?, updated_at = ?, closed_at = ?, clock_segments = ?,
                    government_minutes = ?, remaining_minutes = ?, due_at = ?, special_kind = ?
                WHERE number = ? AND (? IS NULL OR version = ?)
                """
        ).execute(arguments: [
            state.stage, state.version, Self.storageText(state.updatedAt), state.closedAt.map(Self.storageText),
            ClockSegment.encode(state.segments, extra: state.extraWorkingTime), schedule.governmentMinutes,
            schedule.remainingMinutes,
            schedule.dueAt.map(Self.seconds), state.special?.kind.rawValue,
            state.number.description, previousVersion, previousVersion,
        ])
        if db.changesCount != 1 {
            let actual = try Int.fetchOne(
                db, sql: "SELECT version FROM registration_case WHERE number = ?", arguments: [state.number.description]
            )
            // Every write is one IMMEDIATE transaction, so no other writer moved the case meanwhile:
            // the row disagrees with the history it is derived from.
            throw StoreError.projectionOutOfStep(
                case: state.number.description, history: previousVersion ?? -1, row: actual ?? -1)
        }
    }

    func append(
        _ events: [CaseEvent], to number: CaseNumber, _ db: Database, openings: OpeningsWritten? = nil,
        nameParts: NameParts? = nil
    ) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO case_event (case_id, sequence, at, kind, actor, role, transition, from_stage,
                    to_stage, task, reason, automatic, data_json, credit_code, recorded_at, recorded_by, late_reason,
                    document, document_form, document_sha256)
                VALUES ((SELECT id FROM registration_case WHERE number = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    ?, ?, ?, ?, ?, ?)
                """)
        for event in events {
            var data: String?
            if let application = event.application, let definition = event.definition {
                let opening = OpeningData(
                    application: application, definition: definition, nameParts: nameParts,
                    checklist: event.checklist, received: event.documentsReceived, extendedHours: event.extendedHours)
                let text = String(
                    decoding: try Self.openingJSON.encode(opening, checklist: opening.checklist) { $0.checklist = $1 },
                    as: UTF8.self)
                openings?.entries.append((number.description, text, opening))
                data = text
            } else if let commitment = event.commitment {
                data = try Self.storageJSON(commitment)
            } else if let granted = event.deferralExtension {
                data = try Self.storageJSON(granted)
            } else if let special = event.special {
                data = try Self.storageJSON(special)
            } else if let visit = event.visit {
                data = try Self.storageJSON(visit)
            } else if let post = event.post {
                data = try Self.storageJSON(post)
            }
            try statement.execute(arguments: [
                number.description, event.sequence, Self.seconds(event.at), Self.eventKindCode(event.kind), event.actor,
                event.role,
                event.transition, event.fromStage, event.toStage, event.task, event.reason, event.automatic, data,
                event.creditCode, event.recordedAt.map(Self.seconds), event.recordedBy, event.lateReason,
                event.document?.code, event.document?.form.rawValue, event.document?.sha256,
            ])
        }
    }
}
