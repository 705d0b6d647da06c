import Foundation

/// A figure of working time and whether it rests on years the calendar does not know
/// (weekends and statutory holidays only there), which makes it provisional.
public struct WorkingTime: Sendable, Equatable, Codable {
    /// Whole working minutes: ``seconds`` rounded down.
    public var minutes: Int { Self.minutes(ofSeconds: seconds) }
    /// Working seconds. Figures over several stretches add these and round once: rounding each
    /// stretch down first would lose up to a minute a stretch (a case bounced ten times would hide
    /// ten minutes, and one that ran past its budget by seconds would read as within it).
    public var seconds: Int
    public var provisional: Bool

    public init(seconds: Int, provisional: Bool) {
        self.seconds = seconds
        self.provisional = provisional
    }

    /// Whole working minutes of `seconds` (rounded down), the one rounding of a summed figure.
    public static func minutes(ofSeconds seconds: Int) -> Int { seconds / 60 }
}

/// An instant computed on the working calendar, provisional when it rests on unknown years.
public struct WorkingInstant: Sendable, Equatable, Codable {
    public var instant: Date
    public var provisional: Bool
}

/// China's working calendar for one hall: weekends off except make-up working days, statutory
/// holidays off, and the hall's seasonal office hours. Cumulative working seconds are
/// precomputed per day, so elapsed time is O(1) and adding time O(log n).
public struct WorkingCalendar: Sendable {
    /// What a day is.
    public enum DayKind: Sendable, Equatable {
        case workday
        case weekend
        case holiday(LocalizedText)
        case makeUpWorkday(LocalizedText)

        public var isWorking: Bool {
            switch self {
            case .workday, .makeUpWorkday: true
            case .weekend, .holiday: false
            }
        }
    }

    /// The first and last day the tables cover.
    public static let firstYear = 2000
    public static let lastYear = 2060

    public let years: [HolidayYear]
    /// The hall's office hours, each version in force from its date, oldest first.
    public let officeHoursVersions: [OfficeHoursVersion]
    /// The latest version's hours (in force now or from a coming date).
    public var officeHours: OfficeHours { officeHoursVersions[officeHoursVersions.count - 1].hours }
    /// The years whose notice is known.
    public let coveredYears: Set<Int>
    /// Which state of the stored calendar this is (the number of changes recorded when it was
    /// read): what was computed with an older revision is out of date.
    public var revision = 0

    let firstDay: Int
    /// cumulative[i]: working seconds from the first day's midnight to day i's midnight.
    let cumulative: [Int]
    /// Index into `daySessions` for each working day; -1 for days off.
    let seasonOfDay: [Int16]
    /// The sessions of every season of every version of the office hours.
    let daySessions: [[OfficeHours.Session]]
    let holidayNames: [Int: LocalizedText]
    let makeUpNames: [Int: LocalizedText]
    /// uncoveredBefore[i]: days before day i in years without a notice (provisional figures).
    let uncoveredBefore: [Int32]

    /// A calendar whose office hours never changed.
    public init(years: [HolidayYear], officeHours: OfficeHours) {
        self.init(
            years: years,
            officeHours: [OfficeHoursVersion(effectiveFrom: OfficeHoursVersion.beginning, hours: officeHours)])
    }

