extension PostgresMigrations {
    /// Version 9, documents' files attached through a portal, as the SQLite store keeps them (its
    /// migration 17): per case and document code (a document is received once), the file's SHA-256
    /// (its name in the data directory), size and media type (by its first bytes), the name the
    /// portal gave it, when it was received, through which portal, and the event of the history
    /// that records it. Rows are written with that event, after the file is kept, and never
    /// changed or deleted (the database refuses it, whoever connects).
    static let attachments: [PostgresMigration] = [
        PostgresMigration(
            version: 9, name: "attachments",
            statements: [
                """
                CREATE TABLE attachment (
                    case_id bigint NOT NULL REFERENCES registration_case (id) ON DELETE RESTRICT,
                    code text NOT NULL,
                    sha256 text NOT NULL,
                    size bigint NOT NULL,
                    media_type text NOT NULL,
                    file_name text,
                    received_at timestamptz NOT NULL,
                    portal_id text COLLATE "C" NOT NULL REFERENCES portal (id) ON DELETE RESTRICT,
                    supplied boolean NOT NULL,
                    sequence integer NOT NULL,
                    PRIMARY KEY (case_id, code),
                    FOREIGN KEY (case_id, sequence) REFERENCES case_event (case_id, sequence) ON DELETE RESTRICT
                )
                """,
                "CREATE INDEX attachment_by_sha256 ON attachment (sha256)",
                """
                CREATE FUNCTION kaiban_refuse_attachment_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        RAISE EXCEPTION 'attachments are never changed' USING ERRCODE = 'restrict_violation';
                    END IF;
                    RAISE EXCEPTION 'attachments are never deleted' USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                """
                CREATE TRIGGER attachment_fixed BEFORE UPDATE OR DELETE ON attachment
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_attachment_change()
                """,
                """
                CREATE TRIGGER attachment_no_truncate BEFORE TRUNCATE ON attachment
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_attachment_change()
                """,
            ])
    ]
}
