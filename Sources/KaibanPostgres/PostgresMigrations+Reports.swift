extension PostgresMigrations {
    /// The supervisors' figures (version 12), as the SQLite store keeps them (its migrations 4, 21,
    /// 22, 26 and 27): every report reads through an index, never every case of a month.
    /// - `case_figure_day`: the counts by local day (the date in Asia/Shanghai of the instant), kept
    ///   by triggers in the same transaction as every change of a case row or of a history, so that
    ///   a month's counts read some hundred rows; each hall's apart (summed by the reports), as
    ///   its case numbers are, so that halls counting at once never wait for each other: `received` by the day of intake,
    ///   channel, enterprise type and `special` (a 特殊办 case) or empty; `closed` by the day of
    ///   closing, channel, type and closing stage; `accepted` by the day of the case's first
    ///   `accept` step, channel and type. Counts follow a case whose channel, type, stage or
    ///   instants change; the rows are derived (from the case rows and the history).
    /// - the report index on closing instant and stage, covering what the SLA report reads but the
    ///   clock segments (it takes the place of the plain index on closing instant);
    /// - the history's steps by transition and instant (the returns for correction of a period).
    ///
    /// (The outbound cross-province cases are counted through the exchange's own index on direction
    /// and opening instant, the posts through the mail's on their instants.)
    static let reports: [PostgresMigration] = [
        PostgresMigration(
            version: 12, name: "reports",
            statements: [
                """
                CREATE TABLE case_figure_day (
                    day date NOT NULL,
                    measure text NOT NULL CHECK (measure IN ('received', 'accepted', 'closed')),
                    channel text NOT NULL,
                    enterprise_type text NOT NULL,
                    stage text NOT NULL,
                    count integer NOT NULL,
                    hall text NOT NULL,
                    PRIMARY KEY (measure, day, channel, enterprise_type, stage, hall)
                )
                """,
                // The hall's local day of an instant (UTC+8 all year since 1991).
                """
                CREATE FUNCTION kaiban_figure_local_day(instant timestamptz) RETURNS date
                    LANGUAGE sql STABLE AS $$ SELECT (instant AT TIME ZONE 'Asia/Shanghai')::date $$
                """,
                // Adds `delta` to a day's count of a hall; the row stays locked to the end of the
                // transaction, so two servers counting the same row take turns (and two halls,
                // each counting its own rows, never wait for each other).
                """
                CREATE FUNCTION kaiban_figure_add(
                    figure_day date, figure_measure text, figure_channel text, figure_type text, figure_stage text,
                    figure_hall text, delta integer
                ) RETURNS void LANGUAGE sql AS $$
                    INSERT INTO case_figure_day AS f (day, measure, channel, enterprise_type, stage, hall, count)
                    VALUES (figure_day, figure_measure, figure_channel, figure_type, figure_stage, figure_hall, delta)
                    ON CONFLICT (measure, day, channel, enterprise_type, stage, hall)
                        DO UPDATE SET count = f.count + delta
                $$
                """,
                // A case row's counts: added when it is written, moved when its hall, instants,
                // channel, type, stage or 特殊办 change, taken away when it is deleted.
                """
                CREATE FUNCTION kaiban_figure_case() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    first_accept timestamptz;
                BEGIN
                    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE'
                        AND (OLD.hall, OLD.opened_at, OLD.channel, OLD.enterprise_type, OLD.special_kind IS NULL)
                        IS DISTINCT FROM (NEW.hall, NEW.opened_at, NEW.channel, NEW.enterprise_type,
                            NEW.special_kind IS NULL))
                    THEN
                        PERFORM kaiban_figure_add(kaiban_figure_local_day(OLD.opened_at), 'received', OLD.channel,
                            OLD.enterprise_type, CASE WHEN OLD.special_kind IS NULL THEN '' ELSE 'special' END,
                            OLD.hall, -1);
                        IF TG_OP = 'UPDATE' THEN
                            PERFORM kaiban_figure_add(kaiban_figure_local_day(NEW.opened_at), 'received', NEW.channel,
                                NEW.enterprise_type, CASE WHEN NEW.special_kind IS NULL THEN '' ELSE 'special' END,
                                NEW.hall, 1);
                        END IF;
                    ELSIF TG_OP = 'INSERT' THEN
                        PERFORM kaiban_figure_add(kaiban_figure_local_day(NEW.opened_at), 'received', NEW.channel,
                            NEW.enterprise_type, CASE WHEN NEW.special_kind IS NULL THEN '' ELSE 'special' END,
                            NEW.hall, 1);
                    END IF;
                    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.hall, OLD.channel, OLD.enterprise_type)
                        IS DISTINCT FROM (NEW.hall, NEW.channel, NEW.enterprise_type))
                    THEN
                        SELECT at INTO first_accept FROM case_event
                        WHERE case_id = OLD.id AND transition = 'accept' ORDER BY sequence LIMIT 1;
                        IF FOUND THEN
                            PERFORM kaiban_figure_add(kaiban_figure_local_day(first_accept), 'accepted', OLD.channel,
                                OLD.enterprise_type, '', OLD.hall, -1);
                            IF TG_OP = 'UPDATE' THEN
                                PERFORM kaiban_figure_add(kaiban_figure_local_day(first_accept), 'accepted',
                                    NEW.channel, NEW.enterprise_type, '', NEW.hall, 1);
                            END IF;
                        END IF;
                    END IF;
                    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE'
                        AND (OLD.hall, OLD.closed_at, OLD.stage, OLD.channel, OLD.enterprise_type)
                        IS DISTINCT FROM (NEW.hall, NEW.closed_at, NEW.stage, NEW.channel, NEW.enterprise_type))
                    THEN
                        IF OLD.closed_at IS NOT NULL THEN
                            PERFORM kaiban_figure_add(kaiban_figure_local_day(OLD.closed_at), 'closed', OLD.channel,
                                OLD.enterprise_type, OLD.stage, OLD.hall, -1);
                        END IF;
                    END IF;
                    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE'
                        AND (OLD.hall, OLD.closed_at, OLD.stage, OLD.channel, OLD.enterprise_type)
                        IS DISTINCT FROM (NEW.hall, NEW.closed_at, NEW.stage, NEW.channel, NEW.enterprise_type))
                    THEN
                        IF NEW.closed_at IS NOT NULL THEN
                            PERFORM kaiban_figure_add(kaiban_figure_local_day(NEW.closed_at), 'closed', NEW.channel,
                                NEW.enterprise_type, NEW.stage, NEW.hall, 1);
                        END IF;
                    END IF;
                    RETURN NULL;
                END
                $$
                """,
                "CREATE TRIGGER case_figure_day_insert AFTER INSERT ON registration_case "
                    + "FOR EACH ROW EXECUTE FUNCTION kaiban_figure_case()",
                "CREATE TRIGGER case_figure_day_delete AFTER DELETE ON registration_case "
                    + "FOR EACH ROW EXECUTE FUNCTION kaiban_figure_case()",
                // A step rewrites the row's stage and closing instant every time: the function is
                // called only when a counted column changed.
                """
                CREATE TRIGGER case_figure_day_update
                    AFTER UPDATE OF hall, opened_at, channel, enterprise_type, special_kind, closed_at, stage
                    ON registration_case FOR EACH ROW
                    WHEN ((OLD.hall, OLD.opened_at, OLD.channel, OLD.enterprise_type, OLD.special_kind IS NULL,
                        OLD.closed_at, OLD.stage) IS DISTINCT FROM (NEW.hall, NEW.opened_at, NEW.channel,
                        NEW.enterprise_type, NEW.special_kind IS NULL, NEW.closed_at, NEW.stage))
                    EXECUTE FUNCTION kaiban_figure_case()
                """,
                // A case's first `accept` step counts it as accepted on that step's day.
                """
                CREATE FUNCTION kaiban_figure_first_accept() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NOT EXISTS (
                        SELECT 1 FROM case_event
                        WHERE case_id = NEW.case_id AND transition = 'accept' AND sequence < NEW.sequence)
                    THEN
                        PERFORM kaiban_figure_add(kaiban_figure_local_day(NEW.at), 'accepted', c.channel,
                            c.enterprise_type, '', c.hall, 1)
                        FROM registration_case c WHERE c.id = NEW.case_id;
                    END IF;
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER case_figure_day_first_accept AFTER INSERT ON case_event
                    FOR EACH ROW WHEN (NEW.transition = 'accept') EXECUTE FUNCTION kaiban_figure_first_accept()
                """,
                // The counts of the cases already there (the triggers, made first, hold the tables
                // against writes until this commits, so none is counted twice or missed).
                """
                INSERT INTO case_figure_day (day, measure, channel, enterprise_type, stage, hall, count)
                SELECT kaiban_figure_local_day(opened_at), 'received', channel, enterprise_type,
                        CASE WHEN special_kind IS NULL THEN '' ELSE 'special' END, hall, count(*)
                    FROM registration_case GROUP BY 1, 3, 4, 5, 6
                UNION ALL
                SELECT kaiban_figure_local_day(closed_at), 'closed', channel, enterprise_type, stage, hall, count(*)
                    FROM registration_case WHERE closed_at IS NOT NULL GROUP BY 1, 3, 4, 5, 6
                UNION ALL
                SELECT kaiban_figure_local_day(e.at), 'accepted', c.channel, c.enterprise_type, '', c.hall, count(*)
                    FROM case_event e JOIN registration_case c ON c.id = e.case_id
                    WHERE e.transition = 'accept' AND NOT EXISTS (
                        SELECT 1 FROM case_event f
                        WHERE f.case_id = e.case_id AND f.transition = 'accept' AND f.sequence < e.sequence)
                    GROUP BY 1, 3, 4, 6
                """,
                // The SLA report's and the dashboard's read: closed cases by closing instant and
                // stage, the report's columns in the index (the clock segments, read by stage only,
                // from the rows). It serves every read by closing instant.
                "DROP INDEX IF EXISTS registration_case_closed",
                """
                CREATE INDEX registration_case_report ON registration_case (closed_at, stage)
                    INCLUDE (channel, enterprise_type, opened_by, workflow_id, workflow_version, government_minutes)
                    WHERE closed_at IS NOT NULL
                """,
                "CREATE INDEX case_event_by_transition ON case_event (transition, at, case_id)",
            ])
    ]
}
