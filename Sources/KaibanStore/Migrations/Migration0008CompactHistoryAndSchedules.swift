import GRDB

extension KaibanMigrations {
    /// A compact history and each case's place in the worklist.
    ///
    /// - Cases get a stable integer id (an explicit INTEGER PRIMARY KEY, which VACUUM never
    ///   renumbers); the case number stays unique and is what everything else refers to.
    /// - The history is clustered by case id and sequence (no rowid, no second index), with the
    ///   instant of each event in Unix seconds and its kind as a small code (0 opened,
    ///   1 transitioned, 2 task completed). Still append-only, enforced by triggers.
    /// - Credit codes without a rowid.
    /// - Each case keeps its government minutes, what is left of its budget and, while its clock
    ///   runs, when the budget runs out: the worklist pages through two partial indexes instead
    ///   of measuring every open case, and the SLA report reads a closed case's minutes from its
    ///   covering index. These columns are filled by the store's next schedule refresh.
    static func compactHistoryAndSchedules(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE registration_case_compact (
                    id INTEGER PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    workflow_id TEXT NOT NULL,
                    workflow_version INTEGER NOT NULL,
                    stage TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    channel TEXT NOT NULL,
                    enterprise_type TEXT NOT NULL,
                    proposed_name TEXT NOT NULL,
                    opened_by TEXT NOT NULL,
                    opened_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL,
                    closed_at DATETIME,
                    clock_segments TEXT NOT NULL DEFAULT '',
                    trade_name TEXT NOT NULL DEFAULT '',
                    industry TEXT NOT NULL DEFAULT '',
                    government_minutes INTEGER,
                    remaining_minutes INTEGER,
                    due_at INTEGER,
                    FOREIGN KEY (workflow_id, workflow_version) REFERENCES workflow_definition(workflow_id, version)
                );
                INSERT INTO registration_case_compact (number, workflow_id, workflow_version, stage, version, channel,
                        enterprise_type, proposed_name, opened_by, opened_at, updated_at, closed_at, clock_segments,
                        trade_name, industry)
                    SELECT number, workflow_id, workflow_version, stage, version, channel, enterprise_type,
                        proposed_name, opened_by, opened_at, updated_at, closed_at, clock_segments, trade_name, industry
                    FROM registration_case ORDER BY number;

                CREATE TABLE case_event_compact (
                    case_id INTEGER NOT NULL REFERENCES registration_case_compact(id) ON DELETE RESTRICT,
                    sequence INTEGER NOT NULL,
                    at INTEGER NOT NULL,
                    kind INTEGER NOT NULL,
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
                    PRIMARY KEY (case_id, sequence)
                ) WITHOUT ROWID;
                INSERT INTO case_event_compact
                    SELECT c.id, e.sequence, CAST(strftime('%s', e.at) AS INTEGER),
                        CASE e.kind WHEN 'opened' THEN 0 WHEN 'transitioned' THEN 1 WHEN 'task-completed' THEN 2 END,
                        e.actor, e.role, e.transition, e.from_stage, e.to_stage, e.task, e.reason, e.automatic,
                        e.data_json, e.credit_code
                    FROM case_event e JOIN registration_case_compact c ON c.number = e.case_number;
                DROP TABLE case_event;
                DROP TABLE registration_case;
                ALTER TABLE registration_case_compact RENAME TO registration_case;
                ALTER TABLE case_event_compact RENAME TO case_event;
                CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event
                BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;
                CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event
                BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;

                CREATE INDEX registration_case_report ON registration_case(
                    closed_at, stage, channel, enterprise_type, opened_by, workflow_id, workflow_version,
                    government_minutes)
                    WHERE closed_at IS NOT NULL;
                CREATE INDEX registration_case_open_names
                    ON registration_case(trade_name, industry) WHERE closed_at IS NULL;
                CREATE INDEX registration_case_due
                    ON registration_case(due_at, number) WHERE closed_at IS NULL AND due_at IS NOT NULL;
                CREATE INDEX registration_case_waiting
                    ON registration_case(remaining_minutes IS NULL, remaining_minutes, opened_at, number)
                    WHERE closed_at IS NULL AND due_at IS NULL;

                CREATE TABLE credit_code_compact (
                    code TEXT NOT NULL PRIMARY KEY,
                    case_number TEXT NOT NULL UNIQUE REFERENCES registration_case(number),
                    issued_at DATETIME NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO credit_code_compact SELECT code, case_number, issued_at FROM credit_code;
                DROP TABLE credit_code;
                ALTER TABLE credit_code_compact RENAME TO credit_code;

                CREATE TABLE store_meta (key TEXT NOT NULL PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                """)
    }
}
