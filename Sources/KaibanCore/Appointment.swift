import Foundation

/// Where a booking (预约) stands. `noShow` is derived: a booking not checked in within
/// ``AppointmentRules/noShowGrace`` after its slot's start.
public enum AppointmentState: String, Sendable, Codable, CaseIterable {
    case booked
    case checkedIn = "checked-in"
    case noShow = "no-show"
    case cancelled
    /// Moved to another slot: the booking made there carries on.
    case moved
    /// Past its grace without a check-in, for a time the calendar no longer has the hall open (its
    /// day made a holiday, or the hours shortened over it, after the booking): no no-show. Never
    /// stored: how ``Appointment/standing(at:calendar:)`` reads such a booking.
    case slotClosed = "slot-closed"

    public var name: LocalizedText {
        switch self {
        case .booked: LocalizedText(zh: "已预约", en: "booked")
        case .checkedIn: LocalizedText(zh: "已到场", en: "checked in")
        case .noShow: LocalizedText(zh: "爽约", en: "no-show")
        case .cancelled: LocalizedText(zh: "已取消", en: "cancelled")
        case .moved: LocalizedText(zh: "已改约", en: "moved")
        case .slotClosed: LocalizedText(zh: "时段因日历变更已不开放", en: "slot closed by the calendar")
        }
    }

    /// Whether the booking holds a place in its slot.
    public var holdsPlace: Bool { self == .booked || self == .checkedIn || self == .noShow || self == .slotClosed }
}

/// One booking as kept, with its state at the instant it was read.
public struct Appointment: Sendable, Equatable, Codable {
    public var id: Int64
    public var date: CivilDate
    /// The slot's start, `HH:MM` hall time.
    public var time: String
    public var startsAt: Date
    public var extended: Bool
    public var name: String
    public var idNumber: String
    public var phone: String
    public var enterpriseName: String?
    public var state: AppointmentState
    /// The portal that booked it; nil when booked at the window.
    public var portalID: String?
    public var bookedAt: Date
    public var bookedBy: String
    /// The case taken in at check-in.
    public var caseNumber: String?
    public var checkedInAt: Date?
    public var cancelReason: String?
    /// The booking this one was moved from / to.
    public var movedFrom: Int64?
    public var movedTo: Int64?

    public init(
        id: Int64, date: CivilDate, time: String, startsAt: Date, extended: Bool, name: String, idNumber: String,
        phone: String, enterpriseName: String?, state: AppointmentState, portalID: String?, bookedAt: Date,
        bookedBy: String, caseNumber: String? = nil, checkedInAt: Date? = nil, cancelReason: String? = nil,
        movedFrom: Int64? = nil, movedTo: Int64? = nil
    ) {
        self.id = id
        self.date = date
        self.time = time
        self.startsAt = startsAt
        self.extended = extended
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.enterpriseName = enterpriseName
        self.state = state
        self.portalID = portalID
        self.bookedAt = bookedAt
        self.bookedBy = bookedBy
        self.caseNumber = caseNumber
        self.checkedInAt = checkedInAt
        self.cancelReason = cancelReason
        self.movedFrom = movedFrom
        self.movedTo = movedTo
    }

    /// The booking as it stands at `now`: a booking still open after its grace is a no-show,
    /// unless by `calendar` (when given) the hall was closed at its time (``AppointmentState/slotClosed``).
    public func standing(at now: Date, calendar: WorkingCalendar? = nil) -> Appointment {
        var copy = self
        copy.state = AppointmentRules.standingState(
            state, startsAt: startsAt, extended: extended, at: now, calendar: calendar)
        return copy
    }

    /// The same with the ID number masked.
    public func maskingID() -> Appointment {
        var copy = self
        copy.idNumber = CitizenID.masked(idNumber)
        copy.cancelReason = cancelReason.map(CitizenID.maskingIDs(inText:))
        return copy
    }
}

/// Extended hours (延时服务) a supervisor opened on one day, outside the office sessions.
public struct AppointmentExtension: Sendable, Equatable, Codable {
    public var id: Int64
    public var date: CivilDate
    public var startMinute: Int
    public var endMinute: Int
    public var capacity: Int
    public var reason: String
    public var openedBy: String
    public var openedAt: Date

