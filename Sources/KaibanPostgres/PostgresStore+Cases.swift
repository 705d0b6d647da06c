import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// Cases on PostgreSQL, as the SQLite store keeps them: the history (append-only, the truth) and
/// the projection row derived from it, written in one transaction per operation. Several servers
/// write at once: a case number is taken under its day's row lock, a step locks its case's row
/// (`FOR UPDATE`) before it reads the history, so steps on one case run one after the other and
/// steps on different cases at once.
extension PostgresStore {
    // MARK: Intake and steps

    public func intake(
        _ application: CaseApplication, workflowID: String, hall: String, by clerk: String, at now: Date,
        nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, documents: [ReceivedDocument],
        clock: SLAClock
    ) async throws -> RegistrationCase {
        let opening = try await prepareOpening(
            application, workflowID: workflowID, by: clerk, at: now, recording: recording, checklist: checklist,
            documents: documents)
        return try await guarded { [self] in
            try await transaction { [self] connection in
                try await intake(opening, hall: hall, nameParts: nameParts, clock: clock, connection).state
            }
        }
    }

    /// An application checked and made into its opening event, before any transaction: what every
    /// intake (the window's, a portal's, a check-in's) writes.
    struct Opening: Sendable {
        var event: CaseEvent
        var application: CaseApplication
        var definition: WorkflowDefinition
        var at: Date
    }

    /// Checks `application` under the newest version of `workflowID` (every problem at once) and
    /// makes its opening event as `clerkID` at `now`; reads what it needs outside any transaction
    /// (a definition version never changes once registered).
    func prepareOpening(
        _ application: CaseApplication, workflowID: String, by clerkID: String, at now: Date, recording: Recording?,
        checklist: CaseChecklist?, documents: [ReceivedDocument], clerks: [String: Clerk] = [:]
    ) async throws -> Opening {
        let definition = try await latestDefinition(workflowID)
        let problems = application.problems(knownTasks: definition.allTaskIDs, on: HallTime.localDate(of: now))
        guard problems.isEmpty else { throw ApplicationRejected(problems: problems) }
        // Names are stored in their normalised form, as the desk's intake stores them.
        var application = application
        application.proposedName = EnterpriseNameText.normalized(application.proposedName)
        let doer: Clerk
        if let then = recording?.doneByThen ?? clerks[clerkID] {
            doer = then
        } else {
            doer = try await self.clerk(clerkID)
        }
        var event = try WorkflowEngine(definition: definition).open(application: application, by: doer, at: now)
        if let recording { event.stamp(recording) }
        event.checklist = checklist
        event.documentsReceived = documents.isEmpty ? nil : documents
        if ExtendedHoursIntake.applies(to: application.channel) {
            event.extendedHours = try await extendedHours(at: now)
        }
        return Opening(event: event, application: application, definition: definition, at: now)
    }

    /// Writes `opening` as a new case of `hall` inside `connection`'s transaction: the next number
    /// of the hall's local day, the projection row, the history, the lookup and what the case's
    /// channel keeps beside it; `beside` writes what its caller keeps with the case (a portal's
    /// access and idempotency rows) before the number is taken.
    func intake(
        _ opening: Opening, hall: String, nameParts: NameParts?, clock: SLAClock, _ connection: PostgresConnection,
        beside: (@Sendable (Int64, PostgresConnection) async throws -> Void)? = nil
    ) async throws -> (state: RegistrationCase, caseID: Int64) {
        let date = HallTime.localDate(of: opening.at)
        let definition = opening.definition
        // The number is taken last: from then to the commit the day's counter row stays locked,
        // and the hall's next intake waits for it. So the case is written first under a number of
        // its own that no one else can hold, and given its number at the end.
        let provisional = try RegistrationCase.replay(
            [opening.event], number: CaseNumber(division: hall, date: date, sequence: 1), definition: definition)
        let opened = try await connection.execute(
            PostgresStatements.OpenCase(
                provisional, numberText: "pending:" + UUID().uuidString, hall: hall,
                schedule: clock.schedule(provisional, budgetMinutes: definition.budgetMinutes), nameParts: nameParts,
                opening: opening.event,
                lookup: CaseLookup.entries(
                    of: opening.application, tradeName: nameParts?.tradeName, creditCode: nil)),
            logger: logger)
        guard let id = try await opened.first(where: { _ in true }) else {
            throw StoreError.storage("the new case of \(hall) was not given an id")
        }
        try await writeMailRow(provisional, definition, caseID: id, connection)
        try await beside?(id, connection)
        let numbered = try await connection.execute(
            PostgresStatements.NumberCase(
                hall: hall, day: date.description,
                prefix: String(CaseNumber(division: hall, date: date, sequence: 0).description.dropLast(4)),
                caseID: id),
            logger: logger)
        guard let taken = try await numbered.first(where: { _ in true }) else {
            throw PostgresStoreError.storage("no case number was returned for \(hall) on \(date)")
        }
        let number = CaseNumber(division: hall, date: date, sequence: taken.sequence)
        guard taken.number == number.description else {
            throw PostgresStoreError.storage(
                "case \(number) was written as \(taken.number ?? "no number") (case id \(id))")
        }
        let state = try RegistrationCase.replay([opening.event], number: number, definition: definition)
        if let reference = opening.application.crossProvince {
            try await linkCrossProvinceCase(reference, to: number, connection)
        }
        try await invalidateSchedules(ifOlderThan: clock, revision: taken.calendarRevision, connection)
        return (state, id)
    }

