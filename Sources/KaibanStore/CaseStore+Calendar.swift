import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    /// Records the years of a holiday-notice file that the calendar does not know yet (each kept
    /// with `reason`), remembering the file's text. A year already known is never replaced from a
    /// file: a correction is a supervisor's act with a reason (`importCalendar(replace:)`), since
    /// it changes figures of time already spent.
    package func loadHolidayYears(_ years: [HolidayYear], source: ReferenceSource, reason: String, at now: Date)
        throws
    {
        try write { db in
            for year in years {
                let known = try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM calendar_year WHERE year = ?)", arguments: [year.year])
                if known == true { continue }
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

    /// Takes in a hall's office hours from its seed file, as the version in force from the start,
    /// when the hall has none yet. Hours already kept are never replaced from a file: a change
    /// applies from a date on, as a supervisor's act (``addOfficeHours(_:source:reason:by:at:)``).
    package func loadOfficeHours(_ hours: OfficeHours, source: ReferenceSource, reason: String, at now: Date) throws {
        try write { db in
            let known = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM office_hours_version WHERE hall = ?)", arguments: [hours.hall])
            if known != true {
                let version = OfficeHoursVersion(effectiveFrom: OfficeHoursVersion.beginning, hours: hours)
                try insert(version, source: Self.fileName(source), reason: reason, by: nil, at: now, db)
            }
            try recordReference(source, db)
        }
    }

    /// Adds a version of a hall's office hours in force from its date on. A second version for a
    /// date not yet come (by `now`'s hall date) corrects the first, which is kept beside it (the
    /// history is append-only; the later recorded stands); one for a date already in force is
    /// refused: time spent under it stays measured with it.
    package func addOfficeHours(
        _ version: OfficeHoursVersion, source: String, reason: String, by clerk: String, at now: Date
    ) throws -> CalendarChange {
        try write { db in
            let exists = try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM office_hours_version WHERE hall = ? AND effective_from = ?)",
                arguments: [version.hours.hall, version.effectiveFrom.description])
            if exists == true, version.effectiveFrom <= HallTime.localDate(of: now) {
                throw StoreError.officeHoursExist(hall: version.hours.hall, from: version.effectiveFrom.description)
            }
            return try insert(
                version, source: source, reason: reason, by: clerk, at: now, correcting: exists == true, db)
        }
    }

    @discardableResult
    func insert(
        _ version: OfficeHoursVersion, source: String, reason: String, by clerk: String?, at now: Date,
        correcting: Bool = false, _ db: Database
    ) throws -> CalendarChange {
        try db.execute(
            sql: """
                INSERT INTO office_hours_version (hall, effective_from, data_json, source, recorded_at, recorded_by,
                    reason, revision)
                VALUES (?, ?, ?, ?, ?, ?, ?,
                    (SELECT COUNT(*) FROM office_hours_version WHERE hall = ?1 AND effective_from = ?2))
                """,
            arguments: [
                version.hours.hall, version.effectiveFrom.description, try Self.json(version.hours), source, now, clerk,
                reason,
            ])
        let change = CalendarChange(
            at: now, subject: "office-hours \(version.hours.hall) \(version.effectiveFrom)",
            change: correcting ? "corrected" : "added", reason: reason, by: clerk)
        try record(change, db)
        return change
    }

    /// Every version of a hall's office hours, oldest first.
    package func officeHoursHistory(hall: String) throws -> [OfficeHoursRecord] {
        try read { db in try officeHoursHistory(hall: hall, db) }
    }

    func officeHoursHistory(hall: String, _ db: Database) throws -> [OfficeHoursRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT effective_from, data_json, source, recorded_at, recorded_by, reason FROM office_hours_version
                WHERE hall = ? ORDER BY effective_from, revision
                """, arguments: [hall]
        ).map { row in
            let text: String = row["effective_from"]
            guard let from = CivilDate(text) else {
                throw StoreError.storage("office hours of \(hall): unreadable date \(text)")
            }
            return OfficeHoursRecord(
                version: OfficeHoursVersion(
                    effectiveFrom: from, hours: try Self.decode(OfficeHours.self, row["data_json"])),
                source: row["source"], recordedAt: row["recorded_at"], recordedBy: row["recorded_by"],
                reason: row["reason"])
        }
    }

    /// The hall's working calendar from the years and office hours stored.
    package func workingCalendar(hall: String) throws -> WorkingCalendar {
        try read { db in
            let years = try String.fetchAll(db, sql: "SELECT data_json FROM calendar_year ORDER BY year")
                .map { try Self.decode(HolidayYear.self, $0) }
            let versions = try officeHoursHistory(hall: hall, db).map(\.version)
            guard !versions.isEmpty else { throw StoreError.noOfficeHours(hall) }
            var calendar = WorkingCalendar(years: years, officeHours: versions)
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
