import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 11: the portals' appointment routes over real HTTP on 127.0.0.1.
@Suite struct AppointmentRoutesTests {
    static func form(_ idNumber: String, time: String = "09:30") -> Data {
        Data(
            """
            {"date": "2026-11-27", "time": "\(time)", "name": "张伟", "idNumber": "\(idNumber)", "phone": "13800000000"}
            """.utf8)
    }

    func json(_ answer: HTTPAnswer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], "\(answer)")
    }

    @Test func twoPortalsBookTheLastPlaceAtOnceAndEachSeesOnlyItsOwn() async throws {
        try await TestServer.with { server in
            let desk = server.desk
            let web = try await desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            let app = try await desk.addPortal(id: "gov-app", name: "天府通办", channel: .mobile, as: .clerk("zhouqiang"))
            func headers(_ token: String, _ key: String) -> [String: String] {
                ["Authorization": "Bearer \(token)", "Content-Type": "application/json", "Idempotency-Key": key]
            }
            let slots = try await server.send(
                "GET", "/appointments/slots?date=2026-11-27", headers: ["Authorization": "Bearer \(web.token)"])
            let slotList = try json(slots)["slots"] as? [Any]
            #expect(slots.status == 200 && slotList?.count == 14, "\(slots)")
            let badDate = try await server.send(
                "GET", "/appointments/slots?date=27.11.2026", headers: ["Authorization": "Bearer \(web.token)"])
            #expect(badDate.status == 400 && badDate.problem?.code == "appointment.date-invalid", "\(badDate)")
            // The slot has one place (one window clerk); both portals ask for it at once.
            async let fromWeb = server.send(
                "POST", "/appointments", headers: headers(web.token, "w1"), body: Self.form("11010519491231002X"))
            async let fromApp = server.send(
                "POST", "/appointments", headers: headers(app.token, "a1"), body: Self.form("510811198503120178"))
            let answers = try await [fromWeb, fromApp]
            #expect(answers.map(\.status).sorted() == [201, 409], "\(answers)")
            #expect(answers.contains { $0.problem?.code == "appointment.slot-full" })
            let winner = try #require(answers.first { $0.status == 201 })
            let booking = try #require(try json(winner)["appointment"] as? [String: Any])
            let id = try #require(booking["id"] as? Int)
            #expect(!winner.text.contains("11010519491231002X") && !winner.text.contains("510811198503120178"))
            let owner = booking["portalID"] as? String == "gov-web" ? web : app
            let other = owner.portal.id == "gov-web" ? app : web
            let mine = try await server.send(
                "GET", "/appointments/\(id)", headers: ["Authorization": "Bearer \(owner.token)"])
            #expect(mine.status == 200, "\(mine)")
            let theirs = try await server.send(
                "GET", "/appointments/\(id)", headers: ["Authorization": "Bearer \(other.token)"])
            #expect(theirs.status == 404 && theirs.problem?.code == "appointment.not-found", "\(theirs)")
            let cancelOther = try await server.send(
                "POST", "/appointments/\(id)/cancellation",
                headers: ["Authorization": "Bearer \(other.token)", "Content-Type": "application/json"],
                body: Data("{}".utf8))
            #expect(cancelOther.status == 404, "\(cancelOther)")
            let moved = try await server.send(
                "POST", "/appointments/\(id)/move",
                headers: ["Authorization": "Bearer \(owner.token)", "Content-Type": "application/json"],
                body: Data(#"{"date": "2026-11-27", "time": "10:00"}"#.utf8))
            let movedTime = try json(moved)["time"] as? String
            #expect(moved.status == 201 && movedTime == "10:00", "\(moved)")
            let newID = try #require(try json(moved)["id"] as? Int)
            let cancelled = try await server.send(
                "POST", "/appointments/\(newID)/cancellation",
                headers: ["Authorization": "Bearer \(owner.token)", "Content-Type": "application/json"],
                body: Data(#"{"reason": "改日再来"}"#.utf8))
            let state = try json(cancelled)["state"] as? String
            #expect(cancelled.status == 200 && state == "cancelled", "\(cancelled)")
            // A holiday: refused with the rule named.
            let holiday = try await server.send(
                "POST", "/appointments", headers: headers(web.token, "w2"),
                body: Data(
                    #"{"date": "2026-11-28", "time": "09:30", "name": "张伟", "idNumber": "11010519491231002X", "phone": "13800000000"}"#
                        .utf8))
            #expect(holiday.problem?.code == "appointment.day-off", "\(holiday)")
        }
    }
}
