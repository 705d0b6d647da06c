import Foundation
import Hummingbird
import KaibanCore
import KaibanCrypto
import KaibanDashboard
import KaibanDesk
import Synchronization

/// The bearer tickets the served dashboard pages carry for their own refreshes: each stands for
/// the supervisor's token that fetched the page, for ``lifetime``, and opens only the at-risk
/// list; every use checks that token again (revoked, expired, or its clerk no longer an active
/// supervisor: refused). Kept in memory: a restart ends them (the page is fetched again).
final class DashboardTickets: Sendable {
    static let lifetime = Duration.seconds(12 * 3600)
    static let capacity = 10_000
    private let tickets = Mutex([String: (secret: String, until: ContinuousClock.Instant)]())

    /// A new ticket for the token `secret`.
    func issue(for secret: String) throws -> String {
        let ticket = "page-" + Secrets.hex(try Secrets.randomBytes(24))
        let now = ContinuousClock.now
        tickets.withLock { tickets in
            if tickets.count >= Self.capacity { tickets = tickets.filter { $0.value.until > now } }
            if tickets.count >= Self.capacity { tickets.removeAll() }
            tickets[Secrets.sha256Hex(ticket)] = (secret, now + Self.lifetime)
        }
        return ticket
    }

    /// The token a live ticket stands for, if `ticket` is one.
    func secret(for ticket: String) -> String? {
        let key = Secrets.sha256Hex(ticket)
        return tickets.withLock { tickets in
            guard let entry = tickets[key] else { return nil }
            guard entry.until > ContinuousClock.now else {
                tickets.removeValue(forKey: key)
                return nil
            }
            return entry.secret
        }
    }
}

extension KaibanServer {
    /// How often the served page refreshes its at-risk list.
    static let dashboardRefreshSeconds = 45

    /// The supervisors' routes, each for an active supervisor's bearer token (`kaiban clerk token
    /// issue`): none 401, a portal's or another clerk's 403.
    /// - `GET /dashboard?month=yyyy-MM`: the dashboard page (default: this month), the same page
    ///   `kaiban dashboard` writes, refreshing its at-risk list by itself.
    /// - `GET /dashboard/at-risk`: the open cases at risk or breached, now (JSON); the page's own
    ///   ticket opens it too.
    func addDashboardRoutes(_ routes: RouteTable) {
        let desk = desk
        let tickets = DashboardTickets()
        routes.get("/dashboard") { request, context in
            let secret = Self.bearer(request) ?? ""
            _ = try await desk.supervisor(bearer: secret)
            // Now by the desk's clock: the system's in production, a fixed one in tests.
            let now = desk.clock.now()
            let month = request.uri.queryParameters.get("month")
            let today = HallTime.localDate(of: now)
            guard let days = CivilDate.month(month ?? String(format: "%04d-%02d", today.year, today.month)) else {
                throw Problem(
                    .invalid, "month.invalid", zh: "月份“\(month ?? "")”应为 yyyy-MM 格式（如 2026-11）",
                    en: "the month \"\(month ?? "")\" is not yyyy-MM (e.g. 2026-11)",
                    fields: [FieldProblem(field: "month", reason: LocalizedText(zh: "应为 yyyy-MM", en: "not yyyy-MM"))])
            }
            let data = try await desk.dashboard(from: days.first, to: days.last, at: now)
            let refresh = DashboardPage.Refresh(
                path: "/dashboard/at-risk", ticket: try tickets.issue(for: secret),
                seconds: Self.dashboardRefreshSeconds, nonce: Secrets.hex(try Secrets.randomBytes(16)))
            let page = DashboardPage(data: data, language: context.language, refresh: refresh)
            let body = ByteBuffer(string: page.html())
            var headers: HTTPFields = [
                .contentType: "text/html; charset=utf-8", .contentLength: String(body.readableBytes),
                .contentSecurityPolicy: page.contentSecurityPolicy + "; frame-ancestors 'none'",
                .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
            ]
            if let referrer = HTTPFields.Element.Name("Referrer-Policy") { headers[referrer] = "no-referrer" }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
        }
        routes.get("/dashboard/at-risk") { request, _ in
            let presented = Self.bearer(request) ?? ""
            _ = try await desk.supervisor(bearer: tickets.secret(for: presented) ?? presented)
            return JSONResponse(
                try await desk.dashboardAtRisk(at: desk.clock.now()), headers: [.cacheControl: "no-store"])
        }
    }

    /// The bearer credential of the request's `Authorization` header, trimmed; nil without one.
    static func bearer(_ request: Request) -> String? {
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix) else { return nil }
        var token = header.utf8.dropFirst(prefix.utf8.count)
        while let first = token.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { token.removeFirst() }
        while let last = token.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { token.removeLast() }
        return String(decoding: token, as: UTF8.self)
    }
}
