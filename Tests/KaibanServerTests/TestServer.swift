import Foundation
import KaibanCore
import KaibanDesk
import KaibanServer
import KaibanStore
import KaibanTestSupport
import Logging
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The real server, in this process, listening on 127.0.0.1 on a free port, over a desk on a
/// new temporary SQLite database (the fixtures' staff, the checkout's Forms/).
struct TestServer {
    let desk: Desk
    let running: RunningServer
    let routes: [(method: String, path: String)]

    var port: Int { running.port }

    /// Starts it, with `extra` routes of the test's own (never in the product) and a body limit.
    static func start(
        maxBodyBytes: Int = ServerSettings.defaultMaxBodyBytes, adding extra: (RouteTable) -> Void = { _ in }
    )
        async throws -> TestServer
    {
        let desk = try await Fixtures.desk()
        return try await start(desk: desk, maxBodyBytes: maxBodyBytes, adding: extra)
    }

    /// Runs `body` with a server started as ``start(maxBodyBytes:adding:)`` does, and stops it after.
    static func with<T>(
        maxBodyBytes: Int = ServerSettings.defaultMaxBodyBytes, adding extra: (RouteTable) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let server = try await start(maxBodyBytes: maxBodyBytes, adding: extra)
        do {
            let result = try await body(server)
            try await server.stop()
            return result
        } catch {
            try? await server.stop()
            throw error
        }
    }

    static func start(
        desk: Desk, port: Int = 0, maxBodyBytes: Int = ServerSettings.defaultMaxBodyBytes,
        adding extra: (RouteTable) -> Void = { _ in }
    ) async throws -> TestServer {
        var settings = ServerSettings(
            port: port, maxBodyBytes: maxBodyBytes,
            openAPIDocument: ServerSettings.openAPIDocument(in: Fixtures.formsRoot),
            version: "test")
        settings.shutdownGracePeriod = .seconds(10)
        var logger = Logger(label: "kaiban.server.test")
        logger.logLevel = .critical
        let server = try KaibanServer(desk: desk, settings: settings, logger: logger)
        var routes: [(method: String, path: String)] = []
        let running = try await server.start { table in
            extra(table)
            routes = table.routes.map { ($0.method.rawValue, $0.path) }
        }
        return TestServer(desk: desk, running: running, routes: routes)
    }

    /// The routes of the product alone (no test route).
    static func productRoutes() async throws -> [(method: String, path: String)] {
        let desk = try await Fixtures.desk()
        let server = try KaibanServer(
            desk: desk,
            settings: ServerSettings(
                openAPIDocument: ServerSettings.openAPIDocument(in: Fixtures.formsRoot), version: "test"),
            logger: Logger(label: "kaiban.server.test"))
        return server.routeTable().routes.map { ($0.method.rawValue, $0.path) }
    }

    func stop() async throws {
        try await running.stop()
    }

    /// One HTTP exchange over URLSession.
    func send(
        _ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil
    ) async throws -> HTTPAnswer {
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(path)"))
        return try await HTTPAnswer.send(method, url, headers: headers, body: body)
    }
}

/// What came back from the server.
struct HTTPAnswer: CustomStringConvertible {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var description: String { "\(status) \(headers) \(text)" }

    /// A header, by its name in any case.
    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    /// The body as a problem document, when it is one.
    var problem: ProblemDocument? {
        try? JSONDecoder().decode(ProblemDocument.self, from: body)
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 60
        return URLSession(configuration: configuration)
    }()

    static func send(_ method: String, _ url: URL, headers: [String: String], body: Data?) async throws -> HTTPAnswer {
        var request = URLRequest(url: url)
        request.httpMethod = method
        // URLSession on Linux adds an `Accept-Language` of its own (English); an empty one states
        // no preference, as a request without the header does.
        if !headers.keys.contains(where: { $0.lowercased() == "accept-language" }) {
            request.setValue("", forHTTPHeaderField: "Accept-Language")
        }
        // No connection kept alive between exchanges: servers of the tests come and go on ports
        // the system hands out again, and a pooled connection to a stopped one would hang.
        request.setValue("close", forHTTPHeaderField: "Connection")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await session.data(for: request)
        guard let response = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for (name, value) in response.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name] = value }
        }
        return HTTPAnswer(status: response.statusCode, headers: fields, body: data)
    }
}
