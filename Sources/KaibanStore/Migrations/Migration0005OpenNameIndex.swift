import GRDB

extension KaibanMigrations {
    /// Open applications by trade name, so that intake can warn of another application for the same
    /// name still in progress without reading closed cases.
    static func openNameIndex(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX registration_case_open_names
                    ON registration_case(trade_name, industry) WHERE closed_at IS NULL
                """)
    }
}