    public init(
        id: Int64, date: CivilDate, startMinute: Int, endMinute: Int, capacity: Int, reason: String, openedBy: String,
        openedAt: Date
    ) {
        self.id = id
        self.date = date
        self.startMinute = startMinute
        self.endMinute = endMinute
        self.capacity = capacity
        self.reason = reason
        self.openedBy = openedBy
        self.openedAt = openedAt
    }
}

/// One bookable slot of a day.
public struct AppointmentSlot: Sendable, Equatable, Codable {
    public var date: CivilDate
    /// `HH:MM` hall time.
    public var time: String
    public var startMinute: Int
    public var startsAt: Date
    public var endsAt: Date
    public var capacity: Int
    /// An extended-hours slot (延时服务), not office time.
    public var extended: Bool
    /// The extension it belongs to.
    public var extensionID: Int64?
    /// Bookings holding a place (booked, checked in, no-show).
    public var taken: Int
    public var available: Int { max(0, capacity - taken) }

    public init(
        date: CivilDate, startMinute: Int, capacity: Int, extended: Bool, extensionID: Int64? = nil, taken: Int = 0
    ) {
        self.date = date
        self.time = AppointmentRules.text(ofMinute: startMinute)
        self.startMinute = startMinute
        self.startsAt = HallTime.instant(date, hour: startMinute / 60, minute: startMinute % 60)
        self.endsAt = startsAt.addingTimeInterval(TimeInterval(AppointmentRules.slotMinutes * 60))
        self.capacity = capacity
        self.extended = extended
        self.extensionID = extensionID
        self.taken = taken
    }

    enum CodingKeys: String, CodingKey {
        case date, time, startMinute, startsAt, endsAt, capacity, extended, extensionID, taken, available
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(date, forKey: .date)
        try container.encode(time, forKey: .time)
        try container.encode(startMinute, forKey: .startMinute)
        try container.encode(startsAt, forKey: .startsAt)
        try container.encode(endsAt, forKey: .endsAt)
        try container.encode(capacity, forKey: .capacity)
        try container.encode(extended, forKey: .extended)
        try container.encodeIfPresent(extensionID, forKey: .extensionID)
        try container.encode(taken, forKey: .taken)
        try container.encode(available, forKey: .available)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            date: try container.decode(CivilDate.self, forKey: .date),
            startMinute: try container.decode(Int.self, forKey: .startMinute),
            capacity: try container.decode(Int.self, forKey: .capacity),
            extended: try container.decode(Bool.self, forKey: .extended),
            extensionID: try container.decodeIfPresent(Int64.self, forKey: .extensionID),
            taken: try container.decode(Int.self, forKey: .taken))
    }
}

/// The rules of 预约办, pure: the slots of a day from the working calendar, the no-show rule.
public enum AppointmentRules {
    /// The length of a slot.
    public static let slotMinutes = 30
    /// How long after its slot's start a booking may still be checked in; later it is a no-show.
    public static let noShowGrace: TimeInterval = 15 * 60

    /// Whether a booking for a slot starting at `startsAt` not checked in by `now` is a no-show.
    public static func isNoShow(startsAt: Date, at now: Date) -> Bool {
        now > startsAt.addingTimeInterval(noShowGrace)
    }

    /// A booking's state as it stands at `now`: one still booked past its grace is a no-show,
    /// unless by `calendar` the hall was closed at its time (not in extended hours): then its slot
    /// was closed. A no-show kept as such (when the applicant booked again that day) is judged
    /// again so: the calendar may have closed its day since (it had stayed a no-show).
    public static func standingState(
        _ state: AppointmentState, startsAt: Date, extended: Bool, at now: Date, calendar: WorkingCalendar?
    ) -> AppointmentState {
        guard state == .noShow || (state == .booked && isNoShow(startsAt: startsAt, at: now)) else { return state }
        let closed = calendar.map { !extended && !hallIsOpen(at: startsAt, calendar: $0) }
        return closed == true ? .slotClosed : .noShow
    }

