import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    // How the lookup table stores kinds and fields is shared with the other stores.
    static func lookupCode(_ kind: CaseLookup.Kind) -> String { StoredLookup.kindCode(kind) }
    static func fieldCode(_ field: String) -> String { StoredLookup.fieldCode(field) }
    static func fieldName(_ code: String) -> String { StoredLookup.fieldName(code) }

    /// Files the case with id `caseID` under `entries`, in the caller's transaction.
    static func fileLookup(_ entries: [CaseLookup.Entry], caseID: Int64, _ db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO case_lookup (kind, key, case_id, field) VALUES (?, ?, ?, ?)")
        for entry in entries {
            try statement.execute(arguments: [lookupCode(entry.kind), entry.key, caseID, fieldCode(entry.field)])
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
                [Self.lookupCode($0.kind), $0.key, Self.fieldCode($0.field)]
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

    /// The rows filed under one key of one kind, newest case first: the primary key (kind, key,
    /// case id) read backwards, so a page costs its own rows however common the name.
    static let exactLookupSQL = """
        SELECT case_id, field FROM case_lookup WHERE kind = ? AND key = ? ORDER BY case_id DESC
        """

    /// The rows filed under keys starting with a prefix, in key order, at most a bound.
    static let prefixLookupSQL = """
        SELECT case_id, field FROM case_lookup WHERE kind = ? AND key >= ? AND key <= ? LIMIT ?
        """

    /// One found case, by its integer id.
    static let foundCaseSQL = """
        SELECT c.number, c.proposed_name, c.stage, c.workflow_id, c.workflow_version, c.opened_at, c.closed_at,
            (SELECT code FROM credit_code WHERE case_number = c.number)
        FROM registration_case c WHERE c.id = ?
        """

    /// How many rows a prefix search reads at most before it answers with whole-key matches only.
    package static let prefixBound = 5_000

    /// Cases filed under `key` as one of `kinds`, or under keys starting with it when `prefix`;
    /// newest first, `limit` from `offset`. Whole keys are read newest first straight from the
    /// lookup's primary key; a prefix reads at most ``prefixBound`` rows, and when more start
    /// with it (a common surname), only the whole key's cases are listed (`prefixLimited`).
    package func findCases(
        kinds: [CaseLookup.Kind], key: String, prefix: Bool, offset: Int, limit: Int, bound: Int = prefixBound
    ) throws -> FindPage {
        guard !kinds.isEmpty, limit > 0 else { return FindPage(cases: [], prefixLimited: false) }
        return try read { db in
            let wanted = offset + limit
            var order: [Int64] = []
            var fields: [Int64: Set<String>] = [:]
            var limited = false
            if prefix {
                var rows: [Row] = []
                for kind in kinds where rows.count <= bound {
                    rows += try Row.fetchAll(
                        db.cachedStatement(sql: Self.prefixLookupSQL),
                        arguments: [
                            Self.lookupCode(kind), key, key + "\u{10FFFF}", bound + 1 - rows.count,
                        ])
                }
                if rows.count <= bound {
                    for row in rows { fields[row[0], default: []].insert(Self.fieldName(row[1])) }
                    order = Array(fields.keys.sorted(by: >).prefix(wanted))
                } else {
                    limited = true
                    fields = [:]
                }
            }
            if !prefix || limited {
                // Merge the kinds' rows, each newest first, until one case beyond the page.
                let cursors = try kinds.map { kind in
                    try Row.fetchCursor(
                        db.makeStatement(sql: Self.exactLookupSQL), arguments: [Self.lookupCode(kind), key])
                }
                var heads = try cursors.indices.map { try cursors[$0].next() }
                while true {
                    var best: Int?
                    for (index, head) in heads.enumerated() {
                        guard let head else { continue }
                        if best.map({ (heads[$0]?[0] as Int64? ?? 0) < head[0] as Int64 }) ?? true { best = index }
                    }
                    guard let index = best, let row = heads[index] else { break }
                    let id: Int64 = row[0]
                    if fields[id] == nil {
                        if order.count == wanted { break }
                        order.append(id)
                    }
                    fields[id, default: []].insert(Self.fieldName(row[1]))
                    heads[index] = try cursors[index].next()
                }
            }
            let cases = try order.dropFirst(offset).map { id -> FoundCase in
                guard let row = try Row.fetchOne(db.cachedStatement(sql: Self.foundCaseSQL), arguments: [id]),
                    let number = CaseNumber(row[0] as String? ?? "")
                else { throw StoreError.storage("case id \(id) of the lookup has no readable case") }
                return FoundCase(
                    number: number, proposedName: row[1], stage: row[2],
                    workflow: WorkflowDefinition.Key(id: row[3], version: row[4]), openedAt: row[5], closedAt: row[6],
                    creditCode: row[7], matched: (fields[id] ?? []).sorted())
            }
            return FindPage(cases: cases, prefixLimited: limited)
        }
    }

    /// The query plans of the find read (for tests): the lookup searched through its primary key,
    /// newest first without sorting for a whole key, and each case read by its id.
    package func findPlan(prefix: Bool) throws -> String {
        try read { db in
            let lookup =
                prefix
                ? ("EXPLAIN QUERY PLAN " + Self.prefixLookupSQL, ["n", "张", "张\u{10FFFF}", 10] as StatementArguments)
                : ("EXPLAIN QUERY PLAN " + Self.exactLookupSQL, ["n", "张伟"] as StatementArguments)
            let plans = [lookup, ("EXPLAIN QUERY PLAN " + Self.foundCaseSQL, [1] as StatementArguments)]
            return try plans.flatMap { sql, arguments in
                try Row.fetchAll(db, sql: sql, arguments: arguments).map { $0["detail"] as String }
            }.joined(separator: "\n")
        }
    }
}
