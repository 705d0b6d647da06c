import GRDB

extension KaibanMigrations {
    /// The hall's counts by local day, kept by triggers in the same transaction as every change of
    /// a case row or history, so that a month's counts read some hundred rows instead of every
    /// case of the month (`stats month` on a million cases read 56,000 index entries and
    /// 18,000 case rows for them), and the count per channel of a whole history some thousands:
    /// - `received`: cases by the local day of their intake, channel and enterprise type, the stage
    ///   column `special` for a 特殊办 case (a special service kind) and empty for the others;
    /// - `closed`: cases by the local day they closed, channel, enterprise type and closing stage;
    /// - `accepted`: cases by the local day of their first `accept` step (the transition of that
    ///   id), channel and enterprise type.
    ///
    /// A local day is the day in Asia/Shanghai (UTC+8 all year since 1991), the day the hall's
    /// periods are made of. Counts follow a case whose channel, type, stage or instants change,
    /// and the rows are derived: `admin rebuild` recomputes them from the cases and their history
    /// (``CaseStore/repairFigureDays(pause:)``) and repairs any that differ.
    static func figureDays(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE case_figure_day (
                    day TEXT NOT NULL,
                    measure TEXT NOT NULL CHECK (measure IN ('received', 'accepted', 'closed')),
                    channel TEXT NOT NULL,
                    enterprise_type TEXT NOT NULL,
                    stage TEXT NOT NULL,
                    count INTEGER NOT NULL,
                    PRIMARY KEY (measure, day, channel, enterprise_type, stage)
                ) WITHOUT ROWID;

                CREATE TRIGGER case_figure_day_insert AFTER INSERT ON registration_case BEGIN
                    INSERT INTO case_figure_day VALUES
                        (ifnull(date(NEW.opened_at, '+8 hours'), ''), 'received', NEW.channel, NEW.enterprise_type,
                            iif(NEW.special_kind IS NULL, '', 'special'), 1)
                        ON CONFLICT DO UPDATE SET count = count + 1;
                    INSERT INTO case_figure_day
                        SELECT ifnull(date(NEW.closed_at, '+8 hours'), ''), 'closed', NEW.channel, NEW.enterprise_type,
                            NEW.stage, 1
                        WHERE NEW.closed_at IS NOT NULL
                        ON CONFLICT DO UPDATE SET count = count + 1;
                END;

                CREATE TRIGGER case_figure_day_delete AFTER DELETE ON registration_case BEGIN
                    UPDATE case_figure_day SET count = count - 1
                        WHERE measure = 'received' AND day = ifnull(date(OLD.opened_at, '+8 hours'), '')
                            AND channel = OLD.channel AND enterprise_type = OLD.enterprise_type
                            AND stage = iif(OLD.special_kind IS NULL, '', 'special');
                    UPDATE case_figure_day SET count = count - 1
                        WHERE OLD.closed_at IS NOT NULL AND measure = 'closed'
                            AND day = ifnull(date(OLD.closed_at, '+8 hours'), '') AND channel = OLD.channel
                            AND enterprise_type = OLD.enterprise_type AND stage = OLD.stage;
                    UPDATE case_figure_day SET count = count - 1
                        WHERE measure = 'accepted' AND channel = OLD.channel AND enterprise_type = OLD.enterprise_type
                            AND stage = '' AND day = (
                                SELECT ifnull(date(at, 'unixepoch', '+8 hours'), '') FROM case_event
                                WHERE case_id = OLD.id AND transition = 'accept' ORDER BY sequence LIMIT 1);
                END;

                CREATE TRIGGER case_figure_day_received
                    AFTER UPDATE OF opened_at, channel, enterprise_type, special_kind ON registration_case
                    WHEN OLD.opened_at IS NOT NEW.opened_at OR OLD.channel IS NOT NEW.channel
                        OR OLD.enterprise_type IS NOT NEW.enterprise_type
                        OR (OLD.special_kind IS NULL) IS NOT (NEW.special_kind IS NULL)
                BEGIN
                    UPDATE case_figure_day SET count = count - 1
                        WHERE measure = 'received' AND day = ifnull(date(OLD.opened_at, '+8 hours'), '')
                            AND channel = OLD.channel AND enterprise_type = OLD.enterprise_type
                            AND stage = iif(OLD.special_kind IS NULL, '', 'special');
                    INSERT INTO case_figure_day VALUES
                        (ifnull(date(NEW.opened_at, '+8 hours'), ''), 'received', NEW.channel, NEW.enterprise_type,
                            iif(NEW.special_kind IS NULL, '', 'special'), 1)
                        ON CONFLICT DO UPDATE SET count = count + 1;
                END;

                CREATE TRIGGER case_figure_day_accepted_moves AFTER UPDATE OF channel, enterprise_type
                    ON registration_case
                    WHEN OLD.channel IS NOT NEW.channel OR OLD.enterprise_type IS NOT NEW.enterprise_type
                BEGIN
                    UPDATE case_figure_day SET count = count - 1
                        WHERE measure = 'accepted' AND channel = OLD.channel AND enterprise_type = OLD.enterprise_type
                            AND stage = '' AND day = (
                                SELECT ifnull(date(at, 'unixepoch', '+8 hours'), '') FROM case_event
                                WHERE case_id = OLD.id AND transition = 'accept' ORDER BY sequence LIMIT 1);
                    INSERT INTO case_figure_day
                        SELECT ifnull(date(at, 'unixepoch', '+8 hours'), ''), 'accepted', NEW.channel, NEW.enterprise_type, '', 1
                        FROM (SELECT at FROM case_event WHERE case_id = NEW.id AND transition = 'accept'
                            ORDER BY sequence LIMIT 1)
                        WHERE true
                        ON CONFLICT DO UPDATE SET count = count + 1;
                END;

                CREATE TRIGGER case_figure_day_closed AFTER UPDATE OF closed_at, stage, channel, enterprise_type
                    ON registration_case
                    WHEN (OLD.closed_at IS NOT NULL OR NEW.closed_at IS NOT NULL) AND (
                        OLD.closed_at IS NOT NEW.closed_at OR OLD.stage IS NOT NEW.stage
                        OR OLD.channel IS NOT NEW.channel OR OLD.enterprise_type IS NOT NEW.enterprise_type)
                BEGIN
                    UPDATE case_figure_day SET count = count - 1
                        WHERE OLD.closed_at IS NOT NULL AND measure = 'closed'
                            AND day = ifnull(date(OLD.closed_at, '+8 hours'), '') AND channel = OLD.channel
                            AND enterprise_type = OLD.enterprise_type AND stage = OLD.stage;
                    INSERT INTO case_figure_day
                        SELECT ifnull(date(NEW.closed_at, '+8 hours'), ''), 'closed', NEW.channel, NEW.enterprise_type,
                            NEW.stage, 1
                        WHERE NEW.closed_at IS NOT NULL
                        ON CONFLICT DO UPDATE SET count = count + 1;
                END;

                CREATE TRIGGER case_figure_day_first_accept AFTER INSERT ON case_event
                    WHEN NEW.transition = 'accept' AND NOT EXISTS (
                        SELECT 1 FROM case_event
                        WHERE case_id = NEW.case_id AND transition = 'accept' AND sequence < NEW.sequence)
                BEGIN
                    INSERT INTO case_figure_day
                        SELECT ifnull(date(NEW.at, 'unixepoch', '+8 hours'), ''), 'accepted', channel, enterprise_type, '', 1
                        FROM registration_case WHERE id = NEW.case_id
                        ON CONFLICT DO UPDATE SET count = count + 1;
                END;
                """)
        try db.execute(sql: "INSERT INTO case_figure_day " + CaseStore.figureDaysSQL(bounded: false))
    }
}
