import GRDB

extension KaibanMigrations {
    /// A revoked registration's name is held three years, not for ever (STANDARDS.md §10): each
    /// registered name keeps when it was released (`released_at`, the revocation), and only the
    /// names still standing are unique per division, trade name and industry (a name free again
    /// may be registered once more beside its old row). The conflict reads keep an index of
    /// every row. Rows of registrations revoked before this version get their release from
    /// `kaiban admin rebuild`, which derives it from the history; until then they stay held.
    static func revokedNameHold(_ db: Database) throws {
        try db.alter(table: "registered_name") { t in t.add(column: "released_at", .datetime) }
        try db.drop(index: "registered_name_unique")
        try db.execute(
            sql: """
                CREATE UNIQUE INDEX registered_name_standing ON registered_name (division, trade_name, industry)
                WHERE released_at IS NULL
                """)
        try db.create(
            index: "registered_name_by_trade_name", on: "registered_name",
            columns: ["division", "trade_name", "industry"])
    }
}
