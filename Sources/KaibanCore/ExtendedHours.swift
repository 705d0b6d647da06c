import Foundation

/// Extended hours (延时服务) a case was taken in during: the hall chose to work then, so from the
/// case's intake to the close of those hours every minute counts on its SLA clock as working time
/// (see ``CaseTimeline``). Kept on the case's opening event, so the history alone decides it.
public struct ExtendedHoursIntake: Sendable, Equatable, Codable {
    /// The extended hours' opening and close, as the supervisor opened them.
    public var opensAt: Date
    public var closesAt: Date

    public init(opensAt: Date, closesAt: Date) {
        self.opensAt = opensAt
        self.closesAt = closesAt
    }

    /// The extended hours open at `instant` among `extensions` (a day's, on `date`), if any: the
    /// window holding it, and with it every window opened by then that follows on without a gap
    /// (12:00–13:00 then 13:00–13:30 are one stretch to 13:30: the hall worked through). Hours
    /// opened after they began are open only from the moment they were opened: a case entered
    /// late (补录) as taken in before then does not count them.
    public static func open(
        at instant: Date, on date: CivilDate, among extensions: [AppointmentExtension]
    ) -> ExtendedHoursIntake? {
        let known = extensions.filter { $0.openedAt <= instant }.sorted { $0.startMinute < $1.startMinute }
        guard
            let first = known.firstIndex(where: {
                HallTime.instant(date, hour: 0, minute: $0.startMinute) <= instant
                    && instant < HallTime.instant(date, hour: 0, minute: $0.endMinute)
            })
        else { return nil }
        var end = known[first].endMinute
        for next in known[(first + 1)...] where next.startMinute == end { end = next.endMinute }
        return ExtendedHoursIntake(
            opensAt: HallTime.instant(date, hour: 0, minute: known[first].startMinute),
            closesAt: HallTime.instant(date, hour: 0, minute: end))
    }

    /// Whether a case taken in on `channel` counts the extended hours: a case a clerk took in at
    /// the window (walk-in, appointment, special service). An application that arrived online, by
    /// phone or by post while the hall happened to be open is not one the hall chose to work on then.
    public static func applies(to channel: Channel) -> Bool {
        channel == .window || channel == .appointment || channel == .special
    }
}

/// A working calendar as one case sees it: the calendar's office time plus the stretches the hall
/// chose to work for that case (extended hours it was taken in during). Within such a stretch
/// every wall-clock second counts once (office time that happens to fall inside it is not counted
/// twice); outside, the calendar decides. With no stretches it is the calendar itself.
public struct CaseTimeline: Sendable {
    public let calendar: WorkingCalendar
    /// Sorted, disjoint, non-empty stretches.
    public let extra: [DateInterval]

    public init(calendar: WorkingCalendar, extra: [DateInterval]) {
        self.calendar = calendar
        // Sorted, and overlapping stretches merged, so no second counts twice.
        var merged: [DateInterval] = []
        for stretch in extra.filter({ $0.duration > 0 }).sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, stretch.start <= last.end {
                merged[merged.count - 1] = DateInterval(start: last.start, end: max(last.end, stretch.end))
            } else {
                merged.append(stretch)
            }
        }
        self.extra = merged
    }

    static func wallSeconds(_ instant: Date) -> Int { Int(instant.timeIntervalSince1970.rounded(.down)) }

    /// Working seconds up to `instant` on this timeline (an origin shared by every call).
    func seconds(upTo instant: Date) -> Int {
        var total = calendar.workingSeconds(upTo: instant)
        for stretch in extra where stretch.start < instant {
            let end = min(instant, stretch.end)
            let wall = Self.wallSeconds(end) - Self.wallSeconds(stretch.start)
            let office = calendar.workingSeconds(upTo: end) - calendar.workingSeconds(upTo: stretch.start)
            total += wall - office
        }
        return total
    }

    /// Working minutes between two instants (zero when `to` is not after `from`).
    public func elapsed(from: Date, to: Date) -> WorkingTime {
        guard !extra.isEmpty else { return calendar.elapsed(from: from, to: to) }
        let provisional = calendar.elapsed(from: from, to: to).provisional
        let seconds = to > from ? seconds(upTo: to) - seconds(upTo: from) : 0
        return WorkingTime(seconds: seconds, provisional: provisional)
    }

    /// The instant at which `minutes` of working time after `from` are used up.
    public func adding(minutes: Int, to from: Date) -> WorkingInstant {
        adding(seconds: max(0, minutes) * 60, to: from)
    }

    /// The instant at which `seconds` of working time after `from` are used up.
    public func adding(seconds amount: Int, to from: Date) -> WorkingInstant {
        guard !extra.isEmpty, amount > 0 else { return calendar.adding(seconds: max(0, amount), to: from) }
        let target = seconds(upTo: from) + amount
        var position = from
        for stretch in extra where stretch.end > position {
            let start = max(stretch.start, position)
            let atStart = seconds(upTo: start)
            if atStart >= target {
                // Used up in office time before this stretch.
                return calendar.adding(seconds: target - seconds(upTo: position), to: position)
            }
            let atEnd = seconds(upTo: stretch.end)
            if atEnd >= target {
                // Used up inside the stretch, where time counts second for second.
                let instant = start.addingTimeInterval(TimeInterval(target - atStart))
                return WorkingInstant(instant: instant, provisional: calendar.provisional(from, instant))
            }
            position = stretch.end
        }
        let rest = calendar.adding(seconds: target - seconds(upTo: position), to: position)
        return WorkingInstant(instant: rest.instant, provisional: calendar.provisional(from, rest.instant))
    }
}
