import GRDB

extension KaibanMigrations {
    /// The portal API: portals with their hashed tokens (revoked, never deleted or re-keyed); each
    /// portal case's hashed query password and portal; each submission by its portal and the
    /// SHA-256 of its idempotency key, with the request's digest and the query password sealed
    /// under the key (a retry with the same key gets the same answer; the database alone cannot
    /// read it); and failed password attempts, for the rate limit.
    static func portals(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE portal (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at INTEGER NOT NULL,
                    created_by TEXT NOT NULL,
                    revoked_at INTEGER,
                    revoked_by TEXT,
                    revoke_reason TEXT
                );
                CREATE TRIGGER portal_no_delete BEFORE DELETE ON portal
                BEGIN SELECT RAISE(ABORT, 'portals are revoked, never deleted'); END;
                CREATE TRIGGER portal_revoke_only BEFORE UPDATE ON portal
                WHEN OLD.revoked_at IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.token_hash IS NOT OLD.token_hash
                    OR NEW.channel IS NOT OLD.channel OR NEW.created_at IS NOT OLD.created_at
                BEGIN SELECT RAISE(ABORT, 'a portal is only ever revoked, once'); END;
                CREATE TABLE case_access (
                    case_id INTEGER PRIMARY KEY REFERENCES registration_case(id) ON DELETE RESTRICT,
                    portal_id TEXT NOT NULL REFERENCES portal(id) ON DELETE RESTRICT,
                    password_hash TEXT NOT NULL
                );
                CREATE TABLE submission (
                    portal_id TEXT NOT NULL REFERENCES portal(id) ON DELETE RESTRICT,
                    key_sha256 TEXT NOT NULL,
                    request_sha256 TEXT NOT NULL,
                    case_id INTEGER NOT NULL REFERENCES registration_case(id) ON DELETE RESTRICT,
                    sealed_password TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (portal_id, key_sha256)
                ) WITHOUT ROWID;
                CREATE TABLE access_failure (
                    case_number TEXT NOT NULL,
                    at INTEGER NOT NULL
                );
                CREATE INDEX access_failure_by_case ON access_failure(case_number, at);
                """)
    }
}
