extension PostgresMigrations {
    /// The cases as the desk keeps them (version 5): the projection's columns beside the number,
    /// the history's columns of late entries and documents, the lookup, the credit-code register
    /// and the registered names, each with the SQLite store's constraints.
    static let cases: [PostgresMigration] = [
        PostgresMigration(
            version: 5, name: "case-projection",
            statements: [
                // The refusal names the table it guards (case_event's, and now the codes').
                """
                CREATE OR REPLACE FUNCTION kaiban_refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                        USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                // Defaults only for rows written before this version (the benchmark's openings).
                """
                ALTER TABLE registration_case
                    ADD COLUMN workflow_id text NOT NULL DEFAULT '',
                    ADD COLUMN workflow_version integer NOT NULL DEFAULT 0,
                    ADD COLUMN version integer NOT NULL DEFAULT 1,
                    ADD COLUMN enterprise_type text NOT NULL DEFAULT '',
                    ADD COLUMN proposed_name text NOT NULL DEFAULT '',
                    ADD COLUMN opened_by text NOT NULL DEFAULT '',
                    ADD COLUMN updated_at timestamptz,
                    ADD COLUMN clock_segments text NOT NULL DEFAULT '',
                    ADD COLUMN trade_name text NOT NULL DEFAULT '',
                    ADD COLUMN industry text NOT NULL DEFAULT '',
                    ADD COLUMN government_minutes integer,
                    ADD COLUMN remaining_minutes integer,
                    ADD COLUMN due_at timestamptz,
                    ADD COLUMN special_kind text
                """,
                """
                ALTER TABLE case_event
                    ADD COLUMN recorded_at timestamptz,
                    ADD COLUMN recorded_by text,
                    ADD COLUMN late_reason text,
                    ADD COLUMN document text,
                    ADD COLUMN document_form text,
                    ADD COLUMN document_sha256 text
                """,
                // The worklist's two orders and the special cases, each read from a partial index
                // on open cases, as on SQLite.
                """
                CREATE INDEX registration_case_due ON registration_case (due_at, number)
                    WHERE closed_at IS NULL AND due_at IS NOT NULL
                """,
                """
                CREATE INDEX registration_case_waiting
                    ON registration_case ((remaining_minutes IS NULL), remaining_minutes, opened_at, number)
                    WHERE closed_at IS NULL AND due_at IS NULL
                """,
                """
                CREATE INDEX registration_case_special ON registration_case (stage, number)
                    WHERE closed_at IS NULL AND special_kind IS NOT NULL
                """,
                """
                CREATE INDEX registration_case_open_names ON registration_case (trade_name, industry)
                    WHERE closed_at IS NULL
                """,
                "CREATE INDEX registration_case_opened ON registration_case (opened_at)",
                "CREATE INDEX registration_case_closed ON registration_case (closed_at) WHERE closed_at IS NOT NULL",
                """
                CREATE TABLE case_lookup (
                    kind text NOT NULL,
                    key text COLLATE "C" NOT NULL,
                    case_id bigint NOT NULL REFERENCES registration_case (id) ON DELETE CASCADE,
                    field text NOT NULL,
                    PRIMARY KEY (kind, key, case_id, field)
                )
                """,
                "CREATE INDEX case_lookup_case ON case_lookup (case_id)",
                "CREATE TABLE credit_code_counter (prefix text PRIMARY KEY, last integer NOT NULL)",
                // A code is issued once and never reused: unique, and never changed or removed.
                """
                CREATE TABLE credit_code (
                    code text PRIMARY KEY,
                    case_number text NOT NULL UNIQUE REFERENCES registration_case (number),
                    issued_at timestamptz NOT NULL
                )
                """,
                """
                CREATE TRIGGER credit_code_never_changes BEFORE UPDATE OR DELETE ON credit_code
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
                // One registered name per division, trade name and industry, whichever server
                // issues the licence.
                """
                CREATE TABLE registered_name (
                    case_number text PRIMARY KEY REFERENCES registration_case (number),
                    division text NOT NULL,
                    name text NOT NULL,
                    trade_name text NOT NULL,
                    industry text NOT NULL,
                    UNIQUE (division, trade_name, industry)
                )
                """,
                "CREATE INDEX registered_name_by_industry ON registered_name (division, industry)",
                "CREATE TABLE store_meta (key text PRIMARY KEY, value text NOT NULL)",
            ])
    ]
}
