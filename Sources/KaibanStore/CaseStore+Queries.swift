import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// The worklist's read: open cases whose clock runs (`running`), by when their budget runs
    /// out, or those waiting on the applicant, by what is left of their budget; optionally only in
    /// `stages`. Each page is read in order from a partial index on open cases.
    static func worklistSQL(stages: Int?, running: Bool) -> String {
        var sql = """
            SELECT number, stage, channel, enterprise_type, proposed_name, opened_at, updated_at, version,
                workflow_id, workflow_version, clock_segments, due_at, remaining_minutes, special_kind,
                (SELECT licence_waiting_since FROM case_mail WHERE case_id = registration_case.id)
            FROM registration_case WHERE closed_at IS NULL
            """
        sql += running ? " AND due_at IS NOT NULL" : " AND due_at IS NULL"
        if let stages { sql += " AND stage IN (\(Array(repeating: "?", count: stages).joined(separator: ",")))" }
        // Cases without a budget (no remaining minutes) come last.
        sql +=
            running
            ? " ORDER BY due_at, number" : " ORDER BY remaining_minutes IS NULL, remaining_minutes, opened_at, number"
        return sql + " LIMIT ? OFFSET ?"
    }

    /// One page of the worklist (see ``worklistSQL(stages:running:)``).
    package func worklistPage(stages: [String]?, running: Bool, offset: Int, limit: Int) throws -> [QueueEntry] {
        if let stages, stages.isEmpty { return [] }
        return try read { db in
            let arguments = StatementArguments(stages ?? []) + [limit, offset]
            return try Self.queueEntries(
                Row.fetchAll(
                    db.cachedStatement(sql: Self.worklistSQL(stages: stages?.count, running: running)),
                    arguments: arguments))
        }
    }

    static let runningDueSQL = """
        SELECT number, stage, channel, enterprise_type, proposed_name, opened_at, updated_at, version,
            workflow_id, workflow_version, clock_segments, due_at, remaining_minutes, special_kind,
            (SELECT licence_waiting_since FROM case_mail WHERE case_id = registration_case.id)
        FROM registration_case WHERE closed_at IS NULL AND due_at IS NOT NULL AND due_at > ? AND due_at <= ?
        ORDER BY due_at, number LIMIT ?
        """

    /// See ``DeskStore/runningCases(dueAfter:through:limit:)``.
    package func runningCases(dueAfter after: Date, through: Date, limit: Int) throws -> [QueueEntry] {
        try read { db in
            try Self.queueEntries(
                Row.fetchAll(
                    db.cachedStatement(sql: Self.runningDueSQL),
                    arguments: [Self.seconds(after), Self.seconds(through), limit]))
        }
    }

    /// How SQLite reads the running cases due in a window, for tests.
    package func runningDuePlan() throws -> String {
        try queryPlan(Self.runningDueSQL, [0, 1, 10])
    }

    /// The open cases flagged for special service (特殊办), optionally only in `stages`, read
    /// through the partial index on open flagged cases (never the other open cases), in
    /// worklist order: those whose clock runs by when their budget runs out, then the others
    /// by what is left of their budget; at most `limit`.
    static func specialSQL(stages: Int?) -> String {
        var sql = """
            SELECT number, stage, channel, enterprise_type, proposed_name, opened_at, updated_at, version,
                workflow_id, workflow_version, clock_segments, due_at, remaining_minutes, special_kind,
                (SELECT licence_waiting_since FROM case_mail WHERE case_id = registration_case.id)
            FROM registration_case INDEXED BY registration_case_special
            WHERE closed_at IS NULL AND special_kind IS NOT NULL
            """
        if let stages { sql += " AND stage IN (\(Array(repeating: "?", count: stages).joined(separator: ",")))" }
        return sql
            + """
             ORDER BY due_at IS NULL, due_at, remaining_minutes IS NULL, remaining_minutes, opened_at, number
             LIMIT ?
            """
    }

    /// The open flagged cases (see ``specialSQL(stages:)``).
    package func openSpecialCases(stages: [String]?, limit: Int) throws -> [QueueEntry] {
        if let stages, stages.isEmpty { return [] }
        return try read { db in
            try Self.queueEntries(
                Row.fetchAll(
                    db.cachedStatement(sql: Self.specialSQL(stages: stages?.count)),
                    arguments: StatementArguments(stages ?? []) + [limit]))
        }
    }

    /// How SQLite reads the open flagged cases, for tests.
    package func specialPlan(stages: [String]?) throws -> String {
        try queryPlan(Self.specialSQL(stages: stages?.count), StatementArguments(stages ?? []) + [50])
    }

    /// Worklist rows as entries.
    static func queueEntries(_ rows: [Row]) throws -> [QueueEntry] {
        try rows.map { row in
            guard let number = CaseNumber(row[0]), let channel = Channel(rawValue: row[2]),
                let type = EnterpriseType(rawValue: row[3])
            else {
                throw StoreError.storage(
                    "unreadable worklist row \(row[0] as String? ?? "?"): \(row[2] as String? ?? "?") \(row[3] as String? ?? "?")"
                )
            }
            let due: Int64? = row[11]
            let licence: Int64? = row[14]
            let timeline = ClockSegment.decodeTimeline((row[10] as String?)?[...] ?? "") ?? ([], [])
            return QueueEntry(
                number: number, stage: row[1], channel: channel, enterpriseType: type, proposedName: row[4],
                openedAt: row[5], updatedAt: row[6], version: row[7],
                workflow: WorkflowDefinition.Key(id: row[8], version: row[9]),
                segments: timeline.segments, extra: timeline.extra,
                dueAt: due.map { Date(timeIntervalSince1970: TimeInterval($0)) }, remainingMinutes: row[12],
                special: (row[13] as String?).flatMap(SpecialKind.init(rawValue:)),
                licenceAwaitingPostSince: licence.map { Date(timeIntervalSince1970: TimeInterval($0)) })
        }
    }

    /// The first `limit` open cases in worklist order: running ones, then those waiting.
    package func queue(stages: [String]?, limit: Int) throws -> [QueueEntry] {
        let running = try worklistPage(stages: stages, running: true, offset: 0, limit: limit)
        guard running.count < limit else { return running }
        return running + (try worklistPage(stages: stages, running: false, offset: 0, limit: limit - running.count))
    }

    /// The query plans SQLite picks for the worklist's two reads (for tests and benchmarks).
    package func queuePlan(stages: [String]?) throws -> String {
        try [true, false].map { running in
            try queryPlan(
                Self.worklistSQL(stages: stages?.count, running: running),
                StatementArguments(stages ?? []) + [50, 0])
        }.joined(separator: "\n")
    }

    /// What EXPLAIN QUERY PLAN says of `sql` with `arguments`, one line per step: tests run it on
    /// the very statements the reads run.
    func queryPlan(_ sql: String, _ arguments: StatementArguments) throws -> String {
        try read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                .map { $0["detail"] as String }.joined(separator: "\n")
        }
    }

    /// Recomputes the schedule columns of every case (open ones: their place in the worklist;
    /// closed ones: their government minutes, which the report reads) when the calendar changed
    /// since they were computed (or never were); returns how many were rewritten. A clock older than the
    /// stored calendar changes nothing: the next desk with the current calendar does it.
    package func refreshSchedules(clock: SLAClock) throws -> Int {
        let fresh = try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'schedule-calendar'")
                == SLAClock.scheduleMark(revision: try Self.calendarRevision(db))
        }
        guard !fresh else { return 0 }
        return try write { db in
            let revision = try Self.calendarRevision(db)
            guard clock.calendar.revision == revision else { return 0 }
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT number, workflow_id, workflow_version, clock_segments FROM registration_case
                    """)
            let update = try db.makeStatement(
                sql:
                    "UPDATE registration_case SET government_minutes = ?, remaining_minutes = ?, due_at = ? WHERE number = ?"
            )
            for row in rows {
                let budget = try definition(WorkflowDefinition.Key(id: row[1], version: row[2]), db).budgetMinutes
                // Unreadable segments (a damaged row) are taken from the history, the truth.
                let number: String = row[0]
                let timeline =
                    try ClockSegment.decodeTimeline((row[3] as String?)?[...] ?? "")
                    ?? fetchCase(
                        CaseNumber(number) ?? { throw StoreError.storage("malformed case number \(number)") }(), db
                    ).timeline
                let schedule = clock.schedule(timeline.segments, extra: timeline.extra, budgetMinutes: budget)
                try update.execute(arguments: [
                    schedule.governmentMinutes, schedule.remainingMinutes, schedule.dueAt.map(Self.seconds),
                    row[0] as String,
                ])
            }
            try db.execute(
                sql: """
                    INSERT INTO store_meta (key, value) VALUES ('schedule-calendar', ?)
                    ON CONFLICT(key) DO UPDATE SET value = excluded.value
                    """, arguments: [SLAClock.scheduleMark(revision: revision)])
            return rows.count
        }
    }

    /// After a write with a clock older than the stored calendar: the schedules it wrote are
    /// out of date, so the next refresh recomputes them all.
    func invalidateSchedules(ifOlderThanStored clock: SLAClock, _ db: Database) throws {
        guard try Self.calendarRevision(db) != clock.calendar.revision else { return }
        try db.execute(sql: "DELETE FROM store_meta WHERE key = 'schedule-calendar'")
    }

    /// The SLA report's read: closed cases by closing time; their workflow (its id as its place
    /// among `workflows`, the text only for an id not among them), version and stored government
    /// minutes, the columns of the groupings asked for, and the clock segments by stage. Only the
    /// columns needed: each read column costs the loop a call into SQLite per case.
    static func closedCasesSQL(
        stages: Int, groupedBy grouping: SLAGrouping, thenBy second: SLAGrouping? = nil, workflows: Int = 0
    ) -> String {
        func column(_ grouping: SLAGrouping?) -> String { grouping.reportColumn }
        let places = (0..<workflows).map { "WHEN ? THEN \($0)" }.joined(separator: " ")
        let known = workflows == 0 ? "-1" : "CASE workflow_id \(places) ELSE -1 END"
        // By stage the report walks each case's clock segments (read from the rows); otherwise the
        // covering index holds all it reads.
        let segments = grouping == .stage || second == .stage ? ", clock_segments" : ""
        var groups: [String] = []
        for case let asked? in [grouping, second] where asked != .all && asked != .stage {
            groups.append(column(asked))
        }
        return """
            SELECT \(known), iif(\(known) < 0, workflow_id, NULL), workflow_version, government_minutes\(
                groups.map { ", " + $0 }.joined())\(segments)
            FROM registration_case
            WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ?
                AND stage IN (\(Array(repeating: "?", count: stages).joined(separator: ",")))
            """
    }

    /// Streams the cases closed in `stages` between two instants (the SLA report's population) to
    /// `body`, read through the covering index on closing time (the rows only by stage).
    package func forEachClosedCase(
        from: Date, to: Date, stages: [String], groupedBy grouping: SLAGrouping = .all,
        thenBy second: SLAGrouping? = nil,
        _ body: (ClosedCaseRow) throws -> Void
    ) throws {
        guard !stages.isEmpty else { return }
        let needsMinutes = grouping != .stage && second != .stage
        try read { db in
            // The workflows' ids, once: each case's is then a number, not a string made per case.
            let workflows = try String.fetchAll(
                db, sql: "SELECT DISTINCT workflow_id FROM workflow_definition ORDER BY workflow_id")
            let sql = Self.closedCasesSQL(
                stages: stages.count, groupedBy: grouping, thenBy: second, workflows: workflows.count)
            let rows = try Row.fetchCursor(
                db, sql: sql,
                arguments: StatementArguments(workflows + workflows)
                    + StatementArguments([Self.storageText(from), Self.storageText(to)]) + StatementArguments(stages)
            )
            // The places of the optional columns, in the order the query names them.
            var next = 4
            func place(_ grouping: SLAGrouping?) -> Int? {
                guard let grouping, grouping != .all, grouping != .stage else { return nil }
                defer { next += 1 }
                return next
            }
            let firstGroup = place(grouping)
            let secondGroup = place(second)
            let segments = grouping == .stage || second == .stage ? next : nil
            while let row = try rows.next() {
                // Positional access: this loop runs once per closed case.
                let minutes: Int? = row[3]
                if needsMinutes && minutes == nil {
                    throw StoreError.storage(
                        "a closed case has no stored government minutes; its projection needs rebuilding")
                }
                let place: Int = row[0]
                let id = place >= 0 && place < workflows.count ? workflows[place] : (row[1] as String? ?? "")
                var closed = ClosedCaseRow(
                    group: firstGroup.map { row[$0] } ?? "", workflow: WorkflowDefinition.Key(id: id, version: row[2]),
                    governmentMinutes: minutes, clockSegments: segments.map { row[$0] ?? "" } ?? "")
                if let secondGroup { closed.secondGroup = row[secondGroup] }
                try body(closed)
            }
        }
    }

    /// The first (`order` ASC) or last (DESC) closing instant in a period, in `stages`.
    static func closedSpanSQL(stages: Int, order: String) -> String {
        """
        SELECT closed_at FROM registration_case
        WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ?
            AND stage IN (\(Array(repeating: "?", count: stages).joined(separator: ",")))
        ORDER BY closed_at \(order) LIMIT 1
        """
    }

    /// The query plans of ``closedSpan(from:to:stages:)``'s two probes (for tests).
    package func closedSpanPlan() throws -> String {
        let arguments: StatementArguments = [
            Self.storageText(Date(timeIntervalSince1970: 0)), Self.storageText(Date(timeIntervalSince1970: 1)),
            "completed",
        ]
        return try ["ASC", "DESC"].map { try queryPlan(Self.closedSpanSQL(stages: 1, order: $0), arguments) }
            .joined(separator: "\n")
    }

    /// The first and last closing instants in a period (two index probes).
    package func closedSpan(from: Date, to: Date, stages: [String]) throws -> (first: Date, last: Date)? {
        guard !stages.isEmpty else { return nil }
        return try read { db in
            let arguments =
                StatementArguments([Self.storageText(from), Self.storageText(to)]) + StatementArguments(stages)
            func probe(_ order: String) throws -> Date? {
                try Date.fetchOne(db, sql: Self.closedSpanSQL(stages: stages.count, order: order), arguments: arguments)
            }
            guard let first = try probe("ASC"), let last = try probe("DESC") else { return nil }
            return (first, last)
        }
    }

    /// The query plan of the SLA report's read grouped by `grouping` (for tests and benchmarks).
    package func closedCasesPlan(groupedBy grouping: SLAGrouping = .channel) throws -> String {
        try queryPlan(
            Self.closedCasesSQL(stages: 2, groupedBy: grouping),
            [
                Self.storageText(Date(timeIntervalSince1970: 0)), Self.storageText(Date(timeIntervalSince1970: 1)),
                "completed", "withdrawn",
            ])
    }

    /// The cases closed in `stages` between two instants, as a list.
    package func closedCases(from: Date, to: Date, stages: [String], groupedBy grouping: SLAGrouping = .all) throws
        -> [ClosedCaseRow]
    {
        var result: [ClosedCaseRow] = []
        try forEachClosedCase(from: from, to: to, stages: stages, groupedBy: grouping) { result.append($0) }
        return result
    }

    package func caseCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registration_case") ?? 0 }
    }

    package func summary() throws -> DeskSummary {
        try read { db in
            func grouped(_ column: String, _ filter: String = "") throws -> [String: Int] {
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT \(column) AS key, COUNT(*) AS n FROM registration_case \(filter) GROUP BY \(column)")
                return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as String, $0["n"] as Int) })
            }
            return DeskSummary(
                total: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registration_case") ?? 0,
                open: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM registration_case WHERE closed_at IS NULL") ?? 0,
                byStage: try grouped("stage"), byChannel: try grouped("channel"),
                events: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM case_event") ?? 0)
        }
    }

    /// Cases a rebuild checks per transaction (well under 100 ms of work): short enough that
    /// intake and steps go on meanwhile.
    package static let rebuildChunk = 200

    /// Replays every case's history and rewrites every derived column of its projection row
    /// that differs from the replay (stage, version, instants, clock segments, schedule, name
    /// parts) and every credit code its history issued that the registry lacks, reporting the
    /// cases repaired. Proves that the history is the truth. Works through the cases in chunks of
    /// `chunk`, each its own short transaction, so the desk stays open while it runs.
    package func rebuild(clock: SLAClock, chunk: Int = rebuildChunk, pause: Duration = rebuildPause) throws
        -> RebuildReport
    {
        var report = RebuildReport(cases: 0, events: 0, repaired: [])
        var after: Int64 = -1
        while true {
            let part = try write { db in try rebuildChunk(after: after, limit: chunk, clock: clock, db) }
            report.cases += part.report.cases
            report.events += part.report.events
            report.repaired += part.report.repaired
            guard let last = part.last, part.report.cases == chunk else { break }
            after = last
            // Room for the desk: a writer waiting for the lock retries at least every 100 ms.
            Self.leaveRoom(pause)
        }
        report.clerksRepaired = try write { db in try rebuildClerks(db) }
        // Rows derived from cases that do not exist: filed or registered by no history.
        report.orphansRemoved = try write { db in
            try db.execute(sql: "DELETE FROM case_lookup WHERE case_id NOT IN (SELECT id FROM registration_case)")
            var removed = db.changesCount
            try db.execute(
                sql: "DELETE FROM registered_name WHERE case_number NOT IN (SELECT number FROM registration_case)")
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM case_deferral WHERE case_id NOT IN (SELECT id FROM registration_case)")
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM deferral_party WHERE case_id NOT IN (SELECT id FROM registration_case)")
            removed += db.changesCount
            try db.execute(sql: "DELETE FROM case_mail WHERE case_id NOT IN (SELECT id FROM registration_case)")
            removed += db.changesCount
            return removed
        }
        report.figureDaysRepaired = try repairFigureDays(pause: pause)
        return report
    }

    /// How long a rebuild leaves the lock to others between chunks: longer than the longest wait
    /// between a blocked writer's retries.
    package static let rebuildPause = Duration.milliseconds(120)

    /// Sleeps `pause` between two of a rebuild's transactions, so that writers waiting go first.
    static func leaveRoom(_ pause: Duration) {
        Thread.sleep(forTimeInterval: Double(pause.components.seconds) + Double(pause.components.attoseconds) / 1e18)
    }

    /// Rewrites every clerk whose roles or standing differ from their history (clerks registered
    /// before the history was kept have none, and are left as they are); the clerks rewritten.
    func rebuildClerks(_ db: Database) throws -> [String] {
        var repaired: [String] = []
        let rows = try Row.fetchAll(
            db, sql: "SELECT clerk_id, kind, roles FROM clerk_event ORDER BY clerk_id, sequence")
        var derived: [String: (roles: Set<String>, active: Bool)] = [:]
        for row in rows {
            let id: String = row[0]
            let roles = Set((row[2] as String).split(separator: " ").map(String.init))
            switch ClerkEvent.Kind(rawValue: row[1]) {
            case .added: derived[id] = (roles, true)
            case .rolesChanged: derived[id] = (roles, derived[id]?.active ?? true)
            case .deactivated: derived[id] = (derived[id]?.roles ?? roles, false)
            case nil: throw StoreError.storage("clerk \(id): unknown event kind \(row[1] as String? ?? "?")")
            }
        }
        for (id, state) in derived.sorted(by: { $0.key < $1.key }) {
            guard let stored = try? fetchClerk(id, db) else {
                // A clerk with a history but no row: back, under their id (the name is not kept in
                // the history).
                try db.execute(
                    sql: "INSERT INTO clerk (id, name, roles, active) VALUES (?, ?, ?, ?)",
                    arguments: [id, id, state.roles.sorted().joined(separator: " "), state.active])
                repaired.append(id)
                continue
            }
            if stored.roles != state.roles || stored.active != state.active {
                try db.execute(
                    sql: "UPDATE clerk SET roles = ?, active = ? WHERE id = ?",
                    arguments: [state.roles.sorted().joined(separator: " "), state.active, id])
                repaired.append(id)
            }
        }
        return repaired
    }

    /// Makes the case's registered name the one its licence registered (or none before the
    /// licence), released when its registration was revoked (`revoked`, from the history); true
    /// when it differed and was rewritten.
    func repairRegisteredName(_ state: RegistrationCase, _ parts: NameParts, revoked: Date?, _ db: Database) throws
        -> Bool
    {
        let number = state.number.description
        let expected: [String]? =
            state.creditCode != nil && !parts.tradeName.isEmpty
            ? [state.number.division, state.application.proposedName, parts.tradeName, parts.industry] : nil
        let row = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT division, name, trade_name, industry, released_at FROM registered_name
                    WHERE case_number = ?
                    """),
            arguments: [number])
        let stored = row.map { [$0[0] as String, $0[1] as String, $0[2] as String, $0[3] as String] }
        let storedRelease = (row?[4] as Date?).map(Self.milliseconds)
        guard stored != expected || (expected != nil && storedRelease != revoked.map(Self.milliseconds)) else {
            return false
        }
        try db.cachedStatement(sql: "DELETE FROM registered_name WHERE case_number = ?").execute(arguments: [number])
        if let expected {
            try db.cachedStatement(
                sql: """
                    INSERT INTO registered_name (case_number, division, name, trade_name, industry, released_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [number] + StatementArguments(expected) + [revoked])
        }
        return true
    }

    /// An instant to the millisecond, as SQLite keeps it.
    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }

    /// One chunk of a rebuild: the cases after id `after`, at most `limit`; the last id seen.
    func rebuildChunk(after: Int64, limit: Int, clock: SLAClock, _ db: Database) throws -> (
        report: RebuildReport, last: Int64?
    ) {
        var report = RebuildReport(cases: 0, events: 0, repaired: [])
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT id, number, workflow_id, workflow_version, stage, version, channel, enterprise_type,
                    proposed_name, opened_by, opened_at, updated_at, closed_at, clock_segments,
                    government_minutes, remaining_minutes, due_at, trade_name, industry, special_kind
                FROM registration_case WHERE id > ? ORDER BY id LIMIT ?
                """, arguments: [after, limit])
        for row in rows {
            let text: String = row["number"]
            guard let number = CaseNumber(text) else { throw StoreError.storage("malformed case number \(text)") }
            let events = try fetchEvents(number, db)
            let state = try fetchCase(number, db)
            let workflow = try definition(state.definition, db)
            let budget = workflow.budgetMinutes
            let schedule = clock.schedule(state, budgetMinutes: budget)
            let opening = try String.fetchOne(
                db.cachedStatement(sql: "SELECT data_json FROM case_event WHERE case_id = ? AND sequence = 1"),
                arguments: [row["id"] as Int64])
            // Cases taken in before the name parts were kept: what is stored is all there is.
            let parts =
                try opening.flatMap { try openingData(number, $0).nameParts }
                ?? NameParts(tradeName: row["trade_name"], industry: row["industry"])
            report.cases += 1
            report.events += events.count
            var repaired = try repairLookup(state, tradeName: parts.tradeName, db)
            if try repairRegisteredName(state, parts, revoked: workflow.revocation(in: events), db) {
                repaired = true
            }
            if try repairDeferral(state, caseID: row["id"], db) { repaired = true }
            if try repairMail(state, caseID: row["id"], db) { repaired = true }
            if Self.projection(of: state, schedule, parts) != Self.projection(of: row) {
                repaired = true
                try repairProjection(state, schedule, parts, db)
            }
            if let code = state.creditCode,
                try String.fetchOne(
                    db.cachedStatement(sql: "SELECT case_number FROM credit_code WHERE code = ?"), arguments: [code])
                    != text
            {
                repaired = true
                try db.cachedStatement(sql: "DELETE FROM credit_code WHERE case_number = ? OR code = ?")
                    .execute(arguments: [text, code])
                let issued = events.first { $0.creditCode == code }?.at ?? state.updatedAt
                try db.cachedStatement(sql: "INSERT INTO credit_code (code, case_number, issued_at) VALUES (?, ?, ?)")
                    .execute(arguments: [code, text, issued])
            }
            if repaired { report.repaired.append(text) }
        }
        return (report, rows.last.map { $0["id"] as Int64 })
    }

    /// The derived columns of a case's projection row, as the replay of its history gives them.
    static func projection(of state: RegistrationCase, _ schedule: CaseSchedule, _ parts: NameParts) -> [String] {
        [
            state.definition.id, "\(state.definition.version)", state.stage, "\(state.version)",
            state.application.channel.rawValue, state.application.enterpriseType.rawValue,
            state.application.proposedName,
            // Instants as stored text: queries compare the text, so the same instant written
            // another way is a difference too.
            state.openedBy, storageText(state.openedAt), storageText(state.updatedAt),
            state.closedAt.map(storageText) ?? "", ClockSegment.encode(state.segments, extra: state.extraWorkingTime),
            "\(schedule.governmentMinutes)", schedule.remainingMinutes.map(String.init) ?? "",
            schedule.dueAt.map { "\(seconds($0))" } ?? "", parts.tradeName, parts.industry,
            state.special?.kind.rawValue ?? "",
        ]
    }

    /// The same columns as stored.
    static func projection(of row: Row) -> [String] {
        let version: Int = row["workflow_version"]
        let caseVersion: Int = row["version"]
        let opened: String = row["opened_at"]
        let updated: String = row["updated_at"]
        let closed: String? = row["closed_at"]
        return [
            row["workflow_id"], "\(version)", row["stage"], "\(caseVersion)", row["channel"], row["enterprise_type"],
            row["proposed_name"], row["opened_by"], opened, updated, closed ?? "", row["clock_segments"],
            (row["government_minutes"] as Int?).map(String.init) ?? "",
            (row["remaining_minutes"] as Int?).map(String.init) ?? "", (row["due_at"] as Int64?).map(String.init) ?? "",
            row["trade_name"], row["industry"], (row["special_kind"] as String?) ?? "",
        ]
    }

    /// Rewrites every derived column of the case's projection row from `state`.
    func repairProjection(_ state: RegistrationCase, _ schedule: CaseSchedule, _ parts: NameParts, _ db: Database)
        throws
    {
        try db.execute(
            sql: """
                UPDATE registration_case SET workflow_id = ?, workflow_version = ?, stage = ?, version = ?, channel = ?,
                    enterprise_type = ?, proposed_name = ?, opened_by = ?, opened_at = ?, updated_at = ?, closed_at = ?,
                    clock_segments = ?, government_minutes = ?, remaining_minutes = ?, due_at = ?, trade_name = ?,
                    industry = ?, special_kind = ?
                WHERE number = ?
                """,
            arguments: [
                state.definition.id, state.definition.version, state.stage, state.version,
                state.application.channel.rawValue, state.application.enterpriseType.rawValue,
                state.application.proposedName, state.openedBy, Self.storageText(state.openedAt),
                Self.storageText(state.updatedAt), state.closedAt.map(Self.storageText),
                ClockSegment.encode(state.segments, extra: state.extraWorkingTime), schedule.governmentMinutes,
                schedule.remainingMinutes,
                schedule.dueAt.map(Self.seconds), parts.tradeName, parts.industry, state.special?.kind.rawValue,
                state.number.description,
            ])
    }
}

