import Foundation
import KaibanServer
import KaibanStore
import KaibanTestSupport
import Testing

/// `/healthz` and `/openapi.yaml` on the real server, over HTTP.
@Suite struct HealthRoutesTests {
    @Test func healthzSaysTheDatabaseAnswers() async throws {
        try await TestServer.with { server in
            let answer = try await server.send("GET", "/healthz")
            #expect(answer.status == 200, "\(answer)")
            #expect(answer.header("Content-Type") == "application/json", "\(answer)")
            let health = try JSONDecoder().decode(Health.self, from: answer.body)
            #expect(health.status == "ok")
            #expect(health.database.reachable)
            #expect(health.version == "test")
            #expect(answer.text == #"{"database":{"reachable":true},"status":"ok","version":"test"}"#)
        }
    }

    /// From a hostile trial: a database file renamed over by a restore, or deleted, under the
    /// running server. The server had answered 201 for cases written into the unlinked file, and
    /// `/healthz` said ok. Now every write is refused (503) and `/healthz` says why.
    @Test(arguments: ["replaced", "deleted"])
    func aDatabaseFileReplacedUnderTheServerIsNeverWrittenAgain(how: String) async throws {
        let desk = try await Fixtures.desk()
        let path = desk.settings.database
        try await TestServer.with(desk: desk) { server in
            #expect(try await server.send("GET", "/healthz").status == 200)
            // A write before: the store now knows its log.
            _ = try await desk.intake(Fixtures.application(), as: .clerk(Fixtures.window.id))
            if how == "replaced" {
                try FileManager.default.copyItem(atPath: path, toPath: path + ".restored")
                #expect(rename(path + ".restored", path) == 0)
            } else {
                try FileManager.default.removeItem(atPath: path)
            }
            let health = try await server.send("GET", "/healthz", headers: ["Accept-Language": "en"])
            #expect(health.status == 503, "\(health)")
            #expect(health.problem?.code == "database.file-replaced", "\(health)")
            let refused = await Fixtures.problem {
                _ = try await desk.intake(Fixtures.application(), as: .clerk(Fixtures.window.id))
            }
            #expect(refused?.code == "database.file-replaced", "\(String(describing: refused))")
            #expect(refused?.text.en.contains("moved, replaced or deleted") == true, "\(String(describing: refused))")
        }
    }

    @Test func headAnswersAsGetWithoutABody() async throws {
        try await TestServer.with { server in
            let answer = try await server.send("HEAD", "/healthz")
            #expect(answer.status == 200, "\(answer)")
            #expect(answer.body.isEmpty)
        }
    }

    @Test func healthzIs503ProblemWhenTheDatabaseIsClosed() async throws {
        try await TestServer.with { server in
            try #require(server.desk.store as? CaseStore).closeDatabase()
            let answer = try await server.send("GET", "/healthz", headers: ["Accept-Language": "en"])
            #expect(answer.status == 503, "\(answer)")
            #expect(answer.header("Content-Type") == "application/problem+json")
            #expect(answer.problem?.code == "database.unreachable", "\(answer)")
            #expect(answer.problem?.detail == "the database does not answer")
        }
    }

    @Test func openAPIDocumentIsServedAsCommitted() async throws {
        try await TestServer.with { server in
            let answer = try await server.send("GET", "/openapi.yaml")
            #expect(answer.status == 200, "\(answer)")
            #expect(answer.header("Content-Type") == "application/yaml")
            #expect(answer.text.hasPrefix("openapi: 3.1"), "\(answer.text.prefix(80))")
            let committed = try Data(contentsOf: Fixtures.formsRoot.appendingPathComponent("api/openapi.yaml"))
            #expect(answer.body == committed)
        }
    }

    /// Implementation and document cannot drift: every route of the product is in the document
    /// with its method, and every operation of the document is a route.
    @Test func everyRouteIsInTheOpenAPIDocumentAndBack() async throws {
        let text = try String(
            contentsOf: Fixtures.formsRoot.appendingPathComponent("api/openapi.yaml"), encoding: .utf8)
        let documented = Set(OpenAPIOperations.list(text).map { "\($0.method) \($0.path)" })
        let routes = Set(try await TestServer.productRoutes().map { "\($0.method.uppercased()) \($0.path)" })
        #expect(!routes.isEmpty)
        #expect(
            routes.subtracting(documented).isEmpty,
            "routes missing from openapi.yaml: \(routes.subtracting(documented))")
        #expect(documented.subtracting(routes).isEmpty, "documented but not routed: \(documented.subtracting(routes))")
    }
}

/// The operations of an OpenAPI document as this repository writes it (two-space indents, each
/// path a key under `paths:`, its methods keys under the path), without a YAML library.
enum OpenAPIOperations {
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func list(_ text: String) -> [(method: String, path: String)] {
        var operations: [(method: String, path: String)] = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line == "paths:"
                path = nil
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let key = String(line.dropFirst(4).dropLast())
                if methods.contains(key) { operations.append((key.uppercased(), path)) }
            }
        }
        return operations
    }
}
