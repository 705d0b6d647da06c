import GRDB

extension KaibanMigrations {
    /// Administrative divisions with validity periods, issued unified social credit codes (unique,
    /// never reused) and the names registered under them.
    static func codesAndNames(_ db: Database) throws {
        try db.create(table: "division") { t in
            t.column("code", .text).notNull()
            t.column("name", .text).notNull()
            t.column("valid_from", .text).notNull()
            t.column("valid_to", .text)
            t.column("note", .text)
            t.primaryKey(["code", "valid_from"])
        }
        try db.create(table: "division_file") { t in
            t.primaryKey("name", .text)
            t.column("text", .text).notNull()
        }
        try db.create(table: "credit_code") { t in
            t.primaryKey("code", .text)
            t.column("case_number", .text).notNull().unique().references("registration_case")
            t.column("issued_at", .datetime).notNull()
        }
        // The last issue number per authority, type and division: codes are never reused.
        try db.create(table: "credit_code_counter") { t in
            t.primaryKey("prefix", .text)
            t.column("last", .integer).notNull()
        }
        try db.create(table: "registered_name") { t in
            t.primaryKey("case_number", .text).references("registration_case")
            t.column("division", .text).notNull()
            t.column("name", .text).notNull()
            t.column("trade_name", .text).notNull()
            t.column("industry", .text).notNull()
        }
        // The same trade name in the same industry cannot be registered twice in one division.
        try db.create(
            index: "registered_name_unique", on: "registered_name", columns: ["division", "trade_name", "industry"],
            options: .unique)
        try db.create(index: "registered_name_by_industry", on: "registered_name", columns: ["division", "industry"])
        try db.alter(table: "registration_case") { t in
            t.add(column: "trade_name", .text).notNull().defaults(to: "")
            t.add(column: "industry", .text).notNull().defaults(to: "")
        }
        try db.alter(table: "case_event") { t in
            t.add(column: "credit_code", .text)
        }
    }
}
