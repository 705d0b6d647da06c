import Foundation
import Hummingbird
import Synchronization

/// The routes of the API, registered through here (never on the router directly) so that every
/// route runs behind the problem and body-limit middleware, a known path with another method is
/// answered 405 with `Allow`, and the OpenAPI document can be checked against the list.
///
/// Paths are written as in the OpenAPI document, parameters in braces: `/cases/{number}`, read in
/// the handler with `context.parameters.require("number")`. A handler returns any
/// `ResponseGenerator` (a ``JSONResponse`` of a desk result) or throws: a desk ``KaibanCore/Problem``
/// or an ``HTTPProblem`` becomes its problem answer, anything else a 500 without details.
public final class RouteTable {
    /// The Hummingbird router the routes go on.
    public let router: Router<KaibanRequestContext>
    /// Every route registered, in order: method and path.
    public private(set) var routes: [(method: HTTPRequest.Method, path: String)] = []

    /// The methods a path that exists may be asked with, for the 405 answers.
    static let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options]

    /// The body limit of each route.
    let bodyLimits: BodyLimits

    /// The bytes the bodies over `bodyLimit` (files) may take together while they are read.
    let uploads: UploadBudget

    /// The paths and their methods, for the 405 answers to methods no route lists (TRACE,
    /// PROPFIND): filled by ``finish()``.
    let known = KnownPaths()

    /// A table whose routes take bodies of at most `bodyLimit` bytes unless registered with a limit
    /// of their own; the larger bodies read at once take at most `uploadBudget` bytes together (a
    /// request that would pass it is 503 `server.busy`).
    init(bodyLimit: Int, uploadBudget: Int = 64 << 20, metrics: ServerMetrics? = nil) {
        router = Router(context: KaibanRequestContext.self, options: [.autoGenerateHeadEndpoints])
        bodyLimits = BodyLimits(standard: bodyLimit)
        uploads = UploadBudget(total: uploadBudget)
        router.add(middleware: ProblemMiddleware(bodyLimit: bodyLimit, metrics: metrics, known: known))
        router.add(middleware: BodyLimitMiddleware(limits: bodyLimits, uploads: uploads))
    }

    /// Adds a route; `bodyLimit` replaces the table's body limit for it (a route that takes files);
    /// `beforeBody` runs before its body is read (and before a client waiting for it is sent
    /// `100 Continue`): what it throws is the answer, and the body is never read.
    @discardableResult
    public func on(
        _ path: String, method: HTTPRequest.Method, bodyLimit: Int? = nil,
        beforeBody: (@Sendable (Request, KaibanRequestContext) async throws -> Void)? = nil,
        use handler: @escaping @Sendable (Request, KaibanRequestContext) async throws -> some ResponseGenerator
    ) -> Self {
        router.on(RouterPath(path), method: method, use: handler)
        if let bodyLimit { bodyLimits.set(bodyLimit, method: method, path: RouterPath(path).description) }
        if let beforeBody { bodyLimits.setCheck(beforeBody, method: method, path: RouterPath(path).description) }
        routes.append((method, path))
        return self
    }

    /// Adds a GET route (``on(_:method:bodyLimit:beforeBody:use:)``).
    @discardableResult
    public func get(
        _ path: String,
        use handler: @escaping @Sendable (Request, KaibanRequestContext) async throws -> some ResponseGenerator
    ) -> Self {
        on(path, method: .get, use: handler)
    }

    /// Adds a POST route (``on(_:method:bodyLimit:beforeBody:use:)``).
    @discardableResult
    public func post(
        _ path: String, bodyLimit: Int? = nil,
        beforeBody: (@Sendable (Request, KaibanRequestContext) async throws -> Void)? = nil,
        use handler: @escaping @Sendable (Request, KaibanRequestContext) async throws -> some ResponseGenerator
    ) -> Self {
        on(path, method: .post, bodyLimit: bodyLimit, beforeBody: beforeBody, use: handler)
    }

    /// Adds a PUT route (``on(_:method:bodyLimit:beforeBody:use:)``).
    @discardableResult
    public func put(
        _ path: String,
        use handler: @escaping @Sendable (Request, KaibanRequestContext) async throws -> some ResponseGenerator
    ) -> Self {
        on(path, method: .put, use: handler)
    }

    /// Adds a PATCH route (``on(_:method:bodyLimit:beforeBody:use:)``).
    @discardableResult
    public func patch(
        _ path: String,
        use handler: @escaping @Sendable (Request, KaibanRequestContext) async throws -> some ResponseGenerator
    ) -> Self {
        on(path, method: .patch, use: handler)
    }

    /// Adds a DELETE route (``on(_:method:bodyLimit:beforeBody:use:)``).
    @discardableResult
    public func delete(
        _ path: String,
        use handler: @escaping @Sendable (Request, KaibanRequestContext) async throws -> some ResponseGenerator
    ) -> Self {
        on(path, method: .delete, use: handler)
    }

    /// The methods each path takes (HEAD with GET), in the order registered.
    public var allowed: [(path: String, methods: [HTTPRequest.Method])] {
        var order: [String] = []
        var methods: [String: [HTTPRequest.Method]] = [:]
        for (method, path) in routes {
            if methods[path] == nil { order.append(path) }
            methods[path, default: []].append(method)
            if method == .get && !(methods[path]?.contains(.head) ?? false) { methods[path]?.append(.head) }
        }
        return order.map { ($0, methods[$0] ?? []) }
    }

    /// Adds the 405 answers: every other method on a path that exists. Called once, last.
    func finish() {
        known.set(allowed.map { (RouterPath($0.path).description, $0.methods) })
        for (path, allowed) in allowed {
            for method in Self.methods where !allowed.contains(method) {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw HTTPProblem.methodNotAllowed(method, path: request.uri.path, allowed: allowed)
                }
            }
        }
    }
}

/// The path templates of a table and the methods each takes: whether a path no route answered with
/// its method exists with others (405, not 404).
final class KnownPaths: Sendable {
    private let paths = Mutex<[(segments: [Substring], methods: [HTTPRequest.Method])]>([])

    func set(_ templates: [(template: String, methods: [HTTPRequest.Method])]) {
        let parsed = templates.map { ($0.template.split(separator: "/"), $0.methods) }
        paths.withLock { $0 = parsed }
    }

    /// The methods `path` (without its query) is taken with, empty when no template fits it: a
    /// template's `{parameter}` fits any one segment. Empty segments are skipped, as the router
    /// skips them (`/healthz/` and `//healthz` are `/healthz`).
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        return paths.withLock { paths in
            paths.first { template, _ in Self.fits(template, segments) }?.methods ?? []
        }
    }

    /// Whether a path's non-empty segments fit a template's: the same text, or any one segment
    /// for a `{parameter}`. (The body limits match a path before routing the same way.)
    static func fits(_ template: [Substring], _ segments: [Substring]) -> Bool {
        template.count == segments.count && zip(template, segments).allSatisfy { $0 == $1 || $0.hasPrefix("{") }
    }
}
