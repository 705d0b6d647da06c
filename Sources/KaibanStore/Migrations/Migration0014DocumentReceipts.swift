import GRDB

extension KaibanMigrations {
    /// Documents received are events of the case's history (kind 3): which document of the
    /// checklist, in what form (paper, electronic, post) and, for a file, its SHA-256.
    static func documentReceipts(_ db: Database) throws {
        try db.execute(
            sql: """
                ALTER TABLE case_event ADD COLUMN document TEXT;
                ALTER TABLE case_event ADD COLUMN document_form TEXT;
                ALTER TABLE case_event ADD COLUMN document_sha256 TEXT;
                """)
    }
}
