import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore: AppointmentStore {
    public func appointmentCapacity(on date: CivilDate) async throws -> AppointmentCapacitySetting? {
        try await offPool {
            try self.read { db in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT effective_from, capacity, set_by, set_at FROM appointment_capacity
                        WHERE effective_from <= ? ORDER BY effective_from DESC, sequence DESC LIMIT 1
                        """, arguments: [date.description]
                ).map { row in
                    AppointmentCapacitySetting(
                        effectiveFrom: try Self.civilDate(row[0]), capacity: row[1], setBy: row[2],
                        setAt: Date(timeIntervalSince1970: TimeInterval(row[3] as Int64)))
                }
            }
        }
    }

    public func setAppointmentCapacity(_ setting: AppointmentCapacitySetting) async throws {
        try await offPool {
            try self.write { db in
                try self.requireSupervisor(
                    setting.setBy, act: LocalizedText(zh: "设定预约时段容量", en: "set the appointment capacity"), db)
                try db.execute(
                    sql:
                        "INSERT INTO appointment_capacity (effective_from, capacity, set_by, set_at) VALUES (?, ?, ?, ?)",
                    arguments: [
                        setting.effectiveFrom.description, setting.capacity, setting.setBy, Self.seconds(setting.setAt),
                    ])
            }
        }
    }

    public func openAppointmentExtension(
        date: CivilDate, startMinute: Int, endMinute: Int, capacity: Int, reason: String, by clerk: String,
        at now: Date, calendar: WorkingCalendar
    ) async throws -> AppointmentExtension {
        try await offPool {
            try self.write { db in
                try self.requireSupervisor(clerk, act: LocalizedText(zh: "开放延时服务", en: "open extended hours"), db)
                let others = try self.extensions(on: date, db)
                if let problem = AppointmentRules.extensionProblem(
                    on: date, start: startMinute, end: endMinute, calendar: calendar, others: others)
                {
                    throw Problem(
                        .refused, "appointment.extension-invalid", zh: "不能开放延时服务：\(problem.zh)",
                        en: "extended hours cannot be opened: \(problem.en)",
                        fields: [FieldProblem(field: "from", reason: problem)])
                }
                try db.execute(
                    sql: """
                        INSERT INTO appointment_extension
                            (date, start_minute, end_minute, capacity, reason, opened_by, opened_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        date.description, startMinute, endMinute, capacity, reason, clerk, Self.seconds(now),
                    ])
                return AppointmentExtension(
                    id: db.lastInsertedRowID, date: date, startMinute: startMinute, endMinute: endMinute,
                    capacity: capacity, reason: reason, openedBy: clerk, openedAt: now)
            }
        }
    }

    public func appointmentExtensions(on date: CivilDate) async throws -> [AppointmentExtension] {
        try await offPool { try self.read { db in try self.extensions(on: date, db) } }
    }

    func extensions(on date: CivilDate, _ db: Database) throws -> [AppointmentExtension] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM appointment_extension WHERE date = ? ORDER BY start_minute",
            arguments: [date.description]
        ).map { row in
            AppointmentExtension(
                id: row["id"], date: try Self.civilDate(row["date"]), startMinute: row["start_minute"],
                endMinute: row["end_minute"], capacity: row["capacity"], reason: row["reason"],
                openedBy: row["opened_by"],
                openedAt: Date(timeIntervalSince1970: TimeInterval(row["opened_at"] as Int64)))
        }
    }

    /// The extended hours (延时服务) open at `instant`, if any: a case taken in at the window then
    /// counts them on its clock (read in the intake's transaction, through the index on date).
    /// Hours opened after they began are open only from the moment they were opened: a case entered
    /// late (补录) as taken in before then does not count them.
    func extendedHours(at instant: Date, _ db: Database) throws -> ExtendedHoursIntake? {
        let date = HallTime.localDate(of: instant)
        return ExtendedHoursIntake.open(at: instant, on: date, among: try extensions(on: date, db))
    }

    static func civilDate(_ text: String) throws -> CivilDate {
        guard let date = CivilDate(text) else { throw StoreError.storage("unreadable date \(text)") }
        return date
    }

    /// A booking with what its events say (check-in, cancellation, move).
    func appointment(_ row: Row, _ db: Database) throws -> Appointment {
        let id: Int64 = row["id"]
        let stateText: String = row["state"]
        guard let state = AppointmentState(rawValue: stateText) else {
            throw StoreError.storage("appointment \(id): unknown state \(stateText)")
        }
        func instant(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
        var appointment = Appointment(
            id: id, date: try Self.civilDate(row["date"]),
            time: AppointmentRules.text(ofMinute: row["start_minute"]), startsAt: instant(row["starts_at"]),
            extended: (row["extension_id"] as Int64?) != nil, name: row["name"], idNumber: row["id_number"],
            phone: row["phone"], enterpriseName: row["enterprise_name"], state: state, portalID: row["portal_id"],
            bookedAt: instant(row["booked_at"]), bookedBy: row["booked_by"], movedFrom: row["moved_from"])
        if state != .booked {
            for event in try Row.fetchAll(
                db.cachedStatement(
                    sql:
                        "SELECT kind, at, reason, case_number, moved_to FROM appointment_event WHERE appointment_id = ? ORDER BY sequence"
                ), arguments: [id])
            {
                switch event[0] as String {
                case "checked-in":
                    appointment.caseNumber = event[3]
                    appointment.checkedInAt = instant(event[1])
                case "cancelled": appointment.cancelReason = event[2]
                case "moved": appointment.movedTo = event[4]
                default: break
                }
            }
        }
        return appointment
    }

    public func appointments(on date: CivilDate) async throws -> [Appointment] {
        try await offPool {
            try self.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM appointment WHERE date = ? ORDER BY start_minute, id",
                    arguments: [date.description]
                ).map { try self.appointment($0, db) }
            }
        }
    }

    public func bookedAppointments(from first: CivilDate, to last: CivilDate) async throws -> [Appointment] {
        try await offPool {
            try self.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM appointment WHERE date >= ? AND date <= ? AND state = 'booked'
                        ORDER BY date, start_minute, id
                        """,
                    arguments: [first.description, last.description]
                ).map { try self.appointment($0, db) }
            }
        }
    }

    public func appointment(_ id: Int64) async throws -> Appointment? {
        try await offPool { try self.read { db in try self.fetchAppointment(id, db) } }
    }

    func fetchAppointment(_ id: Int64, _ db: Database) throws -> Appointment? {
        try Row.fetchOne(db, sql: "SELECT * FROM appointment WHERE id = ?", arguments: [id]).map {
            try appointment($0, db)
        }
    }

    func recordAppointmentEvent(
        _ id: Int64, kind: String, at now: Date, actor: String, reason: String? = nil, caseNumber: String? = nil,
        movedTo: Int64? = nil, _ db: Database
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO appointment_event (appointment_id, kind, at, actor, reason, case_number, moved_to)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, kind, Self.seconds(now), actor, reason, caseNumber, movedTo])
    }

    public func earlierBooking(portalID: String, keySHA256: String) async throws -> (Appointment, String)? {
        try await offPool {
            try self.read { db in try self.earlierBooking(portalID: portalID, keySHA256: keySHA256, db) }
        }
    }

    func earlierBooking(portalID: String, keySHA256: String, _ db: Database) throws -> (Appointment, String)? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM appointment WHERE portal_id = ? AND key_sha256 = ?",
                arguments: [portalID, keySHA256])
        else { return nil }
        return (try appointment(row, db), row["request_sha256"] ?? "")
    }

    public func book(_ request: BookingRequest, at now: Date) async throws -> (appointment: Appointment, replayed: Bool)
    {
        try await offPool {
            try self.write { db in
                if let portalID = request.portalID, let key = request.keySHA256,
                    let (earlier, _) = try self.earlierBooking(portalID: portalID, keySHA256: key, db)
                {
                    return (earlier, true)
                }
                return (try self.insertBooking(request, movedFrom: nil, at: now, db), false)
            }
        }
    }

    /// Inserts a booking after checking, in the caller's transaction, the slot's places and the
    /// applicant's other bookings of the day.
    func insertBooking(_ request: BookingRequest, movedFrom: Int64?, at now: Date, _ db: Database) throws
        -> Appointment
    {
        // The applicant's bookings of the day already past their grace are no-shows now (derived),
        // or, for a time the hall is closed by the calendar as it stands, cancelled with why.
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT id, start_minute, extension_id FROM appointment
                WHERE id_number = ? AND date = ? AND state = 'booked' AND starts_at + ? < ?
                """,
            arguments: [
                request.idNumber, request.date.description, Int64(AppointmentRules.noShowGrace), Self.seconds(now),
            ])
        {
            let id: Int64 = row["id"]
            if request.hallWasClosed(minute: row["start_minute"], extended: (row["extension_id"] as Int64?) != nil) {
                try db.execute(sql: "UPDATE appointment SET state = 'cancelled' WHERE id = ?", arguments: [id])
                try recordAppointmentEvent(
                    id, kind: "cancelled", at: now, actor: request.bookedBy, reason: BookingRequest.closedSlotReason,
                    db)
            } else {
                try db.execute(sql: "UPDATE appointment SET state = 'no-show' WHERE id = ?", arguments: [id])
            }
        }
        if let open = try Int64.fetchOne(
            db, sql: "SELECT id FROM appointment WHERE id_number = ? AND date = ? AND state = 'booked'",
            arguments: [request.idNumber, request.date.description])
        {
            throw Problem(
                .conflict, "appointment.applicant-has-booking",
                zh: "申请人\(CitizenID.masked(request.idNumber))在\(request.date)已有预约（\(open)号），每人每天只能有一个预约；请改约或先取消",
                en:
                    "applicant \(CitizenID.masked(request.idNumber)) already has a booking on \(request.date) (no. \(open)); one per person per day: move it or cancel it first",
                fields: [
                    FieldProblem(
                        field: "idNumber",
                        reason: LocalizedText(zh: "当天已有预约", en: "already has a booking that day"))
                ])
        }
        let taken =
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM appointment WHERE date = ? AND start_minute > ? AND start_minute < ?
                    AND state IN ('booked', 'checked-in', 'no-show')
                    """,
                arguments: [
                    request.date.description, request.startMinute - AppointmentRules.slotMinutes,
                    request.startMinute + AppointmentRules.slotMinutes,
                ]) ?? 0
        // The places as they stand in this transaction: a supervisor's setting (or extended hours'
        // capacity) written since the slot was read counts; the default, the active window clerks,
        // is the desk's count.
        let capacity = try storedCapacity(request, db) ?? request.capacity
        guard taken < capacity else {
            let time = AppointmentRules.text(ofMinute: request.startMinute)
            throw Problem(
                .conflict, "appointment.slot-full",
                zh: "\(request.date) \(time)的时段已约满（\(capacity)个名额）；请选其他时段",
                en: "the slot \(request.date) \(time) is full (\(capacity) places); choose another",
                fields: [FieldProblem(field: "time", reason: LocalizedText(zh: "已约满", en: "is full"))])
        }
        try db.execute(
            sql: """
                INSERT INTO appointment (date, start_minute, starts_at, extension_id, name, id_number, phone,
                    enterprise_name, portal_id, key_sha256, request_sha256, booked_at, booked_by, moved_from, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'booked')
                """,
            arguments: [
                request.date.description, request.startMinute, Self.seconds(request.startsAt), request.extensionID,
                request.name, request.idNumber, request.phone, request.enterpriseName, request.portalID,
                request.keySHA256, request.requestSHA256, Self.seconds(now), request.bookedBy, movedFrom,
            ])
        let id = db.lastInsertedRowID
        try recordAppointmentEvent(id, kind: "booked", at: now, actor: request.bookedBy, db)
        guard let appointment = try fetchAppointment(id, db) else { throw StoreError.storage("booking \(id) lost") }
        return appointment
    }

    /// The places of the request's slot as stored: its extended hours' capacity, or the capacity
    /// setting in force on its day; nil when neither exists (the default applies).
    func storedCapacity(_ request: BookingRequest, _ db: Database) throws -> Int? {
        if let extensionID = request.extensionID {
            return try Int.fetchOne(
                db, sql: "SELECT capacity FROM appointment_extension WHERE id = ?", arguments: [extensionID])
        }
        return try Int.fetchOne(
            db,
            sql: """
                SELECT capacity FROM appointment_capacity
                WHERE effective_from <= ? ORDER BY effective_from DESC, sequence DESC LIMIT 1
                """, arguments: [request.date.description])
    }

    /// Booking `id`, open at `now`, of `portalID` when given (another portal's is not found).
    func openBooking(_ id: Int64, portalID: String?, at now: Date, slotClosed: Bool = false, _ db: Database) throws
        -> Appointment
    {
        guard let stored = try fetchAppointment(id, db), portalID == nil || stored.portalID == portalID else {
            throw Problem(
                .notFound, "appointment.not-found", zh: "没有编号为\(id)的预约", en: "there is no booking \(id)")
        }
        // Past its time at which the hall was closed (the desk judged it by the calendar): open.
        var appointment = stored.standing(at: now)
        // A booking kept as a no-show when its applicant booked again that day, whose time the
        // calendar closed since, is as open as one still booked (it reads "slot closed").
        if slotClosed && (stored.state == .booked || stored.state == .noShow) { appointment.state = .booked }
        guard appointment.state == .booked else {
            throw Problem(
                .refused, "appointment.not-open",
                zh: "预约\(id)\(appointment.state.name.zh)，不能再办理",
                en: "booking \(id) is \(appointment.state.name.en); nothing more can be done with it")
        }
        return appointment
    }

    public func cancelAppointment(
        _ id: Int64, portalID: String?, reason: String?, by actor: String, at now: Date, slotClosed: Bool
    ) async throws -> Appointment {
        try await offPool {
            try self.write { db in
                _ = try self.openBooking(id, portalID: portalID, at: now, slotClosed: slotClosed, db)
                try db.execute(sql: "UPDATE appointment SET state = 'cancelled' WHERE id = ?", arguments: [id])
                try self.recordAppointmentEvent(id, kind: "cancelled", at: now, actor: actor, reason: reason, db)
                guard let appointment = try self.fetchAppointment(id, db) else {
                    throw StoreError.storage("booking \(id) lost")
                }
                return appointment
            }
        }
    }

    public func moveAppointment(
        _ id: Int64, portalID: String?, to request: BookingRequest, at now: Date, slotClosed: Bool
    ) async throws -> Appointment {
        try await offPool {
            try self.write { db in
                let old = try self.openBooking(id, portalID: portalID, at: now, slotClosed: slotClosed, db)
                try db.execute(sql: "UPDATE appointment SET state = 'moved' WHERE id = ?", arguments: [id])
                let request = request.moving(old)
                let new = try self.insertBooking(request, movedFrom: id, at: now, db)
                try self.recordAppointmentEvent(
                    id, kind: "moved", at: now, actor: request.bookedBy, movedTo: new.id, db)
                return new
            }
        }
    }

    public func checkInIntake(
        appointmentID: Int64, _ application: CaseApplication, workflowID: String, hall: String, by clerk: String,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?,
        documents: [ReceivedDocument], clock: SLAClock
    ) async throws -> RegistrationCase {
        try await offPool {
            try self.batch(clock: clock) { batch in
                let db = batch.db
                let appointment = try self.openBooking(appointmentID, portalID: nil, at: now, db)
                try appointment.requireCheckIn(id: appointmentID, for: application, at: now)
                let state = try batch.intake(
                    application, workflowID: workflowID, hall: hall, by: clerk, at: now, nameParts: nameParts,
                    recording: recording, checklist: checklist, documents: documents)
                try db.execute(
                    sql: "UPDATE appointment SET state = 'checked-in' WHERE id = ?", arguments: [appointmentID])
                try self.recordAppointmentEvent(
                    appointmentID, kind: "checked-in", at: now, actor: clerk, caseNumber: state.number.description, db)
                return state
            }
        }
    }
}
