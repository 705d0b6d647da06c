import Foundation
import KaibanCore
import KaibanForms

/// The calendar as a supervisor reviews it: the years known, the office hours, every change.
public struct CalendarStatus: Sendable, Equatable, Codable {
    public var years: [CalendarYearInfo]
    /// The office hours in force today.
    public var officeHours: OfficeHours
    /// Every version of the office hours, oldest first, each in force from its date.
    public var officeHoursVersions: [OfficeHoursRecord]
    /// True when the office-hours file differs from the hours in force today: an edited file is
    /// not applied by itself (see `kaiban calendar hours`).
    public var officeHoursFileDiffers: Bool
    /// Years whose holiday-notice file differs from the dates the calendar holds: an edited file
    /// is not applied by itself (see `kaiban calendar import --replace`).
    public var holidayFilesDiffer: [Int]
    public var changes: [CalendarChange]
}

/// One day of a month on the working calendar.
public struct CalendarDay: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case workday
        case weekend
        case holiday
        case makeUpWorkday = "make-up-workday"
    }

    public var date: CivilDate
    public var kind: Kind
    /// The holiday's name, for holidays and make-up days.
    public var name: LocalizedText?
    public var workingMinutes: Int
}

/// A month on the working calendar.
public struct CalendarMonth: Sendable, Equatable, Codable {
    public var year: Int
    public var month: Int
    /// True when no holiday notice of the year is loaded: weekends and, from 2025, the statutory
    /// holidays only (``StatutoryHolidays``).
    public var provisional: Bool
    public var days: [CalendarDay]
}

/// Working time between two instants.
public struct ElapsedWorkingTime: Sendable, Equatable, Codable {
    public var from: Date
    public var to: Date
    public var workingMinutes: Int
    public var provisional: Bool
}

/// When a working duration that starts at `from` ends.
public struct WorkingDeadline: Sendable, Equatable, Codable {
    public var from: Date
    public var until: Date
    public var provisional: Bool
}

extension Desk {
    /// What the supervisor acts on when loading a holiday notice, for messages.
    static let calendarAdministration = LocalizedText(zh: "载入或更正节假日安排", en: "load or correct holiday notices")

    /// The years the calendar knows, the hall's office hours and every change.
    public func calendarStatus() async throws -> CalendarStatus {
        try await run {
            let calendar = try await workingCalendar()
            let inForce = calendar.officeHours(on: today())
            var differs = false
            var yearsDiffer: [Int] = []
            let held = Dictionary(calendar.years.map { ($0.year, $0) }, uniquingKeysWith: { first, _ in first })
            for url in try referenceFiles(.calendar) {
                guard let data = try? DataFile.read(url) else { continue }
                if url.lastPathComponent.hasPrefix("office-hours") {
                    if let hours = try? forms().calendarLoader.officeHours(data, source: url.path), hours != inForce {
                        differs = true
                    }
                } else if let years = try? forms().calendarLoader.holidayYears(data, source: url.path) {
                    yearsDiffer += years.filter { year in held[year.year].map { $0 != year } ?? false }.map(\.year)
                }
            }
            return CalendarStatus(
                years: try await store.calendarYears(), officeHours: inForce,
                officeHoursVersions: Self.markingCorrected(try await store.officeHoursHistory(hall: settings.hall)),
                officeHoursFileDiffers: differs, holidayFilesDiffer: yearsDiffer.sorted(),
                changes: try await store.calendarChanges())
        }
    }

    /// `records` (oldest recorded first within a date) with each one a later record for the same
    /// date corrected marked so.
    static func markingCorrected(_ records: [OfficeHoursRecord]) -> [OfficeHoursRecord] {
        var records = records
        var lastOfDate: [CivilDate: Int] = [:]
        for (index, record) in records.enumerated() { lastOfDate[record.version.effectiveFrom] = index }
        for index in records.indices where lastOfDate[records[index].version.effectiveFrom] != index {
            records[index].corrected = true
        }
        return records
    }

