import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// The supervisors' figures on PostgreSQL, as the SQLite store reads them: the closed cases of a
/// period (the SLA report, the dashboard) through the report index on closing instant, the hall's
/// counts from the counts by day the database keeps (`case_figure_day`, summed over the halls), the 容缺 figures, the
/// posts and the bookings, each through an index. A read of several statements sees one snapshot.
extension PostgresStore {
    public func closedCases<Accumulator: Sendable>(
        from: Date, to: Date, stages: [String], groupedBy grouping: SLAGrouping, thenBy second: SLAGrouping?,
        into initial: Accumulator,
        _ fold: @escaping @Sendable (inout Accumulator, ClosedCaseRow) -> Void
    ) async throws -> Accumulator {
        guard !stages.isEmpty else { return initial }
        let needsMinutes = grouping != .stage && second != .stage
        let query = Self.reportsClosedCasesQuery(
            from: from, to: to, stages: stages, groupedBy: grouping, thenBy: second)
        return try await guarded { [self] in
            var accumulator = initial
            // Streamed: the rows come as the fold takes them, never the whole population at once.
            for try await row in try await client.query(query, logger: logger) {
                let cells = row.makeRandomAccess()
                let minutes = try cells[2].decode(Int?.self)
                if needsMinutes && minutes == nil {
                    throw StoreError.storage(
                        "a closed case has no stored government minutes; its projection needs rebuilding")
                }
                var closed = ClosedCaseRow(
                    group: try cells[3].decode(String.self),
                    workflow: WorkflowDefinition.Key(
                        id: try cells[0].decode(String.self), version: try cells[1].decode(Int.self)),
                    governmentMinutes: minutes, clockSegments: try cells[5].decode(String.self))
                closed.secondGroup = try cells[4].decode(String.self)
                fold(&accumulator, closed)
            }
            return accumulator
        }
    }

    public func closedSpan(from: Date, to: Date, stages: [String]) async throws -> (first: Date, last: Date)? {
        guard !stages.isEmpty else { return nil }
        let query = Self.reportsClosedSpanQuery(from: from, to: to, stages: stages)
        let span = try await guarded { [self] in
            try await client.query(query, logger: logger).decode((Date?, Date?).self).first(where: { _ in true })
        }
        guard let (first, last) = span, let first, let last else { return nil }
        return (first, last)
    }

    public func deferralFigures(from: Date, to: Date, stages: [String], acceptedStages: [String], at now: Date)
        async throws -> DeferralRecords
    {
        try await guarded { [self] in
            try await reportsSnapshot { [self] connection in
                var figures = DeferralRecords()
                if !stages.isEmpty {
                    // The deferrals of the cases closed in the period: through the report index,
                    // each case's deferral then by its key.
                    for try await (segments, before) in try await connection.query(
                        Self.reportsClosedDeferralsQuery(
                            from: from, to: to, stages: stages, acceptedStages: acceptedStages),
                        logger: logger
                    ).decode((String, Bool).self) {
                        figures.segments.append(segments)
                        figures.fulfilledBeforeAcceptance.append(before)
                    }
                }
                let row = try await connection.query(
                    Self.reportsCommittedQuery(from: from, to: to, at: now), logger: logger
                ).decode((Int, Int, Int, Int, Int).self).first(where: { _ in true })
                if let row {
                    figures.figures.committed = row.0
                    figures.figures.suppliedOnTime = row.1
                    figures.figures.suppliedLate = row.2
                    figures.figures.overdue = row.3
                    figures.figures.extended = row.4
                }
                return figures
            }
        }
    }

