import GRDB

extension KaibanMigrations {
    /// Special service (特殊办): each case's flag as it stands (its kind, NULL when not flagged),
    /// derived from the history and rebuilt by `admin rebuild`, and a partial index over the open
    /// flagged cases, which the worklist reads to put them at the top of their stage.
    static func specialService(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE registration_case ADD COLUMN special_kind TEXT;
                CREATE INDEX registration_case_special
                    ON registration_case(stage, number) WHERE closed_at IS NULL AND special_kind IS NOT NULL;
                """)
    }
}
