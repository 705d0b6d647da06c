import GRDB

extension KaibanMigrations {
    /// Definitions, clerks, cases (current state), their append-only history, start-up tasks and
    /// the daily case-number counters.
    static func createCases(_ db: Database) throws {
        try db.create(table: "workflow_definition") { t in
            t.column("workflow_id", .text).notNull()
            t.column("version", .integer).notNull()
            t.column("title", .text).notNull()
            t.column("source_xml", .text).notNull()
            t.column("definition_json", .text).notNull()
            t.column("registered_at", .datetime).notNull()
            t.primaryKey(["workflow_id", "version"])
        }
        try db.create(table: "clerk") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("roles", .text).notNull()
            t.column("active", .boolean).notNull().defaults(to: true)
        }
        try db.create(table: "registration_case") { t in
            t.primaryKey("number", .text)
            t.column("workflow_id", .text).notNull()
            t.column("workflow_version", .integer).notNull()
            t.column("stage", .text).notNull()
            t.column("version", .integer).notNull()
            t.column("channel", .text).notNull()
            t.column("enterprise_type", .text).notNull()
            t.column("proposed_name", .text).notNull()
            t.column("opened_by", .text).notNull()
            t.column("opened_at", .datetime).notNull()
            t.column("updated_at", .datetime).notNull()
            t.column("closed_at", .datetime)
            t.column("state_json", .text).notNull()
            t.foreignKey(["workflow_id", "workflow_version"], references: "workflow_definition")
        }
        // The worklist reads only open cases: partial indexes keep closed ones out of the way.
        try db.execute(
            sql: """
                CREATE INDEX registration_case_open_by_stage
                    ON registration_case(stage, opened_at) WHERE closed_at IS NULL;
                CREATE INDEX registration_case_open
                    ON registration_case(opened_at) WHERE closed_at IS NULL;
                CREATE INDEX registration_case_closed
                    ON registration_case(closed_at) WHERE closed_at IS NOT NULL;
                """)
        try db.create(table: "case_event") { t in
            t.column("case_number", .text).notNull().references("registration_case", onDelete: .restrict)
            t.column("sequence", .integer).notNull()
            t.column("at", .datetime).notNull()
            t.column("kind", .text).notNull()
            t.column("actor", .text).notNull()
            t.column("role", .text)
            t.column("transition", .text)
            t.column("from_stage", .text)
            t.column("to_stage", .text)
            t.column("task", .text)
            t.column("reason", .text)
            t.column("automatic", .boolean).notNull().defaults(to: false)
            // Only the opening event carries data beyond the columns: the application and the
            // workflow version, as JSON.
            t.column("data_json", .text)
            t.primaryKey(["case_number", "sequence"])
        }
        // History is append-only: the database itself refuses edits and deletions.
        try db.execute(
            sql: """
                CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event
                BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;
                CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event
                BEGIN SELECT RAISE(ABORT, 'case history is append-only'); END;
                """)
        try db.create(table: "case_number_counter") { t in
            t.primaryKey("prefix", .text)
            t.column("last", .integer).notNull()
        }
    }
}