    public func hallFigureRecords(
        from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate, correction: String
    ) async throws -> HallFigureRecords {
        try await guarded { [self] in
            try await reportsSnapshot { [self] connection in
                func counts(_ measure: String) async throws -> [(
                    channel: String, type: String, stage: String, count: Int
                )] {
                    var rows: [(channel: String, type: String, stage: String, count: Int)] = []
                    for try await (channel, type, stage, count) in try await connection.query(
                        Self.reportsFigureDaysQuery(measure, firstDay, lastDay), logger: logger
                    ).decode((String, String, String, Int).self) {
                        rows.append((channel, type, stage, count))
                    }
                    return rows
                }
                let received = try await counts("received").map {
                    (channel: $0.channel, type: $0.type, count: $0.count)
                }
                let accepted = try await counts("accepted").map {
                    (channel: $0.channel, type: $0.type, count: $0.count)
                }
                let closed = try await counts("closed")
                let corrected = try await Self.reportsCount(
                    Self.reportsCorrectedQuery(correction, from: from, to: to), connection, logger)
                let outbound = try await Self.reportsCount(
                    Self.reportsOutboundQuery(from: from, to: to), connection, logger)
                return HallFigureRecords(
                    received: received, accepted: accepted, closed: closed, returnedForCorrection: corrected,
                    crossProvinceOutbound: outbound,
                    bookings: try await reportsBookings(firstDay: firstDay, lastDay: lastDay, connection))
            }
        }
    }

    public func closedCaseTimes(from: Date, to: Date, stages: [String]) async throws -> [ClosedCaseTime] {
        guard !stages.isEmpty else { return [] }
        let query = Self.reportsClosedTimesQuery(from: from, to: to, stages: stages)
        return try await guarded { [self] in
            var times: [ClosedCaseTime] = []
            for try await (closedAt, id, version, minutes, segments) in try await client.query(query, logger: logger)
                .decode((Date, String, Int, Int?, String).self)
            {
                times.append(
                    ClosedCaseTime(
                        closedAt: closedAt, workflow: WorkflowDefinition.Key(id: id, version: version),
                        governmentMinutes: minutes, clockSegments: segments))
            }
            return times
        }
    }

    public func channelActivity(from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate) async throws
        -> ChannelActivityRecords
    {
        try await guarded { [self] in
            try await reportsSnapshot { [self] connection in
                var received: [(channel: String, special: Bool, count: Int)] = []
                for try await (channel, special, count) in try await connection.query(
                    Self.reportsReceivedQuery(firstDay, lastDay), logger: logger
                ).decode((String, Bool, Int).self) {
                    received.append((channel, special, count))
                }
                var closed: [(channel: String, stage: String, count: Int)] = []
                for try await (channel, stage, count) in try await connection.query(
                    Self.reportsClosedByChannelQuery(firstDay, lastDay), logger: logger
                ).decode((String, String, Int).self) {
                    closed.append((channel, stage, count))
                }
                let bookings = try await reportsBookings(firstDay: firstDay, lastDay: lastDay, connection)
                var posts = ChannelActivity.Posts()
                posts.documentsReceived = try await Self.reportsCount(
                    Self.reportsPostsQuery("received_at", from: from, to: to), connection, logger)
                posts.licencesPosted = try await Self.reportsCount(
                    Self.reportsPostsQuery("licence_posted_at", from: from, to: to), connection, logger)
                return ChannelActivityRecords(
                    received: received, closed: closed, bookings: bookings, posts: posts)
            }
        }
    }
}

// MARK: The reads

extension PostgresStore {
    /// The SLA report's read: the cases closed in `stages` between two instants (as stored, to
    /// the millisecond), with their workflow, stored government minutes, the columns of the
    /// groupings asked for (empty for the others) and, by stage only, the clock segments: all but
    /// the segments from the report index alone.
    static func reportsClosedCasesQuery(
        from: Date, to: Date, stages: [String], groupedBy grouping: SLAGrouping, thenBy second: SLAGrouping?
    ) -> PostgresQuery {
        func column(_ grouping: SLAGrouping?) -> String { grouping.reportColumn }
        let segments = grouping == .stage || second == .stage ? "clock_segments" : "''"
        return """
            SELECT workflow_id, workflow_version, government_minutes, \(unescaped: column(grouping)),
                \(unescaped: column(second)), \(unescaped: segments)
            FROM registration_case
            WHERE closed_at IS NOT NULL AND closed_at >= \(milliseconds(from)) AND closed_at < \(milliseconds(to))
                AND stage = ANY(\(stages))
            """
    }

