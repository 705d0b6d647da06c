import Foundation
import KaibanCore
import KaibanDesk
import PostgresNIO

/// 预约办 on PostgreSQL: capacity settings, extended hours, bookings and check-in, with the SQLite
/// store's meaning. Several servers book at once here, where SQLite has one writer at a time; so
/// that what a booking checks still holds when it commits:
/// - every write that adds bookings to a day (a booking, a move) or opens extended hours on it
///   first takes the day's lock (an advisory transaction lock on the date): a slot's places and
///   "one open booking per applicant per day" are counted by one transaction at a time, and two
///   extended hours opened at once cannot overlap;
/// - a portal's booking first takes its idempotency key's lock, then looks for the key: a retry
///   sent twice at once books once and answers the other with that booking;
/// - a cancellation, a move and a check-in lock the booking's row (after any day's lock, the order
///   every writer takes them in) and only then read whether it is still open;
/// - a supervisor's setting or extended hours lock the supervisor's row (shared) until commit, so
///   they are not deactivated meanwhile.
/// Dates are kept as `date`, instants to whole seconds (as the SQLite store keeps them).
extension PostgresStore {
    public func appointmentCapacity(on date: CivilDate) async throws -> AppointmentCapacitySetting? {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in try await capacitySetting(on: date, connection) }
        }
    }

    public func setAppointmentCapacity(_ setting: AppointmentCapacitySetting) async throws {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await requireAppointmentSupervisor(
                    setting.setBy, act: LocalizedText(zh: "设定预约时段容量", en: "set the appointment capacity"), connection)
                _ = try await connection.query(
                    """
                    INSERT INTO appointment_capacity (effective_from, capacity, set_by, set_at)
                    VALUES (\(setting.effectiveFrom.description)::date, \(setting.capacity), \(setting.setBy),
                        \(Self.wholeSeconds(setting.setAt)))
                    """, logger: logger)
            }
        }
    }

    public func openAppointmentExtension(
        date: CivilDate, startMinute: Int, endMinute: Int, capacity: Int, reason: String, by clerk: String,
        at now: Date, calendar: WorkingCalendar
    ) async throws -> AppointmentExtension {
        try await guarded { [self] in
            try await transaction { [self] connection in
                try await requireAppointmentSupervisor(
                    clerk, act: LocalizedText(zh: "开放延时服务", en: "open extended hours"), connection)
                // The day's extended hours read under its lock: none opened meanwhile overlaps.
                try await lockAppointmentDays([date], connection)
                let others = try await extensions(on: date, connection)
                if let problem = AppointmentRules.extensionProblem(
                    on: date, start: startMinute, end: endMinute, calendar: calendar, others: others)
                {
                    throw Problem(
                        .refused, "appointment.extension-invalid", zh: "不能开放延时服务：\(problem.zh)",
                        en: "extended hours cannot be opened: \(problem.en)",
                        fields: [FieldProblem(field: "from", reason: problem)])
                }
                let ids = try await connection.query(
                    """
                    INSERT INTO appointment_extension
                        (date, start_minute, end_minute, capacity, reason, opened_by, opened_at)
                    VALUES (\(date.description)::date, \(startMinute), \(endMinute), \(capacity), \(reason), \(clerk),
                        \(Self.wholeSeconds(now)))
                    RETURNING id
                    """, logger: logger)
                guard let id = try await ids.decode(Int64.self).first(where: { _ in true }) else {
                    throw StoreError.storage("the extended hours of \(date) were not given an id")
                }
                return AppointmentExtension(
                    id: id, date: date, startMinute: startMinute, endMinute: endMinute, capacity: capacity,
                    reason: reason, openedBy: clerk, openedAt: now)
            }
        }
    }

    public func appointmentExtensions(on date: CivilDate) async throws -> [AppointmentExtension] {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in try await extensions(on: date, connection) }
        }
    }

    public func appointments(on date: CivilDate) async throws -> [Appointment] {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await storedBookings(
                    """
                    SELECT \(unescaped: Self.bookingColumns) WHERE a.date = \(date.description)::date
                    ORDER BY a.start_minute, a.id
                    """, connection
                ).map(\.appointment)
            }
        }
    }

    public func bookedAppointments(from first: CivilDate, to last: CivilDate) async throws -> [Appointment] {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await storedBookings(
                    """
                    SELECT \(unescaped: Self.bookingColumns)
                    WHERE a.date >= \(first.description)::date AND a.date <= \(last.description)::date
                        AND a.state = 'booked'
                    ORDER BY a.date, a.start_minute, a.id
                    """, connection
                ).map(\.appointment)
            }
        }
    }

    public func appointment(_ id: Int64) async throws -> Appointment? {
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await storedBooking(id, connection)?.appointment
            }
        }
    }

    public func book(_ request: BookingRequest, at now: Date) async throws -> (appointment: Appointment, replayed: Bool)
    {
        let outcome = try await guarded { [self] in
            try await transaction { [self] connection in
                if let portalID = request.portalID, let key = request.keySHA256 {
                    // The key's lock first: the same request sent twice at once books once.
                    try await connection.runToEnd(
                        """
                        SELECT pg_advisory_xact_lock(
                            \(Self.bookingKeyLock), hashtext(current_schema() || ' ' || \(portalID) || ' ' || \(key)))
                        """, logger: logger)
                    if let earlier = try await earlierBooking(portalID: portalID, keySHA256: key, connection) {
                        return BookingOutcome(appointment: earlier.appointment, replayed: true)
                    }
                }
                try await lockAppointmentDays([request.date], connection)
                return BookingOutcome(
                    appointment: try await insertBooking(request, movedFrom: nil, at: now, connection), replayed: false)
            }
        }
        return (outcome.appointment, outcome.replayed)
    }

    public func earlierBooking(portalID: String, keySHA256: String) async throws -> (Appointment, String)? {
        let found = try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try await earlierBooking(portalID: portalID, keySHA256: keySHA256, connection)
            }
        }
        return found.map { ($0.appointment, $0.requestSHA256 ?? "") }
    }

    public func cancelAppointment(
        _ id: Int64, portalID: String?, reason: String?, by actor: String, at now: Date, slotClosed: Bool
    ) async throws -> Appointment {
        try await guarded { [self] in
            try await transaction { [self] connection in
                _ = try await lockOpenBooking(id, portalID: portalID, at: now, slotClosed: slotClosed, connection)
                _ = try await connection.query(
                    "UPDATE appointment SET state = 'cancelled' WHERE id = \(id)", logger: logger)
                try await recordBookingEvent(id, kind: "cancelled", at: now, actor: actor, reason: reason, connection)
                guard let stored = try await storedBooking(id, connection) else {
                    throw StoreError.storage("booking \(id) lost")
                }
                return stored.appointment
            }
        }
    }

    public func moveAppointment(
        _ id: Int64, portalID: String?, to request: BookingRequest, at now: Date, slotClosed: Bool
    ) async throws -> Appointment {
        try await guarded { [self] in
            try await transaction { [self] connection in
                // Both days' locks before the booking's row, in the order every writer takes them.
                let from = try await connection.query(
                    "SELECT to_char(date, 'YYYY-MM-DD') FROM appointment WHERE id = \(id)", logger: logger
                ).decode(String.self).first(where: { _ in true }).flatMap(CivilDate.init)
                try await lockAppointmentDays([request.date] + (from.map { [$0] } ?? []), connection)
                let old = try await lockOpenBooking(id, portalID: portalID, at: now, slotClosed: slotClosed, connection)
                _ = try await connection.query(
                    "UPDATE appointment SET state = 'moved' WHERE id = \(id)", logger: logger)
                let request = request.moving(old)
                let new = try await insertBooking(request, movedFrom: id, at: now, connection)
                try await recordBookingEvent(
                    id, kind: "moved", at: now, actor: request.bookedBy, movedTo: new.id, connection)
                return new
            }
        }
    }

    public func checkInIntake(
        appointmentID: Int64, _ application: CaseApplication, workflowID: String, hall: String, by clerk: String,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?,
        documents: [ReceivedDocument], clock: SLAClock
    ) async throws -> RegistrationCase {
        // The booking is answered for before the application (as on SQLite, where both are checked
        // in one transaction): read now, and read again under its row's lock below.
        try Self.openBooking(appointmentID, try await appointment(appointmentID), portalID: nil, at: now)
            .requireCheckIn(id: appointmentID, for: application, at: now)
        let opening = try await prepareOpening(
            application, workflowID: workflowID, by: clerk, at: now, recording: recording, checklist: checklist,
            documents: documents)
        return try await guarded { [self] in
            try await transaction { [self] connection in
                let booking = try await lockOpenBooking(appointmentID, portalID: nil, at: now, connection)
                try booking.requireCheckIn(id: appointmentID, for: application, at: now)
                let state = try await intake(opening, hall: hall, nameParts: nameParts, clock: clock, connection).state
                _ = try await connection.query(
                    "UPDATE appointment SET state = 'checked-in' WHERE id = \(appointmentID)", logger: logger)
                try await recordBookingEvent(
                    appointmentID, kind: "checked-in", at: now, actor: clerk, caseNumber: state.number.description,
                    connection)
                return state
            }
        }
    }

    /// The extended hours (延时服务) open at `instant`, if any: a case taken in at the window then
    /// counts them on its clock. Hours opened after they began are open only from the moment they
    /// were opened: a case entered late (补录) as taken in before then does not count them. Read
    /// by ``prepareOpening(_:workflowID:by:at:recording:checklist:documents:clerks:)`` before the
    /// intake's transaction (SQLite reads them inside it): extended hours opened at the very
    /// moment of an intake may be counted by the case or not, as if opened just before or after.
    func extendedHours(at instant: Date) async throws -> ExtendedHoursIntake? {
        let date = HallTime.localDate(of: instant)
        return ExtendedHoursIntake.open(at: instant, on: date, among: try await appointmentExtensions(on: date))
    }
}

