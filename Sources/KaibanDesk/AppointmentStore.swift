import Foundation
import KaibanCore

/// A supervisor's setting of the places per regular slot, in force from a date on.
public struct AppointmentCapacitySetting: Sendable, Equatable, Codable {
    public var effectiveFrom: CivilDate
    public var capacity: Int
    public var setBy: String
    public var setAt: Date

    public init(effectiveFrom: CivilDate, capacity: Int, setBy: String, setAt: Date) {
        self.effectiveFrom = effectiveFrom
        self.capacity = capacity
        self.setBy = setBy
        self.setAt = setAt
    }
}

/// A booking to write: the slot (checked by the desk against the calendar) and the applicant.
public struct BookingRequest: Sendable, Equatable {
    public var date: CivilDate
    public var startMinute: Int
    public var startsAt: Date
    public var extensionID: Int64?
    /// The places of the slot, checked against the bookings in the same transaction.
    public var capacity: Int
    public var name: String
    public var idNumber: String
    public var phone: String
    public var enterpriseName: String?
    /// A portal's booking: the portal, the idempotency key's and the request's SHA-256.
    public var portalID: String?
    public var keySHA256: String?
    public var requestSHA256: String?
    /// Who booked: a clerk id or a portal's actor id.
    public var bookedBy: String
    /// The office sessions of the request's day by the calendar as it stands (nil: not judged):
    /// an earlier booking of the applicant that day, past its grace at a time the hall is closed
    /// (the calendar changed after it was made), is no no-show (``hallWasClosed(minute:extended:)``).
    public var openSessions: [OfficeHours.Session]?

    public init(
        date: CivilDate, startMinute: Int, startsAt: Date, extensionID: Int64?, capacity: Int, name: String,
        idNumber: String, phone: String, enterpriseName: String?, portalID: String? = nil, keySHA256: String? = nil,
        requestSHA256: String? = nil, bookedBy: String
    ) {
        self.date = date
        self.startMinute = startMinute
        self.startsAt = startsAt
        self.extensionID = extensionID
        self.capacity = capacity
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.enterpriseName = enterpriseName
        self.portalID = portalID
        self.keySHA256 = keySHA256
        self.requestSHA256 = requestSHA256
        self.bookedBy = bookedBy
    }

    /// Whether the hall was closed, by ``openSessions``, at minute `minute` of the request's day
    /// for a booking there (extended hours are the supervisor's own opening: never).
    public func hallWasClosed(minute: Int, extended: Bool) -> Bool {
        guard let openSessions, !extended else { return false }
        return !AppointmentRules.hallIsOpen(minute: minute, sessions: openSessions)
    }

    /// What an earlier booking of the applicant that day is cancelled with when it was for a time
    /// the hall was closed and they book again (it makes room for one open booking a day, and
    /// is no no-show).
    public static let closedSlotReason = "时段因日历变更已不开放，申请人另行预约"
}

/// The storage of 预约办 (appointments), a part of ``DeskStore``. Bookings are rows whose state
/// is the only column ever updated (derived from their append-only events); capacity settings and
/// extensions are append-only. Each write is one IMMEDIATE transaction.
public protocol AppointmentStore: Sendable {
    /// The capacity setting in force on `date` (the latest from a date not after it), if any.
    func appointmentCapacity(on date: CivilDate) async throws -> AppointmentCapacitySetting?
    /// Records a capacity setting; `setting.setBy` must be an active supervisor (checked inside).
    func setAppointmentCapacity(_ setting: AppointmentCapacitySetting) async throws
    /// Opens extended hours; refused (inside the transaction) when they overlap the day's office
    /// sessions on `calendar` or another extension, or the actor is no active supervisor.
    func openAppointmentExtension(
        date: CivilDate, startMinute: Int, endMinute: Int, capacity: Int, reason: String, by clerk: String,
        at now: Date, calendar: WorkingCalendar
    ) async throws -> AppointmentExtension
    /// The extensions of `date`.
    func appointmentExtensions(on date: CivilDate) async throws -> [AppointmentExtension]
    /// The bookings of `date` as stored (no-shows not yet derived), by slot then id.
    func appointments(on date: CivilDate) async throws -> [Appointment]
    func appointment(_ id: Int64) async throws -> Appointment?
    /// The bookings still `booked` (not cancelled, moved or checked in) from `first` to `last`, by
    /// date, slot and id: what a change of the calendar may leave without its slot.
    func bookedAppointments(from first: CivilDate, to last: CivilDate) async throws -> [Appointment]
    /// Writes a booking: the slot must have a place left, the applicant no other open booking
    /// that day (their bookings of the day already past the no-show grace at `now` are marked
    /// no-shows first, or cancelled with ``BookingRequest/closedSlotReason`` when the hall was
    /// closed at their time); a portal's key already used answers the earlier booking instead.
    func book(_ request: BookingRequest, at now: Date) async throws -> (appointment: Appointment, replayed: Bool)
    /// The booking a portal made under an idempotency key, with its request's SHA-256.
    func earlierBooking(portalID: String, keySHA256: String) async throws -> (Appointment, String)?
    /// Cancels an open booking (of `portalID` when given); with `slotClosed` (the desk found it
    /// past its time at which the calendar has the hall closed), also one past its grace.
    func cancelAppointment(
        _ id: Int64, portalID: String?, reason: String?, by actor: String, at now: Date, slotClosed: Bool
    ) async throws -> Appointment
    /// Moves an open booking (of `portalID` when given) to the slot of `request`: the old one is
    /// marked moved and a new one written, in one transaction; `slotClosed` as for a cancellation.
    func moveAppointment(_ id: Int64, portalID: String?, to request: BookingRequest, at now: Date, slotClosed: Bool)
        async throws -> Appointment
    /// Takes in an application at check-in of booking `appointmentID` (as
    /// ``DeskStore/intake(_:workflowID:hall:by:at:nameParts:recording:checklist:documents:clock:)``)
    /// and records the check-in with the case number, in one transaction; refused if the booking
    /// is not open, of another day than `now`'s, or past its no-show grace.
    func checkInIntake(
        appointmentID: Int64, _ application: CaseApplication, workflowID: String, hall: String, by clerk: String,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?,
        documents: [ReceivedDocument], clock: SLAClock
    ) async throws -> RegistrationCase
}

extension AppointmentStore {
    /// Cancels an open booking: ``cancelAppointment(_:portalID:reason:by:at:slotClosed:)`` of one
    /// not judged by the calendar.
    public func cancelAppointment(_ id: Int64, portalID: String?, reason: String?, by actor: String, at now: Date)
        async throws -> Appointment
    {
        try await cancelAppointment(id, portalID: portalID, reason: reason, by: actor, at: now, slotClosed: false)
    }

    /// Moves an open booking: ``moveAppointment(_:portalID:to:at:slotClosed:)`` of one not judged
    /// by the calendar.
    public func moveAppointment(_ id: Int64, portalID: String?, to request: BookingRequest, at now: Date)
        async throws -> Appointment
    {
        try await moveAppointment(id, portalID: portalID, to: request, at: now, slotClosed: false)
    }
}
