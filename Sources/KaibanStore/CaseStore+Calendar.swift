import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Records the years of a holiday-notice file (added or replaced; unchanged years are left
    /// alone), remembering the file's text. Every change is kept with `reason`.
    package func loadHolidayYears(_ years: [HolidayYear], source: ReferenceSource, reason: String, at now: Date)
        throws
    {
        try write { db in
            for year in years {
                try upsert(year, source: Self.fileName(source), reason: reason, by: nil, at: now, db)
            }
            try recordReference(source, db)
        }
    }

    /// Adds years from a notice a clerk imports. A year already known with other dates is refused
    /// unless `replace` is set.
    package func importCalendar(
        _ years: [HolidayYear], source: String, replace: Bool, reason: String, by clerk: String, at now: Date
    ) throws -> [CalendarChange] {
        try write { db in
            var changes: [CalendarChange] = []
            for year in years {
                if !replace,
                    let stored = try String.fetchOne(
                        db, sql: "SELECT data_json FROM calendar_year WHERE year = ?", arguments: [year.year]),
                    !Self.holds(stored, year)
                {
                    throw StoreError.calendarYearExists(year.year)
                }
                if let change = try upsert(year, source: source, reason: reason, by: clerk, at: now, db) {
                    changes.append(change)
                }
            }
            return changes
        }
    }

    @discardableResult
    func upsert(_ year: HolidayYear, source: String, reason: String, by clerk: String?, at now: Date, _ db: Database)
        throws -> CalendarChange?
    {
        let json = try Self.json(year)
        let stored = try String.fetchOne(
            db, sql: "SELECT data_json FROM calendar_year WHERE year = ?", arguments: [year.year])
        guard !Self.holds(stored, year) else { return nil }
        try db.execute(
            sql: """
                INSERT INTO calendar_year (year, notice, data_json, source, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(year) DO UPDATE SET notice = excluded.notice, data_json = excluded.data_json,
                    source = excluded.source, loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by
                """, arguments: [year.year, year.notice, json, source, now, clerk])
        let change = CalendarChange(
            at: now, subject: "\(year.year)", change: stored == nil ? "added" : "replaced", reason: reason, by: clerk)
        try record(change, db)
        return change
    }

    func record(_ change: CalendarChange, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO calendar_change (at, subject, change, reason, by) VALUES (?, ?, ?, ?, ?)",
            arguments: [change.at, change.subject, change.change, change.reason, change.by])
    }

    /// Records a hall's office hours read from `source` (a change is kept with its reason).
    package func loadOfficeHours(_ hours: OfficeHours, source: ReferenceSource, reason: String, at now: Date) throws {
        try write { db in
            let json = try Self.json(hours)
            let stored = try String.fetchOne(
                db, sql: "SELECT data_json FROM office_hours WHERE hall = ?", arguments: [hours.hall])
            if stored.flatMap({ try? Self.decode(OfficeHours.self, $0) }) != hours {
                try db.execute(
                    sql: """
                        INSERT INTO office_hours (hall, data_json, source, loaded_at) VALUES (?, ?, ?, ?)
                        ON CONFLICT(hall) DO UPDATE SET data_json = excluded.data_json, source = excluded.source,
                            loaded_at = excluded.loaded_at
                        """, arguments: [hours.hall, json, Self.fileName(source), now])
                try record(
                    CalendarChange(
                        at: now, subject: "office-hours \(hours.hall)", change: stored == nil ? "added" : "replaced",
                        reason: reason, by: nil), db)
            }
            try recordReference(source, db)
        }
    }

    /// The hall's working calendar from the years and office hours stored.
    package func workingCalendar(hall: String) throws -> WorkingCalendar {
        try read { db in
            let years = try String.fetchAll(db, sql: "SELECT data_json FROM calendar_year ORDER BY year")
                .map { try Self.decode(HolidayYear.self, $0) }
            guard
                let hoursJSON = try String.fetchOne(
                    db, sql: "SELECT data_json FROM office_hours WHERE hall = ?", arguments: [hall])
            else { throw StoreError.noOfficeHours(hall) }
            var calendar = WorkingCalendar(years: years, officeHours: try Self.decode(OfficeHours.self, hoursJSON))
            calendar.revision = try Self.calendarRevision(db)
            return calendar
        }
    }

    /// The stored calendar's revision: the number of changes recorded.
    static func calendarRevision(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM calendar_change")) ?? 0
    }

    /// Whether a stored year already holds `year`'s dates (compared as values: earlier versions
    /// stored dates in another JSON form).
    static func holds(_ stored: String?, _ year: HolidayYear) -> Bool {
        guard let stored, let value = try? decode(HolidayYear.self, stored) else { return false }
        return value == year
    }

    /// The known years and their sources.
    package func calendarYears() throws -> [CalendarYearInfo] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT year, notice, source, loaded_at, loaded_by FROM calendar_year ORDER BY year"
            )
            .map {
                CalendarYearInfo(
                    year: $0["year"], notice: $0["notice"], source: $0["source"], loadedAt: $0["loaded_at"],
                    loadedBy: $0["loaded_by"])
            }
        }
    }

    /// Every change to the calendar, oldest first.
    package func calendarChanges() throws -> [CalendarChange] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM calendar_change ORDER BY id").map {
                CalendarChange(
                    at: $0["at"], subject: $0["subject"], change: $0["change"], reason: $0["reason"], by: $0["by"])
            }
        }
    }
}
