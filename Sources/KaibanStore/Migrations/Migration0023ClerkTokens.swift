import GRDB

extension KaibanMigrations {
    /// The staff's bearer tokens (the supervisors' dashboard over HTTP): hashed, issued and revoked
    /// by supervisors, never deleted or re-keyed; at most one unrevoked token per clerk.
    static func clerkTokens(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE clerk_token (
                    id INTEGER PRIMARY KEY,
                    clerk_id TEXT NOT NULL REFERENCES clerk(id) ON DELETE RESTRICT,
                    token_hash TEXT NOT NULL UNIQUE,
                    issued_at INTEGER NOT NULL,
                    issued_by TEXT NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER,
                    revoked_by TEXT,
                    revoke_reason TEXT
                );
                CREATE UNIQUE INDEX clerk_token_valid ON clerk_token(clerk_id) WHERE revoked_at IS NULL;
                CREATE TRIGGER clerk_token_no_delete BEFORE DELETE ON clerk_token
                BEGIN SELECT RAISE(ABORT, 'clerk tokens are revoked, never deleted'); END;
                CREATE TRIGGER clerk_token_revoke_only BEFORE UPDATE ON clerk_token
                WHEN OLD.revoked_at IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.token_hash IS NOT OLD.token_hash
                    OR NEW.clerk_id IS NOT OLD.clerk_id OR NEW.issued_at IS NOT OLD.issued_at
                    OR NEW.expires_at IS NOT OLD.expires_at
                BEGIN SELECT RAISE(ABORT, 'a clerk token is only ever revoked, once'); END;
                """)
    }
}
