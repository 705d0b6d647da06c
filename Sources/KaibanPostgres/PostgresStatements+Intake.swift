import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// An intake's writes in as few round trips as PostgreSQL allows, each statement prepared once
/// per connection with its parameters' types fixed (a NULL in the first use must not decide a
/// type). In a transaction (the window's intake, a check-in, an import): the case, its opening
/// event and its lookup entries in one statement, then the number, taken last, with the
/// calendar's revision. A portal's submission: all of it in one statement (``SubmitCase``),
/// committed by COMMIT (postgres-nio answers a statement before an implicit transaction commits).
extension PostgresStatements {
    /// A new case: its projection row under a provisional number, its opening event (sequence 1)
    /// and its lookup entries, in one statement; the case's id.
    struct OpenCase: PostgresPreparedStatement {
        static let name = "kaiban_open_case"
        static let sql = """
            WITH new_case AS (
                INSERT INTO registration_case (\(caseColumns)) VALUES ($1, \(caseValues))
                RETURNING id
            ), opening AS (
                INSERT INTO case_event (\(eventColumns)) SELECT id, \(eventValues) FROM new_case
            ), \(lookupInsert)
            SELECT id FROM new_case
            """
        static let bindingDataTypes = openingTypes
        typealias Row = Int64
        var bindings: PostgresBindings

        /// `state` (the case as its opening made it) under `numberText`, `event` its opening, filed
        /// under `lookup`.
        init(
            _ state: RegistrationCase, numberText: String, hall: String, schedule: CaseSchedule,
            nameParts: NameParts?, opening event: CaseEvent, lookup: [CaseLookup.Entry]
        ) throws {
            bindings = try openingBindings(
                state, number: numberText, hall: hall, schedule: schedule, nameParts: nameParts, opening: event,
                lookup: lookup)
        }

        func makeBindings() throws -> PostgresBindings { bindings }

        func decodeRow(_ row: PostgresRow) throws -> Int64 { try row.decode(Int64.self) }
    }

    /// A portal's submission in one statement (run in a transaction of its own): the
    /// portal's row held (`FOR KEY SHARE`, so a revocation, which locks it `FOR UPDATE`, comes
    /// before or after), the hall's next number of the day, the case under it, its opening event
    /// and lookup entries, its access (the query password's hash) and the idempotency row; the
    /// schedules marked out of date when the calendar changed since `clock` read it. Nothing at
    /// all is written when the portal is revoked or gone (no row comes back); a second submission
    /// under the same key waits for the first and is refused by the key's primary key.
    struct SubmitCase: PostgresPreparedStatement {
        static let name = "kaiban_submit_case"
        static let sql = """
            WITH active AS (
                SELECT id FROM portal WHERE id = $44 AND revoked_at IS NULL FOR KEY SHARE
            ), taken AS (
                INSERT INTO case_number_counter (hall, day, last) SELECT $2, $43::date, 1 FROM active
                ON CONFLICT (hall, day) DO UPDATE SET last = case_number_counter.last + 1
                RETURNING last
            ), new_case AS (
                INSERT INTO registration_case (\(caseColumns))
                SELECT $1 || \(sequenceText), \(caseValues) FROM taken
                RETURNING id, number
            ), opening AS (
                INSERT INTO case_event (\(eventColumns)) SELECT id, \(eventValues) FROM new_case
            ), \(lookupInsert), access AS (
                INSERT INTO case_access (case_id, portal_id, password_hash) SELECT id, $44, $45 FROM new_case
            ), submission AS (
                INSERT INTO submission (
                    portal_id, key_sha256, request_sha256, case_id, sealed_password, created_at, warnings_json)
                SELECT $44, $46, $47, id, $48, $49, $51 FROM new_case
            ), stale AS (
                DELETE FROM store_meta WHERE key = 'schedule-calendar' AND EXISTS (SELECT FROM new_case)
                    AND (SELECT count(*) FROM calendar_change) <> $50
            )
            SELECT taken.last, new_case.id, new_case.number FROM taken, new_case
            """
        static let bindingDataTypes =
            openingTypes + [.text, .text, .text, .text, .text, .text, .timestamptz, .int8, .text]
        typealias Row = (sequence: Int, caseID: Int64, number: String)
        var bindings: PostgresBindings