    /// The first and last closing instants in a period, in `stages` (two probes of the report index).
    static func reportsClosedSpanQuery(from: Date, to: Date, stages: [String]) -> PostgresQuery {
        """
        SELECT
            (SELECT closed_at FROM registration_case
            WHERE closed_at IS NOT NULL AND closed_at >= \(milliseconds(from)) AND closed_at < \(milliseconds(to))
                AND stage = ANY(\(stages))
            ORDER BY closed_at LIMIT 1),
            (SELECT closed_at FROM registration_case
            WHERE closed_at IS NOT NULL AND closed_at >= \(milliseconds(from)) AND closed_at < \(milliseconds(to))
                AND stage = ANY(\(stages))
            ORDER BY closed_at DESC LIMIT 1)
        """
    }

    /// The dashboard's read of a period's closed cases: through the report index, each row then
    /// read for its clock segments.
    static func reportsClosedTimesQuery(from: Date, to: Date, stages: [String]) -> PostgresQuery {
        """
        SELECT closed_at, workflow_id, workflow_version, government_minutes, clock_segments
        FROM registration_case
        WHERE closed_at IS NOT NULL AND closed_at >= \(milliseconds(from)) AND closed_at < \(milliseconds(to))
            AND stage = ANY(\(stages))
        """
    }

    /// The clock segments of the cases closed in `stages` between two instants with a 容缺
    /// commitment: through the report index, each case's deferral then by its key.
    static func reportsClosedDeferralsQuery(from: Date, to: Date, stages: [String], acceptedStages: [String] = [])
        -> PostgresQuery
    {
        // Whether the commitment was fulfilled before the case's acceptance, by the events' order
        // (as the SQLite store reads it).
        """
        SELECT c.clock_segments, EXISTS (
            SELECT 1 FROM case_event f WHERE f.case_id = c.id AND f.kind = \(StoredHistory.kindCode(.deferralFulfilled))
                AND f.sequence < coalesce((
                    SELECT min(a.sequence) FROM case_event a
                    WHERE a.case_id = c.id AND a.kind = \(StoredHistory.kindCode(.transitioned))
                        AND a.to_stage = ANY(\(acceptedStages))), 0))
        FROM registration_case c JOIN case_deferral d ON d.case_id = c.id
        WHERE c.closed_at IS NOT NULL AND c.closed_at >= \(milliseconds(from)) AND c.closed_at < \(milliseconds(to))
            AND c.stage = ANY(\(stages))
        """
    }

    /// The deferrals committed between two instants (to the second, as kept), at `now`: all,
    /// supplied on time, supplied late (and not overdue meanwhile), overdue, extended.
    static func reportsCommittedQuery(from: Date, to: Date, at now: Date) -> PostgresQuery {
        let now = wholeSeconds(now)
        return """
            SELECT count(*),
                count(*) FILTER (WHERE fulfilled_at IS NOT NULL AND broken = 0),
                count(*) FILTER (WHERE broken = 1 AND NOT (next_deadline IS NOT NULL AND next_deadline < \(now))),
                count(*) FILTER (WHERE broken = 2 OR (next_deadline IS NOT NULL AND next_deadline < \(now))),
                count(*) FILTER (WHERE extended)
            FROM case_deferral WHERE committed_at >= \(wholeSeconds(from)) AND committed_at < \(wholeSeconds(to))
            """
    }

    /// A measure's counts of the local days `first`...`last` by channel, enterprise type and
    /// stage, from the rows of those days alone.
    static func reportsFigureDaysQuery(_ measure: String, _ first: CivilDate, _ last: CivilDate) -> PostgresQuery {
        """
        SELECT channel, enterprise_type, stage, sum(count)::bigint FROM case_figure_day
        WHERE measure = \(measure) AND day >= \(first.description)::date AND day <= \(last.description)::date
        GROUP BY 1, 2, 3 HAVING sum(count) <> 0
        """
    }

    /// The cases received in the local days `first`...`last` by channel, 特殊办 or not.
    static func reportsReceivedQuery(_ first: CivilDate, _ last: CivilDate) -> PostgresQuery {
        """
        SELECT channel, stage = 'special', sum(count)::bigint FROM case_figure_day
        WHERE measure = 'received' AND day >= \(first.description)::date AND day <= \(last.description)::date
        GROUP BY 1, 2 HAVING sum(count) <> 0
        """
    }

