extension PostgresMigrations {
    /// 寄递办 (version 7), as the SQLite store keeps it: each mail case's posts as they stand
    /// (derived from the history, rewritten with every step): since when it waits for its
    /// documents to arrive (its intake, while they are in the post), when they arrived, since when
    /// its licence waits to be posted (its issue, until a post carries it), and when it was
    /// posted; to whole seconds, as SQLite keeps them. No row to fill from earlier cases: before
    /// this version, PostgreSQL took in no mail case.
    static let mail: [PostgresMigration] = [
        PostgresMigration(
            version: 7, name: "mail",
            statements: [
                """
                CREATE TABLE case_mail (
                    case_id bigint PRIMARY KEY REFERENCES registration_case (id) ON DELETE RESTRICT,
                    inbound_waiting_since timestamptz,
                    received_at timestamptz,
                    licence_waiting_since timestamptz,
                    licence_posted_at timestamptz
                )
                """,
                // The two waits, each read in order through its partial index.
                """
                CREATE INDEX case_mail_inbound_waiting ON case_mail (inbound_waiting_since, case_id)
                    WHERE inbound_waiting_since IS NOT NULL
                """,
                """
                CREATE INDEX case_mail_licence_waiting ON case_mail (licence_waiting_since, case_id)
                    WHERE licence_waiting_since IS NOT NULL
                """,
                // The posts in and out of a period (the figures by channel), as on SQLite.
                "CREATE INDEX case_mail_received ON case_mail (received_at) WHERE received_at IS NOT NULL",
                """
                CREATE INDEX case_mail_licence_posted ON case_mail (licence_posted_at)
                    WHERE licence_posted_at IS NOT NULL
                """,
            ])
    ]
}
