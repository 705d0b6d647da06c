import GRDB

extension KaibanMigrations {
    /// The warnings a portal's submission was answered with (the name's, as JSON), kept beside its
    /// idempotency record so that a retry under the same key gets the same answer, warnings and
    /// all. Submissions recorded before have none (NULL) and are answered without.
    static func submissionWarnings(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE submission ADD COLUMN warnings_json TEXT")
    }
}
