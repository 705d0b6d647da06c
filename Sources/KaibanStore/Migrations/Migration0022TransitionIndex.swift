import GRDB

extension KaibanMigrations {
    /// The hall's figures count steps by their kind and instant (cases accepted in a month, cases
    /// returned for correction): the history's transitions by transition and instant.
    static func transitionIndex(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX case_event_by_transition ON case_event(transition, at, case_id)
                    WHERE transition IS NOT NULL;
                """)
    }
}
