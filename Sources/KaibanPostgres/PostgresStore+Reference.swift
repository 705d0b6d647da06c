import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO
import Synchronization

/// Reference data on PostgreSQL: workflow definitions, divisions, the holiday calendar and the
/// halls' office hours, with the files they were read from. The same meaning as the SQLite store:
/// a file is taken in when its text changed; a registered definition version never changes; a
/// year already known is replaced only by a supervisor's import; office hours are append-only.
/// Writers of one kind take turns (a table lock held to the end of the transaction), so two
/// servers taking in the same file at once record it once, as SQLite's single writer does.
extension PostgresStore {
    public func isReferenceCurrent(_ source: ReferenceSource) async throws -> Bool {
        // PostgreSQL's text holds no NUL: such a file was never taken in (and its reader says
        // what is wrong with it), rather than a storage failure here.
        if source.text.utf8.contains(0) { return false }
        return try await guarded { [self] in
            let rows = try await client.query(
                "SELECT text FROM reference_file WHERE key = \(source.key)", logger: logger)
            return try await rows.decode(String.self).first(where: { _ in true }) == source.text
        }
    }

    @discardableResult
    public func register(_ definition: WorkflowDefinition, source: ReferenceSource, at now: Date)
        async throws -> Bool
    {
        let json = try Self.referenceJSON(definition)
        let key = definition.key
        defer {
            latestDefinitions.withLock {
                $0.known[key.id] = nil
                $0.generation += 1
            }
        }
        return try await guarded { [self] in
            try await transaction { [self] connection in
                try await recordReference(source, connection)
                // Inserted unless that version is registered (or being registered by another
                // server, whose commit this waits for): then the stored text must be the same.
                let inserted = try await connection.query(
                    """
                    INSERT INTO workflow_definition (workflow_id, version, title, source_xml, definition_json,
                        registered_at)
                    VALUES (\(key.id), \(key.version), \(definition.title.zh), \(source.text), \(json),
                        date_trunc('milliseconds', \(now)::timestamptz))
                    ON CONFLICT (workflow_id, version) DO NOTHING RETURNING true
                    """, logger: logger)
                if try await inserted.decode(Bool.self).first(where: { _ in true }) != nil { return true }
                let stored = try await connection.query(
                    """
                    SELECT source_xml FROM workflow_definition WHERE workflow_id = \(key.id) AND version = \(key.version)
                    """, logger: logger)
                guard try await stored.decode(String.self).first(where: { _ in true }) == source.text else {
                    throw StoreError.definitionChanged(key)
                }
                return false
            }
        }
    }

    /// The newest version of workflow `id`. Read at every intake (the desk's checks, the
    /// store's), so the version found is trusted for a second (``latestDefinitionTrust``), and
    /// forgotten at once when this store registers a version: a version registered through
    /// another server is used by this one within the second, as if the intake had come a moment
    /// earlier. The definition itself is read once per version.
    public func latestDefinition(_ id: String) async throws -> WorkflowDefinition {
        let now = ContinuousClock.now
        let (known, generation) = latestDefinitions.withLock { ($0.known[id], $0.generation) }
        if let known, now < known.until, let cached = definitionCache.withLock({ $0[known.key] }) {
            return cached
        }
        let version = try await guarded { [self] in
            try await client.query(
                "SELECT max(version) FROM workflow_definition WHERE workflow_id = \(id)", logger: logger
            ).decode(Int?.self).first(where: { _ in true }) ?? nil
        }
        guard let version else { throw StoreError.noDefinition(id) }
        let key = WorkflowDefinition.Key(id: id, version: version)
        let definition = try await self.definition(key)
        latestDefinitions.withLock {
            // Not kept when a version was registered meanwhile: what was read may be older.
            if $0.generation == generation { $0.known[id] = (key, now + Self.latestDefinitionTrust) }
        }
        return definition
    }

    /// How long the newest version of a workflow, once read, is taken as the newest.
    static let latestDefinitionTrust: Duration = .seconds(1)

