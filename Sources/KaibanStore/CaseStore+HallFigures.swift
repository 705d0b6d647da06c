import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    static let figuresReceivedSQL = """
        SELECT channel, enterprise_type, COUNT(*) FROM registration_case
        WHERE opened_at >= ? AND opened_at < ? GROUP BY 1, 2
        """
    static let figuresClosedSQL = """
        SELECT channel, enterprise_type, stage, COUNT(*) FROM registration_case
        WHERE closed_at IS NOT NULL AND closed_at >= ? AND closed_at < ? GROUP BY 1, 2, 3
        """
    /// Cases accepted in the period: each case once, however many times the step was taken.
    static let figuresAcceptedSQL = """
        SELECT c.channel, c.enterprise_type, COUNT(DISTINCT e.case_id) FROM case_event e
        JOIN registration_case c ON c.id = e.case_id
        WHERE e.transition = ? AND e.at >= ? AND e.at < ? GROUP BY 1, 2
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
    /// `firstDay`...`lastDay`): `accept` and `correction` name the workflow's transitions that
    /// accept a case and return it for correction.
    package func hallFigureRecords(
        from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate, accept: String, correction: String
    ) throws -> HallFigureRecords {
        let start = Self.storageText(from)
        let end = Self.storageText(to)
        return try read { db in
            let received = try Row.fetchAll(db, sql: Self.figuresReceivedSQL, arguments: [start, end]).map {
                (channel: $0[0] as String, type: $0[1] as String, count: $0[2] as Int)
            }
            let accepted = try Row.fetchAll(
                db, sql: Self.figuresAcceptedSQL, arguments: [accept, Self.seconds(from), Self.seconds(to)]
            ).map { (channel: $0[0] as String, type: $0[1] as String, count: $0[2] as Int) }
            let closed = try Row.fetchAll(db, sql: Self.figuresClosedSQL, arguments: [start, end]).map {
                (channel: $0[0] as String, type: $0[1] as String, stage: $0[2] as String, count: $0[3] as Int)
            }
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
            queryPlan(Self.figuresReceivedSQL, ["", ""]), queryPlan(Self.figuresClosedSQL, ["", ""]),
            queryPlan(Self.figuresAcceptedSQL, ["accept", 0, 1]),
            queryPlan(Self.figuresCorrectedSQL, ["request-correction", 0, "", ""]),
            queryPlan(Self.figuresOutboundSQL, [0, 1]),
        ]
    }
}
