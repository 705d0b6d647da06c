import GRDB

extension KaibanMigrations {
    /// When each event was written, and office hours with effective dates.
    ///
    /// - Every event keeps when it was written (`recorded_at`, Unix seconds, the system clock)
    ///   beside when it happened (`at`); a late entry (补录) also keeps the supervisor who entered
    ///   it and why. Events written before this migration have no `recorded_at`: it was not kept.
    /// - Office hours become a history of versions, each in force from a date on: a change
    ///   applies from its date and never rewrites time already spent. The hours stored so far
    ///   become the version in force from the start of the calendar.
    static func recordingAndOfficeHoursHistory(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE case_event ADD COLUMN recorded_at INTEGER;
                ALTER TABLE case_event ADD COLUMN recorded_by TEXT;
                ALTER TABLE case_event ADD COLUMN late_reason TEXT;

                CREATE TABLE office_hours_version (
                    hall TEXT NOT NULL,
                    effective_from TEXT NOT NULL,
                    data_json TEXT NOT NULL,
                    source TEXT NOT NULL,
                    recorded_at DATETIME NOT NULL,
                    recorded_by TEXT,
                    reason TEXT NOT NULL,
                    PRIMARY KEY (hall, effective_from)
                ) WITHOUT ROWID;
                INSERT INTO office_hours_version (hall, effective_from, data_json, source, recorded_at, reason)
                    SELECT hall, '2000-01-01', data_json, source, loaded_at, 'office hours in force before versions were kept'
                    FROM office_hours;
                DROP TABLE office_hours;
                CREATE TRIGGER office_hours_version_no_update BEFORE UPDATE ON office_hours_version
                BEGIN SELECT RAISE(ABORT, 'office hours history is append-only'); END;
                CREATE TRIGGER office_hours_version_no_delete BEFORE DELETE ON office_hours_version
                BEGIN SELECT RAISE(ABORT, 'office hours history is append-only'); END;
                """)
    }
}