// MARK: Within a transaction

extension PostgresStore {
    /// The advisory lock class (the first of two keys) of a day's bookings and extended hours: "appt".
    /// The second key hashes the hall's schema with the day (or the key), so that halls on one
    /// database never wait for each other.
    fileprivate static let bookingDayLock: Int32 = 0x6170_7074
    /// The advisory lock class of a portal's idempotency keys: "apky".
    fileprivate static let bookingKeyLock: Int32 = 0x6170_6B79

    /// Takes the locks of `dates` (each once, in date order, so two moves never wait for each
    /// other), held to the end of the transaction.
    fileprivate func lockAppointmentDays(_ dates: [CivilDate], _ connection: PostgresConnection) async throws {
        for date in Set(dates).sorted() {
            try await connection.runToEnd(
                """
                SELECT pg_advisory_xact_lock(\(Self.bookingDayLock), hashtext(current_schema() || ' ' || \(date.description)))
                """, logger: logger)
        }
    }

    /// `id` must be an active supervisor (as the SQLite store checks it); their row is locked
    /// (shared) to the end of the transaction, so that they are not deactivated meanwhile.
    fileprivate func requireAppointmentSupervisor(_ id: String, act: LocalizedText, _ connection: PostgresConnection)
        async throws
    {
        let rows = try await connection.query(
            "SELECT roles, active FROM clerk WHERE id = \(id) FOR SHARE", logger: logger)
        guard let (roles, active) = try await rows.decode((String, Bool).self).first(where: { _ in true }) else {
            throw StoreError.clerkNotFound(id)
        }
        let clerk = Clerk(id: id, name: "", roles: Set(roles.split(separator: " ").map(String.init)), active: active)
        guard clerk.isSupervisor else { throw StoreError.supervisorRequired(clerk: id, act: act) }
    }

