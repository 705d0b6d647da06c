extension PostgresMigrations {
    /// 川渝通办 (version 11), as the SQLite store keeps it: the partners and their keys, the
    /// inbound messages kept raw with their receipts (one per sender and message id; append-only),
    /// the dead letters, the cross-province cases and their national status history
    /// (append-only), each append-only rule enforced by the database itself. The outbox is
    /// version 2's, unchanged. Instants to whole seconds, as SQLite keeps them here; codes,
    /// fingerprints and collaboration numbers compare and sort byte by byte, as SQLite's BINARY.
    static let exchange: [PostgresMigration] = [
        PostgresMigration(
            version: 11, name: "exchange",
            statements: [
                """
                CREATE TABLE exchange_partner (
                    code text COLLATE "C" PRIMARY KEY,
                    name text NOT NULL,
                    endpoint text,
                    added_at timestamptz NOT NULL,
                    added_by text NOT NULL
                )
                """,
                // A key (by its SM3 fingerprint) belongs to one partner, whichever adds it first.
                """
                CREATE TABLE exchange_partner_key (
                    fingerprint text COLLATE "C" PRIMARY KEY,
                    partner_code text COLLATE "C" NOT NULL REFERENCES exchange_partner (code) ON DELETE RESTRICT,
                    der bytea NOT NULL,
                    added_at timestamptz NOT NULL,
                    added_by text NOT NULL
                )
                """,
                "CREATE INDEX exchange_partner_key_partner ON exchange_partner_key (partner_code)",
                // The key of idempotency: a message is recorded once per sender and id, by
                // whichever server receives it first (see `receiveExchangeMessages`).
                """
                CREATE TABLE exchange_inbox (
                    sender_code text COLLATE "C" NOT NULL,
                    message_id text COLLATE "C" NOT NULL,
                    digest text NOT NULL,
                    type text NOT NULL,
                    collaboration_number text COLLATE "C" NOT NULL,
                    received_at timestamptz NOT NULL,
                    accepted boolean NOT NULL,
                    code text,
                    reason text,
                    origin text NOT NULL,
                    raw bytea NOT NULL,
                    receipt bytea,
                    PRIMARY KEY (sender_code, message_id)
                )
                """,
                "CREATE INDEX exchange_inbox_case ON exchange_inbox (collaboration_number, received_at)",
                "CREATE INDEX exchange_inbox_refused ON exchange_inbox (received_at) WHERE NOT accepted",
                """
                CREATE TRIGGER exchange_inbox_append_only BEFORE UPDATE OR DELETE ON exchange_inbox
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
                """
                CREATE TRIGGER exchange_inbox_no_truncate BEFORE TRUNCATE ON exchange_inbox
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
                """
                CREATE TABLE exchange_dead_letter (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    received_at timestamptz NOT NULL,
                    origin text NOT NULL,
                    sender_code text,
                    message_id text,
                    digest text NOT NULL,
                    code text NOT NULL,
                    reason text NOT NULL,
                    raw bytea NOT NULL,
                    receipt bytea
                )
                """,
                "CREATE INDEX exchange_dead_letter_received ON exchange_dead_letter (received_at)",
                """
                CREATE TABLE exchange_case (
                    collaboration_number text COLLATE "C" PRIMARY KEY,
                    partner_code text COLLATE "C" NOT NULL,
                    direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
                    mode text NOT NULL,
                    local_case text,
                    partner_reference text,
                    enterprise_name text NOT NULL,
                    opened_at timestamptz NOT NULL,
                    status integer,
                    status_at timestamptz,
                    licence_json text,
                    reported_events integer NOT NULL DEFAULT 0
                )
                """,
                "CREATE INDEX exchange_case_opened ON exchange_case (opened_at)",
                "CREATE INDEX exchange_case_open ON exchange_case (direction, status)",
                "CREATE INDEX exchange_case_direction_opened ON exchange_case (direction, opened_at)",
                // This hall's collaboration numbers: dense per prefix (`CY` + division + day). A
                // number is taken under its prefix's row lock, held to the end of the transaction:
                // a second server waits, and a transaction that rolls back gives its number back.
                """
                CREATE TABLE exchange_collaboration_counter (
                    prefix text COLLATE "C" PRIMARY KEY,
                    last integer NOT NULL CHECK (last BETWEEN 0 AND 9999)
                )
                """,
                """
                CREATE TABLE exchange_status (
                    collaboration_number text COLLATE "C" NOT NULL
                        REFERENCES exchange_case (collaboration_number) ON DELETE RESTRICT,
                    seq integer NOT NULL CHECK (seq >= 1),
                    status integer NOT NULL CHECK (status BETWEEN 1 AND 15),
                    at timestamptz NOT NULL,
                    reason text,
                    source text NOT NULL,
                    made_current boolean NOT NULL,
                    PRIMARY KEY (collaboration_number, seq)
                )
                """,
                """
                CREATE TRIGGER exchange_status_append_only BEFORE UPDATE OR DELETE ON exchange_status
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
                """
                CREATE TRIGGER exchange_status_no_truncate BEFORE TRUNCATE ON exchange_status
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
            ])
    ]
}

