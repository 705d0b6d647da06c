import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// The mail columns of a case as its history gives them, in the order of `case_mail`; nil for
    /// a case with no row (nothing waits on the post and nothing was posted).
    static func mailColumns(_ state: RegistrationCase, _ definition: WorkflowDefinition) -> [DatabaseValue]? {
        guard state.application.channel == .mail || state.mail != nil else { return nil }
        let columns: [DatabaseValue] = [
            (state.awaitsInboundPost(definition) ? seconds(state.openedAt) : nil).databaseValue,
            state.mail?.received.map { seconds($0.at) }.databaseValue ?? .null,
            state.licenceAwaitingPostSince(definition).map(seconds).databaseValue,
            state.mail?.licencePost.map { seconds($0.at) }.databaseValue ?? .null,
        ]
        return columns.allSatisfy(\.isNull) ? nil : columns
    }

    /// Writes the case's mail row from `state` (mail cases, and cases with a post), or removes it
    /// when nothing of it is left.
    func writeMail(_ state: RegistrationCase, _ definition: WorkflowDefinition, _ db: Database) throws {
        guard state.application.channel == .mail || state.mail != nil else { return }
        guard let columns = Self.mailColumns(state, definition) else {
            try db.cachedStatement(
                sql: "DELETE FROM case_mail WHERE case_id = (SELECT id FROM registration_case WHERE number = ?)"
            ).execute(arguments: [state.number.description])
            return
        }
        try db.cachedStatement(
            sql: """
                INSERT INTO case_mail (case_id, inbound_waiting_since, received_at, licence_waiting_since,
                    licence_posted_at)
                VALUES ((SELECT id FROM registration_case WHERE number = ?), ?, ?, ?, ?)
                ON CONFLICT(case_id) DO UPDATE SET inbound_waiting_since = excluded.inbound_waiting_since,
                    received_at = excluded.received_at, licence_waiting_since = excluded.licence_waiting_since,
                    licence_posted_at = excluded.licence_posted_at
                """
        ).execute(arguments: StatementArguments([state.number.description.databaseValue] + columns))
    }

    /// Rewrites the mail row of case `caseID` when it differs from `state`; whether it did.
    func repairMail(_ state: RegistrationCase, caseID: Int64, _ db: Database) throws -> Bool {
        let definition = try definition(state.definition, db)
        let stored = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT inbound_waiting_since, received_at, licence_waiting_since, licence_posted_at
                    FROM case_mail WHERE case_id = ?
                    """), arguments: [caseID]
        ).map { row in (0..<4).map { row[$0] as DatabaseValue } }
        let expected = Self.mailColumns(state, definition)
        guard stored != expected else { return false }
        try db.cachedStatement(sql: "DELETE FROM case_mail WHERE case_id = ?").execute(arguments: [caseID])
        try writeMail(state, definition, db)
        return true
    }

    /// Mail cases waiting for their documents, longest first, then licences waiting to be posted,
    /// longest first; each read through its partial index.
    static let inboundPendingSQL = """
        SELECT c.number, c.proposed_name, m.inbound_waiting_since FROM case_mail m
        JOIN registration_case c ON c.id = m.case_id
        WHERE m.inbound_waiting_since IS NOT NULL ORDER BY m.inbound_waiting_since, m.case_id LIMIT ?
        """
    static let licencePendingSQL = """
        SELECT c.number, c.proposed_name, m.licence_waiting_since FROM case_mail m
        JOIN registration_case c ON c.id = m.case_id
        WHERE m.licence_waiting_since IS NOT NULL ORDER BY m.licence_waiting_since, m.case_id LIMIT ?
        """

    package func mailPending(limit: Int) throws -> MailPendingRecords {
        try read { db in
            func rows(_ sql: String) throws -> [MailPendingRecord] {
                try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [limit]).map { row in
                    let text: String = row[0]
                    guard let number = CaseNumber(text) else {
                        throw StoreError.storage("unreadable case number \(text)")
                    }
                    let since: Int64 = row[2]
                    return MailPendingRecord(
                        number: number, proposedName: row[1], since: Date(timeIntervalSince1970: TimeInterval(since)))
                }
            }
            return MailPendingRecords(
                inbound: try rows(Self.inboundPendingSQL), licences: try rows(Self.licencePendingSQL))
        }
    }

    /// How SQLite runs the two reads of ``mailPending(limit:)``, for tests.
    package func mailPendingPlan() throws -> String {
        try [Self.inboundPendingSQL, Self.licencePendingSQL].map { try queryPlan($0, [10]) }.joined(separator: "\n")
    }
}
