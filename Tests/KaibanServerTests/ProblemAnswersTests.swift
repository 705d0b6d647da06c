import Foundation
import KaibanCore
import KaibanServer
import KaibanTestSupport
import Testing

/// Every error is `application/problem+json`: the server's own (no such route, a method the path
/// does not take, a body too large or unreadable) and the desk's problems, by kind; never a 500
/// with an empty body, never a failure's internals. The test routes here are the tests' own.
@Suite struct ProblemAnswersTests {
    /// What the test routes decode.
    struct Echo: Codable, Sendable, Equatable {
        var name: String
        var count: Int
        var tags: [String]?
        var at: Date?
    }

    /// A failure that is no problem, with something in it no client may see.
    struct SecretFailure: Error, CustomStringConvertible {
        var description: String { "secret: /var/lib/kaiban/kaiban.sqlite is corrupt" }
    }

    static func testRoutes(_ routes: RouteTable) {
        routes.get("/test/problem/{kind}") { _, context in
            guard let kind = ProblemKind(rawValue: try context.parameters.require("kind")) else {
                throw HTTPProblem.routeNotFound("/test/problem")
            }
            throw Problem(
                kind, "test.\(kind.rawValue)", zh: "申请人\(Fixtures.idZhang)的问题：秘密细节",
                en: "a problem of applicant \(Fixtures.idZhang): secret details",
                fields: [
                    FieldProblem(
                        field: "investors[1].idNumber",
                        reason: LocalizedText(zh: "\(Fixtures.idLi)无效", en: "\(Fixtures.idLi) is not valid"))
                ])
            return "never"
        }
        routes.get("/test/number/{n}") { _, context -> String in
            "\(try context.parameters.require("n", as: Int.self))"
        }
        routes.get("/test/crash") { _, _ -> String in
            throw SecretFailure()
        }
        routes.post("/test/echo") { request, context in
            JSONResponse(try await request.decode(as: Echo.self, context: context), status: .created)
        }
    }

    func problem(_ answer: HTTPAnswer, _ status: Int, _ code: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws -> ProblemDocument
    {
        #expect(answer.status == status, "\(answer)", sourceLocation: sourceLocation)
        #expect(
            answer.header("Content-Type") == "application/problem+json", "\(answer)", sourceLocation: sourceLocation)
        let problem = try #require(answer.problem, "\(answer)", sourceLocation: sourceLocation)
        #expect(problem.code == code, sourceLocation: sourceLocation)
        #expect(problem.status == status, sourceLocation: sourceLocation)
        #expect(problem.type == "tag:kaiban,2026:problem:\(code)", sourceLocation: sourceLocation)
        #expect(!problem.title.isEmpty && !problem.detail.isEmpty, sourceLocation: sourceLocation)
        return problem
    }

    @Test func unknownRouteIs404Problem() async throws {
        try await TestServer.with { server in
            let answer = try await server.send("GET", "/nope/deeper")
            let problem = try problem(answer, 404, "route.not-found")
            #expect(problem.title == "没有这个接口")
            #expect(problem.detail == "没有路径为/nope/deeper的接口")
            #expect(problem.fields.isEmpty)
            #expect(answer.header("Content-Language") == "zh")
        }
    }

    @Test func headGetsTheProblemsStatusWithoutItsBody() async throws {
        try await TestServer.with { server in
            let answer = try await server.send("HEAD", "/nope")
            #expect(answer.status == 404, "\(answer)")
            #expect(answer.header("Content-Type") == "application/problem+json")
            #expect(answer.body.isEmpty)
        }
    }

