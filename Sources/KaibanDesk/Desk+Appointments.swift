import Foundation
import KaibanCore

/// A day of 预约办 as the window sees it: the slots with their places, every booking as it stands
/// and the day's counts.
public struct AppointmentDay: Sendable, Equatable, Codable {
    public var date: CivilDate
    public var dayKind: String
    public var slots: [AppointmentSlot]
    /// Every booking of the day with its state at the instant of the read (ID numbers masked).
    public var appointments: [Appointment]
    public var booked: Int
    public var checkedIn: Int
    public var noShows: Int
    public var cancelled: Int
    /// Bookings past their grace on a slot the calendar no longer has (no no-shows).
    public var slotClosed: Int
}

/// A booking as answered: the booking and whether it repeats an earlier answer (same
/// idempotency key).
public struct BookingReceipt: Sendable, Equatable, Codable {
    public var appointment: Appointment
    public var replayed: Bool
}

/// Who books: the applicant's particulars.
public struct BookingApplicant: Sendable, Equatable, Codable {
    public var name: String
    public var idNumber: String
    public var phone: String
    public var enterpriseName: String?

    public init(name: String, idNumber: String, phone: String, enterpriseName: String? = nil) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.enterpriseName = enterpriseName
    }
}

extension Desk {
    static let capacityAct = LocalizedText(zh: "设定预约时段容量", en: "set the appointment capacity")
    static let extensionAct = LocalizedText(zh: "开放延时服务", en: "open extended hours")

    /// Places per regular slot on `date`: the supervisors' setting in force, else one per active
    /// clerk in an intake (window) role, at least one.
    public func appointmentCapacity(on date: CivilDate) async throws -> Int {
        if let setting = try await store.appointmentCapacity(on: date) { return setting.capacity }
        let roles = Set(try await latestDefinition().intakeRoles)
        let windows = try await store.clerks().filter { $0.active && !$0.roles.isDisjoint(with: roles) }.count
        return max(1, windows)
    }

    /// The slots not yet begun whose bookings exceed their places now, by day and time: a regular
    /// slot's places follow the active window clerks unless a supervisor set them, so a clerk
    /// deactivated or given other roles can leave days already booked over their places (told to
    /// the supervisor who made the change, as a calendar change tells the bookings it stranded).
    public func overbookedSlots() async throws -> [AppointmentSlot] {
        try await run {
            let now = clock.now()
            let start = today()
            let last = CivilDate(uncheckedYear: WorkingCalendar.lastYear, month: 12, day: 31)
            let days = Set(try await store.bookedAppointments(from: start, to: last).map(\.date))
            var overbooked: [AppointmentSlot] = []
            for day in days.sorted() {
                overbooked += try await slots(on: day, bookings: try await store.appointments(on: day)).filter {
                    $0.taken > $0.capacity && $0.startsAt > now
                }
            }
            return overbooked
        }
    }

    /// The slots of `date`: the 30-minute slots of its office sessions (none on a day off) and
    /// those of the extended hours opened that day, with the places taken.
    public func appointmentSlots(on date: CivilDate) async throws -> [AppointmentSlot] {
        try await run {
            try await slots(on: date, bookings: try await store.appointments(on: date))
        }
    }

    /// Refuses a day the working calendar does not reach (its days would have no office hours).
    static func requireCalendarDay(_ date: CivilDate, field: String = "date") throws {
        guard (WorkingCalendar.firstYear...WorkingCalendar.lastYear).contains(date.year) else {
            throw Problem(
                .invalid, "calendar.out-of-range",
                zh: "\(date)超出工作日历的范围（\(WorkingCalendar.firstYear)至\(WorkingCalendar.lastYear)年）",
                en:
                    "\(date) is outside the working calendar (\(WorkingCalendar.firstYear) to \(WorkingCalendar.lastYear))",
                fields: [FieldProblem(field: field, reason: LocalizedText(zh: "超出工作日历范围", en: "outside the calendar"))])
        }
    }

