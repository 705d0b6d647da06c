import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// Issue 10, from a hostile trial: clients that hang up mid-body or hold large bodies open.
@Suite struct HostileClientsTests {
    /// Runs blocking socket work on a thread of its own, never on the few threads that also run
    /// the servers of the tests in this process.
    func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// The `/metrics` lines counting answers of `status`.
    func counted(_ server: TestServer, status: Int) async throws -> [String] {
        let metrics = try await server.send("GET", "/metrics")
        return metrics.text.split(separator: "\n").map(String.init).filter {
            $0.hasPrefix("kaiban_http_requests_total") && $0.contains("status=\"\(status)\"")
        }
    }

    /// From a hostile trial: a client sending its request's head a byte at a time held its
    /// connection for as long as it kept sending (slowloris), and 1,100 such connections used
    /// every file descriptor: the portal stopped answering, with nothing in the log. A head must
    /// now come whole in time, and connections over the limit are answered 503 and closed.
    @Test func slowHeadsAreClosedAndConnectionsOverTheLimitAnswered503() async throws {
        let desk = try await Fixtures.desk()
        let server = try await TestServer.start(
            desk: desk,
            configure: { settings in
                settings.headerTimeout = .milliseconds(400)
                settings.idleTimeout = .milliseconds(800)
                settings.maxConnections = 3
                settings.minBodyRate = 1_000
            })
        try await TestServer.running(server) { server in
            let port = server.port
            try await onThread {
                // A head that never ends is answered 408 after the header timeout and closed,
                // though the client keeps sending (from a re-trial: it was closed unanswered).
                let slow = try RawConnection(port: port)
                let started = Date()
                for byte in "GET /healthz HTTP/1.1\r\nHo".utf8 {
                    guard (try? slow.send(Data([byte]))) != nil else { break }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                let timedOut = slow.readAnswer(timeout: 10)
                #expect(timedOut.hasPrefix("HTTP/1.1 408 "), "\(timedOut)")
                #expect(timedOut.lowercased().contains("connection: close"), "\(timedOut)")
                #expect(timedOut.contains(#""code":"request.timeout""#), "\(timedOut)")
                // Every answer carries its Date (RFC 9110 §6.6.1), this one too (from a re-trial).
                #expect(
                    timedOut.range(
                        of: #"\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n"#,
                        options: .regularExpression) != nil, "\(timedOut)")
                #expect(slow.closedByServer(timeout: 10))
                #expect(Date().timeIntervalSince(started) < 5)
                // A keep-alive connection whose next head does not come is closed after the idle time.
                let kept = try RawConnection(port: port)
                try kept.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(kept.readAnswer(timeout: 10).hasPrefix("HTTP/1.1 200 "))
                try kept.send("GET /heal")
                // The close is the point: anything sent before it is read past (a full run once
                // failed here on a loaded machine, not reproduced in isolation).
                #expect(kept.closedByServer(timeout: 10, skippingAnswers: true))
                // From a review: a body sent a few bytes at a time (slow POST) held its connection
                // as long as the client kept sending. Slower than the least rate after the grace,
                // it is answered 408 and closed.
                do {
                    let dripping = try RawConnection(port: port)
                    let started = Date()
                    try dripping.send(
                        "POST /applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100000\r\n\r\n{")
                    for _ in 0..<40 {
                        Thread.sleep(forTimeInterval: 0.1)
                        guard (try? dripping.send(Data(repeating: 0x20, count: 10))) != nil else { break }
                    }
                    let answer = dripping.readAnswer(timeout: 10)
                    #expect(answer.hasPrefix("HTTP/1.1 408 "), "\(answer)")
                    #expect(answer.contains(#""code":"request.timeout""#), "\(answer)")
                    #expect(answer.contains("请求正文送达过慢"), "\(answer)")
                    #expect(dripping.closedByServer(timeout: 10))
                    #expect(Date().timeIntervalSince(started) < 8)
                }
                // From a review: a body still arriving after an early answer (an unknown route's
                // 404) is not cut by the idle time: the client sends it whole, then reads the answer.
                do {
                    let uploading = try RawConnection(port: port)
                    try uploading.send(
                        "POST /no-such-route HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 8000\r\n\r\n")
                    for _ in 0..<8 {
                        Thread.sleep(forTimeInterval: 0.2)
                        try uploading.send(Data(repeating: 0x61, count: 1000))
                    }
                    #expect(uploading.readAnswer(timeout: 10).hasPrefix("HTTP/1.1 404 "))
                    #expect(uploading.closedByServer(timeout: 10))
                }
                Thread.sleep(forTimeInterval: 0.2)
                // Three held open: the fourth is answered 503 with Retry-After and closed, also
                // when it has sent its request already (read, not reset).
                let held = try (0..<3).map { _ in try RawConnection(port: port) }
                Thread.sleep(forTimeInterval: 0.1)
                let over = try RawConnection(port: port)
                try? over.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                let answer = over.readAnswer(timeout: 10)
                #expect(answer.hasPrefix("HTTP/1.1 503 "), "\(answer)")
                #expect(answer.lowercased().contains("retry-after: 1"), "\(answer)")
                #expect(over.closedByServer(timeout: 10))
                // Once they are gone, connections are served again.
                // (Under load one of them may have been refused too, while an earlier connection
                // was still being released: closed all the same.)
                for connection in held { #expect(connection.closedByServer(timeout: 10, skippingAnswers: true)) }
                // (The server releases a closed connection's place as it notices the close.)
                var again = ""
                for _ in 0..<50 where !again.hasPrefix("HTTP/1.1 200 ") {
                    let connection = try RawConnection(port: port)
                    try? connection.send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    again = connection.readAnswer(timeout: 10)
                    if !again.hasPrefix("HTTP/1.1 200 ") { Thread.sleep(forTimeInterval: 0.1) }
                }
                #expect(again.hasPrefix("HTTP/1.1 200 "), "\(again)")
            }
        }
    }

    /// CONNECT turns the HTTP parser's connection into a tunnel: it is answered 501 and the
    /// connection closed (before, the answer had no end and the client waited for ever), after
    /// the answer to a request pipelined before it.
    @Test func aConnectIsAnswered501AndTheConnectionClosed() async throws {
        try await TestServer.with { server in
            let answers = try await onThread { () -> [(String, Bool)] in
                try [
                    "CONNECT /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nCONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: x\r\n\r\n",
                ].map { request in
                    let connection = try RawConnection(port: server.port)
                    try connection.send(request)
                    var text = connection.readAnswer(timeout: 10)
                    if text.hasPrefix("HTTP/1.1 200 ") { text += connection.readAnswer(timeout: 10) }
                    return (text, connection.closedByServer(timeout: 10))
                }
            }
            let (alone, aloneClosed) = answers[0]
            #expect(alone.hasPrefix("HTTP/1.1 501 ") && alone.lowercased().contains("connection: close"), "\(alone)")
            #expect(aloneClosed && !alone.contains("HTTP/1.1 200"), "\(alone)")
            // Nothing after the head: an answer to CONNECT has no body.
            #expect(alone.hasSuffix("\r\n\r\n"), "\(alone)")
            let (after, afterClosed) = answers[1]
            #expect(after.hasPrefix("HTTP/1.1 200 ") && after.contains("HTTP/1.1 501 "), "\(after)")
            #expect(afterClosed)
        }
    }

    /// HTTP/1.0 (RFC 9112 §9.3): a request without `Connection: keep-alive` is answered with
    /// `Connection: close` and the connection closed (it had been left open, and a 1.0 client
    /// waited for the close); one with it keeps the connection, and its answer says so.
    @Test func anHTTP10RequestClosesItsConnectionUnlessItAsksToKeepIt() async throws {
        try await TestServer.with { server in
            let (closing, closed, kept, stillOpen, second) = try await onThread {
                let once = try RawConnection(port: server.port)
                try once.send("GET /healthz HTTP/1.0\r\n\r\n")
                let closing = once.readAnswer(timeout: 10)
                let closed = once.closedByServer(timeout: 10)
                let alive = try RawConnection(port: server.port)
                try alive.send("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let kept = alive.readAnswer(timeout: 10)
                let stillOpen = !alive.closedByServer(timeout: 1)
                try alive.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                return (closing, closed, kept, stillOpen, alive.readAnswer(timeout: 10))
            }
            #expect(closing.contains(" 200 ") && closing.lowercased().contains("connection: close"), "\(closing)")
            #expect(closed)
            #expect(kept.contains(" 200 ") && kept.lowercased().contains("connection: keep-alive"), "\(kept)")
            #expect(stillOpen && second.hasPrefix("HTTP/1.1 200 "), "\(second)")
        }
    }

    /// From the trial of that rule: a 1.0 request's own body still reaches its route (the request
    /// had hung), `close` among other options or in any case closes (RFC 9112 §9.6), a request
    /// asking to upgrade is answered and its connection closed (the parser reads nothing after
    /// it: the next request had waited for ever), and a 1.0 client is never sent 100 Continue.
    @Test func connectionOptionsAreReadAsTokensAndEveryAnswerComesBeforeTheClose() async throws {
        try await TestServer.with { server in
            let requests = [
                "POST /nope HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
                "GET /healthz HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Close\r\n\r\n",
                "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"
                    + "GET /openapi.yaml HTTP/1.1\r\nHost: x\r\n\r\n",
            ]
            let answers = try await onThread { () -> [(String, Bool)] in
                try requests.map { request in
                    let connection = try RawConnection(port: server.port)
                    try connection.send(request)
                    let answer = connection.readAnswer(timeout: 10)
                    return (answer, connection.closedByServer(timeout: 10))
                }
            }
            #expect(answers[0].0.hasPrefix("HTTP/1.1 404 ") && answers[0].1, "\(answers[0])")
            for (answer, closed) in answers.dropFirst() {
                #expect(
                    answer.hasPrefix("HTTP/1.1 200 ") && answer.lowercased().contains("connection: close"), "\(answer)")
                #expect(closed && !answer.contains("openapi"), "\(answer)")
            }
            let continued = try await onThread { () -> String in
                let connection = try RawConnection(port: server.port)
                try connection.send(
                    "POST /nope HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n")
                let early = connection.readAnswer(timeout: 1, interim: true)
                try connection.send("{}")
                return early + connection.readAnswer(timeout: 10)
            }
            #expect(!continued.contains(" 100 ") && continued.contains("HTTP/1.1 404 "), "\(continued)")
        }
    }

    /// From the trial: a body over the limit is answered 413 with `Connection: close` and the
    /// connection closed, its rest never read (a keep-alive connection had read and dropped all of
    /// it, megabytes for a client declaring them); a pipelined request after it is not answered.
    @Test func aBodyOverTheLimitIsAnsweredAndItsConnectionClosed() async throws {
        try await TestServer.with(maxBodyBytes: 1000) { server in
            let (declared, declaredClosed, chunked, chunkedClosed) = try await onThread {
                let declared = try RawConnection(port: server.port)
                try declared.send(
                    "POST /applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 50000000\r\n\r\n" + String(repeating: " ", count: 500))
                let declaredAnswer = declared.readAnswer(timeout: 10)
                let chunked = try RawConnection(port: server.port)
                try chunked.send(
                    "POST /applications HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n7d0\r\n" + String(repeating: " ", count: 2000)
                        + "\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                let chunkedAnswer = chunked.readAnswer(timeout: 10)
                return (
                    declaredAnswer, declared.closedByServer(timeout: 10), chunkedAnswer,
                    chunked.closedByServer(timeout: 10)
                )
            }
            for answer in [declared, chunked] {
                #expect(answer.hasPrefix("HTTP/1.1 413 "), "\(answer)")
                #expect(answer.lowercased().contains("connection: close"), "\(answer)")
                #expect(answer.contains(#""code":"body.too-large""#), "\(answer)")
            }
            #expect(declaredClosed)
            #expect(chunkedClosed && !chunked.contains("HTTP/1.1 200"), "\(chunked)")
            // The server still answers others.
            let health = try await server.send("GET", "/healthz")
            #expect(health.status == 200)
        }
    }

    @Test func aClientHangingUpMidBodyIsCountedAsItsOwnFaultNotAsAServerError() async throws {
        try await TestServer.with { server in
            let port = server.port
            try await onThread {
                for _ in 0..<3 {
                    let connection = try RawConnection(port: port)
                    try connection.send(
                        "POST /applications HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                            + "Content-Length: 100\r\n\r\n{\"a\"")
                    // Dropped: the connection closes with 96 bytes of its body never sent.
                }
            }
            var incomplete: [String] = []
            for _ in 0..<50 where incomplete.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                incomplete = try await counted(server, status: 400).filter { $0.contains("/applications") }
            }
            #expect(!incomplete.isEmpty, "the aborted requests are counted, as 400")
            #expect(try await counted(server, status: 500).isEmpty)
        }
    }

    @Test func largeBodiesReadAtOnceHaveABoundedBudget() async throws {
        // Files up to 1,000 bytes: four may be read at once.
        try await TestServer.with(maxDocumentBytes: 1_000) { server in
            let kase = try await DocumentRoutesTests.submit(server)
            let path = "/cases/\(kase.number)/documents/articles"
            let start =
                "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pdf\r\n"
                + "Content-Length: 1000\r\n"
            let head =
                start + "Authorization: Bearer \(kase.token)\r\nX-Query-Password: \(kase.password)\r\n\r\n%PDF-"
            let port = server.port
            // From a re-trial: clients without a token held the budget as long as their files took
            // to come (the token was checked once the file was read). They are answered at once now.
            let stranger = try await onThread {
                let connection = try RawConnection(port: port)
                try connection.send(start + "\r\n%PDF-")
                return connection.readAnswer(timeout: 10)
            }
            #expect(stranger.hasPrefix("HTTP/1.1 401") && stranger.contains("portal.unauthorized"), "\(stranger)")
            // Clients with the case's token and password send the start of a file and wait, one
            // after another: each held open is reading its body; the first answered at once is
            // refused for the budget.
            let (holding, fifth) = try await onThread {
                var holding: [RawConnection] = []
                while holding.count < 40 {
                    let connection = try RawConnection(port: port)
                    try connection.send(head)
                    let answer = connection.readAnswer(timeout: 1.5)
                    if !answer.isEmpty { return (holding, answer) }
                    holding.append(connection)
                }
                return (holding, "")
            }
            // Four reserve the budget; on a loaded machine a refusal slower than the wait counts as
            // held, so a few more tries are allowed before the refusal must have come.
            #expect(holding.count >= 4 && holding.count < 40, "\(holding.count) held before the refusal")
            #expect(fifth.hasPrefix("HTTP/1.1 503") && fifth.contains("server.busy"), "\(fifth)")
            #expect(fifth.lowercased().contains("retry-after: 1"))
            // When the four hang up, their share is free again: the next one is read and kept.
            for connection in holding { connection.hangUp() }
            var later = ""
            // Patient on a loaded machine: each try waits two seconds for its answer.
            for _ in 0..<60 {
                later = try await onThread {
                    let connection = try RawConnection(port: port)
                    try connection.send(head + String(repeating: "x", count: 995))
                    return connection.readAnswer(timeout: 2)
                }
                // No answer within the wait (the machine busy) is tried again too, like a 503.
                if !later.isEmpty && !later.contains(" 503 ") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            // (A try given up on a loaded machine may have been kept: the next is then told so.)
            #expect(
                later.hasPrefix("HTTP/1.1 201") || later.contains("document.already-received"), "\(later.prefix(200))")
            #expect(
                try await server.desk.documents(try #require(CaseNumber(kase.number))).documents.contains {
                    $0.requirement.code == "articles" && $0.state == .present
                })
        }
    }
}

extension RawConnection: @unchecked Sendable {
    /// Closes the sending and receiving sides now (the descriptor itself closes with the object).
    func hangUp() {
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
    }
}