    public func apply(
        _ command: CaseCommand, to number: CaseNumber, by clerk: String, at now: Date, expectedVersion: Int?,
        recording: Recording, clock: SLAClock
    ) async throws -> StepOutcome {
        try await steps(
            [command], to: number, by: clerk, at: now, expectedVersion: expectedVersion, recording: recording,
            clock: clock)
    }

    public func apply(
        all commands: [CaseCommand], to number: CaseNumber, by clerk: String, at now: Date, recording: Recording,
        clock: SLAClock
    ) async throws -> StepOutcome {
        try await steps(
            commands, to: number, by: clerk, at: now, expectedVersion: nil, recording: recording, clock: clock)
    }

    /// Applies `commands` in order to case `number` in one transaction, its row locked first; with
    /// `expectedVersion`, the first is refused as stale if the case moved on since.
    func steps(
        _ commands: [CaseCommand], to number: CaseNumber, by clerkID: String, at now: Date, expectedVersion: Int?,
        recording: Recording, clock: SLAClock
    ) async throws -> StepOutcome {
        let doer: Clerk
        if let then = recording.doneByThen { doer = then } else { doer = try await self.clerk(clerkID) }
        let definition = try await caseDefinition(number)
        let steps = commands.map { BatchStep($0, by: clerkID, at: now, recording: recording) }
        return try await guarded { [self] in
            try await transaction { [self] connection in
                try await apply(
                    steps, to: number, expectedVersion: expectedVersion, clerks: [clerkID: doer],
                    definition: definition, clock: clock, connection)
            }
        }
    }

    /// The workflow version case `number` runs under (read before its step's transaction: a
    /// case's version never changes, and a version's definition never does).
    func caseDefinition(_ number: CaseNumber) async throws -> WorkflowDefinition {
        let key = try await guarded { [self] in
            try await client.query(
                """
                SELECT workflow_id, workflow_version FROM registration_case WHERE number = \(number.description)
                """, logger: logger
            ).decode((String, Int).self).first(where: { _ in true })
        }
        guard let (id, version) = key else { throw StoreError.caseNotFound(number.description) }
        return try await definition(WorkflowDefinition.Key(id: id, version: version))
    }