    /// The cases closed in the local days `first`...`last` by channel and closing stage.
    static func reportsClosedByChannelQuery(_ first: CivilDate, _ last: CivilDate) -> PostgresQuery {
        """
        SELECT channel, stage, sum(count)::bigint FROM case_figure_day
        WHERE measure = 'closed' AND day >= \(first.description)::date AND day <= \(last.description)::date
        GROUP BY 1, 2 HAVING sum(count) <> 0
        """
    }

    /// Of the cases received between two instants, those returned for correction at least once:
    /// from the returns made since the period began (none precedes its case's intake), through
    /// the index on transitions by instant.
    static func reportsCorrectedQuery(_ correction: String, from: Date, to: Date) -> PostgresQuery {
        """
        SELECT count(DISTINCT e.case_id) FROM case_event e JOIN registration_case c ON c.id = e.case_id
        WHERE e.transition = \(correction) AND e.at >= \(wholeSeconds(from))
            AND c.opened_at >= \(milliseconds(from)) AND c.opened_at < \(milliseconds(to))
        """
    }

    /// Cross-province cases this hall opened as the sending side between two instants (a case
    /// transferred here is counted by its channel instead), by direction and opening instant.
    static func reportsOutboundQuery(from: Date, to: Date) -> PostgresQuery {
        """
        SELECT count(*) FROM exchange_case
        WHERE direction = 'outbound' AND opened_at >= \(wholeSeconds(from)) AND opened_at < \(wholeSeconds(to))
        """
    }

    /// The bookings for the days `first`...`last`, through the index on slots by day.
    static func reportsBookingsQuery(_ first: CivilDate, _ last: CivilDate) -> PostgresQuery {
        """
        SELECT state, starts_at, extension_id IS NOT NULL FROM appointment
        WHERE date >= \(first.description)::date AND date <= \(last.description)::date
        """
    }

    /// The posts in (`received_at`) or out (`licence_posted_at`) between two instants, through
    /// the partial index on that instant.
    static func reportsPostsQuery(_ column: String, from: Date, to: Date) -> PostgresQuery {
        let instant = column == "received_at" ? "received_at" : "licence_posted_at"
        return """
            SELECT count(*) FROM case_mail
            WHERE \(unescaped: instant) >= \(wholeSeconds(from)) AND \(unescaped: instant) < \(wholeSeconds(to))
            """
    }

