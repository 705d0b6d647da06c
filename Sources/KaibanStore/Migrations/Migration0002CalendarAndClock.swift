import GRDB

extension KaibanMigrations {
    /// The working calendar (holiday notices by year, the hall's office hours, and every change
    /// to them with its reason) and each case's clock segments for SLA figures.
    static func calendarAndClock(_ db: Database) throws {
        try db.create(table: "calendar_year") { t in
            t.primaryKey("year", .integer)
            t.column("notice", .text).notNull()
            t.column("data_json", .text).notNull()
            t.column("source", .text).notNull()
            t.column("loaded_at", .datetime).notNull()
            t.column("loaded_by", .text)
        }
        try db.create(table: "office_hours") { t in
            t.primaryKey("hall", .text)
            t.column("data_json", .text).notNull()
            t.column("source", .text).notNull()
            t.column("loaded_at", .datetime).notNull()
        }
        // Source files already read, by content, so that unchanged files are not parsed again.
        try db.create(table: "calendar_file") { t in
            t.primaryKey("name", .text)
            t.column("text", .text).notNull()
        }
        try db.create(table: "calendar_change") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("at", .datetime).notNull()
            t.column("subject", .text).notNull()
            t.column("change", .text).notNull()
            t.column("reason", .text).notNull()
            t.column("by", .text)
        }
        try db.alter(table: "registration_case") { t in
            t.add(column: "clock_segments", .text).notNull().defaults(to: "")
        }
    }
}