    /// Applies `steps` in order to case `number` inside `connection`'s transaction: locks the
    /// case's row, replays its history, lets the workflow decide each step (as `clerks` stood at
    /// the time, unless a step's recording says how its clerk stood then), issues a credit code
    /// where a step does, and writes the events, the projection and what is derived beside it.
    func apply(
        _ steps: [BatchStep], to number: CaseNumber, expectedVersion: Int?, clerks: [String: Clerk],
        definition: WorkflowDefinition, clock: SLAClock, _ connection: PostgresConnection
    ) async throws -> StepOutcome {
        let locked = try await connection.query(
            """
            SELECT id, workflow_id, workflow_version FROM registration_case
            WHERE number = \(number.description) FOR UPDATE
            """, logger: logger)
        guard
            let (id, workflowID, workflowVersion) = try await locked.decode((Int64, String, Int).self).first(
                where: { _ in true })
        else { throw StoreError.caseNotFound(number.description) }
        let events = try await fetchEvents(caseID: id, number: number, connection)
        guard let key = events.first?.definition else {
            throw HistoryError(number: number, sequence: 1, issue: "the first event is not a well-formed opening")
        }
        var state = try RegistrationCase.replay(events, number: number, definition: definition)
        guard key == definition.key, key == WorkflowDefinition.Key(id: workflowID, version: workflowVersion) else {
            throw StoreError.projectionOutOfStep(case: number.description, history: state.version, row: -1)
        }
        let engine = WorkflowEngine(definition: definition)
        let previousVersion = state.version
        var appended: [CaseEvent] = []
        for (index, step) in steps.enumerated() {
            guard let doer = step.recording?.doneByThen ?? clerks[step.clerk] else {
                throw StoreError.clerkNotFound(step.clerk)
            }
            let at = step.instant(on: state)
            var decided = try engine.decide(
                step.command, on: state, by: doer, at: at, expectedVersion: index == 0 ? expectedVersion : nil)
            for position in decided.indices {
                if let recording = step.recording { decided[position].stamp(recording) }
                if decided[position].transition.flatMap(definition.transition)?.issuesCreditCode == true {
                    decided[position].creditCode = try await issueCreditCode(
                        for: state, caseID: id, at: at, connection
                    ).value
                }
            }
            for event in decided { try state.apply(event, definition: definition) }
            appended += decided
        }
        try await append(appended, caseID: id, nameParts: nil, connection)
        if let revoked = definition.revocation(in: appended) {
            // Revoked (撤销): its name is held three years from now, then free.
            _ = try await connection.query(
                """
                UPDATE registered_name SET released_at = \(Self.milliseconds(revoked))
                WHERE case_number = \(number.description) AND released_at IS NULL
                """, logger: logger)
        }
        try await updateCase(
            state, caseID: id, schedule: clock.schedule(state, budgetMinutes: definition.budgetMinutes),
            previousVersion: previousVersion, connection)
        if state.deferral != nil {
            try await writeDeferralRows(
                state, parties: appended.contains { $0.kind == .deferralCommitted }, caseID: id, connection)
        }
        try await writeMailRow(state, definition, caseID: id, connection)
        try await invalidateSchedules(ifOlderThan: clock, connection)
        return StepOutcome(state: state, events: appended)
    }

    /// Many cases in one transaction (generated data, imports): each taken in and moved on by the
    /// same rules as one by one; if any is refused, nothing of them is written.
    public func importCases(_ cases: [CaseImport], clock: SLAClock) async throws {
        var clerks: [String: Clerk] = [:]
        for id in Set(cases.flatMap { [$0.clerk] + $0.steps.map(\.clerk) }) { clerks[id] = try await clerk(id) }
        var prepared: [(Opening, CaseImport)] = []
        for item in cases {
            let opening = try await prepareOpening(
                item.application, workflowID: item.workflowID, by: item.clerk, at: item.at, recording: nil,
                checklist: nil, documents: [], clerks: clerks)
            prepared.append((opening, item))
        }
        let openings = prepared
        let known = clerks
        try await guarded { [self] in
            try await transaction { [self] connection in
                for (opening, item) in openings {
                    let opened = try await intake(opening, hall: item.hall, nameParts: nil, clock: clock, connection)
                    if !item.steps.isEmpty {
                        _ = try await apply(
                            item.steps, to: opened.state.number, expectedVersion: nil, clerks: known,
                            definition: opening.definition, clock: clock, connection)
                    }
                }
            }
        }
    }

    // MARK: Reading cases

    public func registrationCase(_ number: CaseNumber) async throws -> RegistrationCase {
        let events = try await history(number)
        guard let key = events.first?.definition else {
            throw HistoryError(number: number, sequence: 1, issue: "the first event is not a well-formed opening")
        }
        return try RegistrationCase.replay(events, number: number, definition: try await definition(key))
    }