    @Test func aPathParameterThatDoesNotParseIs400() async throws {
        try await TestServer.with(adding: Self.testRoutes) { server in
            let answer = try await server.send("GET", "/test/number/twelve")
            _ = try problem(answer, 400, "request.invalid")
            let fine = try await server.send("GET", "/test/number/12")
            #expect(fine.status == 200 && fine.text == "12", "\(fine)")
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await TestServer.with { server in
            // Methods no route lists at all (TRACE, PROPFIND) too: the path exists.
            for (method, path) in [
                ("POST", "/healthz"), ("DELETE", "/openapi.yaml"), ("PUT", "/healthz"), ("TRACE", "/healthz"),
                ("PROPFIND", "/openapi.yaml"),
            ] {
                let answer = try await server.send(method, path, headers: ["Accept-Language": "en"])
                let problem = try problem(answer, 405, "method.not-allowed")
                #expect(answer.header("Allow") == "GET, HEAD", "\(method) \(path)")
                #expect(problem.detail == "\(path) takes GET, HEAD, not \(method)")
            }
            // A template with a parameter: any case number fits it; a path that fits none stays 404.
            let trace = try await server.send("TRACE", "/cases/51081120261129000001/history")
            _ = try problem(trace, 405, "method.not-allowed")
            #expect(trace.header("Allow") == "GET, HEAD", "\(trace)")
            let post = try await server.send("TRACE", "/applications")
            _ = try problem(post, 405, "method.not-allowed")
            #expect(post.header("Allow") == "POST", "\(post)")
            _ = try problem(try await server.send("TRACE", "/nope"), 404, "route.not-found")
            // Empty segments are skipped as the router skips them: /healthz/ and //healthz are /healthz.
            for path in ["/healthz/", "//healthz", "/applications/"] {
                _ = try problem(try await server.send("TRACE", path), 405, "method.not-allowed")
            }
            // A long path is shown shortened in the message.
            let long = "/" + String(repeating: "x", count: 5_000)
            let shortened = try problem(try await server.send("GET", long), 404, "route.not-found")
            #expect(shortened.detail.count < 300 && shortened.detail.contains("…"), "\(shortened.detail.count)")
        }
    }

    @Test func bodyOverTheDefaultLimitIs413() async throws {
        try await TestServer.with(adding: Self.testRoutes) { server in
            let body = Data(repeating: 0x20, count: ServerSettings.defaultMaxBodyBytes + 1)
            for path in ["/healthz", "/test/echo", "/nope"] {
                let answer = try await server.send(
                    "POST", path, headers: ["Content-Type": "application/json", "Accept-Language": "en"], body: body)
                let problem = try problem(answer, 413, "body.too-large")
                #expect(problem.detail == "the request body is over the limit of 1048576 bytes", "\(path)")
            }
            // At the limit, the body reaches the route (which finds it is no JSON).
            let atLimit = Data(repeating: 0x20, count: ServerSettings.defaultMaxBodyBytes)
            let answer = try await server.send(
                "POST", "/test/echo", headers: ["Content-Type": "application/json"], body: atLimit)
            _ = try problem(answer, 400, "body.malformed")
        }
    }

    @Test func chunkedBodyOverTheLimitIs413() async throws {
        try await TestServer.with(maxBodyBytes: 1000, adding: Self.testRoutes) { server in
            let connection = try RawConnection(port: server.port)
            try connection.send(
                "POST /test/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n")
            for _ in 0..<3 {
                try connection.send("1f4\r\n" + String(repeating: "x", count: 500) + "\r\n")
            }
            try connection.send("0\r\n\r\n")
            let answer = await connection.answer()
            #expect(answer.hasPrefix("HTTP/1.1 413 "), "\(answer)")
            #expect(answer.lowercased().contains("content-type: application/problem+json"), "\(answer)")
            #expect(answer.contains(#""code":"body.too-large""#), "\(answer)")
        }
    }

    @Test func jsonBodyReachesTheRoute() async throws {
        try await TestServer.with(adding: Self.testRoutes) { server in
            let body = Data(#"{"name":"张伟","count":2,"tags":["a"],"at":"2026-11-26T09:05:00+08:00"}"#.utf8)
            let answer = try await server.send(
                "POST", "/test/echo", headers: ["Content-Type": "application/json; charset=utf-8"], body: body)
            #expect(answer.status == 201, "\(answer)")
            #expect(answer.header("Content-Type") == "application/json")
            #expect(answer.text == #"{"at":"2026-11-26T09:05:00+08:00","count":2,"name":"张伟","tags":["a"]}"#)
        }
    }

    @Test func unreadableBodiesAreProblemsNamingTheField() async throws {
        try await TestServer.with(adding: Self.testRoutes) { server in
            func post(_ body: String, type: String = "application/json") async throws -> HTTPAnswer {
                try await server.send(
                    "POST", "/test/echo", headers: ["Content-Type": type, "Accept-Language": "en"],
                    body: Data(body.utf8))
            }
            _ = try problem(try await post(#"{"name": "#), 400, "body.malformed")
            _ = try problem(try await post(""), 400, "body.malformed")
            let wrongType = try problem(
                try await post(#"{"name":"a","count":1}"#, type: "text/plain"), 415, "body.unsupported-type")
            #expect(wrongType.detail == #"the request body must be application/json, not "text/plain""#)
            // An empty type states none (the answer had ended in "not ").
            let emptyType = try problem(
                try await post(#"{"name":"a","count":1}"#, type: ""), 415, "body.unsupported-type")
            #expect(emptyType.detail == "the request body must be application/json, not of no stated type")
            // JSON is UTF-8: another charset is refused, not read as UTF-8; UTF-8 named in any spelling is fine.
            let latin1 = try problem(
                try await post(#"{"name":"a","count":1}"#, type: "application/json; charset=ISO-8859-1"), 415,
                "body.unsupported-type")
            #expect(latin1.detail == "a JSON body must be UTF-8, not \"iso-8859-1\"")
            // Parameters as RFC 9110 writes them: quoted, escaped, a ";" inside quotes; UTF-8 in any spelling.
            for type in [
                "application/json; charset=utf-8", "application/json;charset=\"UTF-8\"",
                "application/json; charset=utf8",
                "application/json; charset=\"utf\\-8\"", "application/json; charset=US-ASCII",
                "application/json; foo=\"a;charset=latin1\"; charset=utf-8",
            ] {
                #expect(try await post(#"{"name":"a","count":1}"#, type: type).status == 201, "\(type)")
            }
            // A second charset cannot smuggle another past the first; an empty one is none.
            for type in [
                "application/json; charset=utf-8; charset=iso-8859-1", "application/json; charset=",
                "application/json; charset=\"\"", "application/json; charset=\"utf-8",
            ] {
                _ = try problem(try await post(#"{"name":"a","count":1}"#, type: type), 415, "body.unsupported-type")
            }
            // The bytes are UTF-8 too, whatever the header says: UTF-16 labelled UTF-8 is refused.
            let utf16 = try await server.send(
                "POST", "/test/echo", headers: ["Content-Type": "application/json; charset=utf-8"],
                body: #"{"name":"a","count":1}"#.data(using: .utf16LittleEndian))
            let notUTF8 = try problem(utf16, 400, "body.malformed")
            #expect(notUTF8.detail.contains("UTF-8"), "\(notUTF8)")
            let missing = try problem(try await post(#"{"name":"a"}"#), 422, "body.invalid")
            #expect(missing.fields == [.init(field: "count", message: "is missing")])
            let mistyped = try problem(try await post(#"{"name":"a","count":"two"}"#), 422, "body.invalid")
            #expect(mistyped.fields == [.init(field: "count", message: "has the wrong type (expected integer)")])
            let nested = try problem(try await post(#"{"name":"a","count":1,"tags":["x",3]}"#), 422, "body.invalid")
            // The second tag: fields count from 1, as in the desk's problems with an application.
            #expect(nested.fields.map(\.field) == ["tags[2]"])
            let instant = try problem(try await post(#"{"name":"a","count":1,"at":"yesterday"}"#), 422, "body.invalid")
            #expect(instant.fields.map(\.field) == ["at"])
        }
    }

    static let languages: [(header: String?, language: Language)] = [
        (nil, .zh), ("en", .en), ("en-US,en;q=0.9", .en), ("zh-CN,zh;q=0.9,en;q=0.8", .zh), ("fr", .zh),
        ("fr, en;q=0.5", .en), ("en;q=0.2, zh;q=0.8", .zh), ("*", .zh), ("en;q=0", .zh), ("EN-gb", .en),
    ]

    @Test(arguments: languages)
    func acceptLanguageChoosesTheTexts(header: String?, language: Language) async throws {
        try await TestServer.with { server in
            let answer = try await server.send("GET", "/nope", headers: header.map { ["Accept-Language": $0] } ?? [:])
            let problem = try problem(answer, 404, "route.not-found")
            #expect(problem.title == (language == .zh ? "没有这个接口" : "No such route"), "\(header ?? "none")")
            #expect(answer.header("Content-Language") == language.rawValue)
            #expect(answer.header("Vary") == "Accept-Language")
        }
    }

    static let statuses: [(ProblemKind, Int)] = [
        (.invalid, 400), (.refused, 422), (.forbidden, 403), (.conflict, 409), (.notFound, 404), (.storage, 503),
        (.brokenData, 500),
    ]

    @Test func deskProblemsAnswerWithTheStatusOfTheirKind() async throws {
        try await TestServer.with(adding: Self.testRoutes) { server in
            for (kind, status) in Self.statuses {
                let answer = try await server.send(
                    "GET", "/test/problem/\(kind.rawValue)", headers: ["Accept-Language": "en"])
                let problem = try problem(answer, status, "test.\(kind.rawValue)")
                #expect(HTTPProblem.status(of: kind).code == status)
                #expect(!answer.text.contains(Fixtures.idZhang) && !answer.text.contains(Fixtures.idLi), "\(answer)")
                if status >= 500 {
                    // What failed inside stays in the log.
                    #expect(!problem.detail.contains("secret"), "\(kind): \(problem.detail)")
                } else {
                    #expect(problem.detail == "a problem of applicant 110105********002X: secret details", "\(kind)")
                    #expect(
                        problem.fields == [
                            .init(field: "investors[1].idNumber", message: "510811********0178 is not valid")
                        ])
                }
            }
        }
    }

    @Test func anyOtherErrorIsA500ProblemWithoutItsInternals() async throws {
        try await TestServer.with(adding: Self.testRoutes) { server in
            let answer = try await server.send("GET", "/test/crash")
            let problem = try problem(answer, 500, "server.internal")
            #expect(problem.detail == "服务器内部错误，已记入日志")
            #expect(!answer.text.contains("secret") && !answer.text.contains("sqlite"), "\(answer)")
        }
    }
}
