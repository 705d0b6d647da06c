import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// Finding cases on PostgreSQL, as the SQLite store does: the lookup rows filed at intake (names,
/// ID numbers, phones) and at the licence (the credit code), read through their primary key.
extension PostgresStore {
    /// How many rows a prefix search reads at most before it answers with whole-key matches only
    /// (as on SQLite).
    static let prefixBound = 5_000

    public func findCases(kinds: [CaseLookup.Kind], key: String, prefix: Bool, offset: Int, limit: Int) async throws
        -> FindPage
    {
        guard !kinds.isEmpty, limit > 0 else { return FindPage(cases: [], prefixLimited: false) }
        let codes = kinds.map(StoredLookup.kindCode)
        let bound = Self.prefixBound
        return try await guarded { [self] in
            try await client.withConnection { [self] connection in
                let wanted = offset + limit
                var order: [Int64] = []
                var fields: [Int64: Set<String>] = [:]
                var limited = false
                if prefix {
                    // Keys are compared byte for byte (the column's collation is "C"), as SQLite does.
                    var rows: [(Int64, String)] = []
                    for code in codes where rows.count <= bound {
                        let found = try await connection.query(
                            """
                            SELECT case_id, field FROM case_lookup
                            WHERE kind = \(code) AND key >= \(key) AND key <= \(key + "\u{10FFFF}")
                            LIMIT \(bound + 1 - rows.count)
                            """, logger: logger)
                        for try await row in found.decode((Int64, String).self) { rows.append(row) }
                    }
                    if rows.count <= bound {
                        for (id, field) in rows { fields[id, default: []].insert(StoredLookup.fieldName(field)) }
                        order = Array(fields.keys.sorted(by: >).prefix(wanted))
                    } else {
                        limited = true
                        fields = [:]
                    }
                }
                if !prefix || limited {
                    // The kinds' rows newest case first, until one case beyond the page.
                    let found = try await connection.query(
                        """
                        SELECT case_id, field FROM case_lookup WHERE kind = ANY(\(codes)) AND key = \(key)
                        ORDER BY case_id DESC
                        """, logger: logger)
                    for try await (id, field) in found.decode((Int64, String).self) {
                        if fields[id] == nil {
                            if order.count == wanted { break }
                            order.append(id)
                        }
                        fields[id, default: []].insert(StoredLookup.fieldName(field))
                    }
                }
                var cases: [FoundCase] = []
                for id in order.dropFirst(offset) {
                    let rows = try await connection.query(
                        """
                        SELECT c.number, c.proposed_name, c.stage, c.workflow_id, c.workflow_version, c.opened_at,
                            c.closed_at, (SELECT code FROM credit_code WHERE case_number = c.number)
                        FROM registration_case c WHERE c.id = \(id)
                        """, logger: logger)
                    guard
                        let (text, name, stage, workflow, version, opened, closed, code) = try await rows.decode(
                            (String, String, String, String, Int, Date, Date?, String?).self
                        ).first(where: { _ in true }),
                        let number = CaseNumber(text)
                    else { throw StoreError.storage("case id \(id) of the lookup has no readable case") }
                    cases.append(
                        FoundCase(
                            number: number, proposedName: name, stage: stage,
                            workflow: WorkflowDefinition.Key(id: workflow, version: version), openedAt: opened,
                            closedAt: closed, creditCode: code, matched: (fields[id] ?? []).sorted()))
                }
                return FindPage(cases: cases, prefixLimited: limited)
            }
        }
    }

}