    public func history(_ number: CaseNumber) async throws -> [CaseEvent] {
        let events = try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await fetchEvents(caseID: nil, number: number, connection)
            }
        }
        guard !events.isEmpty else { throw StoreError.caseNotFound(number.description) }
        return events
    }

    public func histories(openAt instant: Date, limit: Int) async throws -> [CaseHistory]? {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                let rows = try await connection.query(
                    """
                    SELECT number FROM registration_case
                    WHERE opened_at <= \(instant) AND (closed_at IS NULL OR closed_at > \(instant))
                    LIMIT \(limit + 1)
                    """, logger: logger)
                var numbers: [String] = []
                for try await number in rows.decode(String.self) { numbers.append(number) }
                guard numbers.count <= limit else { return nil }
                var histories: [CaseHistory] = []
                for text in numbers {
                    guard let number = CaseNumber(text) else {
                        throw StoreError.storage("unreadable case number \(text)")
                    }
                    histories.append(
                        CaseHistory(
                            number: number, events: try await fetchEvents(caseID: nil, number: number, connection)))
                }
                return histories
            }
        }
    }

    /// The worklist's columns, in ``queueEntry(_:)``'s order.
    static let queueColumns = """
        number, stage, channel, enterprise_type, proposed_name, opened_at, updated_at, version, workflow_id,
        workflow_version, clock_segments, due_at, remaining_minutes, special_kind,
        (SELECT licence_waiting_since FROM case_mail WHERE case_id = registration_case.id)
        """

    public func worklistPage(stages: [String]?, running: Bool, offset: Int, limit: Int) async throws -> [QueueEntry] {
        if let stages, stages.isEmpty { return [] }
        // Each order is read from its partial index on open cases, as on SQLite.
        let order: PostgresQuery =
            running
            ? """
            SELECT \(unescaped: Self.queueColumns) FROM registration_case
            WHERE closed_at IS NULL AND due_at IS NOT NULL AND (\(stages == nil) OR stage = ANY(\(stages ?? [])))
            ORDER BY due_at, number LIMIT \(limit) OFFSET \(offset)
            """
            : """
            SELECT \(unescaped: Self.queueColumns) FROM registration_case
            WHERE closed_at IS NULL AND due_at IS NULL AND (\(stages == nil) OR stage = ANY(\(stages ?? [])))
            ORDER BY remaining_minutes IS NULL, remaining_minutes, opened_at, number LIMIT \(limit) OFFSET \(offset)
            """
        return try await queueEntries(order)
    }

    public func runningCases(dueAfter after: Date, through: Date, limit: Int) async throws -> [QueueEntry] {
        try await queueEntries(
            """
            SELECT \(unescaped: Self.queueColumns) FROM registration_case
            WHERE closed_at IS NULL AND due_at IS NOT NULL AND due_at > \(Self.wholeSeconds(after))
                AND due_at <= \(Self.wholeSeconds(through))
            ORDER BY due_at, number LIMIT \(limit)
            """)
    }

    public func openSpecialCases(stages: [String]?, limit: Int) async throws -> [QueueEntry] {
        if let stages, stages.isEmpty { return [] }
        return try await queueEntries(
            """
            SELECT \(unescaped: Self.queueColumns) FROM registration_case
            WHERE closed_at IS NULL AND special_kind IS NOT NULL AND (\(stages == nil) OR stage = ANY(\(stages ?? [])))
            ORDER BY due_at IS NULL, due_at, remaining_minutes IS NULL, remaining_minutes, opened_at, number
            LIMIT \(limit)
            """)
    }

    /// Recomputes every case's schedule when the calendar changed since they were computed (the
    /// revision kept in `store_meta`), in one transaction; how many were recomputed.
    /// How many cases' schedules one statement of ``refreshSchedules(clock:)`` writes.
    static let schedulesPerStatement = 5_000

    public func refreshSchedules(clock: SLAClock) async throws -> Int {
        try await guarded { [self] in
            try await transaction { [self] connection in
                let revision = try await Self.calendarRevision(connection, logger)
                let stored = try await connection.query(
                    "SELECT value FROM store_meta WHERE key = 'schedule-calendar' FOR UPDATE", logger: logger
                ).decode(String.self).first(where: { _ in true })
                guard stored != SLAClock.scheduleMark(revision: revision), clock.calendar.revision == revision else {
                    return 0
                }
                let rows = try await connection.query(
                    "SELECT id, number, workflow_id, workflow_version, clock_segments FROM registration_case",
                    logger: logger)
                var cases: [(Int64, String, String, Int, String)] = []
                for try await row in rows.decode((Int64, String, String, Int, String).self) { cases.append(row) }
                // Measured here, then written a few thousand at a time, one statement each: one
                // round trip a case had taken 3.5 s for 10,000 (and 5 s, the operations' limit, for
                // 3,000 on a database 10 ms away), and the desk could not get past it.
                var ids: [Int64] = []
                var government: [Int] = []
                var remaining: [Int] = []
                var hasRemaining: [Bool] = []
                var due: [Date] = []
                var hasDue: [Bool] = []
                for (id, number, workflowID, version, segments) in cases {
                    let budget = try await definition(WorkflowDefinition.Key(id: workflowID, version: version))
                        .budgetMinutes
                    // Unreadable segments (a damaged row) are taken from the history, the truth.
                    let timeline: (segments: [ClockSegment], extra: [DateInterval])
                    if let decoded = ClockSegment.decodeTimeline(segments[...]) {
                        timeline = decoded
                    } else {
                        guard let parsed = CaseNumber(number) else {
                            throw StoreError.storage("malformed case number \(number)")
                        }
                        let events = try await fetchEvents(caseID: id, number: parsed, connection)
                        let definition = try await definition(WorkflowDefinition.Key(id: workflowID, version: version))
                        timeline = try RegistrationCase.replay(events, number: parsed, definition: definition).timeline
                    }
                    let schedule = clock.schedule(timeline.segments, extra: timeline.extra, budgetMinutes: budget)
                    ids.append(id)
                    government.append(schedule.governmentMinutes)
                    remaining.append(schedule.remainingMinutes ?? 0)
                    hasRemaining.append(schedule.remainingMinutes != nil)
                    due.append(schedule.dueAt.map(Self.wholeSeconds) ?? Date(timeIntervalSince1970: 0))
                    hasDue.append(schedule.dueAt != nil)
                }
                for start in stride(from: 0, to: ids.count, by: Self.schedulesPerStatement) {
                    let part = start..<min(start + Self.schedulesPerStatement, ids.count)
                    _ = try await connection.query(
                        """
                        UPDATE registration_case c SET government_minutes = v.government,
                            remaining_minutes = CASE WHEN v.has_remaining THEN v.remaining END,
                            due_at = CASE WHEN v.has_due THEN v.due END
                        FROM unnest(\(Array(ids[part])), \(Array(government[part])), \(Array(remaining[part])),
                            \(Array(hasRemaining[part])), \(Array(due[part])), \(Array(hasDue[part])))
                            AS v(id, government, remaining, has_remaining, due, has_due)
                        WHERE c.id = v.id
                        """, logger: logger)
                }
                _ = try await connection.query(
                    """
                    INSERT INTO store_meta (key, value)
                    VALUES ('schedule-calendar', \(SLAClock.scheduleMark(revision: revision)))
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value
                    """, logger: logger)
                return cases.count
            }
        }
    }

    // Both read at every intake, before its transaction, hence prepared.
    public func registeredNames(division: String, tradeName: String, industry: String) async throws
        -> [RegisteredName]
    {
        try await guarded { [self] in
            var names: [RegisteredName] = []
            for try await name in try await client.execute(
                PostgresStatements.RegisteredNames(division: division, tradeName: tradeName, industry: industry),
                logger: logger)
            {
                names.append(name)
            }
            return names
        }
    }

    public func openApplications(hall: String, tradeName: String, industry: String) async throws -> [String] {
        try await guarded { [self] in
            var numbers: [String] = []
            for try await number in try await client.execute(
                PostgresStatements.OpenApplications(hallPattern: hall + "-%", tradeName: tradeName, industry: industry),
                logger: logger)
            {
                numbers.append(number)
            }
            return numbers
        }
    }

    public func nameRecords(division: String, tradeName: String, industry: String) async throws -> NameRecords {
        try await guarded { [self] in
            var records = NameRecords(registered: [], open: [])
            for try await row in try await client.execute(
                PostgresStatements.ReadNameRecords(division: division, tradeName: tradeName, industry: industry),
                logger: logger)
            {
                records.add(row)
            }
            return records
        }
    }

    public func caseCount() async throws -> Int {
        try await guarded { [self] in
            try await client.query("SELECT count(*) FROM registration_case", logger: logger).decode(Int.self)
                .first(where: { _ in true }) ?? 0
        }
    }

    public func summary() async throws -> DeskSummary {
        try await guarded { [self] in
            let totals =
                try await client.query(
                    """
                    SELECT (SELECT count(*) FROM registration_case),
                        (SELECT count(*) FROM registration_case WHERE closed_at IS NULL),
                        (SELECT count(*) FROM case_event)
                    """, logger: logger
                ).decode((Int, Int, Int).self).first(where: { _ in true }) ?? (0, 0, 0)
            var byStage: [String: Int] = [:]
            for try await (stage, count) in try await client.query(
                "SELECT stage, count(*) FROM registration_case GROUP BY stage", logger: logger
            ).decode((String, Int).self) {
                byStage[stage] = count
            }
            var byChannel: [String: Int] = [:]
            for try await (channel, count) in try await client.query(
                "SELECT channel, count(*) FROM registration_case GROUP BY channel", logger: logger
            ).decode((String, Int).self) {
                byChannel[channel] = count
            }
            return DeskSummary(
                total: totals.0, open: totals.1, byStage: byStage, byChannel: byChannel, events: totals.2)
        }
    }

    // MARK: Rows

    /// Instants the history keeps to the whole second (as SQLite's store does), so that both
    /// stores replay a case to the same figures.
    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// Instants of the projection row, to the millisecond (as SQLite's store keeps them).
    static func milliseconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    /// The number of changes to the calendar so far: the revision a clock's calendar is compared with.
    static func calendarRevision(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        try await connection.query("SELECT count(*) FROM calendar_change", logger: logger).decode(Int.self)
            .first(where: { _ in true }) ?? 0
    }

    /// After a write with a clock older than the stored calendar: the schedules it wrote are out
    /// of date, so the next refresh recomputes them all.
    /// `revision`: the calendar's, when already read in this transaction.
    func invalidateSchedules(ifOlderThan clock: SLAClock, revision: Int? = nil, _ connection: PostgresConnection)
        async throws
    {
        let stored: Int
        if let revision { stored = revision } else { stored = try await Self.calendarRevision(connection, logger) }
        guard stored != clock.calendar.revision else { return }
        _ = try await connection.query("DELETE FROM store_meta WHERE key = 'schedule-calendar'", logger: logger)
    }

    /// Rewrites the projection row; refuses if it is not at `previousVersion` (the row disagrees
    /// with the history it is derived from: the case's row was locked since the history was read).
    func updateCase(
        _ state: RegistrationCase, caseID: Int64, schedule: CaseSchedule, previousVersion: Int,
        _ connection: PostgresConnection
    ) async throws {
        let rows = try await connection.query(
            """
            UPDATE registration_case SET stage = \(state.stage), version = \(state.version),
                updated_at = \(Self.milliseconds(state.updatedAt)), closed_at = \(state.closedAt.map(Self.milliseconds)),
                clock_segments = \(ClockSegment.encode(state.segments, extra: state.extraWorkingTime)),
                government_minutes = \(schedule.governmentMinutes), remaining_minutes = \(schedule.remainingMinutes),
                due_at = \(schedule.dueAt.map(Self.wholeSeconds)), special_kind = \(state.special?.kind.rawValue)
            WHERE id = \(caseID) AND version = \(previousVersion)
            RETURNING version
            """, logger: logger)
        guard try await rows.decode(Int.self).first(where: { _ in true }) != nil else {
            let actual = try await connection.query(
                "SELECT version FROM registration_case WHERE id = \(caseID)", logger: logger
            ).decode(Int.self).first(where: { _ in true })
            throw StoreError.projectionOutOfStep(
                case: state.number.description, history: previousVersion, row: actual ?? -1)
        }
    }

    /// Appends `events` to the history of case `caseID` (the database refuses any change to what is there).
    func append(_ events: [CaseEvent], caseID: Int64, nameParts: NameParts?, _ connection: PostgresConnection)
        async throws
    {
        for event in events {
            let data = try StoredHistory.data(of: event, nameParts: nameParts).text
            _ = try await connection.query(
                """
                INSERT INTO case_event (case_id, sequence, at, kind, actor, role, transition, from_stage, to_stage, task,
                    reason, automatic, data_json, credit_code, recorded_at, recorded_by, late_reason, document,
                    document_form, document_sha256)
                VALUES (\(caseID), \(event.sequence), \(Self.wholeSeconds(event.at)),
                    \(Int16(StoredHistory.kindCode(event.kind))), \(event.actor), \(event.role), \(event.transition),
                    \(event.fromStage), \(event.toStage), \(event.task), \(event.reason), \(event.automatic), \(data),
                    \(event.creditCode), \(event.recordedAt.map(Self.wholeSeconds)), \(event.recordedBy),
                    \(event.lateReason), \(event.document?.code), \(event.document?.form.rawValue),
                    \(event.document?.sha256))
                """, logger: logger)
        }
    }

    /// The history of a case (by its id when known, else by its number), oldest first.
    func fetchEvents(caseID: Int64?, number: CaseNumber, _ connection: PostgresConnection) async throws
        -> [CaseEvent]
    {
        let rows = try await connection.query(
            """
            SELECT sequence, at, kind, actor, role, transition, from_stage, to_stage, task, reason, automatic,
                data_json, credit_code, recorded_at, recorded_by, late_reason, document, document_form, document_sha256
            FROM case_event
            WHERE case_id = coalesce(\(caseID), (SELECT id FROM registration_case WHERE number = \(number.description)))
            ORDER BY sequence
            """, logger: logger)
        var events: [CaseEvent] = []
        for try await row in rows {
            let cells = row.makeRandomAccess()
            let code = Int(try cells[2].decode(Int16.self))
            guard let kind = StoredHistory.kind(code: code) else {
                throw StoreError.storage("case \(number): unknown event kind \(code)")
            }
            let text = try cells[11].decode(String?.self)
            var event = CaseEvent(
                sequence: try cells[0].decode(Int.self), at: try cells[1].decode(Date.self), kind: kind,
                actor: try cells[3].decode(String.self), role: try cells[4].decode(String?.self),
                transition: try cells[5].decode(String?.self), fromStage: try cells[6].decode(String?.self),
                toStage: try cells[7].decode(String?.self), task: try cells[8].decode(String?.self),
                reason: try cells[9].decode(String?.self), application: nil, definition: nil,
                automatic: try cells[10].decode(Bool.self), creditCode: try cells[12].decode(String?.self))
            if kind == .opened {
                if let text {
                    StoredHistory.restore(&event, opening: try StoredHistory.decode(StoredHistory.Opening.self, text))
                }
            } else {
                try StoredHistory.restore(&event, kind: kind, text: text)
            }
            event.recordedAt = try cells[13].decode(Date?.self)
            event.recordedBy = try cells[14].decode(String?.self)
            event.lateReason = try cells[15].decode(String?.self)
            if let code = try cells[16].decode(String?.self) {
                let formText = try cells[17].decode(String?.self) ?? ""
                guard let form = ReceivedDocument.Form(rawValue: formText) else {
                    throw StoreError.storage("case \(number): unknown document form \(formText)")
                }
                event.document = ReceivedDocument(code: code, form: form, sha256: try cells[18].decode(String?.self))
            }
            events.append(event)
        }
        return events
    }

    /// Files case `caseID` under `entries` (at intake, and with the credit code at the licence).
    func fileLookup(_ entries: [CaseLookup.Entry], caseID: Int64, _ connection: PostgresConnection) async throws {
        for entry in entries {
            _ = try await connection.query(
                """
                INSERT INTO case_lookup (kind, key, case_id, field)
                VALUES (\(StoredLookup.kindCode(entry.kind)), \(entry.key), \(caseID), \(StoredLookup.fieldCode(entry.field)))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
    }

    /// Issues a new unified social credit code for `state` inside the licence's transaction (as the
    /// SQLite store does) and registers its name: a name registered meanwhile by another server is
    /// refused by the database's unique index and answered as the name taken.
    func issueCreditCode(for state: RegistrationCase, caseID: Int64, at now: Date, _ connection: PostgresConnection)
        async throws -> CreditCode
    {
        let type = state.application.enterpriseType.creditCodeType
        let division = state.number.division
        let prefix = "9\(type)\(division)"
        let serial =
            try await connection.query(
                """
                INSERT INTO credit_code_counter (prefix, last) VALUES (\(prefix), 1)
                ON CONFLICT (prefix) DO UPDATE SET last = credit_code_counter.last + 1 RETURNING last
                """, logger: logger
            ).decode(Int.self).first(where: { _ in true }) ?? 1
        guard let body = CreditCode.organizationBody(serial: serial),
            let code = CreditCode.make(authority: "9", type: type, division: division, organizationBody: body)
        else { throw StoreError.storage("credit code range exhausted for \(prefix)") }
        _ = try await connection.query(
            """
            INSERT INTO credit_code (code, case_number, issued_at)
            VALUES (\(code.value), \(state.number.description), \(Self.milliseconds(now)))
            """, logger: logger)
        try await fileLookup(
            [CaseLookup.Entry(kind: .creditCode, key: CaseLookup.codeKey(code.value), field: "creditCode")],
            caseID: caseID, connection)
        let parts = try await connection.query(
            "SELECT trade_name, industry FROM registration_case WHERE id = \(caseID)", logger: logger
        ).decode((String, String).self).first(where: { _ in true })
        let (tradeName, industry) = parts ?? ("", "")
        guard !tradeName.isEmpty else { return code }
        // Waits for another server's licence of the same name, then sees it.
        let inserted = try await connection.query(
            """
            INSERT INTO registered_name (case_number, division, name, trade_name, industry)
            VALUES (\(state.number.description), \(division), \(state.application.proposedName), \(tradeName),
                \(industry))
            ON CONFLICT (division, trade_name, industry) WHERE released_at IS NULL DO NOTHING
            RETURNING case_number
            """, logger: logger
        ).decode(String.self).first(where: { _ in true })
        // Read after the insert: a revocation of the same name that committed while it waited is
        // seen (its row had left the standing names' index), and a name revoked less than three
        // years ago is still taken.
        let today = HallTime.localDate(of: now)
        var holders: [(name: String, released: Date?)] = []
        for try await (holder, released) in try await connection.query(
            """
            SELECT name, released_at FROM registered_name
            WHERE division = \(division) AND trade_name = \(tradeName) AND industry = \(industry)
                AND case_number <> \(state.number.description)
            """, logger: logger
        ).decode((String, Date?).self) {
            holders.append((holder, released))
        }
        if inserted == nil || holders.contains(where: { NameRules.isHeld(releasedAt: $0.released, on: today) }) {
            let holder = holders.first { NameRules.isHeld(releasedAt: $0.released, on: today) } ?? holders.first
            throw StoreError.nameTaken(name: state.application.proposedName, holder: holder?.name ?? "")
        }
        return code
    }

    /// Worklist rows as entries.
    func queueEntries(_ query: PostgresQuery) async throws -> [QueueEntry] {
        try await guarded { [self] in
            var entries: [QueueEntry] = []
            for try await row in try await client.query(query, logger: logger) {
                let cells = row.makeRandomAccess()
                let text = try cells[0].decode(String.self)
                let channelText = try cells[2].decode(String.self)
                let typeText = try cells[3].decode(String.self)
                guard let number = CaseNumber(text), let channel = Channel(rawValue: channelText),
                    let type = EnterpriseType(rawValue: typeText)
                else { throw StoreError.storage("unreadable worklist row \(text): \(channelText) \(typeText)") }
                let timeline = ClockSegment.decodeTimeline(try cells[10].decode(String.self)[...]) ?? ([], [])
                entries.append(
                    QueueEntry(
                        number: number, stage: try cells[1].decode(String.self), channel: channel,
                        enterpriseType: type, proposedName: try cells[4].decode(String.self),
                        openedAt: try cells[5].decode(Date.self),
                        updatedAt: try cells[6].decode(Date?.self) ?? .distantPast,
                        version: try cells[7].decode(Int.self),
                        workflow: WorkflowDefinition.Key(
                            id: try cells[8].decode(String.self), version: try cells[9].decode(Int.self)),
                        segments: timeline.segments, extra: timeline.extra, dueAt: try cells[11].decode(Date?.self),
                        remainingMinutes: try cells[12].decode(Int?.self),
                        special: try cells[13].decode(String?.self).flatMap(SpecialKind.init(rawValue:)),
                        licenceAwaitingPostSince: try cells[14].decode(Date?.self)))
            }
            return entries
        }
    }
}