extension PostgresMigrations {
    /// Version 16: the outbox's messages numbered in the order they are written, so that those
    /// of one second are listed as the SQLite store lists them (by its row ids), the later first.
    /// A column with a default from a sequence, added without one so that the table is not
    /// rewritten under its lock: messages written before stay unnumbered (listed after the
    /// numbered ones of their second, among themselves in no set order).
    static let outboxOrder: [PostgresMigration] = [
        PostgresMigration(
            version: 16, name: "outbox-order",
            statements: [
                "CREATE SEQUENCE exchange_outbox_seq",
                "ALTER TABLE exchange_outbox ADD COLUMN seq bigint",
                "ALTER SEQUENCE exchange_outbox_seq OWNED BY exchange_outbox.seq",
                "ALTER TABLE exchange_outbox ALTER COLUMN seq SET DEFAULT nextval('exchange_outbox_seq')",
            ])
    ]

    /// Version 17: a case's messages are delivered in the order they were written (a message
    /// waits while an earlier one of its case to the same partner is still pending): the earlier
    /// pending ones are found through their case, as the SQLite store finds them.
    static let outboxCaseOrder: [PostgresMigration] = [
        PostgresMigration(
            version: 17, name: "outbox-case-order",
            statements: [
                "CREATE INDEX exchange_outbox_case ON exchange_outbox (collaboration_number, created_at)"
            ])
    ]

    /// Version 18: a supervisor's changes to a registered partner after it was added (a key
    /// removed, its endpoint changed), each with who, when and why, as the SQLite store keeps
    /// them: append-only.
    static let partnerChanges: [PostgresMigration] = [
        PostgresMigration(
            version: 18, name: "partner-changes",
            statements: [
                """
                CREATE TABLE exchange_partner_change (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    partner_code text COLLATE "C" NOT NULL REFERENCES exchange_partner (code) ON DELETE RESTRICT,
                    at timestamptz NOT NULL,
                    by text NOT NULL,
                    change text NOT NULL CHECK (change IN ('key-removed', 'endpoint-changed')),
                    detail text,
                    reason text NOT NULL
                )
                """,
                "CREATE INDEX exchange_partner_change_partner ON exchange_partner_change (partner_code, id)",
                """
                CREATE TRIGGER exchange_partner_change_append_only BEFORE UPDATE OR DELETE ON exchange_partner_change
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
                """
                CREATE TRIGGER exchange_partner_change_no_truncate BEFORE TRUNCATE ON exchange_partner_change
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
            ])
    ]

