import GRDB

extension KaibanMigrations {
    /// The SLA report reads closed cases by closing time: a covering index lets it read only the
    /// index, never the wide projection rows (their JSON state), even over a million cases.
    static func reportIndex(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX registration_case_closed;
                CREATE INDEX registration_case_report ON registration_case(
                    closed_at, stage, channel, enterprise_type, opened_by, workflow_id, workflow_version, clock_segments)
                    WHERE closed_at IS NOT NULL;
                """)
    }
}
