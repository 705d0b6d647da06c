import GRDB

extension KaibanMigrations {
    /// The stored schedules (government minutes, what is left, when due) were sums of each
    /// stretch's minutes rounded down, which lost up to a minute a stretch; the clock now adds
    /// seconds and rounds once (``WorkingTime``). Marking them out of date makes the next desk
    /// recompute every case's (``CaseStore/refreshSchedules(clock:)``), as a calendar change does.
    static func schedulesInSeconds(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM store_meta WHERE key = 'schedule-calendar'")
    }
}
