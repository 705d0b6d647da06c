extension PostgresMigrations {
    /// Version 13: a hall's day takes as many case numbers as it needs, as on SQLite (the number
    /// is written with more than four digits only when needed); version 1 had stopped at 9,999.
    static let numbers: [PostgresMigration] = [
        PostgresMigration(
            version: 13, name: "case-numbers-unbounded",
            statements: [
                "ALTER TABLE case_number_counter DROP CONSTRAINT case_number_counter_last_check",
                "ALTER TABLE case_number_counter ADD CONSTRAINT case_number_counter_last_check CHECK (last >= 1)",
            ])
    ]
}

extension PostgresMigrations {
    /// Version 14: the counts by day are added at commit (deferred constraint triggers), not when
    /// the case is written: a count row is one per hall, day and channel, and its lock, taken at the
    /// commit, no longer holds the hall's other intakes for the whole of a transaction.
    static let deferredCounts: [PostgresMigration] = [
        PostgresMigration(
            version: 14, name: "figure-days-at-commit",
            statements: [
                "DROP TRIGGER case_figure_day_insert ON registration_case",
                "DROP TRIGGER case_figure_day_delete ON registration_case",
                "DROP TRIGGER case_figure_day_update ON registration_case",
                "DROP TRIGGER case_figure_day_first_accept ON case_event",
                """
                CREATE CONSTRAINT TRIGGER case_figure_day_insert AFTER INSERT ON registration_case
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kaiban_figure_case()
                """,
                """
                CREATE CONSTRAINT TRIGGER case_figure_day_delete AFTER DELETE ON registration_case
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION kaiban_figure_case()
                """,
                """
                CREATE CONSTRAINT TRIGGER case_figure_day_update
                    AFTER UPDATE OF hall, opened_at, channel, enterprise_type, special_kind, closed_at, stage
                    ON registration_case DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                    WHEN ((OLD.hall, OLD.opened_at, OLD.channel, OLD.enterprise_type, OLD.special_kind IS NULL,
                        OLD.closed_at, OLD.stage) IS DISTINCT FROM (NEW.hall, NEW.opened_at, NEW.channel,
                        NEW.enterprise_type, NEW.special_kind IS NULL, NEW.closed_at, NEW.stage))
                    EXECUTE FUNCTION kaiban_figure_case()
                """,
                """
                CREATE CONSTRAINT TRIGGER case_figure_day_first_accept AFTER INSERT ON case_event
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.transition = 'accept')
                    EXECUTE FUNCTION kaiban_figure_first_accept()
                """,
            ])
    ]
}
