import GRDB

extension KaibanMigrations {
    /// Documents' files attached through a portal: per case and document code (a document is
    /// received once), the file's SHA-256 (its name in the data directory), size and media type
    /// (by its first bytes), the name the portal gave it, when it was received, through which
    /// portal, and the event of the history that records it. Rows are written with that event,
    /// after the file is kept, and never changed or deleted.
    static func attachments(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE attachment (
                    case_id INTEGER NOT NULL REFERENCES registration_case(id) ON DELETE RESTRICT,
                    code TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    media_type TEXT NOT NULL,
                    file_name TEXT,
                    received_at INTEGER NOT NULL,
                    portal_id TEXT NOT NULL REFERENCES portal(id) ON DELETE RESTRICT,
                    supplied INTEGER NOT NULL,
                    sequence INTEGER NOT NULL,
                    PRIMARY KEY (case_id, code)
                ) WITHOUT ROWID;
                CREATE INDEX attachment_by_sha256 ON attachment(sha256);
                CREATE TRIGGER attachment_no_update BEFORE UPDATE ON attachment
                BEGIN SELECT RAISE(ABORT, 'attachments are never changed'); END;
                CREATE TRIGGER attachment_no_delete BEFORE DELETE ON attachment
                BEGIN SELECT RAISE(ABORT, 'attachments are never deleted'); END;
                """)
    }
}
