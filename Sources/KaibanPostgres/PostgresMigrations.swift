/// The PostgreSQL schema, versioned like the SQLite store's migrations: each version applied once,
/// in order, in its own transaction, recorded in `kaiban_migration`. Several servers starting at
/// once take turns (a transaction-scoped advisory lock), so each version is applied exactly once.
struct PostgresMigration: Sendable {
    var version: Int
    var name: String
    var statements: [String]
}

enum PostgresMigrations {
    /// The first key of the advisory lock a migration run takes ("kaib" in ASCII); the second is
    /// the hash of the hall's schema, so that each hall's migrations take turns apart.
    static let lock: Int32 = 0x6B61_6962

    static let ledger = """
        CREATE TABLE IF NOT EXISTS kaiban_migration (
            version integer PRIMARY KEY,
            name text NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """

    /// Every version, in order: those of the cases and the outbox, then each part's own.
    static let all: [PostgresMigration] =
        casesAndOutbox + referenceData + clerks + cases + deferrals + mail + portalSubmissions + attachments
        + appointments + exchange + reports + numbers + deferredCounts + submissionWarnings
        + outboxOrder + outboxCaseOrder + partnerChanges + nameKeys + revokedNameHold
        + officeHoursCorrections + keptNoShowsAndStaleTokens

    static let casesAndOutbox: [PostgresMigration] = [
        PostgresMigration(
            version: 1, name: "cases-and-history",
            statements: [
                // Case numbers: dense per hall and local day. A number is taken by updating the
                // day's row, whose lock is held to the end of the transaction: a second server
                // waits, and a transaction that rolls back gives its number back.
                """
                CREATE TABLE case_number_counter (
                    hall text NOT NULL,
                    day date NOT NULL,
                    last integer NOT NULL CHECK (last BETWEEN 1 AND 9999),
                    PRIMARY KEY (hall, day)
                )
                """,
                """
                CREATE TABLE registration_case (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    number text NOT NULL UNIQUE,
                    hall text NOT NULL,
                    channel text NOT NULL CHECK (channel <> ''),
                    stage text NOT NULL CHECK (stage <> ''),
                    opened_at timestamptz NOT NULL,
                    closed_at timestamptz
                )
                """,
                // The history, as the SQLite store keeps it: one row per event, numbered from 1.
                """
                CREATE TABLE case_event (
                    case_id bigint NOT NULL REFERENCES registration_case (id) ON DELETE RESTRICT,
                    sequence integer NOT NULL CHECK (sequence >= 1),
                    at timestamptz NOT NULL,
                    kind smallint NOT NULL,
                    actor text NOT NULL,
                    role text,
                    transition text,
                    from_stage text,
                    to_stage text,
                    task text,
                    reason text,
                    automatic boolean NOT NULL DEFAULT false,
                    data_json text,
                    credit_code text,
                    written_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                    PRIMARY KEY (case_id, sequence)
                )
                """,
                // Append-only in the database itself, whoever connects: no update, no delete, no
                // truncate of the history.
                """
                CREATE FUNCTION kaiban_refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'case_event is append-only: % refused', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                """
                CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON case_event
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
                """
                CREATE TRIGGER case_event_no_truncate BEFORE TRUNCATE ON case_event
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
            ]),
        PostgresMigration(
            version: 2, name: "exchange-outbox",
            statements: [
                // The messages to the partner province, as the SQLite store keeps them (the
                // partners' table, and with it the foreign key, comes with the rest of the
                // exchange). Several servers' senders take due messages with FOR UPDATE SKIP
                // LOCKED and hold them until a time of their choosing (next_attempt_at).
                """
                CREATE TABLE exchange_outbox (
                    message_id text PRIMARY KEY,
                    partner_code text NOT NULL CHECK (partner_code <> ''),
                    type text NOT NULL,
                    collaboration_number text NOT NULL,
                    raw bytea NOT NULL,
                    digest text NOT NULL,
                    created_at timestamptz NOT NULL,
                    state text NOT NULL CHECK (state IN ('pending', 'sent', 'acknowledged', 'rejected', 'failed')),
                    attempts integer NOT NULL DEFAULT 0,
                    next_attempt_at timestamptz,
                    last_error text,
                    sent_at timestamptz,
                    receipt bytea,
                    receipt_code text,
                    answered_at timestamptz
                )
                """,
                "CREATE INDEX exchange_outbox_due ON exchange_outbox (next_attempt_at) WHERE state = 'pending'",
                "CREATE INDEX exchange_outbox_state ON exchange_outbox (state, created_at)",
                // What was sent is never changed: its octets, digest, partner and identity.
                """
                CREATE FUNCTION kaiban_refuse_outbox_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF (NEW.message_id, NEW.partner_code, NEW.type, NEW.collaboration_number, NEW.raw, NEW.digest,
                        NEW.created_at) IS DISTINCT FROM (OLD.message_id, OLD.partner_code, OLD.type,
                        OLD.collaboration_number, OLD.raw, OLD.digest, OLD.created_at) THEN
                        RAISE EXCEPTION 'an outbound message is never changed once written'
                            USING ERRCODE = 'restrict_violation';
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER exchange_outbox_fixed BEFORE UPDATE ON exchange_outbox
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_outbox_change()
                """,
            ]),
    ]
}
