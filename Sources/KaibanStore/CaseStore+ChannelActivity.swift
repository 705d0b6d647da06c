import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// The cases received in the local days `?`...`?` by channel, 特殊办 or not (the counts by day of
    /// ``KaibanMigrations/figureDays(_:)``).
    static let receivedSQL = """
        SELECT channel, stage = 'special', SUM(count) FROM case_figure_day
        WHERE measure = 'received' AND day >= ? AND day <= ? GROUP BY 1, 2 HAVING SUM(count) <> 0
        """
    /// The cases closed in the local days `?`...`?` by channel and terminal stage.
    static let closedSQL = """
        SELECT channel, stage, SUM(count) FROM case_figure_day
        WHERE measure = 'closed' AND day >= ? AND day <= ? GROUP BY 1, 2 HAVING SUM(count) <> 0
        """
    static let bookingsSQL = """
        SELECT state, starts_at, extension_id IS NOT NULL FROM appointment WHERE date >= ? AND date <= ?
        """
    static let postsInSQL = "SELECT COUNT(*) FROM case_mail WHERE received_at >= ? AND received_at < ?"
    static let postsOutSQL = "SELECT COUNT(*) FROM case_mail WHERE licence_posted_at >= ? AND licence_posted_at < ?"

    /// How SQLite runs each of the count per channel's reads, for tests.
    package func channelActivityPlans() throws -> [String] {
        try read { db in
            try [Self.receivedSQL, Self.closedSQL, Self.bookingsSQL, Self.postsInSQL, Self.postsOutSQL].map { sql in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: ["", ""]).map {
                    $0["detail"] as String
                }.joined(separator: "\n")
            }
        }
    }

    /// The bookings for the days `firstDay`...`lastDay` (through the index on slots by day).
    static func bookingRows(firstDay: CivilDate, lastDay: CivilDate, _ db: Database) throws
        -> [(state: AppointmentState, startsAt: Date, extended: Bool)]
    {
        try Row.fetchAll(db, sql: bookingsSQL, arguments: [firstDay.description, lastDay.description]).map { row in
            let text: String = row[0]
            guard let state = AppointmentState(rawValue: text) else {
                throw StoreError.storage("unreadable booking state \(text)")
            }
            let seconds: Int64 = row[1]
            return (
                state: state, startsAt: Date(timeIntervalSince1970: TimeInterval(seconds)), extended: row[2] as Bool
            )
        }
    }

    /// The store's rows for ``ChannelActivity`` between two instants, the local days
    /// `firstDay`...`lastDay`: each through an index (the counts by day, the bookings by day, the
    /// posts by instant), in one read.
    package func channelActivity(from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate) throws
        -> ChannelActivityRecords
    {
        let days: StatementArguments = [firstDay.description, lastDay.description]
        return try read { db in
            let received = try Row.fetchAll(
                db, sql: Self.receivedSQL, arguments: days
            ).map { (channel: $0[0] as String, special: $0[1] as Bool, count: $0[2] as Int) }
            let closed = try Row.fetchAll(
                db, sql: Self.closedSQL, arguments: days
            ).map { (channel: $0[0] as String, stage: $0[1] as String, count: $0[2] as Int) }
            let bookings = try Self.bookingRows(firstDay: firstDay, lastDay: lastDay, db)
            var posts = ChannelActivity.Posts()
            posts.documentsReceived =
                try Int.fetchOne(
                    db, sql: Self.postsInSQL,
                    arguments: [Self.seconds(from), Self.seconds(to)]) ?? 0
            posts.licencesPosted =
                try Int.fetchOne(
                    db, sql: Self.postsOutSQL,
                    arguments: [Self.seconds(from), Self.seconds(to)]) ?? 0
            return ChannelActivityRecords(received: received, closed: closed, bookings: bookings, posts: posts)
        }
    }
}