    func slots(on date: CivilDate, bookings: [Appointment]) async throws -> [AppointmentSlot] {
        try Self.requireCalendarDay(date)
        let calendar = try await workingCalendar()
        // A booking takes a place in every slot it overlaps: one made before the hours moved the
        // slots (13:30 between 13:15 and 13:45) in both (as the store counts when it books).
        let held = bookings.filter { $0.state.holdsPlace }.compactMap { AppointmentRules.minute(of: $0.time) }
        func taken(_ start: Int) -> Int { held.filter { abs($0 - start) < AppointmentRules.slotMinutes }.count }
        let regular = AppointmentRules.regularSlotStarts(on: date, calendar: calendar)
        var slots: [AppointmentSlot] = []
        if !regular.isEmpty {
            let capacity = try await appointmentCapacity(on: date)
            slots = regular.map {
                AppointmentSlot(date: date, startMinute: $0, capacity: capacity, extended: false, taken: taken($0))
            }
        }
        // Extended hours opened before the office hours grew over them: where a session now covers
        // a slot, it is the office's slot (one slot per time, not two with a place each).
        let officeStarts = Set(regular)
        for opened in try await store.appointmentExtensions(on: date) {
            slots += AppointmentRules.slotStarts(of: opened).filter { !officeStarts.contains($0) }.map {
                AppointmentSlot(
                    date: date, startMinute: $0, capacity: opened.capacity, extended: true, extensionID: opened.id,
                    taken: taken($0))
            }
        }
        return slots.sorted { $0.startMinute < $1.startMinute }
    }

    /// The day's list: slots, bookings as they stand at `instant` (default now), counts.
    public func appointmentDay(_ date: CivilDate, at instant: Date? = nil) async throws -> AppointmentDay {
        try await run {
            let now = try self.instant(instant)
            let calendar = try await workingCalendar()
            let bookings = try await store.appointments(on: date).map {
                $0.standing(at: now, calendar: calendar).maskingID()
            }
            func count(_ state: AppointmentState) -> Int { bookings.filter { $0.state == state }.count }
            return AppointmentDay(
                date: date, dayKind: calendar.kind(of: date).isWorking ? "working" : "off",
                slots: try await slots(on: date, bookings: bookings), appointments: bookings,
                booked: count(.booked), checkedIn: count(.checkedIn), noShows: count(.noShow),
                cancelled: count(.cancelled), slotClosed: count(.slotClosed))
        }
    }

    /// A supervisor sets the places per regular slot from `from` (default today) on.
    public func setAppointmentCapacity(_ capacity: Int, from: CivilDate? = nil, as actor: DeskActor) async throws
        -> AppointmentCapacitySetting
    {
        try await run {
            let supervisor = try await requireSupervisor(actor, for: Self.capacityAct)
            guard (1...100).contains(capacity) else {
                throw Problem(
                    .invalid, "appointment.capacity-invalid", zh: "每个时段的名额\(capacity)应在1至100之间",
                    en: "\(capacity) places per slot is not between 1 and 100",
                    fields: [FieldProblem(field: "capacity", reason: LocalizedText(zh: "应为1至100", en: "1 to 100"))])
            }
            let now = try instant(nil)
            let today = HallTime.localDate(of: now)
            if let from {
                try Self.requireCalendarDay(from, field: "from")
                // Past days keep the places they had: their bookings were made against them.
                guard from >= today else {
                    throw Problem(
                        .refused, "appointment.capacity-retroactive",
                        zh: "名额只能从今天（\(today)）或以后起设定：\(from)已经过去",
                        en: "places can be set from today (\(today)) on, not from \(from), which is past",
                        fields: [FieldProblem(field: "from", reason: LocalizedText(zh: "已经过去", en: "is past"))])
                }
            }
            let setting = AppointmentCapacitySetting(
                effectiveFrom: from ?? today, capacity: capacity, setBy: supervisor.id, setAt: now)
            try await store.setAppointmentCapacity(setting)
            return setting
        }
    }

