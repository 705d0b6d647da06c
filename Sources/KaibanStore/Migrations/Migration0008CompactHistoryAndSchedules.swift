import GRDB

extension KaibanMigrations {
    /// The history clustered by case (no rowid, no second index), instants of events as Unix
    /// seconds; credit codes likewise; and each case's place in the worklist: government minutes,
    /// what is left of its budget and, while its clock runs, when the budget runs out. The
    /// worklist pages through the two partial indexes instead of measuring every open case, and the
    /// SLA report reads a closed case's government minutes from its covering index. The schedule
    /// columns of existing cases are filled by the store's next schedule refresh.
    static func compactHistoryAndSchedules(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE case_event_compact (
                    case_number TEXT NOT NULL REFERENCES registration_case(number) ON DELETE RESTRICT,
                    sequence INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    role TEXT,
                    transition TEXT,
                    from_stage TEXT,
                    to_stage TEXT,
                    task TEXT,
                    reason TEXT,
                    automatic INTEGER NOT NULL DEFAULT 0,
                    data_json TEXT,
                    credit_code TEXT,
                    PRIMARY KEY (case_number, sequence)
                ) WITHOUT ROWID;
                INSERT INTO case_event_compact
                    SELECT case_number, sequence, CAST(strftime('%s', at) AS INTEGER), kind, actor, role, transition,
                        from_stage, to_stage, task, reason, automatic, data_json, credit_code
                    FROM case_event;
                DROP TABLE case_event;
                ALTER TABLE case_event_compact RENAME TO case_event;
                CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event
                BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;
                CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event
                BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;

                CREATE TABLE credit_code_compact (
                    code TEXT NOT NULL PRIMARY KEY,
                    case_number TEXT NOT NULL UNIQUE REFERENCES registration_case(number),
                    issued_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO credit_code_compact SELECT code, case_number, issued_at FROM credit_code;
                DROP TABLE credit_code;
                ALTER TABLE credit_code_compact RENAME TO credit_code;

                ALTER TABLE registration_case ADD COLUMN government_minutes INTEGER;
                ALTER TABLE registration_case ADD COLUMN remaining_minutes INTEGER;
                ALTER TABLE registration_case ADD COLUMN due_at INTEGER;
                CREATE INDEX registration_case_due
                    ON registration_case(due_at, number) WHERE closed_at IS NULL AND due_at IS NOT NULL;
                CREATE INDEX registration_case_waiting
                    ON registration_case(remaining_minutes IS NULL, remaining_minutes, opened_at, number)
                    WHERE closed_at IS NULL AND due_at IS NULL;
                DROP INDEX registration_case_report;
                CREATE INDEX registration_case_report ON registration_case(
                    closed_at, stage, channel, enterprise_type, opened_by, workflow_id, workflow_version,
                    government_minutes, clock_segments)
                    WHERE closed_at IS NOT NULL;
                DROP INDEX registration_case_open;
                DROP INDEX registration_case_open_by_stage;

                CREATE TABLE store_meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """)
    }
}