extension CaseStore {
    /// The cases open at `instant` (taken in by then and not closed by then): those still open,
    /// through the open cases' partial index, and those closed since, through the report index.
    /// (`+opened_at`: the open cases are found through the indexes of open and closed cases, never
    /// through the intake-instant index, which would read every case taken in before the instant.)
    static let openAtSQL = """
        SELECT number FROM registration_case WHERE closed_at IS NULL AND due_at IS NOT NULL AND +opened_at <= ?1
        UNION ALL
        SELECT number FROM registration_case WHERE closed_at IS NULL AND due_at IS NULL AND +opened_at <= ?1
        UNION ALL
        SELECT number FROM registration_case WHERE closed_at > ?1 AND +opened_at <= ?1
        LIMIT ?2
        """

    /// The histories of the cases open at `instant`, at most `limit`; nil when there are more.
    package func histories(openAt instant: Date, limit: Int) throws -> [CaseHistory]? {
        try read { db in
            let numbers = try String.fetchAll(
                db.cachedStatement(sql: Self.openAtSQL), arguments: [Self.storageText(instant), limit + 1])
            guard numbers.count <= limit else { return nil }
            return try numbers.map { text in
                guard let number = CaseNumber(text) else { throw StoreError.storage("unreadable case number \(text)") }
                return CaseHistory(number: number, events: try fetchEvents(number, db))
            }
        }
    }

    /// How SQLite runs ``openAtSQL``, for tests.
    package func openAtPlan() throws -> String {
        try read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN " + Self.openAtSQL, arguments: [Self.storageText(Date()), 10]
            ).map { $0["detail"] as String }.joined(separator: "\n")
        }
    }
}
