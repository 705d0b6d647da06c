import GRDB

extension KaibanMigrations {
    /// The 川渝通办 exchange: partners and their keys; inbound messages kept raw with their
    /// receipts (the key of idempotency is sender and message id; append-only); dead letters; the
    /// cross-province cases and their national status history (append-only).
    static func exchange(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE exchange_partner (
                    code TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    endpoint TEXT,
                    added_at INTEGER NOT NULL,
                    added_by TEXT NOT NULL
                );
                CREATE TABLE exchange_partner_key (
                    fingerprint TEXT PRIMARY KEY NOT NULL,
                    partner_code TEXT NOT NULL REFERENCES exchange_partner(code),
                    der BLOB NOT NULL,
                    added_at INTEGER NOT NULL,
                    added_by TEXT NOT NULL
                );
                CREATE INDEX exchange_partner_key_partner ON exchange_partner_key(partner_code);
                CREATE TABLE exchange_inbox (
                    sender_code TEXT NOT NULL,
                    message_id TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    type TEXT NOT NULL,
                    collaboration_number TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),
                    code TEXT,
                    reason TEXT,
                    origin TEXT NOT NULL,
                    raw BLOB NOT NULL,
                    receipt BLOB,
                    PRIMARY KEY (sender_code, message_id)
                ) WITHOUT ROWID;
                CREATE INDEX exchange_inbox_case ON exchange_inbox(collaboration_number, received_at);
                CREATE TRIGGER exchange_inbox_no_update BEFORE UPDATE ON exchange_inbox
                BEGIN SELECT RAISE(ABORT, 'the exchange inbox is append-only'); END;
                CREATE TRIGGER exchange_inbox_no_delete BEFORE DELETE ON exchange_inbox
                BEGIN SELECT RAISE(ABORT, 'the exchange inbox is append-only'); END;
                CREATE TABLE exchange_dead_letter (
                    id INTEGER PRIMARY KEY,
                    received_at INTEGER NOT NULL,
                    origin TEXT NOT NULL,
                    sender_code TEXT,
                    message_id TEXT,
                    digest TEXT NOT NULL,
                    code TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    raw BLOB NOT NULL,
                    receipt BLOB
                );
                CREATE INDEX exchange_dead_letter_received ON exchange_dead_letter(received_at);
                CREATE INDEX exchange_inbox_refused ON exchange_inbox(received_at) WHERE accepted = 0;
                CREATE TABLE exchange_case (
                    collaboration_number TEXT PRIMARY KEY NOT NULL,
                    partner_code TEXT NOT NULL,
                    direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
                    mode TEXT NOT NULL,
                    local_case TEXT,
                    partner_reference TEXT,
                    enterprise_name TEXT NOT NULL,
                    opened_at INTEGER NOT NULL,
                    status INTEGER,
                    status_at INTEGER,
                    licence_json TEXT,
                    reported_events INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX exchange_case_opened ON exchange_case(opened_at);
                CREATE INDEX exchange_case_open ON exchange_case(direction, status);
                CREATE TABLE exchange_outbox (
                    message_id TEXT PRIMARY KEY NOT NULL,
                    partner_code TEXT NOT NULL REFERENCES exchange_partner(code),
                    type TEXT NOT NULL,
                    collaboration_number TEXT NOT NULL,
                    raw BLOB NOT NULL,
                    digest TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'acknowledged', 'rejected', 'failed')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at INTEGER,
                    last_error TEXT,
                    sent_at INTEGER,
                    receipt BLOB,
                    receipt_code TEXT,
                    answered_at INTEGER
                );
                CREATE INDEX exchange_outbox_due ON exchange_outbox(next_attempt_at) WHERE state = 'pending';
                CREATE INDEX exchange_outbox_state ON exchange_outbox(state, created_at);
                CREATE INDEX exchange_outbox_case ON exchange_outbox(collaboration_number, created_at);
                CREATE TRIGGER exchange_outbox_fixed BEFORE UPDATE OF message_id, partner_code, type,
                    collaboration_number, raw, digest, created_at ON exchange_outbox
                BEGIN SELECT RAISE(ABORT, 'an outbound message is never changed once written'); END;
                CREATE TABLE exchange_status (
                    collaboration_number TEXT NOT NULL REFERENCES exchange_case(collaboration_number),
                    seq INTEGER NOT NULL,
                    status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 15),
                    at INTEGER NOT NULL,
                    reason TEXT,
                    source TEXT NOT NULL,
                    made_current INTEGER NOT NULL CHECK (made_current IN (0, 1)),
                    PRIMARY KEY (collaboration_number, seq)
                ) WITHOUT ROWID;
                CREATE TRIGGER exchange_status_no_update BEFORE UPDATE ON exchange_status
                BEGIN SELECT RAISE(ABORT, 'the exchange status history is append-only'); END;
                CREATE TRIGGER exchange_status_no_delete BEFORE DELETE ON exchange_status
                BEGIN SELECT RAISE(ABORT, 'the exchange status history is append-only'); END;
                """)
    }
}
