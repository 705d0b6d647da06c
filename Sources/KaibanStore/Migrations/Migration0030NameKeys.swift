import GRDB
import KaibanCore

extension KaibanMigrations {
    /// People's names are now kept and searched in one spelling (``PersonName/canonical(_:)``:
    /// • ‧ ・ are ·, ‐ ‑ – are -, ’ is ', one space, none around a separator): the lookup keys of
    /// names written before are rewritten so, or a search (which reads a query so) would no longer
    /// find them. Only the keys holding such a character or space are read.
    static func nameKeys(_ db: Database) throws {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT key, case_id, field FROM case_lookup
                WHERE kind = 'n' AND (key GLOB '*[•‧・ꞏᐧ⸱‐‑–’·''.-]*' OR key LIKE '%  %')
                """)
        for row in rows {
            let old: String = row["key"]
            let key = CaseLookup.nameKey(old)
            guard key != old else { continue }
            try db.execute(
                sql: "INSERT OR IGNORE INTO case_lookup (kind, key, case_id, field) VALUES ('n', ?, ?, ?)",
                arguments: [key, row["case_id"], row["field"]])
            try db.execute(
                sql: "DELETE FROM case_lookup WHERE kind = 'n' AND key = ? AND case_id = ? AND field = ?",
                arguments: [old, row["case_id"], row["field"]])
        }
    }
}
