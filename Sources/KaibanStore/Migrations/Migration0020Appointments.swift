import GRDB

extension KaibanMigrations {
    /// 预约办: bookings (`appointment`, whose `state` is the one column ever updated, derived from
    /// its append-only `appointment_event`s), the supervisors' capacity settings and the extended
    /// hours (延时服务) they open, both append-only. One open booking per applicant ID per day is a
    /// unique partial index; a portal's idempotency key another.
    static func appointments(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE appointment_capacity (
                    sequence INTEGER PRIMARY KEY,
                    effective_from TEXT NOT NULL,
                    capacity INTEGER NOT NULL CHECK (capacity >= 1),
                    set_by TEXT NOT NULL,
                    set_at INTEGER NOT NULL
                );
                CREATE INDEX appointment_capacity_by_date ON appointment_capacity(effective_from, sequence);
                CREATE TABLE appointment_extension (
                    id INTEGER PRIMARY KEY,
                    date TEXT NOT NULL,
                    start_minute INTEGER NOT NULL,
                    end_minute INTEGER NOT NULL,
                    capacity INTEGER NOT NULL CHECK (capacity >= 1),
                    reason TEXT NOT NULL,
                    opened_by TEXT NOT NULL,
                    opened_at INTEGER NOT NULL
                );
                CREATE INDEX appointment_extension_by_date ON appointment_extension(date);
                CREATE TABLE appointment (
                    id INTEGER PRIMARY KEY,
                    date TEXT NOT NULL,
                    start_minute INTEGER NOT NULL,
                    starts_at INTEGER NOT NULL,
                    extension_id INTEGER REFERENCES appointment_extension(id) ON DELETE RESTRICT,
                    name TEXT NOT NULL,
                    id_number TEXT NOT NULL,
                    phone TEXT NOT NULL,
                    enterprise_name TEXT,
                    portal_id TEXT,
                    key_sha256 TEXT,
                    request_sha256 TEXT,
                    booked_at INTEGER NOT NULL,
                    booked_by TEXT NOT NULL,
                    moved_from INTEGER REFERENCES appointment(id) ON DELETE RESTRICT,
                    state TEXT NOT NULL
                );
                CREATE INDEX appointment_by_slot ON appointment(date, start_minute);
                CREATE UNIQUE INDEX appointment_open_per_applicant ON appointment(id_number, date)
                    WHERE state = 'booked';
                CREATE UNIQUE INDEX appointment_idempotency ON appointment(portal_id, key_sha256)
                    WHERE key_sha256 IS NOT NULL;
                CREATE TABLE appointment_event (
                    sequence INTEGER PRIMARY KEY,
                    appointment_id INTEGER NOT NULL REFERENCES appointment(id) ON DELETE RESTRICT,
                    kind TEXT NOT NULL,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    reason TEXT,
                    case_number TEXT,
                    moved_to INTEGER
                );
                CREATE INDEX appointment_event_by_appointment ON appointment_event(appointment_id, sequence);
                CREATE TRIGGER appointment_fixed BEFORE UPDATE ON appointment
                WHEN NEW.id IS NOT OLD.id OR NEW.date IS NOT OLD.date OR NEW.start_minute IS NOT OLD.start_minute
                    OR NEW.starts_at IS NOT OLD.starts_at OR NEW.id_number IS NOT OLD.id_number
                    OR NEW.name IS NOT OLD.name OR NEW.phone IS NOT OLD.phone OR NEW.portal_id IS NOT OLD.portal_id
                    OR NEW.booked_at IS NOT OLD.booked_at OR NEW.booked_by IS NOT OLD.booked_by
                BEGIN SELECT RAISE(ABORT, 'a booking is kept as made; only its state changes'); END;
                CREATE TRIGGER appointment_no_delete BEFORE DELETE ON appointment
                BEGIN SELECT RAISE(ABORT, 'bookings are kept'); END;
                CREATE TRIGGER appointment_event_no_update BEFORE UPDATE ON appointment_event
                BEGIN SELECT RAISE(ABORT, 'appointment events are append-only'); END;
                CREATE TRIGGER appointment_event_no_delete BEFORE DELETE ON appointment_event
                BEGIN SELECT RAISE(ABORT, 'appointment events are append-only'); END;
                CREATE TRIGGER appointment_capacity_no_update BEFORE UPDATE ON appointment_capacity
                BEGIN SELECT RAISE(ABORT, 'capacity settings are append-only'); END;
                CREATE TRIGGER appointment_capacity_no_delete BEFORE DELETE ON appointment_capacity
                BEGIN SELECT RAISE(ABORT, 'capacity settings are append-only'); END;
                CREATE TRIGGER appointment_extension_no_update BEFORE UPDATE ON appointment_extension
                BEGIN SELECT RAISE(ABORT, 'extended hours are append-only'); END;
                CREATE TRIGGER appointment_extension_no_delete BEFORE DELETE ON appointment_extension
                BEGIN SELECT RAISE(ABORT, 'extended hours are append-only'); END;
                """)
    }
}
