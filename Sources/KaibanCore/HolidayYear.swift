import Foundation

/// One year of the State Council's holiday notice (国务院办公厅关于20XX年部分节假日安排的通知):
/// statutory holidays and the weekend days made working days (调休).
public struct HolidayYear: Sendable, Equatable, Codable {
    /// A holiday period, both ends included.
    public struct Holiday: Sendable, Equatable, Codable {
        public var name: LocalizedText
        public var from: CivilDate
        public var to: CivilDate

        public init(name: LocalizedText, from: CivilDate, to: CivilDate) {
            self.name = name
            self.from = from
            self.to = to
        }
    }

    /// A weekend day worked in exchange for a holiday.
    public struct MakeUpDay: Sendable, Equatable, Codable {
        public var date: CivilDate
        /// The holiday it makes up for.
        public var holiday: LocalizedText

        public init(date: CivilDate, holiday: LocalizedText) {
            self.date = date
            self.holiday = holiday
        }
    }

    public var year: Int
    /// The title of the notice the dates come from.
    public var notice: String
    public var holidays: [Holiday]
    public var makeUpDays: [MakeUpDay]

    public init(year: Int, notice: String, holidays: [Holiday], makeUpDays: [MakeUpDay]) {
        self.year = year
        self.notice = notice
        self.holidays = holidays
        self.makeUpDays = makeUpDays
    }

    /// What is inconsistent in the year, as messages (empty when sound). `checkingStatutory` false
    /// leaves out the statutory days off a notice misses (``missingStatutoryDays()``): a
    /// supervisor's override, for a notice that follows a change of the law the table here does
    /// not know yet, or a table in error.
    public func problems(checkingStatutory: Bool = true) -> [String] {
        var found: [String] = []
        var seen: [CivilDate: String] = [:]
        for holiday in holidays {
            if holiday.from > holiday.to {
                found.append("holiday \(holiday.name.zh): \(holiday.from) is after \(holiday.to)")
            }
            if holiday.from.year != year || holiday.to.year != year {
                found.append("holiday \(holiday.name.zh) \(holiday.from)…\(holiday.to) is not in \(year)")
            }
            var day = HallTime.daysSinceEpoch(holiday.from)
            while day <= HallTime.daysSinceEpoch(holiday.to) {
                let date = HallTime.civilDate(fromDaysSinceEpoch: day)
                if let other = seen.updateValue(holiday.name.zh, forKey: date) {
                    found.append("\(date) is listed twice (\(other), \(holiday.name.zh))")
                }
                day += 1
            }
        }
        for makeUp in makeUpDays {
            if makeUp.date.year != year { found.append("make-up day \(makeUp.date) is not in \(year)") }
            if !WorkingCalendar.isWeekend(makeUp.date) {
                found.append("make-up day \(makeUp.date) is not a weekend day")
            }
            if let other = seen.updateValue("调休", forKey: makeUp.date) {
                found.append(
                    other == "调休"
                        ? "make-up day \(makeUp.date) is listed twice"
                        : "\(makeUp.date) is both \(other) and a make-up working day")
            }
        }
        guard checkingStatutory else { return found }
        for statutory in missingStatutoryDays() {
            found.append(
                "\(statutory.date) (\(statutory.name.zh), a statutory day off) is not among the notice's holidays; every notice keeps it (a supervisor may override this with a reason when the law has changed)"
            )
        }
        return found
    }

    /// The statutory days off (全国年节及纪念日放假办法) that the notice does not list among its
    /// holidays. Every notice keeps them: one that leaves one out is mistyped, and would make a
    /// known holiday a working day for good.
    public func missingStatutoryDays() -> [(date: CivilDate, name: LocalizedText)] {
        var holidayDays = Set<CivilDate>()
        for holiday in holidays where holiday.from <= holiday.to {
            var day = HallTime.daysSinceEpoch(holiday.from)
            while day <= HallTime.daysSinceEpoch(holiday.to) {
                holidayDays.insert(HallTime.civilDate(fromDaysSinceEpoch: day))
                day += 1
            }
        }
        return StatutoryHolidays.days(of: year).filter { !holidayDays.contains($0.date) }
    }
}

