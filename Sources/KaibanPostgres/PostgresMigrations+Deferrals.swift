extension PostgresMigrations {
    /// 容缺受理 (version 6), as the SQLite store keeps it: each case's deferral as it stands
    /// (derived from the history, rewritten with every step of a case that has one), the people
    /// it binds, and the supervisors' dishonesty (失信) flags on applicants, append-only in the
    /// database itself like every history. Instants to whole seconds, as SQLite keeps them here.
    static let deferrals: [PostgresMigration] = [
        PostgresMigration(
            version: 6, name: "deferrals",
            statements: [
                // The next deadline while open (NULL once fulfilled or ended with the case);
                // `broken` 1 for an item supplied late, 2 for a case ended with one overdue, and
                // when the first deadline was missed.
                """
                CREATE TABLE case_deferral (
                    case_id bigint PRIMARY KEY REFERENCES registration_case (id) ON DELETE RESTRICT,
                    signer_id text COLLATE "C" NOT NULL,
                    committed_at timestamptz NOT NULL,
                    next_deadline timestamptz,
                    last_deadline timestamptz NOT NULL,
                    fulfilled_at timestamptz,
                    ended_at timestamptz,
                    broken smallint NOT NULL CHECK (broken IN (0, 1, 2)),
                    breached_at timestamptz,
                    extended boolean NOT NULL
                )
                """,
                // The open deferrals by deadline (the lists of due and overdue ones), and those
                // committed in a period (the figures).
                """
                CREATE INDEX case_deferral_open ON case_deferral (next_deadline, case_id)
                    WHERE next_deadline IS NOT NULL
                """,
                "CREATE INDEX case_deferral_committed ON case_deferral (committed_at)",
                // By ID number in upper case (an applicant's standing follows each of them); ids
                // compare and sort byte by byte, as SQLite's BINARY.
                """
                CREATE TABLE deferral_party (
                    id_number text COLLATE "C" NOT NULL,
                    case_id bigint NOT NULL REFERENCES registration_case (id) ON DELETE RESTRICT,
                    PRIMARY KEY (id_number, case_id)
                )
                """,
                "CREATE INDEX deferral_party_by_case ON deferral_party (case_id)",
                // Each person's flags and clearings in the order recorded (one person's are
                // recorded one at a time: see `recordApplicantFlag`).
                """
                CREATE TABLE applicant_flag (
                    sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id_number text COLLATE "C" NOT NULL,
                    flagged boolean NOT NULL,
                    at timestamptz NOT NULL,
                    actor text NOT NULL,
                    reason text NOT NULL
                )
                """,
                "CREATE INDEX applicant_flag_by_id ON applicant_flag (id_number, sequence)",
                // Append-only whoever connects: no update, no delete, no truncate (the refusal
                // names the table).
                """
                CREATE TRIGGER applicant_flag_append_only BEFORE UPDATE OR DELETE ON applicant_flag
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
                """
                CREATE TRIGGER applicant_flag_no_truncate BEFORE TRUNCATE ON applicant_flag
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_history_change()
                """,
            ])
    ]
}
