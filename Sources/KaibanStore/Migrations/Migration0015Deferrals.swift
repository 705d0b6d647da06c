import GRDB

extension KaibanMigrations {
    /// 容缺: each case's deferral as it stands (derived from the history, rebuilt by `admin
    /// rebuild`): its next deadline while open (NULL once fulfilled or ended with the case), and
    /// whether it is broken for good (1: an item supplied late; 2: the case ended with one overdue)
    /// and when (the first deadline missed);
    /// the people it binds (by ID number, upper case, for the applicant's credit); and the
    /// supervisors' dishonesty (失信) flags on applicants, append-only like every history.
    static func deferrals(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE case_deferral (
                    case_id INTEGER PRIMARY KEY REFERENCES registration_case(id) ON DELETE RESTRICT,
                    signer_id TEXT NOT NULL,
                    committed_at INTEGER NOT NULL,
                    next_deadline INTEGER,
                    last_deadline INTEGER NOT NULL,
                    fulfilled_at INTEGER,
                    ended_at INTEGER,
                    broken INTEGER NOT NULL,
                    breached_at INTEGER,
                    extended INTEGER NOT NULL
                );
                CREATE INDEX case_deferral_open ON case_deferral(next_deadline) WHERE next_deadline IS NOT NULL;
                CREATE INDEX case_deferral_committed ON case_deferral(committed_at);
                CREATE TABLE deferral_party (
                    id_number TEXT NOT NULL,
                    case_id INTEGER NOT NULL REFERENCES registration_case(id) ON DELETE RESTRICT,
                    PRIMARY KEY (id_number, case_id)
                ) WITHOUT ROWID;
                CREATE INDEX deferral_party_by_case ON deferral_party(case_id);
                CREATE TABLE applicant_flag (
                    sequence INTEGER PRIMARY KEY,
                    id_number TEXT NOT NULL,
                    flagged INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE INDEX applicant_flag_by_id ON applicant_flag(id_number, sequence);
                CREATE TRIGGER applicant_flag_no_update BEFORE UPDATE ON applicant_flag
                BEGIN SELECT RAISE(ABORT, 'applicant flags are append-only'); END;
                CREATE TRIGGER applicant_flag_no_delete BEFORE DELETE ON applicant_flag
                BEGIN SELECT RAISE(ABORT, 'applicant flags are append-only'); END;
                """)
    }
}