    /// The capacity setting in force on `date`: the latest from a date not after it.
    fileprivate func capacitySetting(on date: CivilDate, _ connection: PostgresConnection) async throws
        -> AppointmentCapacitySetting?
    {
        let rows = try await connection.query(
            """
            SELECT to_char(effective_from, 'YYYY-MM-DD'), capacity, set_by, set_at FROM appointment_capacity
            WHERE effective_from <= \(date.description)::date ORDER BY effective_from DESC, sequence DESC LIMIT 1
            """, logger: logger)
        for try await (from, capacity, setBy, setAt) in rows.decode((String, Int, String, Date).self) {
            return AppointmentCapacitySetting(
                effectiveFrom: try Self.bookingDate(from), capacity: capacity, setBy: setBy, setAt: setAt)
        }
        return nil
    }

    fileprivate func extensions(on date: CivilDate, _ connection: PostgresConnection) async throws
        -> [AppointmentExtension]
    {
        let rows = try await connection.query(
            """
            SELECT id, to_char(date, 'YYYY-MM-DD'), start_minute, end_minute, capacity, reason, opened_by, opened_at
            FROM appointment_extension WHERE date = \(date.description)::date ORDER BY start_minute, id
            """, logger: logger)
        var found: [AppointmentExtension] = []
        for try await (id, day, start, end, capacity, reason, openedBy, openedAt) in rows.decode(
            (Int64, String, Int, Int, Int, String, String, Date).self)
        {
            found.append(
                AppointmentExtension(
                    id: id, date: try Self.bookingDate(day), startMinute: start, endMinute: end, capacity: capacity,
                    reason: reason, openedBy: openedBy, openedAt: openedAt))
        }
        return found
    }

