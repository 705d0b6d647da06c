extension PostgresMigrations {
    /// Version 10, 预约办 as the SQLite store keeps it (its migration 20): the supervisors' capacity
    /// settings and the extended hours (延时服务) they open, both append-only; the bookings, whose
    /// state is the one column ever updated (derived from their append-only events, and only while
    /// booked); one open booking per applicant ID per day and a portal's idempotency key each a
    /// unique partial index. Dates are `date`, instants whole seconds (as SQLite keeps them).
    static let appointments: [PostgresMigration] = [
        PostgresMigration(
            version: 10, name: "appointments",
            statements: [
                """
                CREATE TABLE appointment_capacity (
                    sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    effective_from date NOT NULL,
                    capacity integer NOT NULL CHECK (capacity >= 1),
                    set_by text NOT NULL,
                    set_at timestamptz NOT NULL
                )
                """, "CREATE INDEX appointment_capacity_by_date ON appointment_capacity (effective_from, sequence)",
                """
                CREATE TABLE appointment_extension (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    date date NOT NULL,
                    start_minute integer NOT NULL,
                    end_minute integer NOT NULL,
                    capacity integer NOT NULL CHECK (capacity >= 1),
                    reason text NOT NULL,
                    opened_by text NOT NULL,
                    opened_at timestamptz NOT NULL
                )
                """, "CREATE INDEX appointment_extension_by_date ON appointment_extension (date)",
                """
                CREATE TABLE appointment (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    date date NOT NULL,
                    start_minute integer NOT NULL,
                    starts_at timestamptz NOT NULL,
                    extension_id bigint REFERENCES appointment_extension (id) ON DELETE RESTRICT,
                    name text NOT NULL,
                    id_number text NOT NULL,
                    phone text NOT NULL,
                    enterprise_name text,
                    portal_id text,
                    key_sha256 text,
                    request_sha256 text,
                    booked_at timestamptz NOT NULL,
                    booked_by text NOT NULL,
                    moved_from bigint REFERENCES appointment (id) ON DELETE RESTRICT,
                    state text NOT NULL CHECK (state IN ('booked', 'checked-in', 'no-show', 'cancelled', 'moved'))
                )
                """, "CREATE INDEX appointment_by_slot ON appointment (date, start_minute)",
                """
                CREATE UNIQUE INDEX appointment_open_per_applicant ON appointment (id_number, date)
                    WHERE state = 'booked'
                """,
                """
                CREATE UNIQUE INDEX appointment_idempotency ON appointment (portal_id, key_sha256)
                    WHERE key_sha256 IS NOT NULL
                """,
                """
                CREATE TABLE appointment_event (
                    sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    appointment_id bigint NOT NULL REFERENCES appointment (id) ON DELETE RESTRICT,
                    kind text NOT NULL CHECK (kind IN ('booked', 'checked-in', 'cancelled', 'moved')),
                    at timestamptz NOT NULL,
                    actor text NOT NULL,
                    reason text,
                    case_number text,
                    moved_to bigint
                )
                """, "CREATE INDEX appointment_event_by_appointment ON appointment_event (appointment_id, sequence)",
                // A booking is kept as made: only its state changes, and only while it is booked
                // (checked in, cancelled, moved and no-show are final); never deleted.
                """
                CREATE FUNCTION kaiban_refuse_appointment_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'UPDATE' THEN
                        RAISE EXCEPTION 'bookings are kept: % refused', TG_OP USING ERRCODE = 'restrict_violation';
                    END IF;
                    IF (NEW.id, NEW.date, NEW.start_minute, NEW.starts_at, NEW.extension_id, NEW.name, NEW.id_number,
                        NEW.phone, NEW.enterprise_name, NEW.portal_id, NEW.key_sha256, NEW.request_sha256,
                        NEW.booked_at, NEW.booked_by, NEW.moved_from) IS DISTINCT FROM (OLD.id, OLD.date,
                        OLD.start_minute, OLD.starts_at, OLD.extension_id, OLD.name, OLD.id_number, OLD.phone,
                        OLD.enterprise_name, OLD.portal_id, OLD.key_sha256, OLD.request_sha256, OLD.booked_at,
                        OLD.booked_by, OLD.moved_from) THEN
                        RAISE EXCEPTION 'a booking is kept as made; only its state changes'
                            USING ERRCODE = 'restrict_violation';
                    END IF;
                    IF NEW.state IS DISTINCT FROM OLD.state AND OLD.state <> 'booked' THEN
                        RAISE EXCEPTION 'booking % is %: its state is final', OLD.id, OLD.state
                            USING ERRCODE = 'restrict_violation';
                    END IF;
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER appointment_fixed BEFORE UPDATE OR DELETE ON appointment
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_appointment_change()
                """,
                """
                CREATE TRIGGER appointment_no_truncate BEFORE TRUNCATE ON appointment
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_appointment_change()
                """,
                // The events, the capacity settings and the extended hours: append-only.
                """
                CREATE FUNCTION kaiban_refuse_appointment_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                        USING ERRCODE = 'restrict_violation';
                END
                $$
                """,
                """
                CREATE TRIGGER appointment_event_append_only BEFORE UPDATE OR DELETE ON appointment_event
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_appointment_record_change()
                """,
                """
                CREATE TRIGGER appointment_event_no_truncate BEFORE TRUNCATE ON appointment_event
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_appointment_record_change()
                """,
                """
                CREATE TRIGGER appointment_capacity_append_only BEFORE UPDATE OR DELETE ON appointment_capacity
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_appointment_record_change()
                """,
                """
                CREATE TRIGGER appointment_capacity_no_truncate BEFORE TRUNCATE ON appointment_capacity
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_appointment_record_change()
                """,
                """
                CREATE TRIGGER appointment_extension_append_only BEFORE UPDATE OR DELETE ON appointment_extension
                    FOR EACH ROW EXECUTE FUNCTION kaiban_refuse_appointment_record_change()
                """,
                """
                CREATE TRIGGER appointment_extension_no_truncate BEFORE TRUNCATE ON appointment_extension
                    FOR EACH STATEMENT EXECUTE FUNCTION kaiban_refuse_appointment_record_change()
                """,
            ])
    ]
}
