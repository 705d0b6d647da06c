import Foundation
import Hummingbird
import KaibanCore
import Logging
import NIOCore
import Synchronization

/// The outermost middleware: picks the answer's language, and turns whatever a route or an inner
/// middleware throws into an `application/problem+json` answer (never an empty 500), logging the
/// unexpected ones with what they were.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = KaibanRequestContext

    let bodyLimit: Int
    let metrics: ServerMetrics?
    /// The table's paths: a path that exists asked with a method no route lists is 405.
    var known: KnownPaths? = nil

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.language = AcceptLanguage.language(request.headers[.acceptLanguage])
        let start = ContinuousClock.now
        context.logger.trace("\(request.method) \(request.uri.path) begins")
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            var (problem, unexpected) = HTTPProblem.answering(error, path: request.uri.path, limit: bodyLimit)
            if problem.code == "route.not-found", let allowed = known?.methods(for: request.uri.path), !allowed.isEmpty
            {
                problem = .methodNotAllowed(request.method, path: request.uri.path, allowed: allowed)
            }
            if unexpected {
                context.logger.error(
                    "\(request.method) \(request.uri.path): \(problem.status.code) \(problem.code)",
                    metadata: ["error": "\(String(reflecting: error))"])
            }
            response = ProblemDocument(problem, language: context.language).response(
                headers: problem.headers, language: context.language, head: request.method == .head)
        }
        let elapsed = ContinuousClock.now - start
        metrics?.record(
            route: context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? "unmatched",
            method: request.method.rawValue, status: response.status.code,
            duration: elapsed)
        context.logger.debug(
            "\(request.method) \(request.uri.path) \(response.status.code)",
            metadata: ["ms": "\(elapsed.milliseconds)"])
        return response
    }
}

/// The largest body each route takes: the server's limit (`--max-body`), or a route's own when it
/// was registered with one (the documents' files). Filled as the routes are registered, read for
/// every request after.
final class BodyLimits: Sendable {
    /// The limit of every request whose route has none of its own (and of unknown paths).
    let standard: Int
    let ownLimits = Mutex<[String: Int]>([:])

    init(standard: Int) {
        self.standard = standard
    }

    /// Gives the route `method path` (its template: `/cases/{number}`) a limit of its own.
    func set(_ limit: Int, method: HTTPRequest.Method, path: String) {
        ownLimits.withLock { $0["\(method.rawValue) \(path)"] = limit }
    }

    /// The limit of the route matched (`context.endpointPath`), or the standard one.
    func limit(method: HTTPRequest.Method, endpoint: String?) -> Int {
        ownLimit(method: method, endpoint: endpoint) ?? standard
    }

    /// The route's own limit, if it has one (a route that takes files).
    func ownLimit(method: HTTPRequest.Method, endpoint: String?) -> Int? {
        guard let endpoint else { return nil }
        return ownLimits.withLock { $0["\(method.rawValue) \(endpoint)"] }
    }

    /// A route's check before its body is read (``RouteTable/on(_:method:bodyLimit:beforeBody:use:)``).
    typealias Check = @Sendable (Request, KaibanRequestContext) async throws -> Void
    let checks = Mutex<[String: Check]>([:])

    /// Gives the route `method path` a check to pass before its body is read.
    func setCheck(_ check: @escaping Check, method: HTTPRequest.Method, path: String) {
        checks.withLock { $0["\(method.rawValue) \(path)"] = check }
    }

    /// The check of the route matched, if it has one.
    func check(method: HTTPRequest.Method, endpoint: String?) -> Check? {
        guard let endpoint else { return nil }
        return checks.withLock { $0["\(method.rawValue) \(endpoint)"] }
    }