    /// The columns ``storedBookings(_:_:)`` reads, from the booking `a` with what its events say
    /// (check-in, cancellation, move: the latest of each) once it is no longer booked.
    fileprivate static let bookingColumns = """
        a.id, to_char(a.date, 'YYYY-MM-DD'), a.start_minute, a.starts_at, a.extension_id IS NOT NULL, a.name,
            a.id_number, a.phone, a.enterprise_name, a.state, a.portal_id, a.booked_at, a.booked_by, a.moved_from,
            a.request_sha256, checked.case_number, checked.at, cancelled.reason, moved.moved_to
        FROM appointment a
        LEFT JOIN LATERAL (
            SELECT case_number, at FROM appointment_event
            WHERE appointment_id = a.id AND kind = 'checked-in' ORDER BY sequence DESC LIMIT 1
        ) checked ON a.state <> 'booked'
        LEFT JOIN LATERAL (
            SELECT reason FROM appointment_event
            WHERE appointment_id = a.id AND kind = 'cancelled' ORDER BY sequence DESC LIMIT 1
        ) cancelled ON a.state <> 'booked'
        LEFT JOIN LATERAL (
            SELECT moved_to FROM appointment_event
            WHERE appointment_id = a.id AND kind = 'moved' ORDER BY sequence DESC LIMIT 1
        ) moved ON a.state <> 'booked'
        """

    /// The bookings `query` selects (``bookingColumns``), each with its request's SHA-256.
    fileprivate func storedBookings(_ query: PostgresQuery, _ connection: PostgresConnection) async throws
        -> [StoredBooking]
    {
        var bookings: [StoredBooking] = []
        for try await row in try await connection.query(query, logger: logger) {
            let cells = row.makeRandomAccess()
            let id = try cells[0].decode(Int64.self)
            let stateText = try cells[9].decode(String.self)
            guard let state = AppointmentState(rawValue: stateText) else {
                throw StoreError.storage("appointment \(id): unknown state \(stateText)")
            }
            var appointment = Appointment(
                id: id, date: try Self.bookingDate(try cells[1].decode(String.self)),
                time: AppointmentRules.text(ofMinute: try cells[2].decode(Int.self)),
                startsAt: try cells[3].decode(Date.self), extended: try cells[4].decode(Bool.self),
                name: try cells[5].decode(String.self), idNumber: try cells[6].decode(String.self),
                phone: try cells[7].decode(String.self), enterpriseName: try cells[8].decode(String?.self),
                state: state, portalID: try cells[10].decode(String?.self), bookedAt: try cells[11].decode(Date.self),
                bookedBy: try cells[12].decode(String.self), movedFrom: try cells[13].decode(Int64?.self))
            appointment.caseNumber = try cells[15].decode(String?.self)
            appointment.checkedInAt = try cells[16].decode(Date?.self)
            appointment.cancelReason = try cells[17].decode(String?.self)
            appointment.movedTo = try cells[18].decode(Int64?.self)
            bookings.append(StoredBooking(appointment: appointment, requestSHA256: try cells[14].decode(String?.self)))
        }
        return bookings
    }

    fileprivate func storedBooking(_ id: Int64, _ connection: PostgresConnection) async throws -> StoredBooking? {
        try await storedBookings("SELECT \(unescaped: Self.bookingColumns) WHERE a.id = \(id)", connection).first
    }

