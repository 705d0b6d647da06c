import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    static let receivedSQL = """
        SELECT channel, special_kind IS NOT NULL, COUNT(*) FROM registration_case
        WHERE opened_at >= ? AND opened_at < ? GROUP BY 1, 2
        """
    static let closedSQL = """
        SELECT channel, stage, COUNT(*) FROM registration_case
        WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ? GROUP BY 1, 2
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

    /// The store's rows for ``ChannelActivity``: each through an index (intake instant, the report
    /// index on closing instant, the bookings by day, the posts by instant), in one read.
    package func channelActivity(from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate) throws
        -> ChannelActivityRecords
    {
        let start = Self.storageText(from)
        let end = Self.storageText(to)
        return try read { db in
            let received = try Row.fetchAll(
                db, sql: Self.receivedSQL, arguments: [start, end]
            ).map { (channel: $0[0] as String, special: $0[1] as Bool, count: $0[2] as Int) }
            let closed = try Row.fetchAll(
                db, sql: Self.closedSQL, arguments: [start, end]
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
