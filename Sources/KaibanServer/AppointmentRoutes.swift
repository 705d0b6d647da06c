import Foundation
import Hummingbird
import KaibanCore
import KaibanDesk

/// The body of a booking: the slot and the applicant.
struct BookingForm: Codable, Sendable {
    var date: String
    var time: String
    var name: String
    var idNumber: String
    var phone: String
    var enterpriseName: String?
}

/// The body of a move: the new slot.
struct MoveForm: Codable, Sendable {
    var date: String
    var time: String
}

/// The body of a cancellation: why.
struct CancellationForm: Codable, Sendable {
    var reason: String?
}

/// A day's slots as the portals see them (no bookings).
struct SlotsAnswer: Codable, Sendable {
    var date: CivilDate
    var slots: [AppointmentSlot]
}

extension KaibanServer {
    /// The portals' appointment routes (预约办). A portal sees and changes only its own bookings.
    /// - `GET /appointments/slots?date=YYYY-MM-DD`: the day's slots and places left.
    /// - `POST /appointments` (header `Idempotency-Key`): book; 201, 200 on a retry.
    /// - `GET /appointments/{id}`: one of its bookings as it stands.
    /// - `POST /appointments/{id}/cancellation`: cancel.
    /// - `POST /appointments/{id}/move`: move to another slot; 201 with the new booking.
    func addAppointmentRoutes(_ routes: RouteTable) {
        let desk = desk
        routes.get("/appointments/slots") { request, context in
            _ = try await Self.portal(request, desk)
            let date = try Self.civilDate(request.uri.queryParameters.get("date") ?? "", field: "date")
            return JSONResponse(SlotsAnswer(date: date, slots: try await desk.appointmentSlots(on: date)))
        }
        routes.post("/appointments") { request, context in
            let portal = try await Self.portal(request, desk)
            let key = try Self.idempotencyKey(request)
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let form = try await KaibanRequestDecoder().decode(
                BookingForm.self, from: Request(head: request.head, body: .init(buffer: body)), context: context)
            let receipt = try await desk.portalBook(
                date: try Self.civilDate(form.date, field: "date"), time: form.time,
                for: BookingApplicant(
                    name: form.name, idNumber: form.idNumber, phone: form.phone, enterpriseName: form.enterpriseName),
                through: portal, idempotencyKey: key, requestBody: Data(body.readableBytesView),
                canonicalBody: try Self.canonicalEncoder.encode(form))
            return JSONResponse(
                receipt, status: receipt.replayed ? .ok : .created,
                headers: [.location: "/appointments/\(receipt.appointment.id)"])
        }
        routes.get("/appointments/{id}") { request, context in
            let portal = try await Self.portal(request, desk)
            return JSONResponse(try await desk.portalAppointment(try Self.appointmentID(context), through: portal))
        }
        routes.post("/appointments/{id}/cancellation") { request, context in
            let portal = try await Self.portal(request, desk)
            let id = try Self.appointmentID(context)
            let form = try await request.decode(as: CancellationForm.self, context: context)
            return JSONResponse(try await desk.portalCancelAppointment(id, reason: form.reason, through: portal))
        }
        routes.post("/appointments/{id}/move") { request, context in
            let portal = try await Self.portal(request, desk)
            let id = try Self.appointmentID(context)
            let form = try await request.decode(as: MoveForm.self, context: context)
            let moved = try await desk.portalMoveAppointment(
                id, date: try Self.civilDate(form.date, field: "date"), time: form.time, through: portal)
            return JSONResponse(moved, status: .created, headers: [.location: "/appointments/\(moved.id)"])
        }
    }

    static func civilDate(_ text: String, field: String) throws -> CivilDate {
        guard let date = CivilDate(text) else {
            throw Problem(
                .invalid, "appointment.date-invalid", zh: "日期“\(text)”格式有误，应为YYYY-MM-DD",
                en: "\"\(text)\" is not a date YYYY-MM-DD",
                fields: [FieldProblem(field: field, reason: LocalizedText(zh: "应为YYYY-MM-DD", en: "is not YYYY-MM-DD"))]
            )
        }
        return date
    }

    static func appointmentID(_ context: KaibanRequestContext) throws -> Int64 {
        let text = context.pathParameter("id")
        guard let id = Int64(text), id > 0 else {
            throw Problem(
                .invalid, "appointment.id-invalid", zh: "预约编号“\(text)”格式有误", en: "\"\(text)\" is not a booking id",
                fields: [
                    FieldProblem(field: "id", reason: LocalizedText(zh: "应为正整数", en: "is not a positive whole number"))
                ])
        }
        return id
    }
}
