import GRDB

extension KaibanMigrations {
    /// One table for the text of every reference file taken in (workflow definitions, holiday
    /// notices, office hours, divisions), so that one mechanism decides what changed. The two
    /// earlier per-kind tables are folded into it.
    static func referenceFiles(_ db: Database) throws {
        try db.create(table: "reference_file") { t in
            t.primaryKey("key", .text)
            t.column("text", .text).notNull()
        }
        try db.execute(
            sql: """
                INSERT INTO reference_file (key, text) SELECT 'calendar:' || name, text FROM calendar_file;
                INSERT INTO reference_file (key, text) SELECT 'divisions:' || name, text FROM division_file;
                DROP TABLE calendar_file;
                DROP TABLE division_file;
                """)
    }
}
