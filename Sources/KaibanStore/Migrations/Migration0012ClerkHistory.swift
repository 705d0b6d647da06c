import GRDB

extension KaibanMigrations {
    /// Each clerk's history: registered, roles changed, deactivated, by whom, when and why.
    /// Append-only, enforced by triggers as the case history is. Clerks registered before it
    /// have no entries (their registration was not recorded).
    static func clerkHistory(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE clerk_event (
                    clerk_id TEXT NOT NULL REFERENCES clerk(id) ON DELETE RESTRICT,
                    sequence INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    actor TEXT,
                    roles TEXT NOT NULL,
                    previous_roles TEXT,
                    reason TEXT,
                    PRIMARY KEY (clerk_id, sequence)
                ) WITHOUT ROWID;
                CREATE TRIGGER clerk_event_no_update BEFORE UPDATE ON clerk_event
                BEGIN SELECT RAISE(ABORT, 'clerk history is append-only'); END;
                CREATE TRIGGER clerk_event_no_delete BEFORE DELETE ON clerk_event
                BEGIN SELECT RAISE(ABORT, 'clerk history is append-only'); END;
                """)
    }
}
