extension PostgresMigrations {
    /// Version 8, portal submissions as the SQLite store keeps them (its migration 16): each portal
    /// case's hashed query password and portal; each submission by its portal and the SHA-256 of
    /// its idempotency key, with the request's digest and the query password sealed under the key
    /// (a retry with the same key gets the same answer; the database alone cannot read it); and
    /// the failed password attempts, for the rate limit. The primary key of a submission is what
    /// makes two servers taking in the same key at once make one case: the second waits for the
    /// first's commit and is then refused.
    static let portalSubmissions: [PostgresMigration] = [
        PostgresMigration(
            version: 8, name: "portal-submissions",
            statements: [
                """
                CREATE TABLE case_access (
                    case_id bigint PRIMARY KEY REFERENCES registration_case (id) ON DELETE RESTRICT,
                    portal_id text COLLATE "C" NOT NULL REFERENCES portal (id) ON DELETE RESTRICT,
                    password_hash text NOT NULL
                )
                """,
                """
                CREATE TABLE submission (
                    portal_id text COLLATE "C" NOT NULL REFERENCES portal (id) ON DELETE RESTRICT,
                    key_sha256 text NOT NULL,
                    request_sha256 text NOT NULL,
                    case_id bigint NOT NULL REFERENCES registration_case (id) ON DELETE RESTRICT,
                    sealed_password text NOT NULL,
                    created_at timestamptz NOT NULL,
                    PRIMARY KEY (portal_id, key_sha256)
                )
                """,
                // Instants to whole seconds, as the SQLite store counts them.
                """
                CREATE TABLE access_failure (
                    case_number text NOT NULL,
                    at timestamptz NOT NULL
                )
                """,
                "CREATE INDEX access_failure_by_case ON access_failure (case_number, at)",
            ])
    ]
}

extension PostgresMigrations {
    /// Version 15, as the SQLite store's migration 28: the warnings a portal's submission was
    /// answered with (JSON), so that a retry under the same key is answered with them too; NULL for
    /// submissions recorded before.
    static let submissionWarnings: [PostgresMigration] = [
        PostgresMigration(
            version: 15, name: "submission-warnings",
            statements: ["ALTER TABLE submission ADD COLUMN warnings_json text"])
    ]
}