    fileprivate func earlierBooking(portalID: String, keySHA256: String, _ connection: PostgresConnection) async throws
        -> StoredBooking?
    {
        try await storedBookings(
            """
            SELECT \(unescaped: Self.bookingColumns) WHERE a.portal_id = \(portalID) AND a.key_sha256 = \(keySHA256)
            """, connection
        ).first
    }

    /// Inserts a booking after checking the slot's places and the applicant's other bookings of
    /// the day, under the day's lock (which the caller holds).
    fileprivate func insertBooking(
        _ request: BookingRequest, movedFrom: Int64?, at now: Date, _ connection: PostgresConnection
    ) async throws -> Appointment {
        let day = request.date.description
        // The applicant's bookings of the day already past their grace are no-shows now (derived),
        // or, for a time the hall is closed by the calendar as it stands, cancelled with why.
        let graceEnded = Self.wholeSeconds(now).addingTimeInterval(-AppointmentRules.noShowGrace)
        var past: [(id: Int64, minute: Int, extended: Bool)] = []
        for try await (id, minute, extensionID) in try await connection.query(
            """
            SELECT id, start_minute, extension_id FROM appointment
            WHERE id_number = \(request.idNumber) AND date = \(day)::date AND state = 'booked'
                AND starts_at < \(graceEnded)
            """, logger: logger
        ).decode((Int64, Int, Int64?).self) {
            past.append((id, minute, extensionID != nil))
        }
        for booking in past {
            if request.hallWasClosed(minute: booking.minute, extended: booking.extended) {
                _ = try await connection.query(
                    "UPDATE appointment SET state = 'cancelled' WHERE id = \(booking.id)", logger: logger)
                try await recordBookingEvent(
                    booking.id, kind: "cancelled", at: now, actor: request.bookedBy,
                    reason: BookingRequest.closedSlotReason, connection)
            } else {
                _ = try await connection.query(
                    "UPDATE appointment SET state = 'no-show' WHERE id = \(booking.id)", logger: logger)
            }
        }
        if let open = try await connection.query(
            """
            SELECT id FROM appointment WHERE id_number = \(request.idNumber) AND date = \(day)::date AND state = 'booked'
            """, logger: logger
        ).decode(Int64.self).first(where: { _ in true }) {
            throw Problem(
                .conflict, "appointment.applicant-has-booking",
                zh: "申请人\(CitizenID.masked(request.idNumber))在\(request.date)已有预约（\(open)号），每人每天只能有一个预约；请改约或先取消",
                en:
                    "applicant \(CitizenID.masked(request.idNumber)) already has a booking on \(request.date) (no. \(open)); one per person per day: move it or cancel it first",
                fields: [
                    FieldProblem(
                        field: "idNumber", reason: LocalizedText(zh: "当天已有预约", en: "already has a booking that day"))
                ])
        }
        let taken =
            try await connection.query(
                """
                SELECT count(*) FROM appointment WHERE date = \(day)::date
                    AND start_minute > \(request.startMinute - AppointmentRules.slotMinutes)
                    AND start_minute < \(request.startMinute + AppointmentRules.slotMinutes)
                    AND state IN ('booked', 'checked-in', 'no-show')
                """, logger: logger
            ).decode(Int.self).first(where: { _ in true }) ?? 0
        // The places as they stand in this transaction: a supervisor's setting (or extended hours'
        // capacity) committed since the slot was read counts; the default, the active window
        // clerks, is the desk's count.
        let capacity = try await storedCapacity(request, connection) ?? request.capacity
        guard taken < capacity else {
            let time = AppointmentRules.text(ofMinute: request.startMinute)
            throw Problem(
                .conflict, "appointment.slot-full", zh: "\(request.date) \(time)的时段已约满（\(capacity)个名额）；请选其他时段",
                en: "the slot \(request.date) \(time) is full (\(capacity) places); choose another",
                fields: [FieldProblem(field: "time", reason: LocalizedText(zh: "已约满", en: "is full"))])
        }
        let ids = try await connection.query(
            """
            INSERT INTO appointment (date, start_minute, starts_at, extension_id, name, id_number, phone,
                enterprise_name, portal_id, key_sha256, request_sha256, booked_at, booked_by, moved_from, state)
            VALUES (\(day)::date, \(request.startMinute), \(Self.wholeSeconds(request.startsAt)), \(request.extensionID),
                \(request.name), \(request.idNumber), \(request.phone), \(request.enterpriseName), \(request.portalID),
                \(request.keySHA256), \(request.requestSHA256), \(Self.wholeSeconds(now)), \(request.bookedBy),
                \(movedFrom), 'booked')
            RETURNING id
            """, logger: logger)
        guard let id = try await ids.decode(Int64.self).first(where: { _ in true }) else {
            throw StoreError.storage("the booking was not given an id")
        }
        try await recordBookingEvent(id, kind: "booked", at: now, actor: request.bookedBy, connection)
        guard let stored = try await storedBooking(id, connection) else {
            throw StoreError.storage("booking \(id) lost")
        }
        return stored.appointment
    }

