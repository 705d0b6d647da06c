extension PostgresMigrations {
    /// Reference data: workflow definitions, the files read, divisions, calendar, office hours.
    static let referenceData: [PostgresMigration] = []
}
