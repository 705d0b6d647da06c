import GRDB

extension KaibanMigrations {
    /// A case's state is the fold of its history, read through the history's primary key; the
    /// projection row keeps only the columns that queries read. The JSON copy of every case (half
    /// of the file, re-encoded at every step) goes.
    static func historyIsTheState(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE registration_case DROP COLUMN state_json")
    }
}