    /// The one count `query` reads.
    static func reportsCount(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> Int
    {
        try await connection.query(query, logger: logger).decode(Int.self).first(where: { _ in true }) ?? 0
    }

    /// The bookings for the days `firstDay`...`lastDay` as kept.
    func reportsBookings(firstDay: CivilDate, lastDay: CivilDate, _ connection: PostgresConnection) async throws
        -> [(state: AppointmentState, startsAt: Date, extended: Bool)]
    {
        var bookings: [(state: AppointmentState, startsAt: Date, extended: Bool)] = []
        for try await (text, startsAt, extended) in try await connection.query(
            Self.reportsBookingsQuery(firstDay, lastDay), logger: logger
        ).decode((String, Date, Bool).self) {
            guard let state = AppointmentState(rawValue: text) else {
                throw StoreError.storage("unreadable booking state \(text)")
            }
            bookings.append((state, startsAt, extended))
        }
        return bookings
    }

    /// `body` in one read-only transaction that sees one snapshot throughout (as SQLite's read
    /// does): a report's statements agree with each other while the desk writes meanwhile.
    func reportsSnapshot<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws -> T
    {
        try await transaction { [self] connection in
            _ = try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            return try await body(connection)
        }
    }
}

// MARK: Plans

extension PostgresStore {
    /// How PostgreSQL runs each of the reports' reads, by name (for tests), sequential scans ruled
    /// out unless nothing else can answer: a read that finds no index to use still shows a scan.
    /// Reads of tables the database does not have yet (those of parts still to come) are left out.
    package func reportsPlans() async throws -> [String: String] {
        let from = Date(timeIntervalSince1970: 1_790_000_000)
        let to = from.addingTimeInterval(86_400 * 30)
        let first = HallTime.localDate(of: from)
        let last = HallTime.localDate(of: to)
        let stages = ["completed", "withdrawn"]
        let reads: [(name: String, table: String, query: PostgresQuery)] = [
            (
                "closed-by-channel", "registration_case",
                Self.reportsClosedCasesQuery(from: from, to: to, stages: stages, groupedBy: .channel, thenBy: .type)
            ),
            (
                "closed-by-stage", "registration_case",
                Self.reportsClosedCasesQuery(from: from, to: to, stages: stages, groupedBy: .stage, thenBy: nil)
            ),
            ("closed-span", "registration_case", Self.reportsClosedSpanQuery(from: from, to: to, stages: stages)),
            ("closed-times", "registration_case", Self.reportsClosedTimesQuery(from: from, to: to, stages: stages)),
            ("figure-days", "case_figure_day", Self.reportsFigureDaysQuery("received", first, last)),
            ("received", "case_figure_day", Self.reportsReceivedQuery(first, last)),
            ("closed-by-day", "case_figure_day", Self.reportsClosedByChannelQuery(first, last)),
            ("corrected", "case_event", Self.reportsCorrectedQuery("request-correction", from: from, to: to)),
            ("outbound", "exchange_case", Self.reportsOutboundQuery(from: from, to: to)),
            ("bookings", "appointment", Self.reportsBookingsQuery(first, last)),
            ("posts-in", "case_mail", Self.reportsPostsQuery("received_at", from: from, to: to)),
            ("posts-out", "case_mail", Self.reportsPostsQuery("licence_posted_at", from: from, to: to)),
            (
                "closed-deferrals", "case_deferral",
                Self.reportsClosedDeferralsQuery(from: from, to: to, stages: stages, acceptedStages: ["accepted"])
            ),
            ("committed", "case_deferral", Self.reportsCommittedQuery(from: from, to: to, at: to)),
        ]
        return try await guarded { [self] in
            try await transaction { [self] connection in
                _ = try await connection.query("SET LOCAL enable_seqscan = off", logger: logger)
                var plans: [String: String] = [:]
                for read in reads {
                    let present = try await connection.query(
                        "SELECT to_regclass(\(read.table)) IS NOT NULL", logger: logger
                    ).decode(Bool.self).first(where: { _ in true })
                    guard present == true else { continue }
                    var lines: [String] = []
                    for try await line in try await connection.query(
                        PostgresQuery(unsafeSQL: "EXPLAIN " + read.query.sql, binds: read.query.binds), logger: logger
                    ).decode(String.self) {
                        lines.append(line)
                    }
                    plans[read.name] = lines.joined(separator: "\n")
                }
                return plans
            }
        }
    }
}

// MARK: The counts by day, checked

extension PostgresStore {
    /// Checks `case_figure_day` against the cases and their histories, a month of local days per
    /// short transaction (the desk goes on meanwhile), from the first day any case or row names
    /// to the last; rewrites the days of a month that differ. The rows that differed (for
    /// `admin rebuild`, as ``RebuildReport/figureDaysRepaired``).
    package func repairFigureDays() async throws -> Int {
        let span = try await guarded { [self] in
            try await client.query(
                """
                SELECT min(day)::text, max(day)::text FROM (
                    SELECT kaiban_figure_local_day(min(opened_at)) FROM registration_case
                    UNION ALL SELECT kaiban_figure_local_day(max(opened_at)) FROM registration_case
                    UNION ALL SELECT kaiban_figure_local_day(max(closed_at)) FROM registration_case
                    UNION ALL SELECT kaiban_figure_local_day(max(at)) FROM case_event WHERE transition = 'accept'
                    UNION ALL SELECT min(day) FROM case_figure_day WHERE measure = 'received'
                    UNION ALL SELECT max(day) FROM case_figure_day WHERE measure = 'received'
                    UNION ALL SELECT min(day) FROM case_figure_day WHERE measure = 'accepted'
                    UNION ALL SELECT max(day) FROM case_figure_day WHERE measure = 'accepted'
                    UNION ALL SELECT min(day) FROM case_figure_day WHERE measure = 'closed'
                    UNION ALL SELECT max(day) FROM case_figure_day WHERE measure = 'closed'
                ) AS days (day)
                """, logger: logger
            ).decode((String?, String?).self).first(where: { _ in true })
        }
        guard let span, let first = span.0.flatMap(CivilDate.init), let last = span.1.flatMap(CivilDate.init) else {
            return 0
        }
        var repaired = 0
        var month = CivilDate(year: first.year, month: first.month, day: 1)
        while let start = month, start <= last {
            let next =
                start.month == 12
                ? CivilDate(year: start.year + 1, month: 1, day: 1)
                : CivilDate(year: start.year, month: start.month + 1, day: 1)
            guard let next else { break }
            repaired += try await guarded { [self] in
                try await transaction { [self] connection in
                    try await repairFigureDays(from: start, before: next, connection)
                }
            }
            month = next
        }
        return repaired
    }