    /// One month: working days, weekends, holidays and make-up days.
    public func calendarMonth(year: Int, month: Int) async throws -> CalendarMonth {
        try await run {
            guard (WorkingCalendar.firstYear...WorkingCalendar.lastYear).contains(year), (1...12).contains(month),
                let first = CivilDate(year: year, month: month, day: 1)
            else {
                throw Problem(
                    .invalid, "calendar.out-of-range",
                    zh: "\(year)-\(month)不是\(WorkingCalendar.firstYear)至\(WorkingCalendar.lastYear)年间的月份",
                    en:
                        "\(year)-\(month) is not a month between \(WorkingCalendar.firstYear) and \(WorkingCalendar.lastYear)"
                )
            }
            let calendar = try await workingCalendar()
            let start = HallTime.daysSinceEpoch(first)
            let days = (0..<31).map { HallTime.civilDate(fromDaysSinceEpoch: start + $0) }.filter { $0.month == month }
            return CalendarMonth(
                year: year, month: month, provisional: !calendar.coveredYears.contains(year),
                days: days.map { date in
                    let minutes = calendar.sessions(on: date).reduce(0) { $0 + $1.end - $1.start }
                    switch calendar.kind(of: date) {
                    case .workday: return CalendarDay(date: date, kind: .workday, workingMinutes: minutes)
                    case .weekend: return CalendarDay(date: date, kind: .weekend, workingMinutes: minutes)
                    case .holiday(let name):
                        return CalendarDay(date: date, kind: .holiday, name: name, workingMinutes: minutes)
                    case .makeUpWorkday(let name):
                        return CalendarDay(date: date, kind: .makeUpWorkday, name: name, workingMinutes: minutes)
                    }
                })
        }
    }

    /// Working minutes between two instants.
    public func elapsed(from: Date, to: Date) async throws -> ElapsedWorkingTime {
        try await run {
            _ = try instant(from)
            _ = try instant(to)
            guard from <= to else {
                throw Problem(
                    .invalid, "period.reversed",
                    zh: "起点\(HallTime.localText(of: from))晚于终点\(HallTime.localText(of: to))",
                    en: "the start \(HallTime.localText(of: from)) is after the end \(HallTime.localText(of: to))")
            }
            let time = try await workingCalendar().elapsed(from: from, to: to)
            return ElapsedWorkingTime(from: from, to: to, workingMinutes: time.minutes, provisional: time.provisional)
        }
    }

    /// When `duration` of working time that starts at `from` ends.
    public func adding(_ duration: WorkingDuration, to from: Date) async throws -> WorkingDeadline {
        try await run {
            _ = try instant(from)
            let calendar = try await workingCalendar()
            let result: WorkingInstant
            switch duration {
            case .minutes(let minutes): result = calendar.adding(minutes: minutes, to: from)
            case .workingDays(let days): result = calendar.adding(workingDays: days, to: from)
            }
            // Past the calendar's last day the tables cannot say when it ends: refused, not guessed.
            guard result.instant >= from, HallTime.localDate(of: result.instant).year <= WorkingCalendar.lastYear else {
                throw Problem(
                    .invalid, "calendar.out-of-range",
                    zh: "该时长的届满时间超出工作日历的范围（至\(WorkingCalendar.lastYear)年）",
                    en: "the duration ends beyond the working calendar (which runs to \(WorkingCalendar.lastYear))")
            }
            return WorkingDeadline(from: from, until: result.instant, provisional: result.provisional)
        }
    }

    /// What the supervisor acts on when changing the office hours, for messages.
    static let officeHoursAdministration = LocalizedText(zh: "变更办公时间", en: "change the office hours")

