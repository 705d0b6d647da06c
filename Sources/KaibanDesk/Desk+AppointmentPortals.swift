import Foundation
import KaibanCore
import KaibanCrypto

extension Desk {
    /// A portal books slot `time` of `date` (预约办 online): the same rules as at the window; the
    /// idempotency key makes a retry safe as for ``submit(_:through:idempotencyKey:requestBody:)``.
    /// The answer masks the ID number. A retry is compared by the booking it asks for
    /// (``bookingFingerprint(date:time:for:)``: "9:30" is "09:30", an empty enterprise name none);
    /// one stored before by `canonicalBody` (the form as decoded, written with sorted keys) or by
    /// its bytes still matches those.
    public func portalBook(
        date: CivilDate, time: String, for applicant: BookingApplicant, through portal: Portal, idempotencyKey: String,
        requestBody: Data, canonicalBody: Data? = nil
    ) async throws -> BookingReceipt {
        try await run {
            guard !idempotencyKey.isEmpty, idempotencyKey.count <= 200,
                idempotencyKey.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
            else {
                throw Problem(
                    .invalid, "idempotency.key-invalid", zh: "幂等键须为1至200个可见ASCII字符",
                    en: "an idempotency key is 1 to 200 visible ASCII characters")
            }
            let keySHA = Secrets.sha256Hex(idempotencyKey)
            let bytesSHA = Secrets.sha256Hex(Array(requestBody))
            let requestSHA = Self.bookingFingerprint(date: date, time: time, for: applicant)
            let earlierForms: Set = [canonicalBody.map { Secrets.sha256Hex(Array($0)) } ?? bytesSHA, bytesSHA]
            // A retry is answered with the booking as it stands now (a no-show, one the calendar
            // closed), as `GET /appointments/{id}` answers it (it had read "booked").
            func replay(_ earlier: Appointment, _ earlierSHA: String) async throws -> BookingReceipt {
                guard earlierSHA == requestSHA || earlierForms.contains(earlierSHA) else {
                    throw Problem(
                        .conflict, "idempotency.key-reused", zh: "该幂等键已用于另一个预约（\(earlier.id)号）",
                        en: "this idempotency key was used for another request (booking \(earlier.id))")
                }
                let standing = earlier.standing(at: try instant(nil), calendar: try await workingCalendar())
                return BookingReceipt(appointment: standing.maskingID(), replayed: true)
            }
            if let (earlier, earlierSHA) = try await store.earlierBooking(portalID: portal.id, keySHA256: keySHA) {
                return try await replay(earlier, earlierSHA)
            }
            let applicant = try checkedApplicant(applicant)
            let now = try instant(nil)
            let slot = try await bookableSlot(date: date, time: time, at: now)
            var request = try await bookingRequest(slot, applicant, by: portal.actorID)
            request.portalID = portal.id
            request.keySHA256 = keySHA
            request.requestSHA256 = requestSHA
            let (appointment, replayed) = try await store.book(request, at: now)
            if replayed,
                let (earlier, earlierSHA) = try await store.earlierBooking(portalID: portal.id, keySHA256: keySHA)
            {
                return try await replay(earlier, earlierSHA)
            }
            return BookingReceipt(appointment: appointment.maskingID(), replayed: false)
        }
    }

    /// What tells two bookings apart: the day, the slot's minute, and the applicant written one way
    /// (the name as read, the ID number as ``CitizenID`` reads it, blanks around dropped, an empty
    /// enterprise name as none).
    static func bookingFingerprint(date: CivilDate, time: String, for applicant: BookingApplicant) -> String {
        let id = applicant.idNumber.trimmingCharacters(in: .whitespaces).uppercased()
        let enterprise = applicant.enterpriseName?.trimmingCharacters(in: .whitespaces) ?? ""
        let parts = [
            date.description, AppointmentRules.minute(of: time).map(String.init) ?? time,
            PersonName.canonical(applicant.name), (try? CitizenID(id))?.value ?? id,
            applicant.phone.trimmingCharacters(in: .whitespaces), enterprise,
        ]
        return "booking:" + Secrets.sha256Hex(Array(parts.joined(separator: "\u{1F}").utf8))
    }

    /// One of the portal's own bookings, as it stands now (another portal's is not found).
    public func portalAppointment(_ id: Int64, through portal: Portal) async throws -> Appointment {
        try await run {
            guard let appointment = try await store.appointment(id), appointment.portalID == portal.id else {
                throw Problem(
                    .notFound, "appointment.not-found", zh: "没有编号为\(id)的预约", en: "there is no booking \(id)")
            }
            return appointment.standing(at: try instant(nil), calendar: try await workingCalendar()).maskingID()
        }
    }

    /// A portal cancels one of its own open bookings.
    public func portalCancelAppointment(_ id: Int64, reason: String?, through portal: Portal) async throws
        -> Appointment
    {
        try await run {
            let why = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "取消理由", en: "the reason"), required: false)
            let now = try instant(nil)
            return try await store.cancelAppointment(
                id, portalID: portal.id, reason: why.isEmpty ? nil : why, by: portal.actorID, at: now,
                slotClosed: try await slotClosed(id, at: now)
            ).maskingID()
        }
    }

    /// A portal moves one of its own open bookings.
    public func portalMoveAppointment(_ id: Int64, date: CivilDate, time: String, through portal: Portal)
        async throws -> Appointment
    {
        try await run {
            try await move(id, portalID: portal.id, date: date, time: time, by: portal.actorID).maskingID()
        }
    }
}
