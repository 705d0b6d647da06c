import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// How the lookup table stores a key's kind.
    static func lookupCode(_ kind: CaseLookup.Kind) -> String {
        switch kind {
        case .name: "n"
        case .idNumber: "i"
        case .phone: "p"
        case .creditCode: "c"
        }
    }

    /// Files the case with id `caseID` under `entries`, in the caller's transaction.
    static func fileLookup(_ entries: [CaseLookup.Entry], caseID: Int64, _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO case_lookup (kind, key, case_id, field) VALUES (?, ?, ?, ?)")
        for entry in entries {
            try statement.execute(arguments: [lookupCode(entry.kind), entry.key, caseID, entry.field])
        }
    }

    /// The integer id of case `number`.
    func caseID(_ number: CaseNumber, _ db: Database) throws -> Int64 {
        guard
            let id = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT id FROM registration_case WHERE number = ?"),
                arguments: [number.description])
        else { throw StoreError.caseNotFound(number.description) }
        return id
    }

    /// Files case `number` under `entries` (at intake, and with the credit code at the licence).
    func fileLookup(_ entries: [CaseLookup.Entry], for number: CaseNumber, _ db: Database) throws {
        guard !entries.isEmpty else { return }
        try Self.fileLookup(entries, caseID: try caseID(number, db), db)
    }

    /// Makes the case's lookup entries those its history gives (`state`, with the trade name
    /// intake found); true when they differed and were rewritten (for rebuild).
    func repairLookup(_ state: RegistrationCase, tradeName: String, _ db: Database) throws -> Bool {
        let id = try caseID(state.number, db)
        let expected = Set(
            CaseLookup.entries(of: state.application, tradeName: tradeName, creditCode: state.creditCode).map {
                [Self.lookupCode($0.kind), $0.key, $0.field]
            })
        let stored = Set(
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT kind, key, field FROM case_lookup WHERE case_id = ?"), arguments: [id]
            ).map { [$0[0] as String, $0[1] as String, $0[2] as String] })
        guard expected != stored else { return false }
        try db.execute(sql: "DELETE FROM case_lookup WHERE case_id = ?", arguments: [id])
        try Self.fileLookup(
            CaseLookup.entries(of: state.application, tradeName: tradeName, creditCode: state.creditCode), caseID: id,
            db)
        return true
    }

    /// The find read: the cases filed under a key range of some kinds, newest first. The lookup is
    /// searched through its primary key (kind, key), each case read by its id.
    static func findSQL(kinds: Int) -> String {
        """
        SELECT c.number, c.proposed_name, c.stage, c.workflow_id, c.workflow_version, c.opened_at, c.closed_at,
            (SELECT code FROM credit_code WHERE case_number = c.number), m.fields
        FROM (
            SELECT case_id, group_concat(field, ' ') AS fields FROM case_lookup
            WHERE kind IN (\(Array(repeating: "?", count: kinds).joined(separator: ","))) AND key >= ? AND key <= ?
            GROUP BY case_id
        ) AS m
        JOIN registration_case c ON c.id = m.case_id
        ORDER BY m.case_id DESC LIMIT ? OFFSET ?
        """
    }

    /// The key range of a query: the key itself, or every key starting with it.
    static func findArguments(kinds: [CaseLookup.Kind], key: String, prefix: Bool, offset: Int, limit: Int)
        -> StatementArguments
    {
        // U+10FFFF sorts after every other character in UTF-8 (SQLite compares text bytewise).
        StatementArguments(kinds.map(lookupCode)) + [key, prefix ? key + "\u{10FFFF}" : key, limit, offset]
    }

    package func findCases(kinds: [CaseLookup.Kind], key: String, prefix: Bool, offset: Int, limit: Int) throws
        -> [FoundCase]
    {
        guard !kinds.isEmpty else { return [] }
        return try read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: Self.findSQL(kinds: kinds.count)),
                arguments: Self.findArguments(kinds: kinds, key: key, prefix: prefix, offset: offset, limit: limit)
            ).map { row in
                guard let number = CaseNumber(row[0]) else {
                    throw StoreError.storage("malformed case number \(row[0] as String? ?? "?")")
                }
                let fields: String = row[8]
                return FoundCase(
                    number: number, proposedName: row[1], stage: row[2],
                    workflow: WorkflowDefinition.Key(id: row[3], version: row[4]), openedAt: row[5], closedAt: row[6],
                    creditCode: row[7], matched: Array(Set(fields.split(separator: " ").map(String.init))).sorted())
            }
        }
    }

    /// The query plan of the find read (for tests): the lookup searched through its primary key.
    package func findPlan(kinds: [CaseLookup.Kind], prefix: Bool) throws -> String {
        try read { db in
            try Row.fetchAll(
                db, sql: "EXPLAIN QUERY PLAN " + Self.findSQL(kinds: kinds.count),
                arguments: Self.findArguments(kinds: kinds, key: "张", prefix: prefix, offset: 0, limit: 21)
            ).map { $0["detail"] as String }.joined(separator: "\n")
        }
    }
}