    /// Whether the hall is open at `startsAt` by `calendar`: a working day, inside one of its
    /// office sessions. A booking whose slot start it is not (its day made a holiday, the hours
    /// shortened over it) was for a time the hall was closed: not checked in, it is no no-show. One
    /// whose slots merely moved (hours from 08:45 instead of 09:00) still had the hall open.
    public static func hallIsOpen(at startsAt: Date, calendar: WorkingCalendar) -> Bool {
        let (date, second) = HallTime.split(startsAt, offset: HallTime.offsetSeconds)
        return hallIsOpen(minute: second / 60, sessions: calendar.sessions(on: date))
    }

    /// Whether minute `minute` of a day lies in one of `sessions`.
    public static func hallIsOpen(minute: Int, sessions: [OfficeHours.Session]) -> Bool {
        sessions.contains { $0.start <= minute && minute < $0.end }
    }

    /// The starts (minutes after midnight) of the 30-minute slots of `date`'s office sessions:
    /// none on a day off (weekends, holidays), make-up working days included. A slot lies wholly
    /// inside its session.
    public static func regularSlotStarts(on date: CivilDate, calendar: WorkingCalendar) -> [Int] {
        calendar.sessions(on: date).flatMap { session in
            stride(from: session.start, through: session.end - slotMinutes, by: slotMinutes).map { $0 }
        }
    }

    /// The slots of an extension's interval.
    public static func slotStarts(of extension: AppointmentExtension) -> [Int] {
        stride(from: `extension`.startMinute, through: `extension`.endMinute - slotMinutes, by: slotMinutes).map { $0 }
    }

    /// Why extended hours from `start` to `end` (minutes) cannot be opened on `date`, or nil:
    /// they must be whole slots of one day and lie wholly outside the office sessions and any
    /// other extension of the day.
    public static func extensionProblem(
        on date: CivilDate, start: Int, end: Int, calendar: WorkingCalendar, others: [AppointmentExtension]
    ) -> LocalizedText? {
        guard start >= 0, end <= 24 * 60, start < end else {
            return LocalizedText(zh: "结束时间须晚于开始时间", en: "the end must be after the start")
        }
        guard start % slotMinutes == 0, (end - start) % slotMinutes == 0 else {
            return LocalizedText(
                zh: "延时服务须按\(slotMinutes)分钟的整时段开放（如12:00至13:30）",
                en: "extended hours come in whole \(slotMinutes)-minute slots (e.g. 12:00 to 13:30)")
        }
        for session in calendar.sessions(on: date) where start < session.end && end > session.start {
            return LocalizedText(
                zh:
                    "\(text(ofMinute: start))至\(text(ofMinute: end))与办公时间\(text(ofMinute: session.start))至\(text(ofMinute: session.end))重叠：延时服务只在办公时间以外开放",
                en:
                    "\(text(ofMinute: start)) to \(text(ofMinute: end)) overlaps the office session \(text(ofMinute: session.start)) to \(text(ofMinute: session.end)): extended hours lie outside office time"
            )
        }
        for other in others where start < other.endMinute && end > other.startMinute {
            return LocalizedText(
                zh: "与已开放的延时服务\(text(ofMinute: other.startMinute))至\(text(ofMinute: other.endMinute))重叠",
                en:
                    "overlaps the extended hours already open, \(text(ofMinute: other.startMinute)) to \(text(ofMinute: other.endMinute))"
            )
        }
        return nil
    }

    /// `HH:MM` as minutes after midnight (00:00 to 24:00), or nil.
    public static func minute(of text: String) -> Int? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), minute < 60,
            hour < 24 || (hour == 24 && minute == 0)
        else { return nil }
        return hour * 60 + minute
    }

    /// Minutes after midnight as `HH:MM`.
    public static func text(ofMinute minute: Int) -> String {
        let hour = minute / 60
        let rest = minute % 60
        return (hour < 10 ? "0" : "") + "\(hour):" + (rest < 10 ? "0" : "") + "\(rest)"
    }
}