    public func definitions() async throws -> [WorkflowDefinition] {
        return try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT workflow_id, version, definition_json FROM workflow_definition
                ORDER BY workflow_id, version DESC
                """, logger: logger)
            var definitions: [WorkflowDefinition] = []
            for try await (id, version, json) in rows.decode((String, Int, String).self) {
                definitions.append(
                    try cachedDefinition(WorkflowDefinition.Key(id: id, version: version), json))
            }
            return definitions
        }
    }

    public func definition(_ key: WorkflowDefinition.Key) async throws -> WorkflowDefinition {
        if let cached = definitionCache.withLock({ $0[key] }) { return cached }
        return try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT definition_json FROM workflow_definition WHERE workflow_id = \(key.id) AND version = \(key.version)
                """, logger: logger)
            guard let json = try await rows.decode(String.self).first(where: { _ in true }) else {
                throw StoreError.definitionNotFound(key)
            }
            return try cachedDefinition(key, json)
        }
    }

    public func loadDivisions(_ divisions: [Division], source: ReferenceSource) async throws {
        // As SQLite's INSERT OR REPLACE: a later entry for the same code and first day wins.
        var latest: [String: Int] = [:]
        for (index, division) in divisions.enumerated() { latest["\(division.code) \(division.validFrom)"] = index }
        let rows = latest.values.sorted().map { index in
            let division = divisions[index]
            return ReferenceDivisionRow(
                code: division.code, name: division.name, validFrom: division.validFrom.description,
                validTo: division.validTo?.description, note: division.note)
        }
        let json = try Self.referenceJSON(rows)
        try await guarded { [self] in
            try await transaction { [self] connection in
                _ = try await connection.query("LOCK TABLE division IN SHARE ROW EXCLUSIVE MODE", logger: logger)
                _ = try await connection.query("DELETE FROM division", logger: logger)
                // Thousands of rows in one statement: one round trip, not one per division.
                _ = try await connection.query(
                    """
                    INSERT INTO division (code, name, valid_from, valid_to, note)
                    SELECT code, name, valid_from, valid_to, note
                    FROM jsonb_to_recordset(\(json)::jsonb)
                        AS d(code text, name text, valid_from date, valid_to date, note text)
                    """, logger: logger)
                try await recordReference(source, connection)
            }
        }
    }

    public func division(_ code: String, on date: CivilDate) async throws -> DivisionStatus {
        let parentCodes = Division.parents(of: code)
        return try await guarded { [self] in
            // The code and its parents in one statement (one state of the table).
            let rows = try await client.query(
                """
                SELECT code, name, to_char(valid_from, 'YYYY-MM-DD'), to_char(valid_to, 'YYYY-MM-DD'), note
                FROM division WHERE code = ANY(\([code] + parentCodes)) ORDER BY code, valid_from
                """, logger: logger)
            var entries: [String: [Division]] = [:]
            for try await (entry, name, from, to, note) in rows.decode((String, String, String, String?, String?).self)
            {
                guard let validFrom = CivilDate(from) else { continue }
                entries[entry, default: []].append(
                    Division(
                        code: entry, name: name, validFrom: validFrom, validTo: to.flatMap(CivilDate.init), note: note))
            }
            return DivisionStatus(
                code: code, on: date, history: entries[code] ?? [], parents: parentCodes.flatMap { entries[$0] ?? [] })
        }
    }

    public func loadHolidayYears(_ years: [HolidayYear], source: ReferenceSource, reason: String, at now: Date)
        async throws
    {
        let fileName = Self.referenceFileName(source)
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await lockCalendar(connection)
                for year in years {
                    // A year already known is never replaced from a file.
                    guard try await storedYear(year.year, connection) == nil else { continue }
                    try await upsertYear(year, source: fileName, reason: reason, by: nil, at: now, connection)
                }
                try await recordReference(source, connection)
            }
        }
    }

    public func loadOfficeHours(_ hours: OfficeHours, source: ReferenceSource, reason: String, at now: Date)
        async throws
    {
        let fileName = Self.referenceFileName(source)
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await lockCalendar(connection)
                let known = try await connection.query(
                    "SELECT EXISTS (SELECT 1 FROM office_hours_version WHERE hall = \(hours.hall))", logger: logger)
                if try await known.decode(Bool.self).first(where: { _ in true }) != true {
                    let version = OfficeHoursVersion(effectiveFrom: OfficeHoursVersion.beginning, hours: hours)
                    _ = try await insertOfficeHours(
                        version, source: fileName, reason: reason, by: nil, at: now, connection)
                }
                try await recordReference(source, connection)
            }
        }
    }

    public func addOfficeHours(
        _ version: OfficeHoursVersion, source: String, reason: String, by clerk: String, at now: Date
    ) async throws -> CalendarChange {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await lockCalendar(connection)
                let exists = try await connection.query(
                    """
                    SELECT EXISTS (SELECT 1 FROM office_hours_version
                        WHERE hall = \(version.hours.hall) AND effective_from = \(version.effectiveFrom.description)::date)
                    """, logger: logger)
                // A version for a date not yet come corrects the one recorded (kept beside it);
                // one for a date in force is refused, as in the SQLite store.
                let correcting = try await exists.decode(Bool.self).first(where: { _ in true }) == true
                if correcting, version.effectiveFrom <= HallTime.localDate(of: now) {
                    throw StoreError.officeHoursExist(hall: version.hours.hall, from: version.effectiveFrom.description)
                }
                return try await insertOfficeHours(
                    version, source: source, reason: reason, by: clerk, at: now, correcting: correcting, connection)
            }
        }
    }

    public func officeHoursHistory(hall: String) async throws -> [OfficeHoursRecord] {
        try await guarded { [self] in
            try await officeHoursRecords(hall: hall, client.query(Self.officeHoursQuery(hall), logger: logger))
        }
    }

    public func importCalendar(
        _ years: [HolidayYear], source: String, replace: Bool, reason: String, by clerk: String, at now: Date
    ) async throws -> [CalendarChange] {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await lockCalendar(connection)
                var changes: [CalendarChange] = []
                for year in years {
                    if !replace, let stored = try await storedYear(year.year, connection), !Self.holdsYear(stored, year)
                    {
                        throw StoreError.calendarYearExists(year.year)
                    }
                    if let change = try await upsertYear(
                        year, source: source, reason: reason, by: clerk, at: now, connection)
                    {
                        changes.append(change)
                    }
                }
                return changes
            }
        }
    }

    public func calendarRevision() async throws -> Int {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in try await Self.calendarRevision(connection, logger) }
        }
    }

    public func workingCalendar(hall: String) async throws -> WorkingCalendar {
        try await guarded { [self] in
            try await transaction { [self] connection in
                // One state of the calendar: its years, hours and revision read together.
                _ = try await connection.query(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                let revision = try await connection.query("SELECT count(*) FROM calendar_change", logger: logger)
                let changes = try await revision.decode(Int.self).first(where: { _ in true }) ?? 0
                var years: [HolidayYear] = []
                for try await json in try await connection.query(
                    "SELECT data_json FROM calendar_year ORDER BY year", logger: logger
                ).decode(String.self) {
                    years.append(try Self.referenceDecode(HolidayYear.self, json))
                }
                let versions = try await officeHoursRecords(
                    hall: hall, connection.query(Self.officeHoursQuery(hall), logger: logger)
                ).map(\.version)
                guard !versions.isEmpty else { throw StoreError.noOfficeHours(hall) }
                var calendar = WorkingCalendar(years: years, officeHours: versions)
                calendar.revision = changes
                return calendar
            }
        }
    }

    public func calendarYears() async throws -> [CalendarYearInfo] {
        try await guarded { [self] in
            let rows = try await client.query(
                "SELECT year, notice, source, loaded_at, loaded_by FROM calendar_year ORDER BY year", logger: logger)
            var years: [CalendarYearInfo] = []
            for try await (year, notice, source, loadedAt, loadedBy) in rows.decode(
                (Int, String, String, Date, String?).self)
            {
                years.append(
                    CalendarYearInfo(year: year, notice: notice, source: source, loadedAt: loadedAt, loadedBy: loadedBy)
                )
            }
            return years
        }
    }

    public func calendarChanges() async throws -> [CalendarChange] {
        try await guarded { [self] in
            let rows = try await client.query(
                "SELECT at, subject, change, reason, by FROM calendar_change ORDER BY id", logger: logger)
            var changes: [CalendarChange] = []
            for try await (at, subject, change, reason, by) in rows.decode((Date, String, String, String, String?).self)
            {
                changes.append(CalendarChange(at: at, subject: subject, change: change, reason: reason, by: by))
            }
            return changes
        }
    }

    // MARK: Within a transaction

    /// Remembers the text of a reference file, inside the transaction that took it in.
    private func recordReference(_ source: ReferenceSource, _ connection: PostgresConnection) async throws {
        _ = try await connection.query(
            """
            INSERT INTO reference_file (key, text) VALUES (\(source.key), \(source.text))
            ON CONFLICT (key) DO UPDATE SET text = excluded.text
            """, logger: logger)
    }

    /// Calendar writers take turns (years, office hours and their changes), so that what one
    /// checks is still so when it writes, and changes are numbered in the order they happened.
    private func lockCalendar(_ connection: PostgresConnection) async throws {
        _ = try await connection.query("LOCK TABLE calendar_change IN SHARE ROW EXCLUSIVE MODE", logger: logger)
    }

    /// The stored JSON of `year`, if the calendar knows it.
    private func storedYear(_ year: Int, _ connection: PostgresConnection) async throws -> String? {
        try await connection.query("SELECT data_json FROM calendar_year WHERE year = \(year)", logger: logger)
            .decode(String.self).first(where: { _ in true })
    }

    /// Writes `year` unless the calendar holds it already, with its change; the change, if any.
    @discardableResult
    private func upsertYear(
        _ year: HolidayYear, source: String, reason: String, by clerk: String?, at now: Date,
        _ connection: PostgresConnection
    ) async throws -> CalendarChange? {
        let json = try Self.referenceJSON(year)
        let stored = try await storedYear(year.year, connection)
        guard !Self.holdsYear(stored, year) else { return nil }
        _ = try await connection.query(
            """
            INSERT INTO calendar_year (year, notice, data_json, source, loaded_at, loaded_by)
            VALUES (\(year.year), \(year.notice), \(json), \(source), date_trunc('milliseconds', \(now)::timestamptz),
                \(clerk))
            ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, data_json = excluded.data_json,
                source = excluded.source, loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by
            """, logger: logger)
        let change = CalendarChange(
            at: now, subject: "\(year.year)", change: stored == nil ? "added" : "replaced", reason: reason, by: clerk)
        try await recordCalendarChange(change, connection)
        return change
    }

    private func recordCalendarChange(_ change: CalendarChange, _ connection: PostgresConnection) async throws {
        _ = try await connection.query(
            """
            INSERT INTO calendar_change (at, subject, change, reason, by)
            VALUES (date_trunc('milliseconds', \(change.at)::timestamptz), \(change.subject), \(change.change),
                \(change.reason), \(change.by))
            """, logger: logger)
    }

    private func insertOfficeHours(
        _ version: OfficeHoursVersion, source: String, reason: String, by clerk: String?, at now: Date,
        correcting: Bool = false, _ connection: PostgresConnection
    ) async throws -> CalendarChange {
        let json = try Self.referenceJSON(version.hours)
        _ = try await connection.query(
            """
            INSERT INTO office_hours_version (hall, effective_from, data_json, source, recorded_at, recorded_by, reason,
                revision)
            SELECT \(version.hours.hall), \(version.effectiveFrom.description)::date, \(json), \(source),
                date_trunc('milliseconds', \(now)::timestamptz), \(clerk), \(reason), count(*)
            FROM office_hours_version
            WHERE hall = \(version.hours.hall) AND effective_from = \(version.effectiveFrom.description)::date
            """, logger: logger)
        let change = CalendarChange(
            at: now, subject: "office-hours \(version.hours.hall) \(version.effectiveFrom)",
            change: correcting ? "corrected" : "added", reason: reason, by: clerk)
        try await recordCalendarChange(change, connection)
        return change
    }

    private static func officeHoursQuery(_ hall: String) -> PostgresQuery {
        """
        SELECT to_char(effective_from, 'YYYY-MM-DD'), data_json, source, recorded_at, recorded_by, reason
        FROM office_hours_version WHERE hall = \(hall) ORDER BY effective_from, revision
        """
    }

    /// The rows of ``officeHoursQuery(_:)`` as records, oldest first.
    private func officeHoursRecords(hall: String, _ rows: PostgresRowSequence) async throws -> [OfficeHoursRecord] {
        var records: [OfficeHoursRecord] = []
        for try await (from, json, source, recordedAt, recordedBy, reason) in rows.decode(
            (String, String, String, Date, String?, String).self)
        {
            guard let effectiveFrom = CivilDate(from) else {
                throw StoreError.storage("office hours of \(hall): unreadable date \(from)")
            }
            records.append(
                OfficeHoursRecord(
                    version: OfficeHoursVersion(
                        effectiveFrom: effectiveFrom, hours: try Self.referenceDecode(OfficeHours.self, json)),
                    source: source, recordedAt: recordedAt, recordedBy: recordedBy, reason: reason))
        }
        return records
    }

    // MARK: Values

    /// The file name part of a reference key (`calendar:holidays-2026.xml` → `holidays-2026.xml`).
    private static func referenceFileName(_ source: ReferenceSource) -> String {
        source.key.split(separator: ":", maxSplits: 1).last.map(String.init) ?? source.key
    }

    /// Whether a stored year already holds `year`'s dates (compared as values, as SQLite does).
    private static func holdsYear(_ stored: String?, _ year: HolidayYear) -> Bool {
        guard let stored, let value = try? referenceDecode(HolidayYear.self, stored) else { return false }
        return value == year
    }

    /// The definition of `key` from its stored JSON, decoded once per store: a
    /// registered version never changes (the database refuses it), so every server may keep it.
    private func cachedDefinition(_ key: WorkflowDefinition.Key, _ json: String) throws
        -> WorkflowDefinition
    {
        if let cached = definitionCache.withLock({ $0[key] }) { return cached }
        let definition = try Self.referenceDecode(WorkflowDefinition.self, json)
        definitionCache.withLock { $0[key] = definition }
        return definition
    }

    /// The JSON the reference tables keep, in the SQLite store's form.
    private static var referenceEncoder: JSONEncoder { StoredJSON.encoder }
    private static var referenceDecoder: JSONDecoder { StoredJSON.decoder }

    private static func referenceJSON<T: Encodable>(_ value: T) throws -> String {
        do {
            return String(decoding: try referenceEncoder.encode(value), as: UTF8.self)
        } catch {
            throw StoreError.storage("unencodable \(T.self): \(error)")
        }
    }

    private static func referenceDecode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try referenceDecoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.storage("undecodable stored \(type): \(error)")
        }
    }
}

/// One division as ``PostgresStore/loadDivisions(_:source:)`` sends it, in a JSON array.
private struct ReferenceDivisionRow: Encodable {
    var code: String
    var name: String
    var validFrom: String
    var validTo: String?
    var note: String?

    enum CodingKeys: String, CodingKey {
        case code, name, note
        case validFrom = "valid_from"
        case validTo = "valid_to"
    }
}
