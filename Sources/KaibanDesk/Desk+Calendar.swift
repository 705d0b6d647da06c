import Foundation
import KaibanCore

/// The calendar as a supervisor reviews it: the years known, the office hours, every change.
public struct CalendarStatus: Sendable, Equatable, Codable {
    public var years: [CalendarYearInfo]
    public var officeHours: OfficeHours
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
    /// True when no holiday notice of the year is loaded: weekends only.
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
            return CalendarStatus(
                years: try await store.calendarYears(), officeHours: calendar.officeHours,
                changes: try await store.calendarChanges())
        }
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

    /// Loads a year's holiday notice from a file (Forms/schemas/calendar-1.xsd); a supervisor's
    /// act. A year already known with other dates needs `replace` and a reason.
    public func importCalendar(
        _ data: Data, source: String, replace: Bool, reason: String?, as actor: DeskActor
    ) async throws -> [CalendarChange] {
        try await run {
            let clerk = try await requireSupervisor(actor, for: Self.calendarAdministration)
            let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if let problem = FreeText.problem(trimmed, limit: FreeText.reasonLimit) {
                throw Problem(
                    .refused, "text.not-accepted", zh: "理由\(problem.zh)", en: "the reason \(problem.en)",
                    fields: [FieldProblem(field: "reason", reason: problem)])
            }
            if replace && trimmed.isEmpty {
                throw Problem(
                    .invalid, "calendar.reason-required", zh: "更正已载入的年份须说明理由", en: "a correction needs a reason")
            }
            try await bringInStep(.calendar)
            let years = try forms().calendarLoader.holidayYears(data, source: source)
            let name = URL(fileURLWithPath: source).lastPathComponent
            let changes = try await store.importCalendar(
                years, source: name, replace: replace, reason: trimmed.isEmpty ? "imported \(name)" : trimmed,
                by: clerk.id, at: clock.now())
            cache.withLock {
                $0.calendar = nil
                $0.scheduled = false
            }
            return changes
        }
    }
}