    /// One of a figure day's keys.
    private struct FigureDay: Hashable {
        var day: String, measure: String, channel: String, type: String, stage: String, hall: String
    }

    /// Rewrites the rows of the local days `from`..<`before` when they differ from the cases and
    /// their histories; the rows that differed. The counts are held against the desk's writes
    /// meanwhile (a writer's trigger waits for this transaction), so none is lost or counted twice.
    private func repairFigureDays(from: CivilDate, before: CivilDate, _ connection: PostgresConnection) async throws
        -> Int
    {
        _ = try await connection.query("LOCK TABLE case_figure_day IN SHARE ROW EXCLUSIVE MODE", logger: logger)
        let start = HallTime.instant(from, hour: 0, minute: 0)
        let end = HallTime.instant(before, hour: 0, minute: 0)
        func rows(_ query: PostgresQuery) async throws -> [FigureDay: Int] {
            var result: [FigureDay: Int] = [:]
            for try await (day, measure, channel, type, stage, hall, count) in try await connection.query(
                query, logger: logger
            ).decode((String, String, String, String, String, String, Int).self) where count != 0 {
                result[FigureDay(day: day, measure: measure, channel: channel, type: type, stage: stage, hall: hall)] =
                    count
            }
            return result
        }
        // Each part through its index: intake instants, the report index, the steps by transition.
        let fresh = try await rows(
            """
            SELECT kaiban_figure_local_day(opened_at)::text, 'received', channel, enterprise_type,
                    CASE WHEN special_kind IS NULL THEN '' ELSE 'special' END, hall, count(*)
                FROM registration_case WHERE opened_at >= \(start) AND opened_at < \(end) GROUP BY 1, 3, 4, 5, 6
            UNION ALL
            SELECT kaiban_figure_local_day(closed_at)::text, 'closed', channel, enterprise_type, stage, hall, count(*)
                FROM registration_case WHERE closed_at IS NOT NULL AND closed_at >= \(start) AND closed_at < \(end)
                GROUP BY 1, 3, 4, 5, 6
            UNION ALL
            SELECT kaiban_figure_local_day(e.at)::text, 'accepted', c.channel, c.enterprise_type, '', c.hall, count(*)
                FROM case_event e JOIN registration_case c ON c.id = e.case_id
                WHERE e.transition = 'accept' AND e.at >= \(start) AND e.at < \(end) AND NOT EXISTS (
                    SELECT 1 FROM case_event f
                    WHERE f.case_id = e.case_id AND f.transition = 'accept' AND f.sequence < e.sequence)
                GROUP BY 1, 3, 4, 6
            """)
        let stored = try await rows(
            """
            SELECT day::text, measure, channel, enterprise_type, stage, hall, count::bigint FROM case_figure_day
            WHERE measure IN ('received', 'accepted', 'closed') AND day >= \(from.description)::date
                AND day < \(before.description)::date
            """)
        guard fresh != stored else { return 0 }
        let differing = Set(fresh.keys).union(stored.keys).filter { fresh[$0] != stored[$0] }.count
        _ = try await connection.query(
            """
            DELETE FROM case_figure_day
            WHERE measure IN ('received', 'accepted', 'closed') AND day >= \(from.description)::date
                AND day < \(before.description)::date
            """, logger: logger)
        for (key, count) in fresh {
            _ = try await connection.query(
                """
                INSERT INTO case_figure_day (day, measure, channel, enterprise_type, stage, hall, count)
                VALUES (\(key.day)::date, \(key.measure), \(key.channel), \(key.type), \(key.stage), \(key.hall),
                    \(count))
                """, logger: logger)
        }
        return differing
    }
}