        /// `state` (the case as its opening made it, under any number of `day`), `event` its
        /// opening, filed under `lookup`, submitted as `submission` at `at`.
        init(
            _ state: RegistrationCase, hall: String, day: CivilDate, schedule: CaseSchedule, nameParts: NameParts?,
            opening event: CaseEvent, lookup: [CaseLookup.Entry], submission: PortalSubmission, at: Date,
            calendarRevision: Int
        ) throws {
            var bindings = try openingBindings(
                state, number: numberPrefix(hall: hall, day: day), hall: hall, schedule: schedule,
                nameParts: nameParts, opening: event, lookup: lookup)
            bindings.append(day.description)
            bindings.append(submission.portal.id)
            bindings.append(submission.passwordHash)
            bindings.append(submission.keySHA256)
            bindings.append(submission.requestSHA256)
            bindings.append(submission.sealedPassword)
            bindings.append(at)
            bindings.append(calendarRevision)
            bindings.append(submission.warningsJSON)
            self.bindings = bindings
        }

        func makeBindings() throws -> PostgresBindings { bindings }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (sequence, caseID, number) = try row.decode((Int, Int64, String).self)
            return (sequence, caseID, number)
        }
    }

    /// A case number before its sequence: the hall's division and the day (`510811-20261126-`).
    static func numberPrefix(hall: String, day: CivilDate) -> String {
        String(CaseNumber(division: hall, date: day, sequence: 0).description.dropLast(4))
    }

    /// The sequence `taken.last` as ``CaseNumber`` writes it: four digits, or more past 9,999.
    static let sequenceText = """
        CASE WHEN taken.last < 10000 THEN lpad(taken.last::text, 4, '0') ELSE taken.last::text END
        """

    /// The case row's columns and, after its number ($1), their values $2…$20.
    static let caseColumns = """
        number, hall, channel, stage, opened_at, closed_at, workflow_id, workflow_version, version, enterprise_type,
        proposed_name, opened_by, updated_at, clock_segments, government_minutes, remaining_minutes, due_at,
        trade_name, industry, special_kind
        """
    static let caseValues = (2...20).map { "$\($0)" }.joined(separator: ", ")

    /// The opening event's columns and, after its case's id, their values $21…$39.
    static let eventColumns = """
        case_id, sequence, at, kind, actor, role, transition, from_stage, to_stage, task, reason, automatic, data_json,
        credit_code, recorded_at, recorded_by, late_reason, document, document_form, document_sha256
        """
    static let eventValues = (21...39).map { "$\($0)" }.joined(separator: ", ")

    /// The lookup entries of `new_case` from the arrays $40 (kinds), $41 (keys), $42 (fields).
    static let lookupInsert = """
        lookup AS (
            INSERT INTO case_lookup (kind, key, case_id, field)
            SELECT entry.kind, entry.key, new_case.id, entry.field
            FROM new_case, unnest($40::text[], $41::text[], $42::text[]) AS entry (kind, key, field)
            ON CONFLICT DO NOTHING
        )
        """

    /// The types of $1…$42 (``openingBindings(_:number:hall:schedule:nameParts:opening:lookup:)``).
    static let openingTypes: [PostgresDataType] =
        [.text, .text, .text, .text, .timestamptz, .timestamptz, .text, .int8, .int8, .text, .text, .text]
        + [.timestamptz, .text, .int8, .int8, .timestamptz, .text, .text, .text]
        + [.int8, .timestamptz, .int2, .text, .text, .text, .text, .text, .text, .text, .bool, .text, .text]
        + [.timestamptz, .text, .text, .text, .text, .text]
        + [.textArray, .textArray, .textArray]

    /// $1…$42 of an opening: the case row (`number` first), its opening event, its lookup entries.
    static func openingBindings(
        _ state: RegistrationCase, number: String, hall: String, schedule: CaseSchedule, nameParts: NameParts?,
        opening event: CaseEvent, lookup: [CaseLookup.Entry]
    ) throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: openingTypes.count + 8)
        bindings.append(number)
        bindings.append(hall)
        bindings.append(state.application.channel.rawValue)
        bindings.append(state.stage)
        bindings.append(PostgresStore.milliseconds(state.openedAt))
        bindings.append(state.closedAt.map(PostgresStore.milliseconds))
        bindings.append(state.definition.id)
        bindings.append(state.definition.version)
        bindings.append(state.version)
        bindings.append(state.application.enterpriseType.rawValue)
        bindings.append(state.application.proposedName)
        bindings.append(state.openedBy)
        bindings.append(PostgresStore.milliseconds(state.updatedAt))
        bindings.append(ClockSegment.encode(state.segments, extra: state.extraWorkingTime))
        bindings.append(schedule.governmentMinutes)
        bindings.append(schedule.remainingMinutes)
        bindings.append(schedule.dueAt.map(PostgresStore.wholeSeconds))
        bindings.append(nameParts?.tradeName ?? "")
        bindings.append(nameParts?.industry ?? "")
        bindings.append(state.special?.kind.rawValue)
        bindings.append(event.sequence)
        bindings.append(PostgresStore.wholeSeconds(event.at))
        bindings.append(Int16(StoredHistory.kindCode(event.kind)))
        bindings.append(event.actor)
        bindings.append(event.role)
        bindings.append(event.transition)
        bindings.append(event.fromStage)
        bindings.append(event.toStage)
        bindings.append(event.task)
        bindings.append(event.reason)
        bindings.append(event.automatic)
        bindings.append(try StoredHistory.data(of: event, nameParts: nameParts).text)
        bindings.append(event.creditCode)
        bindings.append(event.recordedAt.map(PostgresStore.wholeSeconds))
        bindings.append(event.recordedBy)
        bindings.append(event.lateReason)
        bindings.append(event.document?.code)
        bindings.append(event.document?.form.rawValue)
        bindings.append(event.document?.sha256)
        bindings.append(lookup.map { StoredLookup.kindCode($0.kind) })
        bindings.append(lookup.map(\.key))
        bindings.append(lookup.map { StoredLookup.fieldCode($0.field) })
        return bindings
    }

    /// The case `id` given the next number of its hall's day (`prefix`, e.g. `510811-20261126-`,
    /// then four digits or more, as ``CaseNumber`` writes it); the day's counter row stays locked
    /// until the transaction ends, so this comes last. Returns the sequence, the number written
    /// and the calendar's revision (the count of its changes).
    struct NumberCase: PostgresPreparedStatement {
        static let name = "kaiban_number_case"
        static let sql = """
            WITH taken AS (
                INSERT INTO case_number_counter (hall, day, last) VALUES ($1, $2::date, 1)
                ON CONFLICT (hall, day) DO UPDATE SET last = case_number_counter.last + 1
                RETURNING last
            ), numbered AS (
                UPDATE registration_case
                SET number = $3 || \(sequenceText)
                FROM taken WHERE id = $4
                RETURNING number
            )
            SELECT taken.last, (SELECT number FROM numbered), (SELECT count(*) FROM calendar_change) FROM taken
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .int8]
        typealias Row = (sequence: Int, number: String?, calendarRevision: Int)
        var hall: String
        var day: String
        var prefix: String
        var caseID: Int64

        func makeBindings() throws -> PostgresBindings { try PostgresStatements.bindings(hall, day, prefix, caseID) }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (sequence, number, revision) = try row.decode((Int, String?, Int).self)
            return (sequence, number, revision)
        }
    }

    /// A portal's submission recorded beside its new case: the case's access (its query
    /// password's hash) and the idempotency row, only while the portal is active; its row is held
    /// (`FOR KEY SHARE`) to the commit, so a revocation (which locks it `FOR UPDATE`) comes before
    /// or after. A row when written, none when the portal is revoked or gone.
    struct RecordSubmission: PostgresPreparedStatement {
        static let name = "kaiban_record_submission"
        static let sql = """
            WITH active AS (
                SELECT id FROM portal WHERE id = $1 AND revoked_at IS NULL FOR KEY SHARE
            ), access AS (
                INSERT INTO case_access (case_id, portal_id, password_hash) SELECT $2, id, $3 FROM active
            )
            INSERT INTO submission (
                portal_id, key_sha256, request_sha256, case_id, sealed_password, created_at, warnings_json)
            SELECT id, $4, $5, $2, $6, $7, $8 FROM active
            RETURNING true
            """
        static let bindingDataTypes: [PostgresDataType] = [
            .text, .int8, .text, .text, .text, .text, .timestamptz, .text,
        ]
        typealias Row = Bool
        var submission: PortalSubmission
        var caseID: Int64
        var at: Date

        func makeBindings() throws -> PostgresBindings {
            try PostgresStatements.bindings(
                submission.portal.id, caseID, submission.passwordHash, submission.keySHA256,
                submission.requestSHA256, submission.sealedPassword, at, submission.warningsJSON)
        }

        func decodeRow(_ row: PostgresRow) throws -> Bool { try row.decode(Bool.self) }
    }

    /// The names registered in `division` with the same trade name or in the same industry (the
    /// desk's name check at every intake).
    struct RegisteredNames: PostgresPreparedStatement {
        static let name = "kaiban_registered_names"
        static let sql = """
            SELECT case_number, name, trade_name, industry, released_at FROM registered_name
            WHERE division = $1 AND trade_name = $2
            UNION
            SELECT case_number, name, trade_name, industry, released_at FROM registered_name
            WHERE division = $1 AND industry = $3
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text]
        typealias Row = RegisteredName
        var division: String
        var tradeName: String
        var industry: String

        func makeBindings() throws -> PostgresBindings {
            try PostgresStatements.bindings(division, tradeName, industry)
        }

        func decodeRow(_ row: PostgresRow) throws -> RegisteredName {
            let (number, name, trade, industry, released) = try row.decode((String, String, String, String, Date?).self)
            return RegisteredName(
                caseNumber: number, name: name, tradeName: trade, industry: industry, releasedAt: released)
        }
    }

    /// The open cases of a hall (numbers matching `hallPattern`, `510811-%`) under the same trade
    /// name and industry, in order (the desk's name check at every intake).
    struct OpenApplications: PostgresPreparedStatement {
        static let name = "kaiban_open_applications"
        static let sql = """
            SELECT number FROM registration_case
            WHERE closed_at IS NULL AND trade_name = $2 AND industry = $3 AND number LIKE $1
            ORDER BY number
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text]
        typealias Row = String
        var hallPattern: String
        var tradeName: String
        var industry: String

        func makeBindings() throws -> PostgresBindings {
            try PostgresStatements.bindings(hallPattern, tradeName, industry)
        }

        func decodeRow(_ row: PostgresRow) throws -> String { try row.decode(String.self) }
    }

    /// ``RegisteredNames`` and ``OpenApplications`` of one division in one round trip: every
    /// intake reads both.
    struct ReadNameRecords: PostgresPreparedStatement {
        static let name = "kaiban_name_records"
        static let sql = """
            (\(RegisteredNames.sql))
            UNION ALL
            (SELECT number, NULL, NULL, NULL, NULL::timestamptz FROM registration_case
            WHERE closed_at IS NULL AND trade_name = $2 AND industry = $3 AND number LIKE $4
            ORDER BY number)
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .text]
        enum Row {
            case registered(RegisteredName)
            case open(String)
        }
        var division: String
        var tradeName: String
        var industry: String

        func makeBindings() throws -> PostgresBindings {
            try PostgresStatements.bindings(division, tradeName, industry, division + "-%")
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {
            let (number, name, trade, industry, released) = try row.decode(
                (String, String?, String?, String?, Date?).self)
            return Self.row(number, name, trade, industry, released)
        }

        /// A row of the statement's columns: a registered name, or (with no name) an open application.
        static func row(_ number: String, _ name: String?, _ trade: String?, _ industry: String?, _ released: Date?)
            -> Row
        {
            guard let name, let trade, let industry else { return .open(number) }
            return .registered(
                RegisteredName(
                    caseNumber: number, name: name, tradeName: trade, industry: industry, releasedAt: released))
        }
    }
}

extension NameRecords {
    /// The records with one more row of ``PostgresStatements/ReadNameRecords``.
    mutating func add(_ row: PostgresStatements.ReadNameRecords.Row) {
        switch row {
        case .registered(let name): registered.append(name)
        case .open(let number): open.append(number)
        }
    }
}