    /// Whether a request for `path`, before the router matched it, is for a route with a check
    /// before its body (its `100 Continue` waits for the check).
    func isChecked(method: HTTPRequest.Method, path: String) -> Bool {
        let segments = path.split(separator: "/")
        return checks.withLock { checks in
            checks.keys.contains { key in
                let parts = key.split(separator: " ", maxSplits: 1)
                return parts.count == 2 && parts[0] == method.rawValue
                    && KnownPaths.fits(parts[1].split(separator: "/"), segments)
            }
        }
    }

    /// The limit of a request for `path` before the router matched it: the route whose template
    /// (`/cases/{number}/documents/{code}`) fits the path segment by segment, or the standard one.
    func limit(method: HTTPRequest.Method, path: String) -> Int {
        let segments = path.split(separator: "/")
        return ownLimits.withLock { limits in
            limits.first { key, _ in
                let parts = key.split(separator: " ", maxSplits: 1)
                guard parts.count == 2, parts[0] == method.rawValue else { return false }
                return KnownPaths.fits(parts[1].split(separator: "/"), segments)
            }?.value
        } ?? standard
    }
}

/// Reads every request body before its route runs, up to the route's limit: a body declared or
/// found larger is answered 413 and never reaches the route (nor the desk). Routes then read it
/// from memory. (Hummingbird runs the router's middleware once the path is matched, so the
/// route's template is known here.)
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = KaibanRequestContext

    let limits: BodyLimits
    /// The bytes that the bodies of routes taking files may take together while they are read: without it, clients that send large bodies slowly, even without a token (checked
    /// only once the body is read), could hold the server's memory.
    let uploads: UploadBudget

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        // Neither Content-Length nor Transfer-Encoding: the request has no body (RFC 9112 §6.3),
        // nothing to limit or read (every GET of a portal).
        if request.headers[.contentLength] == nil && request.headers[.transferEncoding] == nil {
            context.maxUploadSize = limits.standard
            return try await next(request, context)
        }
        let limit = limits.limit(method: request.method, endpoint: context.endpointPath)
        context.maxUploadSize = limit
        if let declared = request.headers[.contentLength] {
            guard let length = Int(declared), length >= 0 else {
                throw HTTPProblem(
                    .badRequest, "request.invalid", title: LocalizedText(zh: "请求有误", en: "Invalid request"),
                    detail: LocalizedText(zh: "Content-Length不是字节数", en: "Content-Length is not a number of bytes"))
            }
            guard length <= limit else { throw HTTPProblem.bodyTooLarge(limit: limit) }
            if length == 0 { return try await next(request, context) }
        }
        // The route's own check (a token, a query password) before a byte of the body is read:
        // a file sent without the right to send it neither waits for nor holds the upload budget.
        if let check = limits.check(method: request.method, endpoint: context.endpointPath) {
            try await check(request, context)
            // Passed: a client waiting for `100 Continue` may send its body now.
            context.channel?.triggerUserOutboundEvent(ExpectContinueHandler.SendContinue(), promise: nil)
        }
        // A body for a route that takes files reserves its size (declared, or the limit) first.
        var reserved = 0
        if limits.ownLimit(method: request.method, endpoint: context.endpointPath) != nil {
            reserved = request.headers[.contentLength].flatMap { Int($0) } ?? limit
            guard uploads.reserve(reserved) else { throw HTTPProblem.busy }
        }
        defer { if reserved > 0 { uploads.release(reserved) } }
        var request = request
        do {
            _ = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw HTTPProblem.bodyTooLarge(limit: limit)
        }
        return try await next(request, context)
    }
}

/// Bytes that may be reserved at once, shared by every request of a server.
final class UploadBudget: Sendable {
    let total: Int
    private let used = Mutex(0)

    init(total: Int) {
        self.total = total
    }

    /// Reserves `bytes` if they fit in what is left.
    func reserve(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard used + bytes <= total else { return false }
            used += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        used.withLock { $0 -= bytes }
    }

    var inUse: Int { used.withLock { $0 } }
}

extension Duration {
    /// Whole milliseconds, for the log.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
