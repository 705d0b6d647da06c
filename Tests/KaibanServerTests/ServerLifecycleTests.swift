import Foundation
import KaibanCore
import KaibanServer
import KaibanTestSupport
import Synchronization
import Testing

/// Starting and stopping, in this process: a graceful stop lets the request in flight finish; a
/// port already taken is a problem, not a crash.
/// Whether the slow route is running, and whether it is done.
final class SlowRoute: Sendable {
    let state = Mutex((inFlight: false, finished: false))
}

@Suite struct ServerLifecycleTests {
    @Test func stoppingLetsTheRequestInFlightFinish() async throws {
        let route = SlowRoute()
        let server = try await TestServer.start { routes in
            // A slow route of the test's own, which says when it is running and when it is done.
            routes.get("/test/slow") { _, _ -> String in
                route.state.withLock { $0.inFlight = true }
                try await Task.sleep(for: .milliseconds(1500))
                route.state.withLock { $0.finished = true }
                return "done"
            }
        }
        let request = Task { try await server.send("GET", "/test/slow") }
        // Stopped while the request is in flight (however long a loaded machine took to send it).
        while !route.state.withLock({ $0.inFlight }) { try await Task.sleep(for: .milliseconds(20)) }
        let finishedBefore = route.state.withLock { $0.finished }
        #expect(!finishedBefore)
        try await server.stop()
        // stop() returned only once the request was done.
        let finishedAtStop = route.state.withLock { $0.finished }
        #expect(finishedAtStop)
        let answer = try await request.value
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.text == "done")
        // And the server listens no more: its port refuses, or, taken meanwhile by another test's
        // listener (the whole suite runs at once), does not answer as this server would.
        if let connection = try? RawConnection(port: server.port) {
            try? connection.send("GET /test/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let after = String(decoding: connection.readAnswerData(timeout: 5), as: UTF8.self)
            #expect(!after.hasSuffix("done"), "\(after)")
        }
    }

    @Test func aPortTakenIsAProblem() async throws {
        try await TestServer.with { first in
            let problem = await Fixtures.problem {
                let second = try await TestServer.start(desk: first.desk, port: first.port)
                try await second.stop()
            }
            #expect(problem?.code == "server.port-taken", "\(String(describing: problem))")
            #expect(problem?.kind == .storage)
            #expect(problem?.text.en == "port \(first.port) on 127.0.0.1 is already in use: the server cannot start")
            // The first one still answers.
            let answer = try await first.send("GET", "/healthz")
            #expect(answer.status == 200)
        }
    }
}
