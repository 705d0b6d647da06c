import GRDB
import KaibanCore

extension KaibanMigrations {
    /// Trade names and industries are kept and compared in their normalised form (NFKC, no blanks
    /// or invisible characters: ``EnterpriseNameText/comparisonKey(_:)``, STANDARDS.md §10). Rows
    /// written before that rule are re-keyed, so that a name stored with a zero-width space or a
    /// compatibility form is found under the name it reads as. A registered row whose key is
    /// already held in its division and industry (one name licensed twice in two spellings) keeps
    /// its text: the key is registered already, so conflicts are still found.
    static func normalizedNameKeys(_ db: Database) throws {
        for table in ["registered_name", "registration_case"] {
            let pairs = try Row.fetchAll(db, sql: "SELECT DISTINCT trade_name, industry FROM \(table)")
            for pair in pairs {
                let tradeName: String = pair["trade_name"]
                let industry: String = pair["industry"]
                let tradeKey = EnterpriseNameText.comparisonKey(tradeName)
                let industryKey = EnterpriseNameText.comparisonKey(industry)
                // Compared by bytes, as SQLite compares: Swift's == treats canonical equivalents as equal.
                guard !tradeKey.utf8.elementsEqual(tradeName.utf8) || !industryKey.utf8.elementsEqual(industry.utf8)
                else { continue }
                try db.execute(
                    sql: """
                        UPDATE OR IGNORE \(table) SET trade_name = ?, industry = ?
                        WHERE trade_name = ? AND industry = ?
                        """, arguments: [tradeKey, industryKey, tradeName, industry])
            }
        }
    }
}
