import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 11 through the portal: an applicant asks for special service (特殊办) with the application.
@Suite struct PortalSpecialTests {
    func form(special: String) -> String {
        PortalRoutesTests.form.replacingOccurrences(
            of: #""requestedTasks": ["seal"]"#, with: #""requestedTasks": ["seal"], "special": \#(special)"#)
    }

    @Test func anApplicantAsksForDoorToDoorServiceAndTheClockWaitsForTheVisit() async throws {
        try await TestServer.with { server in
            let web = try await server.desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            func submit(_ body: String, key: String) async throws -> HTTPAnswer {
                try await server.send(
                    "POST", "/applications",
                    headers: [
                        "Authorization": "Bearer \(web.token)", "Content-Type": "application/json",
                        "Idempotency-Key": key,
                    ], body: Data(body.utf8))
            }
            // A key project is the hall's designation; a request without its reason is incomplete.
            let keyProject = try await submit(form(special: #"{"kind": "key-project", "reason": "重点项目"}"#), key: "s1")
            #expect(keyProject.status == 422, "\(keyProject)")
            #expect(keyProject.problem?.fields.map(\.field) == ["special.kind"])
            let noReason = try await submit(form(special: #"{"kind": "elderly", "reason": "  "}"#), key: "s2")
            #expect(
                noReason.status == 422 && noReason.problem?.fields.map(\.field) == ["special.reason"], "\(noReason)")
            #expect(try await server.desk.summary().total == 0)

            let created = try await submit(
                form(special: #"{"kind": "door-to-door", "reason": " 法定代表人行动不便，申请上门服务\u200b"}"#), key: "s3")
            #expect(created.status == 201, "\(created)")
            let receipt = try #require(try JSONSerialization.jsonObject(with: created.body) as? [String: Any])
            let state = try #require(receipt["case"] as? [String: Any])
            let flag = try #require(state["special"] as? [String: Any])
            #expect(flag["kind"] as? String == "door-to-door" && flag["reason"] as? String == "法定代表人行动不便，申请上门服务")
            // Flagged at intake; the clock waits for the clerks' visit, on the applicant's time.
            let number = try #require(CaseNumber(state["number"] as? String ?? ""))
            let view = try await server.desk.caseView(number)
            #expect(view.case.special?.kind == .doorToDoor && view.case.application.channel == .online)
            #expect(view.sla.running == false && view.sla.governmentMinutes == 0)
        }
    }
}
