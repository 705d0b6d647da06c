extension PostgresMigrations {
    /// Clerks with their history, clerks' tokens and portals.
    static let clerks: [PostgresMigration] = []
}
