import GRDB

extension KaibanMigrations {
    /// A version of the office hours announced for a date not yet come may be corrected before
    /// that date: the correction is kept beside it (the history stays append-only), and the later
    /// recorded stands. The table's key grows by the correction's number for its date (`revision`,
    /// 0 for the version first announced); its rows and its guards against change are kept. The
    /// key's columns come first: SQLite 3.40's `PRAGMA integrity_check` reports the NOT NULL
    /// columns of a WITHOUT ROWID table as NULL when a key column follows them.
    static func officeHoursCorrections(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE office_hours_version_corrected (
                    hall TEXT NOT NULL,
                    effective_from TEXT NOT NULL,
                    revision INTEGER NOT NULL DEFAULT 0,
                    data_json TEXT NOT NULL,
                    source TEXT NOT NULL,
                    recorded_at DATETIME NOT NULL,
                    recorded_by TEXT,
                    reason TEXT NOT NULL,
                    PRIMARY KEY (hall, effective_from, revision)
                ) WITHOUT ROWID;
                INSERT INTO office_hours_version_corrected
                    (hall, effective_from, revision, data_json, source, recorded_at, recorded_by, reason)
                    SELECT hall, effective_from, 0, data_json, source, recorded_at, recorded_by, reason
                    FROM office_hours_version;
                DROP TRIGGER office_hours_version_no_update;
                DROP TRIGGER office_hours_version_no_delete;
                DROP TABLE office_hours_version;
                ALTER TABLE office_hours_version_corrected RENAME TO office_hours_version;
                CREATE TRIGGER office_hours_version_no_update BEFORE UPDATE ON office_hours_version
                BEGIN SELECT RAISE(ABORT, 'office hours history is append-only'); END;
                CREATE TRIGGER office_hours_version_no_delete BEFORE DELETE ON office_hours_version
                BEGIN SELECT RAISE(ABORT, 'office hours history is append-only'); END;
                """)
    }
}
