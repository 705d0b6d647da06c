import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Every row of `case_figure_day` (see ``KaibanMigrations/figureDays(_:)``) computed afresh
    /// from the case rows and their histories: what the triggers keep, for the migration's first
    /// fill; `bounded` reads only the days from the instants `?`..<`?` (stored text, then the same
    /// as seconds), each part through its index, for `admin rebuild`'s check.
    package static func figureDaysSQL(bounded: Bool) -> String {
        let opened = bounded ? "WHERE opened_at >= ?1 AND opened_at < ?2" : ""
        let closed = bounded ? "AND closed_at >= ?1 AND closed_at < ?2" : ""
        let accepted = bounded ? "AND e.at >= ?3 AND e.at < ?4" : ""
        return """
            SELECT ifnull(date(opened_at, '+8 hours'), ''), 'received', channel, enterprise_type,
                    iif(special_kind IS NULL, '', 'special'), COUNT(*)
                FROM registration_case \(opened) GROUP BY 1, 3, 4, 5
            UNION ALL
            SELECT ifnull(date(closed_at, '+8 hours'), ''), 'closed', channel, enterprise_type, stage, COUNT(*)
                FROM registration_case WHERE closed_at IS NOT NULL \(closed) GROUP BY 1, 3, 4, 5
            UNION ALL
            SELECT ifnull(date(e.at, 'unixepoch', '+8 hours'), ''), 'accepted', c.channel, c.enterprise_type, '', COUNT(*)
                FROM case_event e JOIN registration_case c ON c.id = e.case_id
                WHERE e.transition = 'accept' \(accepted) AND NOT EXISTS (
                    SELECT 1 FROM case_event f
                    WHERE f.case_id = e.case_id AND f.transition = 'accept' AND f.sequence < e.sequence)
                GROUP BY 1, 3, 4
            """
    }

    /// One row of `case_figure_day`'s key and its count.
    struct FigureDay: Hashable {
        var day: String, measure: String, channel: String, type: String, stage: String
    }

    /// Checks `case_figure_day` against the cases and their histories, a month of local days per
    /// short transaction (so that the desk goes on meanwhile), from the first day any case or row
    /// names to the last; rewrites the days of a month that differ. The rows that differed.
    package func repairFigureDays(pause: Duration = rebuildPause) throws -> Int {
        let span: (first: CivilDate, last: CivilDate)? = try read { db in
            var days: [String] = []
            for sql in [
                "SELECT date(MIN(opened_at), '+8 hours') FROM registration_case",
                "SELECT date(MAX(opened_at), '+8 hours') FROM registration_case",
                "SELECT date(MAX(closed_at), '+8 hours') FROM registration_case",
                "SELECT date(MAX(at), 'unixepoch', '+8 hours') FROM case_event WHERE transition = 'accept'",
            ] {
                if let day = try String.fetchOne(db, sql: sql) { days.append(day) }
            }
            for measure in ["received", "accepted", "closed"] {
                for order in ["MIN", "MAX"] {
                    if let day = try String.fetchOne(
                        db, sql: "SELECT \(order)(day) FROM case_figure_day WHERE measure = ?", arguments: [measure])
                    {
                        days.append(day)
                    }
                }
            }
            let dates = days.compactMap { CivilDate($0) }
            guard let first = dates.min(), let last = dates.max() else { return nil }
            return (first, last)
        }
        guard let span else { return 0 }
        var repaired = 0
        var month = CivilDate(year: span.first.year, month: span.first.month, day: 1)
        while let start = month, start <= span.last {
            let next =
                start.month == 12
                ? CivilDate(year: start.year + 1, month: 1, day: 1)
                : CivilDate(year: start.year, month: start.month + 1, day: 1)
            guard let next else { break }
            let checked = try write { db in try repairFigureDays(from: start, before: next, db) }
            repaired += checked.differing
            month = next
            // A month with nothing in it took four index probes: no pause is owed for it (a stray
            // row dated far ahead must not make the check sleep through every month until then).
            if checked.rows > 0 { Self.leaveRoom(pause) }
        }
        return repaired
    }

    /// Rewrites the rows of the local days `from`..<`before` when they differ from the cases and
    /// their histories; the rows that differed, and the rows found either way.
    func repairFigureDays(from: CivilDate, before: CivilDate, _ db: Database) throws -> (differing: Int, rows: Int) {
        let start = HallTime.instant(from, hour: 0, minute: 0)
        let end = HallTime.instant(before, hour: 0, minute: 0)
        func rows(_ sql: String, _ arguments: StatementArguments) throws -> [FigureDay: Int] {
            var result: [FigureDay: Int] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                let count: Int = row[5]
                if count != 0 {
                    result[FigureDay(day: row[0], measure: row[1], channel: row[2], type: row[3], stage: row[4])] =
                        count
                }
            }
            return result
        }
        let fresh = try rows(
            Self.figureDaysSQL(bounded: true),
            [Self.storageText(start), Self.storageText(end), Self.seconds(start), Self.seconds(end)])
        let days: StatementArguments = [from.description, before.description]
        let stored = try rows(
            "SELECT day, measure, channel, enterprise_type, stage, count FROM case_figure_day "
                + "WHERE measure IN ('received', 'accepted', 'closed') AND day >= ? AND day < ?", days)
        let found = max(fresh.count, stored.count)
        guard fresh != stored else { return (0, found) }
        let differing = Set(fresh.keys).union(stored.keys).filter { fresh[$0] != stored[$0] }.count
        try db.execute(
            sql:
                "DELETE FROM case_figure_day WHERE measure IN ('received', 'accepted', 'closed') AND day >= ? AND day < ?",
            arguments: days)
        for (key, count) in fresh {
            try db.execute(
                sql: "INSERT INTO case_figure_day VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [key.day, key.measure, key.channel, key.type, key.stage, count])
        }
        return (differing, found)
    }

    /// A measure's counts of the local days `?`...`?` by channel, enterprise type and stage.
    static let figureDaysPeriodSQL = """
        SELECT channel, enterprise_type, stage, SUM(count) FROM case_figure_day
        WHERE measure = ? AND day >= ? AND day <= ? GROUP BY 1, 2, 3 HAVING SUM(count) <> 0
        """

    /// Of the cases received in the period, those returned for correction at least once: read
    /// from the returns made since the period began (none precedes its case's intake), through the
    /// index on transitions by instant. (Asked case by case, SQLite took the same index for each
    /// case, reading every return ever made: 49 s for a month of a million cases.)
    static let figuresCorrectedSQL = """
        SELECT COUNT(DISTINCT e.case_id) FROM case_event e JOIN registration_case c ON c.id = e.case_id
        WHERE e.transition = ? AND e.at >= ? AND c.opened_at >= ? AND c.opened_at < ?
        """

    /// Cross-province cases this hall opened as the sending side in the period: the exchange's
    /// outbound cases by opening instant (a case transferred here has its inbound row, and is
    /// counted by its channel instead), read through `exchange_case_direction_opened`.
    static let figuresOutboundSQL = """
        SELECT COUNT(*) FROM exchange_case WHERE direction = 'outbound' AND opened_at >= ? AND opened_at < ?
        """

    /// The rows of ``HallFigures`` for the instants `from`..<`to` (the bookings of the days
    /// `firstDay`...`lastDay`): the counts from `case_figure_day`, a case accepted on its first step
    /// of the transition `accept`; `correction` names the transition that returns a case for
    /// correction.
    package func hallFigureRecords(
        from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate, correction: String
    ) throws -> HallFigureRecords {
        let start = Self.storageText(from)
        let end = Self.storageText(to)
        return try read { db in
            let days = [firstDay.description, lastDay.description]
            func counts(_ measure: String) throws -> [(channel: String, type: String, stage: String, count: Int)] {
                try Row.fetchAll(db, sql: Self.figureDaysPeriodSQL, arguments: StatementArguments([measure] + days))
                    .map { (channel: $0[0], type: $0[1], stage: $0[2], count: $0[3]) }
            }
            let received = try counts("received").map { (channel: $0.channel, type: $0.type, count: $0.count) }
            let accepted = try counts("accepted").map { (channel: $0.channel, type: $0.type, count: $0.count) }
            let closed = try counts("closed")
            let corrected =
                try Int.fetchOne(
                    db, sql: Self.figuresCorrectedSQL, arguments: [correction, Self.seconds(from), start, end]) ?? 0
            let outbound =
                try Int.fetchOne(db, sql: Self.figuresOutboundSQL, arguments: [Self.seconds(from), Self.seconds(to)])
                ?? 0
            return HallFigureRecords(
                received: received, accepted: accepted, closed: closed, returnedForCorrection: corrected,
                crossProvinceOutbound: outbound,
                bookings: try Self.bookingRows(firstDay: firstDay, lastDay: lastDay, db))
        }
    }

    /// How SQLite runs each read of the hall's figures, for tests.
    package func hallFigurePlans() throws -> [String] {
        try [
            queryPlan(Self.figureDaysPeriodSQL, ["received", "2026-11-01", "2026-11-30"]),
            queryPlan(Self.figuresCorrectedSQL, ["request-correction", 0, "", ""]),
            queryPlan(Self.figuresOutboundSQL, [0, 1]),
        ]
    }
}
