import GRDB

extension KaibanMigrations {
    /// `INSERT OR REPLACE` (and `REPLACE`) on the history deletes the row it conflicts with
    /// without firing the delete trigger (SQLite fires delete triggers on REPLACE only with
    /// recursive triggers on), so one statement could rewrite an event. An insert that would
    /// meet an existing event is refused, like an update or a deletion.
    static func historyRefusesReplace(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TRIGGER case_event_no_replace BEFORE INSERT ON case_event
                WHEN EXISTS (SELECT 1 FROM case_event WHERE case_id = NEW.case_id AND sequence = NEW.sequence)
                BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;
                """)
    }
}