    /// A calendar with office hours that changed over time: each day is measured with the
    /// version in force on it (the latest whose date is not after the day). Days before the
    /// first version use the first version. Of versions for the same date the last given stands
    /// (the stores give them oldest recorded first: a correction made before its date came).
    public init(years: [HolidayYear], officeHours versions: [OfficeHoursVersion]) {
        self.years = years.sorted { $0.year < $1.year }
        var standing: [OfficeHoursVersion] = []
        // `sorted` is stable: among equal dates the order given is kept.
        for version in versions.sorted(by: { $0.effectiveFrom < $1.effectiveFrom }) {
            if standing.last?.effectiveFrom == version.effectiveFrom {
                standing[standing.count - 1] = version
            } else {
                standing.append(version)
            }
        }
        let versions = standing
        self.officeHoursVersions =
            versions.isEmpty
            ? [
                OfficeHoursVersion(
                    effectiveFrom: OfficeHoursVersion.beginning, hours: OfficeHours(hall: "", name: "", seasons: []))
            ] : versions
        coveredYears = Set(years.map(\.year))
        var holidays: [Int: LocalizedText] = [:]
        var makeUps: [Int: LocalizedText] = [:]
        for year in years {
            for holiday in year.holidays {
                for day in HallTime.daysSinceEpoch(
                    holiday.from)...max(HallTime.daysSinceEpoch(holiday.from), HallTime.daysSinceEpoch(holiday.to))
                {
                    holidays[day] = holiday.name
                }
            }
            for makeUp in year.makeUpDays { makeUps[HallTime.daysSinceEpoch(makeUp.date)] = makeUp.holiday }
        }
        // A year without its notice: the statutory days off, which every notice keeps (provisional).
        for year in StatutoryHolidays.firstYear...Self.lastYear where !coveredYears.contains(year) {
            for (date, name) in StatutoryHolidays.days(of: year) {
                holidays[HallTime.daysSinceEpoch(date)] = StatutoryHolidays.withoutNotice(name)
            }
        }
        holidayNames = holidays
        makeUpNames = makeUps
        var sessions: [[OfficeHours.Session]] = []
        var firstSeason: [Int] = []
        var starts: [Int] = []
        for version in officeHoursVersions {
            firstSeason.append(sessions.count)
            starts.append(HallTime.daysSinceEpoch(version.effectiveFrom))
            sessions += version.hours.seasons.map(\.sessions)
        }
        daySessions = sessions
        let first = HallTime.daysSinceEpoch(CivilDate(uncheckedYear: Self.firstYear, month: 1, day: 1))
        let last = HallTime.daysSinceEpoch(CivilDate(uncheckedYear: Self.lastYear, month: 12, day: 31))
        firstDay = first
        var cumulative = [0]
        var uncovered: [Int32] = [0]
        var seasons: [Int16] = []
        cumulative.reserveCapacity(last - first + 2)
        seasons.reserveCapacity(last - first + 1)
        var version = 0
        for day in first...last {
            while version + 1 < starts.count && starts[version + 1] <= day { version += 1 }
            let date = HallTime.civilDate(fromDaysSinceEpoch: day)
            let working = Self.kind(day: day, date: date, holidays: holidays, makeUps: makeUps).isWorking
            let seasonIndex =
                working
                ? officeHoursVersions[version].hours.seasons.firstIndex { $0.contains(date) }.map {
                    firstSeason[version] + $0
                } : nil
            let seconds = seasonIndex.map { sessions[$0].reduce(0) { $0 + ($1.end - $1.start) * 60 } } ?? 0
            seasons.append(Int16(seasonIndex ?? -1))
            cumulative.append((cumulative.last ?? 0) + seconds)
            uncovered.append((uncovered.last ?? 0) + (coveredYears.contains(date.year) ? 0 : 1))
        }
        self.cumulative = cumulative
        self.uncoveredBefore = uncovered
        self.seasonOfDay = seasons
    }

    /// The office hours in force on `date`.
    public func officeHours(on date: CivilDate) -> OfficeHours {
        (officeHoursVersions.last { $0.effectiveFrom <= date } ?? officeHoursVersions[0]).hours
    }

    /// Saturday or Sunday.
    public static func isWeekend(_ date: CivilDate) -> Bool {
        // 1970-01-01 was a Thursday; 0 = Thursday … 2 = Saturday, 3 = Sunday.
        let weekday = ((HallTime.daysSinceEpoch(date) % 7) + 7) % 7
        return weekday == 2 || weekday == 3
    }

    static func kind(day: Int, date: CivilDate, holidays: [Int: LocalizedText], makeUps: [Int: LocalizedText])
        -> DayKind
    {
        if let name = holidays[day] { return .holiday(name) }
        if let name = makeUps[day] { return .makeUpWorkday(name) }
        return isWeekend(date) ? .weekend : .workday
    }

    /// What `date` is.
    public func kind(of date: CivilDate) -> DayKind {
        Self.kind(day: HallTime.daysSinceEpoch(date), date: date, holidays: holidayNames, makeUps: makeUpNames)
    }

    /// The office sessions of `date` (none on a day off).
    public func sessions(on date: CivilDate) -> [OfficeHours.Session] {
        let index = HallTime.daysSinceEpoch(date) - firstDay
        guard seasonOfDay.indices.contains(index), seasonOfDay[index] >= 0 else { return [] }
        return daySessions[Int(seasonOfDay[index])]
    }

    /// Whether every year from `from` to `to` is known.
    public func covers(from: Int, to: Int) -> Bool {
        from > to ? true : (from...to).allSatisfy(coveredYears.contains)
    }

    /// The range of instants the tables can answer for.
    public static var supportedRange: ClosedRange<Date> {
        HallTime.instant(
            CivilDate(uncheckedYear: firstYear, month: 1, day: 1), hour: 0, minute: 0)...HallTime.instant(
                CivilDate(uncheckedYear: lastYear, month: 12, day: 31), hour: 23, minute: 59)
    }