    /// Brings in new office hours from a file (Forms/schemas/office-hours-1.xsd), in force from
    /// `date` on; a supervisor's act with a reason. The date must be after today: time already
    /// spent stays measured with the hours then in force.
    public func changeOfficeHours(
        _ data: Data, source: String, from date: CivilDate, reason: String, as actor: DeskActor
    )
        async throws -> CalendarChange
    {
        try await run {
            let clerk = try await requireSupervisor(actor, for: Self.officeHoursAdministration)
            let trimmed = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "理由", en: "the reason"), required: true)
            let today = today()
            guard date > today else {
                throw Problem(
                    .refused, "office-hours.retroactive",
                    zh:
                        "新的办公时间只能从明天（\(HallTime.civilDate(fromDaysSinceEpoch: HallTime.daysSinceEpoch(today) + 1))）或以后生效：已经过去的时间按当时的办公时间计算",
                    en:
                        "new office hours can take effect from tomorrow (\(HallTime.civilDate(fromDaysSinceEpoch: HallTime.daysSinceEpoch(today) + 1))) at the earliest: time already spent stays measured with the hours then in force"
                )
            }
            guard date.year <= WorkingCalendar.lastYear else {
                throw Problem(
                    .invalid, "calendar.out-of-range", zh: "\(date)超出工作日历的范围（至\(WorkingCalendar.lastYear)年）",
                    en: "\(date) is beyond the working calendar (which runs to \(WorkingCalendar.lastYear))")
            }
            try await bringInStep(.calendar)
            let hours = try forms().calendarLoader.officeHours(data, source: source)
            guard hours.hall == settings.hall else {
                throw Problem(
                    .refused, "office-hours.other-hall", zh: "文件中的办公时间属于\(hours.hall)，不是本厅\(settings.hall)",
                    en: "the file holds the office hours of \(hours.hall), not of this hall (\(settings.hall))")
            }
            let change = try await store.addOfficeHours(
                OfficeHoursVersion(effectiveFrom: date, hours: hours),
                source: URL(fileURLWithPath: source).lastPathComponent,
                reason: trimmed, by: clerk.id, at: clock.now())
            cache.withLock {
                $0.calendar = nil
                $0.scheduled = false
            }
            return change
        }
    }

    /// Loads a year's holiday notice from a file (Forms/schemas/calendar-1.xsd); a supervisor's
    /// act. A year already known with other dates needs `replace` and a reason. A notice that
    /// leaves out a statutory day off is refused unless `overridingStatutory` (with a reason: the
    /// law changed, or the table of statutory days is wrong); the days overridden are kept with
    /// the reason.
    public func importCalendar(
        _ data: Data, source: String, replace: Bool, reason: String?, overridingStatutory: Bool = false,
        as actor: DeskActor
    ) async throws -> [CalendarChange] {
        try await run {
            let clerk = try await requireSupervisor(actor, for: Self.calendarAdministration)
            let trimmed = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "理由", en: "the reason"), required: false)
            if replace && trimmed.isEmpty {
                throw Problem(
                    .invalid, "calendar.reason-required", zh: "更正已载入的年份须说明理由", en: "a correction needs a reason")
            }
            if overridingStatutory && trimmed.isEmpty {
                throw Problem(
                    .invalid, "calendar.reason-required", zh: "不按法定假日载入须说明理由",
                    en: "taking a notice that leaves out statutory days off needs a reason")
            }
            try await bringInStep(.calendar)
            let years = try forms().calendarLoader.holidayYears(
                data, source: source, checkingStatutory: !overridingStatutory)
            let name = URL(fileURLWithPath: source).lastPathComponent
            var kept = trimmed.isEmpty ? "imported \(name)" : trimmed
            let overridden = years.flatMap { $0.missingStatutoryDays() }
            if !overridden.isEmpty {
                kept +=
                    " (statutory days off not in the notice: "
                    + overridden.map { "\($0.date) \($0.name.zh)" }.joined(separator: ", ") + ")"
            }
            let changes = try await store.importCalendar(
                years, source: name, replace: replace, reason: kept, by: clerk.id, at: clock.now())
            cache.withLock {
                $0.calendar = nil
                $0.scheduled = false
            }
            return changes
        }
    }
}

/// What a change of the calendar (a day made a holiday, office hours shortened) leaves on a
/// time that is no longer working: deadlines of 容缺 commitments, and bookings without their
/// slot. The desk keeps both as they were (a commitment's deadline is as signed, a booking as
/// made); the supervisor is told, to extend or move them and tell the applicants.
public struct CalendarStranded: Sendable, Equatable, Codable {
    /// A deferred item whose deadline falls on a day that is no longer a working day.
    public struct Deadline: Sendable, Equatable, Codable {
        public var number: CaseNumber
        public var code: String
        public var deadline: Date
    }

    public var deadlines: [Deadline]
    /// Bookings still booked whose slot the day no longer has (ID numbers masked).
    public var bookings: [Appointment]

    public var isEmpty: Bool { deadlines.isEmpty && bookings.isEmpty }
}

extension Desk {
    /// The deadlines and bookings from `first` to `last` (from today at the earliest) that the
    /// calendar as it stands now leaves on a day off or outside the day's slots: asked after a
    /// holiday notice is corrected or the office hours change.
    public func strandedByCalendar(from first: CivilDate, to last: CivilDate) async throws -> CalendarStranded {
        try await run {
            let now = clock.now()
            let start = max(first, today())
            guard start <= last else { return CalendarStranded(deadlines: [], bookings: []) }
            let calendar = try await workingCalendar()
            var deadlines: [CalendarStranded.Deadline] = []
            for number in try await store.deferrals(dueFrom: now, dueBy: nil, limit: 10_000) {
                guard let deferral = try await store.registrationCase(number).deferral, deferral.isOpen else {
                    continue
                }
                for item in deferral.outstanding {
                    let deadline = deferral.deadline(of: item)
                    let day = HallTime.localDate(of: deadline)
                    guard deadline > now, day >= start, day <= last, !calendar.kind(of: day).isWorking else {
                        continue
                    }
                    deadlines.append(CalendarStranded.Deadline(number: number, code: item.code, deadline: deadline))
                }
            }
            var bookings: [Appointment] = []
            var slotsOfDay: [CivilDate: Set<String>] = [:]
            for booking in try await store.bookedAppointments(from: start, to: last) where booking.startsAt > now {
                if slotsOfDay[booking.date] == nil {
                    slotsOfDay[booking.date] = Set(try await slots(on: booking.date, bookings: []).map(\.time))
                }
                if slotsOfDay[booking.date]?.contains(booking.time) != true { bookings.append(booking.maskingID()) }
            }
            return CalendarStranded(deadlines: deadlines.sorted { $0.deadline < $1.deadline }, bookings: bookings)
        }
    }
}