/// A hall's office hours, which change with the season (STANDARDS.md §2).
public struct OfficeHours: Sendable, Equatable, Codable {
    /// A stretch of the day when the windows are open, in minutes after midnight.
    public struct Session: Sendable, Equatable, Codable {
        public var start: Int
        public var end: Int

        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
    }

    /// Sessions that apply from one month-day to another (the range may wrap over the new year).
    public struct Season: Sendable, Equatable, Codable {
        public var name: LocalizedText
        /// Month * 100 + day, e.g. 1001 for 1 October.
        public var from: Int
        public var to: Int
        public var sessions: [Session]

        public init(name: LocalizedText, from: Int, to: Int, sessions: [Session]) {
            self.name = name
            self.from = from
            self.to = to
            self.sessions = sessions
        }

        func contains(_ date: CivilDate) -> Bool {
            let key = date.month * 100 + date.day
            return from <= to ? (from...to).contains(key) : key >= from || key <= to
        }
    }

    public var hall: String
    public var name: String
    public var seasons: [Season]

    public init(hall: String, name: String, seasons: [Season]) {
        self.hall = hall
        self.name = name
        self.seasons = seasons
    }

    /// The season of `date` (the first that contains it).
    public func season(of date: CivilDate) -> Season? {
        seasons.first { $0.contains(date) }
    }

    /// What is inconsistent: overlapping or empty sessions, days of the year without a season.
    public func problems() -> [String] {
        var found: [String] = []
        // A month-day that no year has (02-30, 13-01): it had been taken, and covered nothing
        // or ran past the month (from a hostile trial). 02-29 exists in leap years.
        let monthLengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        func exists(_ monthDay: Int) -> Bool {
            let (month, day) = (monthDay / 100, monthDay % 100)
            return (1...12).contains(month) && (1...monthLengths[month - 1]).contains(day)
        }
        for season in seasons {
            for (bound, value) in [("from", season.from), ("to", season.to)] where !exists(value) {
                found.append(
                    "作息“\(season.name.zh)”的\(bound == "from" ? "起始" : "截止")日\(String(format: "%02d-%02d", value / 100, value % 100))不是有效的月-日（season \(season.name.zh): \(bound) is no month-day）"
                )
            }
        }
        for season in seasons {
            var previousEnd = -1
            for session in season.sessions {
                if session.start >= session.end || session.start < previousEnd || session.end > 24 * 60 {
                    found.append(
                        "作息“\(season.name.zh)”的时段须按先后排列、互不重叠、于24:00前结束（season \(season.name.zh): sessions must be in order, not overlap and end by 24:00）"
                    )
                }
                previousEnd = session.end
            }
        }
        var day = HallTime.daysSinceEpoch(CivilDate(uncheckedYear: 2024, month: 1, day: 1))
        var uncovered = false
        var overlapping = false
        for _ in 0..<366 {
            let date = HallTime.civilDate(fromDaysSinceEpoch: day)
            let covering = seasons.filter { $0.contains(date) }
            let monthDay = String(format: "%02d-%02d", date.month, date.day)
            if covering.isEmpty && !uncovered {
                found.append("没有作息季节包括\(monthDay)（no season covers \(monthDay)）")
                uncovered = true
            }
            if covering.count > 1 && !overlapping {
                found.append(
                    "作息季节重叠：\(covering.map(\.name.zh).joined(separator: "、"))都包括\(monthDay)（seasons overlap: \(covering.map(\.name.zh).joined(separator: ", ")) all cover \(monthDay)）"
                )
                overlapping = true
            }
            day += 1
        }
        return found
    }
}

/// Office hours in force from a date on (until the next version's date): a change of hours
/// applies from its date and leaves the time spent before it measured as it was.
public struct OfficeHoursVersion: Sendable, Equatable, Codable {
    public var effectiveFrom: CivilDate
    public var hours: OfficeHours

    public init(effectiveFrom: CivilDate, hours: OfficeHours) {
        self.effectiveFrom = effectiveFrom
        self.hours = hours
    }

    /// The first day the calendar measures: hours in force from the start.
    public static let beginning = CivilDate(uncheckedYear: WorkingCalendar.firstYear, month: 1, day: 1)
}
