import GRDB

extension KaibanMigrations {
    /// A supervisor's changes to a registered partner after it was added (a key removed, its
    /// endpoint changed), each with who, when and why: append-only.
    static func partnerChanges(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE exchange_partner_change (
                    id INTEGER PRIMARY KEY,
                    partner_code TEXT NOT NULL REFERENCES exchange_partner(code),
                    at INTEGER NOT NULL,
                    by TEXT NOT NULL,
                    change TEXT NOT NULL CHECK (change IN ('key-removed', 'endpoint-changed')),
                    detail TEXT,
                    reason TEXT NOT NULL
                );
                CREATE INDEX exchange_partner_change_partner ON exchange_partner_change(partner_code, id);
                CREATE TRIGGER exchange_partner_change_fixed BEFORE UPDATE ON exchange_partner_change
                BEGIN SELECT RAISE(ABORT, 'a partner''s change is history'); END;
                CREATE TRIGGER exchange_partner_change_kept BEFORE DELETE ON exchange_partner_change
                BEGIN SELECT RAISE(ABORT, 'a partner''s change is history'); END;
                """)
    }
}
