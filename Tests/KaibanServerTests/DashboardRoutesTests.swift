import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanServer

/// Issue 13: the dashboard served at `/dashboard` to supervisors only, over real HTTP.
@Suite struct DashboardRoutesTests {
    @Test func onlyAnActiveSupervisorsTokenOpensTheDashboard() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.local("2026-11-26 08:00"))
        let (numbers, _) = try await Fixtures.dashboardMonth(desk)
        let supervisor = try await desk.issueClerkToken(for: "zhouqiang", as: .clerk("zhouqiang"))
        let window = try await desk.issueClerkToken(for: "wangfang", as: .clerk("zhouqiang"))
        let portal = try await desk.addPortal(id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
        try await TestServer.with(desk: desk) { server in
            func get(_ path: String, _ token: String?) async throws -> HTTPAnswer {
                try await server.send("GET", path, headers: token.map { ["Authorization": "Bearer \($0)"] } ?? [:])
            }
            for path in ["/dashboard", "/dashboard/at-risk"] {
                let none = try await get(path, nil)
                #expect(none.status == 401 && none.problem?.code == "staff.unauthorized", "\(none)")
                #expect(none.header("Content-Type") == "application/problem+json")
                #expect(none.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
                #expect(try await get(path, "not-a-token").status == 401)
                let byPortal = try await get(path, portal.token)
                #expect(byPortal.status == 403 && byPortal.problem?.code == "staff.portal-token", "\(byPortal)")
                let byWindow = try await get(path, window.secret)
                #expect(byWindow.status == 403 && byWindow.problem?.code == "staff.supervisor-required", "\(byWindow)")
            }
            let page = try await get("/dashboard?month=2026-11", supervisor.secret)
            #expect(page.status == 200, "\(page.status) \(page.text.prefix(300))")
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("Cache-Control") == "no-store")
            let policy = try #require(page.header("Content-Security-Policy"))
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'nonce-"), "\(policy)")
            #expect(page.text.contains("data-figure=\"received\" data-value=\"5\""))
            #expect(page.text.contains(numbers[3].description) && page.text.contains("setInterval"))
            let bad = try await get("/dashboard?month=2026-13", supervisor.secret)
            #expect(bad.status == 400 && bad.problem?.code == "month.invalid", "\(bad)")
            // A well-written month outside the calendar's years is refused as such, as by the CLI.
            for month in ["1999-12", "2061-01", "9999-12"] {
                let outside = try await get("/dashboard?month=\(month)", supervisor.secret)
                #expect(outside.status == 400 && outside.problem?.code == "month.invalid", "\(outside)")
                #expect(outside.problem?.detail.contains("工作日历所覆盖的2000至2060年") == true, "\(outside)")
            }
            // The page refreshes its list with its own ticket: the same cases, as JSON.
            let ticket = try #require(Self.ticket(in: page.text))
            #expect(ticket != supervisor.secret)
            let list = try await get("/dashboard/at-risk", ticket)
            #expect(list.status == 200, "\(list)")
            let json = try #require(try JSONSerialization.jsonObject(with: list.body) as? [String: Any])
            let cases = try #require(json["cases"] as? [[String: Any]])
            #expect(cases.compactMap { $0["number"] as? String } == [numbers[4].description, numbers[3].description])
            #expect(json["asOf"] as? String == "2026-11-30T11:30:00+08:00")
            // The ticket opens nothing else.
            #expect(try await get("/dashboard", ticket).status == 401)
            // Revoked: neither the token nor the tickets of its pages work any more.
            _ = try await desk.revokeClerkToken(for: "zhouqiang", reason: "调岗", as: .clerk("zhouqiang"))
            #expect(try await get("/dashboard/at-risk", ticket).status == 401)
            #expect(try await get("/dashboard", supervisor.secret).status == 401)
        }
    }

    @Test func aBrowserSignsInWithTheTokenAndGetsASessionCookie() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.local("2026-11-26 08:00"))
        _ = try await Fixtures.dashboardMonth(desk)
        let supervisor = try await desk.issueClerkToken(for: "zhouqiang", as: .clerk("zhouqiang"))
        let window = try await desk.issueClerkToken(for: "wangfang", as: .clerk("zhouqiang"))
        try await TestServer.with(desk: desk) { server in
            let form = try await server.send("GET", "/dashboard/login")
            #expect(form.status == 200 && form.text.contains("name=\"token\""), "\(form)")
            #expect(form.header("Content-Security-Policy")?.contains("form-action 'self'") == true)
            func login(_ token: String, _ extra: [String: String] = [:]) async throws -> HTTPAnswer {
                try await server.send(
                    "POST", "/dashboard/login",
                    headers: ["Content-Type": "application/x-www-form-urlencoded"].merging(extra) { $1 },
                    body: Data("token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")".utf8)
                )
            }
            // From a hostile trial: a sign-in posted from another site is refused (login CSRF),
            // by its Origin or by Sec-Fetch-Site; this server's own origin signs in.
            for extra in [["Origin": "https://evil.example"], ["Origin": "null"], ["Sec-Fetch-Site": "cross-site"]] {
                let crossSite = try await login(supervisor.secret, extra)
                #expect(crossSite.status == 403 && crossSite.problem?.code == "request.cross-site", "\(extra)")
                #expect(crossSite.header("Set-Cookie") == nil)
            }
            let sameSite = try await login(
                supervisor.secret, ["Origin": "http://127.0.0.1:\(server.port)", "Sec-Fetch-Site": "same-origin"])
            #expect(sameSite.status == 303, "\(sameSite)")
            // Behind a reverse proxy (from a second re-trial): the public host as the proxy forwards
            // it, its port dropped or not.
            for (origin, forwarded) in [
                ("https://kaiban.example.gov.cn", "kaiban.example.gov.cn"),
                ("https://kaiban.example.gov.cn:8443", "kaiban.example.gov.cn"),
            ] {
                let proxied = try await login(supervisor.secret, ["Origin": origin, "X-Forwarded-Host": forwarded])
                #expect(proxied.status == 303, "\(origin): \(proxied)")
            }
            #expect(
                try await login(
                    supervisor.secret, ["Origin": "https://evil.example", "X-Forwarded-Host": "kaiban.example.gov.cn"]
                )
                .status == 403)
            #expect(KaibanServer.hostName(ofAuthority: "[::1]:18572") == "::1")
            #expect(KaibanServer.hostName(ofAuthority: "Kaiban.Example.:80") == "kaiban.example")
            // A browser's refused form gets the page again, saying why (it read raw JSON).
            let again = try await login(
                "wrong", ["Accept": "text/html,application/xhtml+xml", "Accept-Language": "en"])
            #expect(again.status == 401 && again.header("Content-Type")?.hasPrefix("text/html") == true, "\(again)")
            #expect(again.text.contains("role=\"alert\"") && again.text.contains("name=\"token\""))
            #expect(again.header("WWW-Authenticate") == "Bearer realm=\"kaiban\"")
            // Over the form's own limit, the answer names it (it named the server's 1 MiB).
            let huge = try await server.send(
                "POST", "/dashboard/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data(("token=" + String(repeating: "a", count: 5_000)).utf8))
            #expect(huge.status == 413 && huge.problem?.detail.contains("4096") == true, "\(huge)")
            let refused = try await login(window.secret)
            #expect(refused.status == 403 && refused.problem?.code == "staff.supervisor-required", "\(refused)")
            #expect(try await login("wrong").status == 401)
            let signedIn = try await login(supervisor.secret)
            #expect(signedIn.status == 303 && signedIn.header("Location") == "/dashboard", "\(signedIn)")
            let cookie = try #require(signedIn.header("Set-Cookie"))
            #expect(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/dashboard"))
            let session = String(cookie.prefix { $0 != ";" })
            #expect(!session.contains(supervisor.secret))
            let page = try await server.send("GET", "/dashboard?month=2026-11", headers: ["Cookie": session])
            #expect(
                page.status == 200 && page.text.contains("data-figure=\"received\" data-value=\"5\""), "\(page.status)")
            #expect(try await server.send("GET", "/dashboard/at-risk", headers: ["Cookie": session]).status == 200)
            #expect(
                try await server.send("GET", "/dashboard", headers: ["Cookie": "kaiban_dashboard=forged"]).status == 401
            )
            // Revoking the token ends the session.
            _ = try await desk.revokeClerkToken(for: "zhouqiang", reason: "调岗", as: .clerk("zhouqiang"))
            #expect(try await server.send("GET", "/dashboard", headers: ["Cookie": session]).status == 401)
        }
    }

    @Test func demotingASupervisorRevokesTheirTokenForGood() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.local("2026-11-26 08:00"))
        _ = try await desk.addClerk(id: "sunli", name: "孙丽", roles: ["supervisor"], as: .clerk("zhouqiang"))
        let sunli = try await desk.issueClerkToken(for: "sunli", as: .clerk("zhouqiang"))
        let other = try await desk.issueClerkToken(for: "zhouqiang", as: .clerk("zhouqiang"))
        try await TestServer.with(desk: desk) { server in
            let signedIn = try await server.send(
                "POST", "/dashboard/login", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data("token=\(sunli.secret)".utf8))
            let session = String(try #require(signedIn.header("Set-Cookie")).prefix { $0 != ";" })
            #expect(try await server.send("GET", "/dashboard", headers: ["Cookie": session]).status == 200)
            _ = try await desk.changeRoles(of: "sunli", to: ["window"], reason: "轮岗", as: .clerk("zhouqiang"))
            // Promoted again, the token and the session of before stay dead (they had come back).
            _ = try await desk.changeRoles(of: "sunli", to: ["supervisor"], reason: "回岗", as: .clerk("zhouqiang"))
            let bearer = ["Authorization": "Bearer \(sunli.secret)"]
            #expect(try await server.send("GET", "/dashboard", headers: bearer).status == 401)
            #expect(try await server.send("GET", "/dashboard", headers: ["Cookie": session]).status == 401)
            #expect(
                try await server.send("GET", "/dashboard", headers: ["Authorization": "Bearer \(other.secret)"]).status
                    == 200)
        }
        let revoked = try #require(try await desk.clerkTokens(of: "sunli", as: .clerk("zhouqiang")).first)
        #expect(revoked.revokedAt != nil && revoked.revokedBy == "zhouqiang")
        #expect(revoked.revokeReason == "不再担任负责人 (no longer a supervisor): 轮岗")
        // Deactivating a supervisor revokes theirs too; a window clerk's token is left alone.
        let again = try await desk.issueClerkToken(for: "sunli", as: .clerk("zhouqiang"))
        let window = try await desk.issueClerkToken(for: "wangfang", as: .clerk("zhouqiang"))
        _ = try await desk.deactivateClerk("sunli", reason: "离职", as: .clerk("zhouqiang"))
        _ = try await desk.changeRoles(
            of: "wangfang", to: ["window", "reviewer"], reason: "兼岗", as: .clerk("zhouqiang"))
        let tokens = try await desk.clerkTokens(as: .clerk("zhouqiang"))
        #expect(
            tokens.first { $0.issuedAt == again.token.issuedAt && $0.clerk == "sunli" }?.revokeReason
                == "工作人员已停用 (clerk deactivated): 离职")
        #expect(tokens.first { $0.clerk == "wangfang" }?.revokedAt == nil, "\(window.token)")
    }

    @Test func tokensAreASupervisorsActShownOnceAndKeptHashed() async throws {
        let desk = try await Fixtures.desk()
        let refused = await Fixtures.problem {
            _ = try await desk.issueClerkToken(for: "wangfang", as: .clerk("wangfang"))
        }
        #expect(refused?.code == "role.supervisor-required")
        let tooLong = await Fixtures.problem {
            _ = try await desk.issueClerkToken(for: "wangfang", days: 400, as: .clerk("zhouqiang"))
        }
        #expect(tooLong?.code == "clerk-token.days-out-of-range")
        let first = try await desk.issueClerkToken(for: "wangfang", days: 30, as: .clerk("zhouqiang"))
        #expect(!first.replaced && first.token.expiresAt == first.token.issuedAt.addingTimeInterval(30 * 86_400))
        let second = try await desk.issueClerkToken(for: "wangfang", as: .clerk("zhouqiang"))
        #expect(second.replaced && second.secret != first.secret)
        let tokens = try await desk.clerkTokens(of: "wangfang", as: .clerk("zhouqiang"))
        let byWindow = await Fixtures.problem { _ = try await desk.clerkTokens(of: "wangfang", as: .clerk("wangfang")) }
        #expect(byWindow?.code == "role.supervisor-required")
        #expect(tokens.count == 2 && tokens.filter { $0.revokedAt == nil }.count == 1)
        let none = await Fixtures.problem {
            _ = try await desk.revokeClerkToken(for: "lijun", reason: "无", as: .clerk("zhouqiang"))
        }
        #expect(none?.code == "clerk-token.not-found")
        // An expired token opens nothing: 90 days later.
        let supervisor = try await desk.issueClerkToken(for: "zhouqiang", days: 1, as: .clerk("zhouqiang"))
        #expect(try await desk.supervisor(bearer: supervisor.secret).id == "zhouqiang")
        let expired = await Fixtures.problem {
            _ = try await desk.playing(Fixtures.at(18, 1, day: 27)).supervisor(bearer: supervisor.secret)
        }
        #expect(expired?.code == "staff.unauthorized")
    }

    /// The page's refresh ticket, from its labels block.
    static func ticket(in html: String) -> String? {
        guard let start = html.range(of: "\"ticket\":\"") else { return nil }
        return String(html[start.upperBound...].prefix { $0 != "\"" })
    }
}
