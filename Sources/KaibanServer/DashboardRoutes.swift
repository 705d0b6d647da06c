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

    /// The name of the sign-in cookie (``addDashboardRoutes(_:)``).
    static let sessionCookie = "kaiban_dashboard"

    /// The supervisors' routes, each for an active supervisor's bearer token (`kaiban clerk token
    /// issue`): none 401, a portal's or another clerk's 403.
    /// - `GET /dashboard?month=yyyy-MM`: the dashboard page (default: this month), the same page
    ///   `kaiban dashboard` writes, refreshing its at-risk list by itself.
    /// - `GET /dashboard/at-risk`: the open cases at risk or breached, now (JSON); the page's own
    ///   ticket opens it too.
    /// - `GET /dashboard/login`, `POST /dashboard/login`: a browser's sign-in (it cannot send a
    ///   bearer token by itself): the token posted in a form becomes a session cookie (HttpOnly,
    ///   SameSite=Strict, for `/dashboard` only, 12 hours) that stands for it as a ticket does.
    func addDashboardRoutes(_ routes: RouteTable) {
        let desk = desk
        let tickets = DashboardTickets()
        let sessions = DashboardTickets()
        routes.get("/dashboard") { request, context in
            let secret = Self.bearer(request) ?? Self.cookie(request).flatMap(sessions.secret(for:)) ?? ""
            _ = try await desk.supervisor(bearer: secret)
            // Now by the desk's clock: the system's in production, a fixed one in tests.
            let now = desk.clock.now()
            let month = request.uri.queryParameters.get("month")
            let today = HallTime.localDate(of: now)
            let text = month ?? String(format: "%04d-%02d", today.year, today.month)
            if let problem = CivilDate.monthProblem(text) {
                throw Problem(
                    .invalid, "month.invalid", problem, fields: [FieldProblem(field: "month", reason: problem)])
            }
            guard let days = CivilDate.month(text) else {
                throw Problem(
                    .invalid, "month.invalid", zh: "月份“\(text)”应为 yyyy-MM 格式（如 2026-11）",
                    en: "the month \"\(text)\" is not yyyy-MM (e.g. 2026-11)")
            }
            let data = try await desk.dashboard(from: days.first, to: days.last, at: now)
            let refresh = DashboardPage.Refresh(
                path: "/dashboard/at-risk", ticket: try tickets.issue(for: secret),
                seconds: Self.dashboardRefreshSeconds, nonce: Secrets.hex(try Secrets.randomBytes(16)))
            let page = DashboardPage(data: data, language: context.language, refresh: refresh)
            return Self.html(page.html(), policy: page.contentSecurityPolicy + "; frame-ancestors 'none'")
        }
        routes.get("/dashboard/at-risk") { request, _ in
            let presented = Self.bearer(request)
            let secret =
                presented.map { tickets.secret(for: $0) ?? $0 } ?? Self.cookie(request).flatMap(sessions.secret(for:))
            _ = try await desk.supervisor(bearer: secret ?? "")
            return JSONResponse(
                try await desk.dashboardAtRisk(at: desk.clock.now()), headers: [.cacheControl: "no-store"])
        }
        addDashboardLoginRoutes(routes, sessions: sessions)
    }

    /// The sign-in form and its answer (see ``addDashboardRoutes(_:)``).
    func addDashboardLoginRoutes(_ routes: RouteTable, sessions: DashboardTickets) {
        let desk = desk
        routes.get("/dashboard/login") { _, context in
            Self.html(
                DashboardLoginPage(language: context.language).html(), policy: DashboardLoginPage.contentSecurityPolicy)
        }
        // The sign-in form's own limit, registered so that an answer over it names it (a trial's
        // 5,000 octets were told the server's 1 MiB).
        routes.post("/dashboard/login", bodyLimit: Self.loginLimit) { request, context in
            try Self.refuseCrossSite(request)
            let body = try await request.body.collect(upTo: Self.loginLimit)
            let form = String(decoding: body.readableBytesView, as: UTF8.self).replacingOccurrences(of: "+", with: " ")
            let token =
                URLComponents(string: "?" + form)?.queryItems?.first { $0.name == "token" }?.value?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            do {
                _ = try await desk.supervisor(bearer: token)
            } catch let problem as Problem where Self.wantsHTML(request) {
                // A person at the form reads the page again with why, not a problem document.
                var page = Self.html(
                    DashboardLoginPage(language: context.language, refusal: problem.text.text(context.language))
                        .html(),
                    policy: DashboardLoginPage.contentSecurityPolicy)
                let answer = HTTPProblem(problem)
                page.status = answer.status
                for field in answer.headers { page.headers[field.name] = field.value }
                return page
            }
            let ticket = try sessions.issue(for: token)
            return Response(
                status: .seeOther,
                headers: [
                    .location: "/dashboard", .cacheControl: "no-store", .contentLength: "0",
                    .setCookie:
                        "\(Self.sessionCookie)=\(ticket); Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=\(Int(DashboardTickets.lifetime.components.seconds))",
                ])
        }
    }

    /// The most octets a sign-in form takes (a token is 43).
    static let loginLimit = 4096

    /// Whether the request is a browser's that takes HTML (its `Accept` names `text/html`).
    static func wantsHTML(_ request: Request) -> Bool {
        request.headers[values: .accept].contains { $0.lowercased().contains("text/html") }
    }

    /// Refuses a sign-in posted from another site (login CSRF: a page elsewhere signing the
    /// browser in with the attacker's token), by `Sec-Fetch-Site` or by an `Origin` whose host is
    /// not this server's (`Host`, or `X-Forwarded-Host` from a reverse proxy: a page cannot set
    /// either on a form it posts); a client that sends neither (a script, an old browser) is let
    /// through. Hosts are compared without ports (a proxy's `$host` drops them; a browser's
    /// `Sec-Fetch-Site` tells another port apart) and IPv6 addresses in brackets as written. From
    /// hostile trials.
    static func refuseCrossSite(_ request: Request) throws {
        let refused = Problem(
            .forbidden, "request.cross-site", zh: "不接受来自其他网站的登录请求", en: "a sign-in from another site is refused")
        if let site = HTTPFields.Element.Name("Sec-Fetch-Site").flatMap({ request.headers[$0] }),
            site != "same-origin", site != "none"
        {
            throw refused
        }
        guard let origin = request.headers[.origin] else { return }
        guard let url = URL(string: origin), let originHost = url.host.map({ hostName($0) }) else { throw refused }
        var hosts = [request.head.authority ?? ""]
        if let forwarded = HTTPFields.Element.Name("X-Forwarded-Host").flatMap({ request.headers[$0] }) {
            hosts += forwarded.split(separator: ",").map { String($0) }
        }
        guard hosts.map(hostName(ofAuthority:)).contains(originHost) else { throw refused }
    }

    /// A host name as compared: lower case, without brackets or a final dot.
    static func hostName(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasPrefix("["), name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }

    /// The host of an authority (`host:port`, `[v6]:port`), as compared.
    static func hostName(ofAuthority authority: String) -> String {
        let text = authority.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return hostName(String(text[text.index(after: text.startIndex)..<close]))
        }
        return hostName(String(text.split(separator: ":", maxSplits: 1).first ?? ""))
    }

    /// An HTML answer that no one caches, framed by no one, under `policy`.
    static func html(_ text: String, policy: String) -> Response {
        let body = ByteBuffer(string: text)
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .contentLength: String(body.readableBytes),
            .contentSecurityPolicy: policy, .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
        ]
        if let referrer = HTTPFields.Element.Name("Referrer-Policy") { headers[referrer] = "no-referrer" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }

    /// The sign-in cookie's value, if the request carries it.
    static func cookie(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == sessionCookie { return String(parts[1]) }
            }
        }
        return nil
    }

    /// The bearer credential of the request's `Authorization` header, trimmed; nil without one.
    /// The scheme's name is case-insensitive (RFC 9110 §11.1): `bearer` is `Bearer`.
    static func bearer(_ request: Request) -> String? {
        let header = (request.headers[.authorization] ?? "").utf8
        let prefix = "bearer ".utf8
        guard header.count > prefix.count,
            zip(header, prefix).allSatisfy({ $1 == UInt8(ascii: " ") ? $0 == $1 : $0 | 0x20 == $1 })
        else { return nil }
        var token = header.dropFirst(prefix.count)
        while let first = token.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { token.removeFirst() }
        while let last = token.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { token.removeLast() }
        return String(decoding: token, as: UTF8.self)
    }
}