    /// The places of the request's slot as stored: its extended hours' capacity, or the capacity
    /// setting in force on its day; nil when neither exists (the default applies).
    fileprivate func storedCapacity(_ request: BookingRequest, _ connection: PostgresConnection) async throws -> Int? {
        if let extensionID = request.extensionID {
            return try await connection.query(
                "SELECT capacity FROM appointment_extension WHERE id = \(extensionID)", logger: logger
            ).decode(Int.self).first(where: { _ in true })
        }
        return try await capacitySetting(on: request.date, connection)?.capacity
    }

    fileprivate func recordBookingEvent(
        _ id: Int64, kind: String, at now: Date, actor: String, reason: String? = nil, caseNumber: String? = nil,
        movedTo: Int64? = nil, _ connection: PostgresConnection
    ) async throws {
        _ = try await connection.query(
            """
            INSERT INTO appointment_event (appointment_id, kind, at, actor, reason, case_number, moved_to)
            VALUES (\(id), \(kind), \(Self.wholeSeconds(now)), \(actor), \(reason), \(caseNumber), \(movedTo))
            """, logger: logger)
    }

    /// Booking `id` with its row locked to the end of the transaction, open at `now`, of `portalID`
    /// when given (another portal's is not found). A booking changed meanwhile is read as changed.
    fileprivate func lockOpenBooking(
        _ id: Int64, portalID: String?, at now: Date, slotClosed: Bool = false, _ connection: PostgresConnection
    ) async throws -> Appointment {
        try await connection.runToEnd("SELECT id FROM appointment WHERE id = \(id) FOR UPDATE", logger: logger)
        return try Self.openBooking(
            id, try await storedBooking(id, connection)?.appointment, portalID: portalID, at: now,
            slotClosed: slotClosed)
    }

    /// `stored` (booking `id`) as it stands at `now`, refused unless it is open and of `portalID`
    /// when given; the SQLite store's words.
    fileprivate static func openBooking(
        _ id: Int64, _ stored: Appointment?, portalID: String?, at now: Date, slotClosed: Bool = false
    ) throws -> Appointment {
        guard let stored, portalID == nil || stored.portalID == portalID else {
            throw Problem(.notFound, "appointment.not-found", zh: "没有编号为\(id)的预约", en: "there is no booking \(id)")
        }
        // Past its time at which the hall was closed (the desk judged it by the calendar): open.
        var appointment = stored.standing(at: now)
        // A booking kept as a no-show when its applicant booked again that day, whose time the
        // calendar closed since, is as open as one still booked (it reads "slot closed").
        if slotClosed && (stored.state == .booked || stored.state == .noShow) { appointment.state = .booked }
        guard appointment.state == .booked else {
            throw Problem(
                .refused, "appointment.not-open", zh: "预约\(id)\(appointment.state.name.zh)，不能再办理",
                en: "booking \(id) is \(appointment.state.name.en); nothing more can be done with it")
        }
        return appointment
    }

    fileprivate static func bookingDate(_ text: String) throws -> CivilDate {
        guard let date = CivilDate(text) else { throw StoreError.storage("unreadable date \(text)") }
        return date
    }
}

/// A booking as read, with its request's SHA-256 (a portal's), carried out of a transaction.
private struct StoredBooking: Sendable {
    var appointment: Appointment
    var requestSHA256: String?
}

/// What ``PostgresStore/book(_:at:)`` wrote or found (a tuple is not `Sendable` there).
private struct BookingOutcome: Sendable {
    var appointment: Appointment
    var replayed: Bool
}
