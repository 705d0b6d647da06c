import GRDB

extension KaibanMigrations {
    /// 寄递办: each mail case's posts as they stand (derived from the history, rebuilt by `admin
    /// rebuild`): since when it waits for its documents to arrive (its intake, while they are in
    /// the post), when they arrived, since when its licence waits to be posted (its issue, until a
    /// post carries it), and when it was posted. The two waits are read through partial indexes.
    static func mail(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE case_mail (
                    case_id INTEGER PRIMARY KEY REFERENCES registration_case(id) ON DELETE RESTRICT,
                    inbound_waiting_since INTEGER,
                    received_at INTEGER,
                    licence_waiting_since INTEGER,
                    licence_posted_at INTEGER
                );
                CREATE INDEX case_mail_inbound_waiting ON case_mail(inbound_waiting_since, case_id)
                    WHERE inbound_waiting_since IS NOT NULL;
                CREATE INDEX case_mail_licence_waiting ON case_mail(licence_waiting_since, case_id)
                    WHERE licence_waiting_since IS NOT NULL;
                """)
        try backfillMail(db)
    }

    /// The rows of the cases taken in before posts were recorded, as a rebuild derives them from
    /// their histories (which hold no post): mail cases still in the post wait for their
    /// documents since their intake; mail cases licensed (and not revoked) wait for their licence
    /// to be posted since its issue.
    static func backfillMail(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO case_mail (case_id, inbound_waiting_since)
                    SELECT id, CAST(strftime('%s', opened_at) AS INTEGER) FROM registration_case
                    WHERE channel = 'mail' AND closed_at IS NULL AND stage = 'in-transit';
                INSERT INTO case_mail (case_id, licence_waiting_since)
                    SELECT c.id, CAST(strftime('%s', k.issued_at) AS INTEGER)
                    FROM registration_case c JOIN credit_code k ON k.case_number = c.number
                    WHERE c.channel = 'mail' AND c.stage <> 'revoked';
                """)
    }
}
