import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// 寄递办 on PostgreSQL, as the SQLite store keeps it: the mail row of each case posted in or out,
/// derived from the history and written in the transaction that changed the case (its intake, or
/// a step under the case's row lock), so the two waiting lists are read through their indexes.
extension PostgresStore {
    /// Mail cases waiting for their documents, longest first, then licences waiting to be posted,
    /// longest first, at most `limit` of each; both read from one snapshot.
    public func mailPending(limit: Int) async throws -> MailPendingRecords {
        try await guarded { [self] in
            try await transaction { [self] connection in
                _ = try await connection.query(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                let inbound = try await mailWaiting(
                    """
                    SELECT c.number, c.proposed_name, m.inbound_waiting_since FROM case_mail m
                    JOIN registration_case c ON c.id = m.case_id
                    WHERE m.inbound_waiting_since IS NOT NULL ORDER BY m.inbound_waiting_since, m.case_id
                    LIMIT \(limit)
                    """, connection)
                let licences = try await mailWaiting(
                    """
                    SELECT c.number, c.proposed_name, m.licence_waiting_since FROM case_mail m
                    JOIN registration_case c ON c.id = m.case_id
                    WHERE m.licence_waiting_since IS NOT NULL ORDER BY m.licence_waiting_since, m.case_id
                    LIMIT \(limit)
                    """, connection)
                return MailPendingRecords(inbound: inbound, licences: licences)
            }
        }
    }

    /// Writes (or removes) the mail row of `state` inside the transaction that changed it, as
    /// the SQLite store's `writeMail`: only for a mail case or one with postal items; removed
    /// when nothing of it is left.
    func writeMailRow(
        _ state: RegistrationCase, _ definition: WorkflowDefinition, caseID: Int64, _ connection: PostgresConnection
    ) async throws {
        guard state.application.channel == .mail || state.mail != nil else { return }
        let inbound = state.awaitsInboundPost(definition) ? Self.wholeSeconds(state.openedAt) : nil
        let received = state.mail?.received.map { Self.wholeSeconds($0.at) }
        let licence = state.licenceAwaitingPostSince(definition).map(Self.wholeSeconds)
        let posted = state.mail?.licencePost.map { Self.wholeSeconds($0.at) }
        guard inbound != nil || received != nil || licence != nil || posted != nil else {
            _ = try await connection.query("DELETE FROM case_mail WHERE case_id = \(caseID)", logger: logger)
            return
        }
        _ = try await connection.query(
            """
            INSERT INTO case_mail (case_id, inbound_waiting_since, received_at, licence_waiting_since,
                licence_posted_at)
            VALUES (\(caseID), \(inbound), \(received), \(licence), \(posted))
            ON CONFLICT (case_id) DO UPDATE SET inbound_waiting_since = excluded.inbound_waiting_since,
                received_at = excluded.received_at, licence_waiting_since = excluded.licence_waiting_since,
                licence_posted_at = excluded.licence_posted_at
            """, logger: logger)
    }

    /// The rows of one waiting list: number, proposed name, since when.
    private func mailWaiting(_ query: PostgresQuery, _ connection: PostgresConnection) async throws
        -> [MailPendingRecord]
    {
        var records: [MailPendingRecord] = []
        for try await (text, name, since) in try await connection.query(query, logger: logger).decode(
            (String, String, Date).self)
        {
            guard let number = CaseNumber(text) else { throw StoreError.storage("unreadable case number \(text)") }
            records.append(MailPendingRecord(number: number, proposedName: name, since: since))
        }
        return records
    }
}