    /// A supervisor opens extended hours (延时服务) on `date` from `from` to `to` (`HH:MM`), outside
    /// the office sessions; `capacity` defaults to the regular slots' places.
    public func openAppointmentExtension(
        date: CivilDate, from: String, to: String, capacity: Int?, reason: String?, as actor: DeskActor
    ) async throws -> AppointmentExtension {
        try await run {
            let supervisor = try await requireSupervisor(actor, for: Self.extensionAct)
            try Self.requireCalendarDay(date)
            let why = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "开放延时服务的理由", en: "the reason"), required: true)
            guard let start = AppointmentRules.minute(of: from) else { throw Self.timeProblem(from, field: "from") }
            guard let end = AppointmentRules.minute(of: to) else { throw Self.timeProblem(to, field: "to") }
            var places = capacity ?? 0
            if capacity == nil { places = try await appointmentCapacity(on: date) }
            guard (1...100).contains(places) else {
                throw Problem(
                    .invalid, "appointment.capacity-invalid", zh: "每个时段的名额\(places)应在1至100之间",
                    en: "\(places) places per slot is not between 1 and 100")
            }
            let now = try instant(nil)
            guard HallTime.instant(date, hour: end / 60, minute: end % 60) > now else {
                throw Problem(
                    .refused, "appointment.in-past", zh: "\(date) \(to)已经过去，不能开放延时服务",
                    en: "\(date) \(to) is past; extended hours cannot be opened then")
            }
            return try await store.openAppointmentExtension(
                date: date, startMinute: start, endMinute: end, capacity: places, reason: why, by: supervisor.id,
                at: now, calendar: try await workingCalendar())
        }
    }

    static func timeProblem(_ text: String, field: String) -> Problem {
        Problem(
            .invalid, "appointment.time-invalid", zh: "时间“\(text)”格式有误，应为HH:MM（如09:30）",
            en: "\"\(text)\" is not a time of day HH:MM (e.g. 09:30)",
            fields: [FieldProblem(field: field, reason: LocalizedText(zh: "应为HH:MM", en: "is not HH:MM"))])
    }

    /// The slot `time` of `date`, bookable at `now`: a slot of the day (not on a day off, not
    /// outside the slots) that has not started.
    func bookableSlot(date: CivilDate, time: String, at now: Date) async throws -> AppointmentSlot {
        guard let minute = AppointmentRules.minute(of: time) else { throw Self.timeProblem(time, field: "time") }
        let slots = try await appointmentSlots(on: date)
        guard let slot = slots.first(where: { $0.startMinute == minute }) else {
            let kind = try await workingCalendar().kind(of: date)
            if slots.isEmpty {
                throw Problem(
                    .refused, "appointment.day-off",
                    zh: "\(date)是非工作日（\(kind.isWorking ? "无可预约时段" : "周末或节假日")），不能预约",
                    en: "\(date) is a day off (weekend or holiday) with no slots: no booking then",
                    fields: [FieldProblem(field: "date", reason: LocalizedText(zh: "非工作日", en: "a day off"))])
            }
            throw Problem(
                .refused, "appointment.no-such-slot",
                zh: "\(date)没有\(time)开始的预约时段（可约时段：\(slots.map(\.time).joined(separator: "、"))）",
                en: "\(date) has no slot starting at \(time) (slots: \(slots.map(\.time).joined(separator: ", ")))",
                fields: [FieldProblem(field: "time", reason: LocalizedText(zh: "不是预约时段", en: "is not a slot"))])
        }
        guard slot.startsAt > now else {
            throw Problem(
                .refused, "appointment.in-past",
                zh: "\(date) \(slot.time)的时段已开始或已过去（现在\(HallTime.localText(of: now))），不能预约",
                en:
                    "the slot \(date) \(slot.time) has begun or is past (now \(HallTime.localText(of: now))): no booking",
                fields: [FieldProblem(field: "time", reason: LocalizedText(zh: "已过去", en: "is past"))])
        }
        return slot
    }

    /// The applicant's particulars checked: name, a valid citizen ID (GB 11643), a phone number.
    func checkedApplicant(_ applicant: BookingApplicant) throws -> BookingApplicant {
        var fields: [FieldProblem] = []
        let name = applicant.name.trimmingCharacters(in: .whitespaces)
        if let problem = name.isEmpty
            ? LocalizedText(zh: "不能为空", en: "is empty") : FreeText.problem(name, limit: FreeText.nameLimit)
        {
            fields.append(FieldProblem(field: "name", reason: problem))
        }
        var id = applicant.idNumber.trimmingCharacters(in: .whitespaces).uppercased()
        do {
            id = try CitizenID(id).value
        } catch {
            fields.append(
                FieldProblem(
                    field: "idNumber",
                    reason: LocalizedText(zh: error.message(.zh), en: error.message(.en))))
        }
        let phone = applicant.phone.trimmingCharacters(in: .whitespaces)
        let digits = phone.filter { $0 != "-" && $0 != " " }
        if !(7...12).contains(digits.count) || !digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            fields.append(
                FieldProblem(
                    field: "phone", reason: LocalizedText(zh: "不是电话号码", en: "is not a phone number")))
        }
        let enterprise = applicant.enterpriseName?.trimmingCharacters(in: .whitespaces)
        if let enterprise, !enterprise.isEmpty, let problem = FreeText.problem(enterprise, limit: FreeText.reasonLimit)
        {
            fields.append(FieldProblem(field: "enterpriseName", reason: problem))
        }
        guard fields.isEmpty else {
            throw Problem(
                .invalid, "appointment.invalid", zh: "预约信息有误：", en: "the booking is not valid:", fields: fields)
        }
        return BookingApplicant(
            name: name, idNumber: id, phone: phone, enterpriseName: enterprise?.isEmpty == true ? nil : enterprise)
    }

    func bookingRequest(_ slot: AppointmentSlot, _ applicant: BookingApplicant, by actor: String) async throws
        -> BookingRequest
    {
        var request = BookingRequest(
            date: slot.date, startMinute: slot.startMinute, startsAt: slot.startsAt, extensionID: slot.extensionID,
            capacity: slot.capacity, name: applicant.name, idNumber: applicant.idNumber, phone: applicant.phone,
            enterpriseName: applicant.enterpriseName, bookedBy: actor)
        request.openSessions = try await workingCalendar().sessions(on: slot.date)
        return request
    }

    /// Whether booking `id` stands at `now` past its time at which the calendar has the hall
    /// closed (``AppointmentState/slotClosed``): still open to a cancellation or a move.
    func slotClosed(_ id: Int64, at now: Date) async throws -> Bool {
        guard let stored = try await store.appointment(id) else { return false }
        return stored.standing(at: now, calendar: try await workingCalendar()).state == .slotClosed
    }

    /// A clerk books slot `time` of `date` for an applicant (by phone, at the window).
    public func book(date: CivilDate, time: String, for applicant: BookingApplicant, as actor: DeskActor) async throws
        -> Appointment
    {
        try await run {
            let clerk = try await requireActiveClerk(actor)
            let applicant = try checkedApplicant(applicant)
            let now = try instant(nil)
            let slot = try await bookableSlot(date: date, time: time, at: now)
            return try await store.book(try await bookingRequest(slot, applicant, by: clerk.id), at: now).appointment
        }
    }

    /// A clerk cancels an open booking.
    public func cancelAppointment(_ id: Int64, reason: String?, as actor: DeskActor) async throws -> Appointment {
        try await run {
            let clerk = try await requireActiveClerk(actor)
            let why = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "取消理由", en: "the reason"), required: false)
            let now = try instant(nil)
            return try await store.cancelAppointment(
                id, portalID: nil, reason: why.isEmpty ? nil : why, by: clerk.id, at: now,
                slotClosed: try await slotClosed(id, at: now))
        }
    }

    /// A clerk moves an open booking to slot `time` of `date` (the same rules as a new booking).
    public func moveAppointment(_ id: Int64, date: CivilDate, time: String, as actor: DeskActor) async throws
        -> Appointment
    {
        try await run {
            let clerk = try await requireActiveClerk(actor)
            return try await move(id, portalID: nil, date: date, time: time, by: clerk.id)
        }
    }

    func move(_ id: Int64, portalID: String?, date: CivilDate, time: String, by actor: String) async throws
        -> Appointment
    {
        let now = try instant(nil)
        guard let old = try await store.appointment(id), portalID == nil || old.portalID == portalID else {
            throw Problem(.notFound, "appointment.not-found", zh: "没有编号为\(id)的预约", en: "there is no booking \(id)")
        }
        let slot = try await bookableSlot(date: date, time: time, at: now)
        let applicant = BookingApplicant(
            name: old.name, idNumber: old.idNumber, phone: old.phone, enterpriseName: old.enterpriseName)
        return try await store.moveAppointment(
            id, portalID: portalID, to: try await bookingRequest(slot, applicant, by: actor), at: now,
            slotClosed: try await slotClosed(id, at: now))
    }

    /// Check-in at the window (到场): takes in `application` on channel 预约办 as intake does and
    /// records booking `appointment` checked in with the case's number, in one transaction.
    /// Refused if the booking is cancelled, moved, of another day or a no-show (not checked in
    /// within 15 minutes after its slot's start).
    public func checkIn(
        appointment: Int64, _ application: CaseApplication, documents: DocumentSelection = .none,
        as actor: DeskActor, at instant: Date? = nil
    ) async throws -> IntakeResult {
        try await run {
            let (clerk, now, recording) = try await recording(instant, as: actor, late: nil)
            if try await slotClosed(appointment, at: now) {
                throw Problem(
                    .refused, "appointment.not-open",
                    zh: "预约\(appointment)\(AppointmentState.slotClosed.name.zh)，不能到场办理：请改约或取消后按窗口收件办理",
                    en:
                        "booking \(appointment) is \(AppointmentState.slotClosed.name.en): no check-in; move or cancel it and take the application in at the window"
                )
            }
            var application = application
            application.channel = .appointment
            let prepared = try await prepare(application, documents: documents, hall: settings.hall, at: now)
            let review = prepared.review
            let state = try await store.checkInIntake(
                appointmentID: appointment, prepared.application, workflowID: settings.workflowID,
                hall: settings.hall, by: clerk, at: now,
                nameParts: NameParts(tradeName: review.name.tradeName, industry: review.name.industry),
                recording: recording, checklist: prepared.checklist, documents: prepared.received,
                clock: try await slaClock())
            return IntakeResult(case: state, warnings: review.warnings)
        }
    }
}