    /// Version 19: the lookup keys of people's names written before they were kept in one
    /// spelling (``PersonName/canonical(_:)``), rewritten so, as the SQLite store's migration 30
    /// does: • ‧ ・ ꞏ ᐧ ⸱ are ·, ‐ ‑ – are -, ’ is ', runs of spaces one space, none before a
    /// separator nor after one but a full stop.
    static let nameKeys: [PostgresMigration] = [
        PostgresMigration(
            version: 19, name: "name-keys",
            statements: [
                #"""
                CREATE TEMPORARY TABLE name_key_change ON COMMIT DROP AS
                SELECT old, new, case_id, field FROM (
                    SELECT key AS old, case_id, field,
                        btrim(regexp_replace(regexp_replace(regexp_replace(
                            translate(key, '•‧・ꞏᐧ⸱‐‑–’', '······---'''),
                            ' {2,}', ' ', 'g'), ' ?([·''\-]) ?', '\1', 'g'), ' ([.་༌])', '\1', 'g'),
                            ' ') AS new
                    FROM case_lookup WHERE kind = 'n'
                ) keys WHERE new <> old
                """#,
                """
                INSERT INTO case_lookup (kind, key, case_id, field)
                SELECT 'n', new, case_id, field FROM name_key_change ON CONFLICT DO NOTHING
                """,
                """
                DELETE FROM case_lookup c USING name_key_change n
                WHERE c.kind = 'n' AND c.key = n.old AND c.case_id = n.case_id AND c.field = n.field
                """,
            ])
    ]

    /// Version 20: a revoked registration's name is held three years, not for ever, as the
    /// SQLite store's migration 31 does: each registered name keeps its release (`released_at`,
    /// the revocation) and only the names still standing are unique; the conflict reads keep an
    /// index of every row. Registrations revoked before get their release here, from their
    /// history, as `admin rebuild` derives it.
    static let revokedNameHold: [PostgresMigration] = [
        PostgresMigration(
            version: 20, name: "revoked-name-hold",
            statements: [
                "ALTER TABLE registered_name ADD COLUMN released_at timestamptz",
                """
                ALTER TABLE registered_name
                    DROP CONSTRAINT registered_name_division_trade_name_industry_key
                """,
                """
                CREATE UNIQUE INDEX registered_name_standing ON registered_name (division, trade_name, industry)
                    WHERE released_at IS NULL
                """,
                """
                CREATE INDEX registered_name_by_trade_name ON registered_name (division, trade_name, industry)
                """,
                """
                UPDATE registered_name r SET released_at = (
                    SELECT e.at FROM case_event e
                    WHERE e.case_id = c.id AND e.kind = 1 AND e.to_stage = c.stage
                    ORDER BY e.sequence DESC LIMIT 1)
                FROM registration_case c JOIN workflow_definition w
                    ON w.workflow_id = c.workflow_id AND w.version = c.workflow_version
                WHERE c.number = r.case_number AND EXISTS (
                    SELECT 1 FROM jsonb_array_elements(w.definition_json::jsonb -> 'stages') s
                    WHERE s ->> 'id' = c.stage AND s ->> 'outcome' = 'revoked')
                """,
            ])
    ]

    /// Version 21: a version of the office hours for a date not yet come may be corrected before
    /// that date, as in the SQLite store's migration 32: the key grows by the correction's number
    /// for its date (`revision`, 0 for the version first announced), and the latest stands.
    static let officeHoursCorrections: [PostgresMigration] = [
        PostgresMigration(
            version: 21, name: "office-hours-corrections",
            statements: [
                "ALTER TABLE office_hours_version DROP CONSTRAINT office_hours_version_pkey",
                "ALTER TABLE office_hours_version ADD COLUMN revision integer NOT NULL DEFAULT 0",
                "ALTER TABLE office_hours_version ADD PRIMARY KEY (hall, effective_from, revision)",
            ])
    ]

    /// A booking kept as a no-show (its applicant booked again that day) whose time the calendar
    /// closed since may be cancelled or moved, as one still booked may; and, as the SQLite store's
    /// migration 0033 does, the unrevoked staff tokens of clerks who are not active supervisors are
    /// revoked (a later promotion would have brought them back).
    static let keptNoShowsAndStaleTokens: [PostgresMigration] = [
        PostgresMigration(
            version: 22, name: "kept-no-shows-and-stale-tokens",
            statements: [
                """
                CREATE OR REPLACE FUNCTION kaiban_refuse_appointment_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'UPDATE' THEN
                        RAISE EXCEPTION 'bookings are kept: % refused', TG_OP USING ERRCODE = 'restrict_violation';
                    END IF;
                    IF (NEW.id, NEW.date, NEW.start_minute, NEW.starts_at, NEW.extension_id, NEW.name, NEW.id_number,
                        NEW.phone, NEW.enterprise_name, NEW.portal_id, NEW.key_sha256, NEW.request_sha256,
                        NEW.booked_at, NEW.booked_by, NEW.moved_from) IS DISTINCT FROM (OLD.id, OLD.date,
                        OLD.start_minute, OLD.starts_at, OLD.extension_id, OLD.name, OLD.id_number, OLD.phone,
                        OLD.enterprise_name, OLD.portal_id, OLD.key_sha256, OLD.request_sha256, OLD.booked_at,
                        OLD.booked_by, OLD.moved_from) THEN
                        RAISE EXCEPTION 'a booking is kept as made; only its state changes'
                            USING ERRCODE = 'restrict_violation';
                    END IF;
                    IF NEW.state IS DISTINCT FROM OLD.state AND OLD.state <> 'booked'
                        AND NOT (OLD.state = 'no-show' AND NEW.state IN ('cancelled', 'moved')) THEN
                        RAISE EXCEPTION 'booking % is %: its state is final', OLD.id, OLD.state
                            USING ERRCODE = 'restrict_violation';
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                UPDATE clerk_token SET
                    revoked_at = greatest(issued_at, coalesce(
                        (SELECT max(at) FROM clerk_event WHERE clerk_event.clerk_id = clerk_token.clerk_id), issued_at)),
                    revoked_by = NULL,
                    revoke_reason = '不是在职负责人（升级时撤销） (not an active supervisor: revoked on upgrade)'
                WHERE revoked_at IS NULL AND clerk_id IN (
                    SELECT id FROM clerk WHERE NOT (active AND (' ' || roles || ' ') LIKE '% supervisor %'))
                """,
            ])
    ]
}
