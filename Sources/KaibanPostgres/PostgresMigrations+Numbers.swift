extension PostgresMigrations {
    /// Version 13: a hall's day takes as many case numbers as it needs, as on SQLite (the number
    /// is written with more than four digits only when needed); version 1 had stopped at 9,999.
    static let numbers: [PostgresMigration] = [
        PostgresMigration(
            version: 13, name: "case-numbers-unbounded",
            statements: [
                "ALTER TABLE case_number_counter DROP CONSTRAINT case_number_counter_last_check",
                "ALTER TABLE case_number_counter ADD CONSTRAINT case_number_counter_last_check CHECK (last >= 1)",
            ])
    ]
}
