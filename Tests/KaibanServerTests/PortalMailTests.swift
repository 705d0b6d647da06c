import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 11 through the portal: an applicant gives a mailing address and reads the posts of the case.
@Suite struct PortalMailTests {
    @Test func thePortalsCaseViewShowsTheMailingAddressAndThePosts() async throws {
        try await TestServer.with { server in
            let desk = server.desk
            let web = try await desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            let form = PortalRoutesTests.form.replacingOccurrences(
                of: #""requestedTasks": ["seal"]"#,
                with: #""requestedTasks": ["seal"], "mailingAddress": "四川省广元市昭化区元坝镇中街12号 张伟收""#)
            #expect(form.contains("mailingAddress"))
            let created = try await server.send(
                "POST", "/applications",
                headers: [
                    "Authorization": "Bearer \(web.token)", "Content-Type": "application/json", "Idempotency-Key": "m1",
                ], body: Data(form.utf8))
            #expect(created.status == 201, "\(created)")
            let receipt = try #require(try JSONSerialization.jsonObject(with: created.body) as? [String: Any])
            let number = try #require((receipt["case"] as? [String: Any])?["number"] as? String)
            let password = try #require(receipt["queryPassword"] as? String)
            let caseNumber = try #require(CaseNumber(number))
            _ = try await desk.playing(Fixtures.at(18, 5)).sendMail(
                caseNumber, post: try Desk.postalItem(carrier: "EMS", tracking: "1186352047216", items: ["notices"]),
                as: .clerk("wangfang"))
            let read = try await server.send(
                "GET", "/cases/\(number)",
                headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": password])
            #expect(read.status == 200, "\(read)")
            let view = try #require(try JSONSerialization.jsonObject(with: read.body) as? [String: Any])
            let state = view["case"] as? [String: Any]
            #expect(
                (state?["application"] as? [String: Any])?["mailingAddress"] as? String == "四川省广元市昭化区元坝镇中街12号 张伟收")
            let sent = ((state?["mail"] as? [String: Any])?["sent"] as? [[String: Any]])?.first
            let post = sent?["post"] as? [String: Any]
            #expect(post?["tracking"] as? String == "1186352047216" && post?["carrier"] as? String == "EMS", "\(read)")
            #expect(post?["items"] as? [String] == ["notices"])
            #expect(sent?["at"] as? String == "2026-11-26T18:05:00+08:00")
        }
    }
}
