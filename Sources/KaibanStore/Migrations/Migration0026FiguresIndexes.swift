import GRDB

extension KaibanMigrations {
    /// The hall's figures read every count through an index, without visiting the case rows:
    /// - the cases received in a period by channel and enterprise type (and 特殊办 for the count per
    ///   channel) from one covering index on intake instant, which takes the place of
    ///   `registration_case_received` (it lacked the type: a month of a million cases read 19,000
    ///   case rows for it);
    /// - the cross-province cases this hall opened, by direction and opening instant (the
    ///   outbound count of a period).
    static func figuresIndexes(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX registration_case_received_by_type
                    ON registration_case(opened_at, channel, enterprise_type, special_kind);
                DROP INDEX registration_case_received;
                CREATE INDEX exchange_case_direction_opened ON exchange_case(direction, opened_at);
                """)
    }
}