    /// Day index and second of the local day of `instant`, clamped to the tables.
    func position(_ instant: Date) -> (index: Int, second: Int) {
        let local = Int(instant.timeIntervalSince1970.rounded(.down)) + HallTime.offsetSeconds
        let day = Int((Double(local) / 86_400).rounded(.down))
        let index = day - firstDay
        if index < 0 { return (0, 0) }
        if index >= seasonOfDay.count { return (seasonOfDay.count - 1, 86_400) }
        return (index, local - day * 86_400)
    }

    /// Working seconds from the tables' start to `instant`.
    func workingSeconds(upTo instant: Date) -> Int {
        workingSeconds(at: position(instant))
    }

    func workingSeconds(at position: (index: Int, second: Int)) -> Int {
        let (index, second) = position
        var total = cumulative[index]
        let season = seasonOfDay[index]
        if season >= 0 {
            for session in daySessions[Int(season)] {
                total += min(max(second - session.start * 60, 0), (session.end - session.start) * 60)
            }
        }
        return total
    }

    func provisional(_ from: Date, _ to: Date) -> Bool {
        provisional(
            position(min(from, to)).index, position(max(from, to)).index,
            outside: min(from, to) < Self.tableStart || max(from, to) > Self.tableEnd)
    }

    /// Whether days `first…last` include one of a year without a notice (O(1)).
    func provisional(_ first: Int, _ last: Int, outside: Bool) -> Bool {
        outside || uncoveredBefore[last + 1] - uncoveredBefore[first] > 0
    }

    static let tableStart = HallTime.instant(CivilDate(uncheckedYear: firstYear, month: 1, day: 1), hour: 0, minute: 0)
    static let tableEnd = HallTime.instant(CivilDate(uncheckedYear: lastYear + 1, month: 1, day: 1), hour: 0, minute: 0)

    /// Working minutes between two instants (zero when `to` is not after `from`).
    public func elapsed(from: Date, to: Date) -> WorkingTime {
        let (start, end) = to > from ? (from, to) : (to, from)
        let first = position(start)
        let last = position(end)
        let outside = start < Self.tableStart || end > Self.tableEnd
        let seconds = to > from ? workingSeconds(at: last) - workingSeconds(at: first) : 0
        return WorkingTime(seconds: seconds, provisional: provisional(first.index, last.index, outside: outside))
    }

    /// The instant at which `minutes` of working time after `from` are used up. Lands on the end
    /// of a session rather than the start of the next when the time runs out exactly there.
    public func adding(minutes: Int, to from: Date) -> WorkingInstant {
        adding(seconds: max(0, minutes) * 60, to: from)
    }

    /// The instant at which `seconds` of working time after `from` are used up.
    func adding(seconds: Int, to from: Date) -> WorkingInstant {
        let target = workingSeconds(upTo: from) + max(0, seconds)
        guard seconds > 0 else { return WorkingInstant(instant: from, provisional: provisional(from, from)) }
        // The first day whose end reaches the target.
        var low = position(from).index
        var high = seasonOfDay.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle + 1] >= target { high = middle } else { low = middle + 1 }
        }
        var remaining = target - cumulative[low]
        let date = HallTime.civilDate(fromDaysSinceEpoch: firstDay + low)
        var second = 24 * 3600
        if seasonOfDay[low] >= 0 {
            for session in daySessions[Int(seasonOfDay[low])] {
                let length = (session.end - session.start) * 60
                if remaining <= length {
                    second = session.start * 60 + remaining
                    break
                }
                remaining -= length
            }
        }
        let instant = HallTime.instant(date, hour: 0, minute: 0, second: second)
        return WorkingInstant(instant: instant, provisional: provisional(from, instant))
    }

    /// The close of office on the `days`-th working day after the day of `from` (a deadline
    /// counted in whole working days, such as a supplement deadline); the first instant after the
    /// tables when that day lies beyond them.
    public func adding(workingDays days: Int, to from: Date) -> WorkingInstant {
        var index = position(from).index
        var counted = 0
        while counted < max(1, days) && index < seasonOfDay.count - 1 {
            index += 1
            if seasonOfDay[index] >= 0 { counted += 1 }
        }
        if counted < max(1, days) {
            // Beyond the tables: the first instant after them, which callers refuse.
            let after = HallTime.civilDate(fromDaysSinceEpoch: firstDay + seasonOfDay.count)
            return WorkingInstant(instant: HallTime.instant(after, hour: 0, minute: 0), provisional: true)
        }
        let date = HallTime.civilDate(fromDaysSinceEpoch: firstDay + index)
        let end = sessions(on: date).last?.end ?? 24 * 60
        let instant = HallTime.instant(date, hour: end / 60, minute: end % 60)
        return WorkingInstant(instant: instant, provisional: provisional(from, instant))
    }
}
