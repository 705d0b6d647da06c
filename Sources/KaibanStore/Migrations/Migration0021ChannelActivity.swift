import GRDB

extension KaibanMigrations {
    /// The counts per channel of a period (`kaiban sla report --by channel`, a month's figures):
    /// cases received by intake instant, and posts in and out by their instants, each read through
    /// an index rather than by scanning the table.
    static func channelActivity(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE INDEX registration_case_received ON registration_case(opened_at, channel, special_kind);
                CREATE INDEX case_mail_received ON case_mail(received_at) WHERE received_at IS NOT NULL;
                CREATE INDEX case_mail_licence_posted ON case_mail(licence_posted_at)
                    WHERE licence_posted_at IS NOT NULL;
                """)
    }
}
