import GRDB

extension KaibanMigrations {
    /// The hall's figures read every count through an index: the cross-province cases this hall
    /// opened, by direction and opening instant (the outbound count of a period).
    static func figuresIndexes(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX exchange_case_direction_opened ON exchange_case(direction, opened_at);
                """)
    }
}
