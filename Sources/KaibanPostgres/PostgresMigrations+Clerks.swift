extension PostgresMigrations {
    /// Clerks with their history, clerks' tokens and portals.
    static let clerks: [PostgresMigration] = [
        PostgresMigration(
            version: 4, name: "clerks-tokens-and-portals",
            statements: [
                // The clerks as they stand (roles sorted, separated by a space, as the SQLite store
                // keeps them), derived from their history. Ids compare and sort byte by byte (as
                // SQLite's BINARY), whatever the database's locale.
                """
                CREATE TABLE clerk (
                    id text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
                    name text NOT NULL,
                    roles text NOT NULL,
                    active boolean NOT NULL DEFAULT true
                )
                """,
                // Each clerk's history: registered, roles changed, deactivated, by whom, when (to
                // whole seconds, as the SQLite store keeps it) and why; numbered from 1.
                """
                CREATE TABLE clerk_event (
                    clerk_id text COLLATE "C" NOT NULL REFERENCES clerk (id) ON DELETE RESTRICT,
                    sequence integer NOT NULL CHECK (sequence >= 1),
                    at timestamptz NOT NULL,
                    kind text NOT NULL CHECK (kind IN ('added', 'roles-changed', 'deactivated')),
                    actor text,
                    roles text NOT NULL,
                    previous_roles text,
                    reason text,
                    PRIMARY KEY (clerk_id, sequence)
                )
                """,
                // Append-only in the database itself, as the case history is.
                """
                CREATE FUNCTION kaiban_refuse_clerk_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'clerk history is append-only: % refused', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                """
                CREATE TRIGGER clerk_event_append_only BEFORE UPDATE OR DELETE ON clerk_event
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_clerk_history_change()
                """,
                """
                CREATE TRIGGER clerk_event_no_truncate BEFORE TRUNCATE ON clerk_event
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_clerk_history_change()
                """,
                // The staff's bearer tokens, hashed: issued and revoked by supervisors, never
                // deleted or re-keyed; at most one unrevoked token per clerk.
                """
                CREATE TABLE clerk_token (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    clerk_id text COLLATE "C" NOT NULL REFERENCES clerk (id) ON DELETE RESTRICT,
                    token_hash text NOT NULL UNIQUE,
                    issued_at timestamptz NOT NULL,
                    issued_by text NOT NULL,
                    expires_at timestamptz NOT NULL,
                    revoked_at timestamptz,
                    revoked_by text,
                    revoke_reason text
                )
                """,
                "CREATE UNIQUE INDEX clerk_token_valid ON clerk_token (clerk_id) WHERE revoked_at IS NULL",
                """
                CREATE FUNCTION kaiban_refuse_clerk_token_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'UPDATE' THEN
                        RAISE EXCEPTION 'clerk tokens are revoked, never deleted' USING ERRCODE = 'restrict_violation';
                    END IF;
                    IF OLD.revoked_at IS NOT NULL OR (NEW.id, NEW.token_hash, NEW.clerk_id, NEW.issued_at,
                        NEW.expires_at) IS DISTINCT FROM (OLD.id, OLD.token_hash, OLD.clerk_id, OLD.issued_at,
                        OLD.expires_at) THEN
                        RAISE EXCEPTION 'a clerk token is only ever revoked, once' USING ERRCODE = 'restrict_violation';
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER clerk_token_revoke_only BEFORE UPDATE OR DELETE ON clerk_token
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_clerk_token_change()
                """,
                """
                CREATE TRIGGER clerk_token_no_truncate BEFORE TRUNCATE ON clerk_token
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_clerk_token_change()
                """,
                // The portals with their hashed tokens: revoked once, never deleted or re-keyed.
                // (Their submissions and case access come with the cases.)
                """
                CREATE TABLE portal (
                    id text COLLATE "C" PRIMARY KEY,
                    name text NOT NULL,
                    channel text NOT NULL,
                    token_hash text NOT NULL UNIQUE,
                    created_at timestamptz NOT NULL,
                    created_by text NOT NULL,
                    revoked_at timestamptz,
                    revoked_by text,
                    revoke_reason text
                )
                """,
                """
                CREATE FUNCTION kaiban_refuse_portal_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'UPDATE' THEN
                        RAISE EXCEPTION 'portals are revoked, never deleted' USING ERRCODE = 'restrict_violation';
                    END IF;
                    IF OLD.revoked_at IS NOT NULL OR (NEW.id, NEW.token_hash, NEW.channel, NEW.created_at)
                        IS DISTINCT FROM (OLD.id, OLD.token_hash, OLD.channel, OLD.created_at) THEN
                        RAISE EXCEPTION 'a portal is only ever revoked, once' USING ERRCODE = 'restrict_violation';
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER portal_revoke_only BEFORE UPDATE OR DELETE ON portal
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_portal_change()
                """,
                """
                CREATE TRIGGER portal_no_truncate BEFORE TRUNCATE ON portal
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_portal_change()
                """,
            ])
    ]
}
