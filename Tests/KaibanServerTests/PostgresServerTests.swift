import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// `kaiban serve` on PostgreSQL, as a city's deployment runs it: the database restarting under a
/// running server, and two servers taking submissions on one database at once.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresServerTests {
    /// A new database (on the restartable server when `restartable`) with the fixtures'
    /// supervisor and window clerk, registered through the command line on its address.
    static func staffed(restartable: Bool = false) async throws -> KaibanProcess {
        let address = try await TestPostgres.freshDatabase(
            on: restartable ? TestPostgres.restartable : TestPostgres.server)
        let kaiban = try KaibanProcess(database: address)
        let first = try kaiban.run(["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor"])
        try #require(first.status == 0, "\(first)")
        let window = try kaiban.run(
            ["clerk", "add", "wangfang", "--name", "王芳", "--role", "window", "--as", "zhouqiang"])
        try #require(window.status == 0, "\(window)")
        return kaiban
    }

    /// A portal registered through the command line, with the token it was given.
    static func portal(_ kaiban: KaibanProcess, id: String) throws -> String {
        let added = try kaiban.run(
            ["portal", "add", id, "--name", "四川政务服务网", "--channel", "online", "--as", "zhouqiang", "--json"])
        try #require(added.status == 0, "\(added)")
        let object = try JSONSerialization.jsonObject(with: Data(added.stdout.utf8)) as? [String: Any]
        return try #require(object?["token"] as? String, "\(added)")
    }

    /// GET `path` until it answers `status` (the server may need a moment to reconnect), at most
    /// `patience`; the last answer.
    static func waitFor(
        _ status: Int, port: Int, _ path: String, headers: [String: String] = [:], patience: Duration = .seconds(90)
    ) async throws -> HTTPAnswer {
        let began = ContinuousClock.now
        var answer = try await HTTPAnswer.sendOverSocket("GET", port: port, path: path, headers: headers, body: nil)
        while answer.status != status && ContinuousClock.now - began < patience {
            try await Task.sleep(for: .milliseconds(200))
            answer = try await HTTPAnswer.sendOverSocket("GET", port: port, path: path, headers: headers, body: nil)
        }
        return answer
    }

    /// The database stops under a running server: its health and a portal's request are answered
    /// 503 with the problem of an unreachable database (within the store's time limit, not the
    /// pool's minute), the server keeps running, and once the database is back it answers again
    /// by itself.
    @Test(
        .enabled(
            if: TestPostgres.restartable != nil && TestPostgres.control != nil,
            "no KAIBAN_TEST_POSTGRES_RESTARTABLE and KAIBAN_TEST_POSTGRES_CONTROL to restart a server with"))
    func aRequestDuringADatabaseRestartIs503AndTheServerRecoversByItself() async throws {
        try await TestPostgres.withRestartableServer {
            let kaiban = try await Self.staffed(restartable: true)
            let token = try Self.portal(kaiban, id: "gov-web")
            let serve = try ServeProcess(database: kaiban.database)
            let port = try #require(serve.port(), "\(serve.text)")
            let healthy = try await Self.waitFor(200, port: port, "/healthz")
            #expect(healthy.status == 200, "\(healthy)")

            try await TestPostgres.restartableServer("stop")
            // Nothing between here and the start below throws: the server comes back for the
            // tests that follow whatever the expectations find.
            let health = try? await HTTPAnswer.sendOverSocket(
                "GET", port: port, path: "/healthz", headers: [:], body: nil)
            #expect(health?.status == 503, "\(String(describing: health))")
            let read = try? await HTTPAnswer.sendOverSocket(
                "GET", port: port, path: "/cases/510811-20261126-0001",
                headers: ["Authorization": "Bearer \(token)", "X-Query-Password": "wrong"], body: nil)
            #expect(read?.status == 503, "\(String(describing: read))")
            #expect(read?.problem?.code == "database.unreachable", "\(String(describing: read))")
            #expect(read?.header("Content-Type") == "application/problem+json")
            #expect(serve.process.isRunning, "\(serve.text)")
            try await TestPostgres.restartableServer("start")

            let back = try await Self.waitFor(200, port: port, "/healthz")
            #expect(back.status == 200, "\(back)")
            serve.signal(SIGTERM)
            #expect(serve.exitStatus() == 0, "\(serve.text)")
        }
    }

    /// Two servers on one database take a portal's submissions at once: every submission becomes
    /// one case, the numbers of the day are dense across both servers, and a retry sent to the
    /// other server is answered with the first's case.
    @Test(
        .enabled(
            if: TestStoreKind.postgres.keeps([.reference, .clerks, .portals, .cases, .portalSubmissions]),
            "portal submissions are not yet kept on PostgreSQL"))
    func twoServersOnOneDatabaseTakeSubmissionsAtOnceWithDenseNumbers() async throws {
        let kaiban = try await Self.staffed()
        let token = try Self.portal(kaiban, id: "gov-web")
        let first = try ServeProcess(database: kaiban.database)
        let second = try ServeProcess(database: kaiban.database)
        let ports = [try #require(first.port(), "\(first.text)"), try #require(second.port(), "\(second.text)")]
        let names = Array("青禾丰泽瑞恒通达安康宏远嘉润")
        // Each application to one server, and the first one's retry to the other.
        let requests: [(key: String, name: Character, port: Int)] =
            names.enumerated().map { ("k\($0.offset)", $0.element, ports[$0.offset % 2]) }
            + [("k0", names[0], ports[1])]
        let answers = try await withThrowingTaskGroup(of: (String, HTTPAnswer).self) { group in
            for (key, name, port) in requests {
                group.addTask {
                    let body = PortalRoutesTests.form.replacingOccurrences(of: "青禾", with: "\(name)禾")
                    // As a portal does: a 503 (the database did not answer within the store's
                    // limit, as on a machine loaded by the whole suite) is sent again under the
                    // same key, which the API says is safe; the numbers must stay dense anyway.
                    var answer: HTTPAnswer
                    var attempts = 0
                    repeat {
                        if attempts > 0 { try await Task.sleep(for: .seconds(1)) }
                        attempts += 1
                        answer = try await HTTPAnswer.sendOverSocket(
                            "POST", port: port, path: "/applications",
                            headers: [
                                "Authorization": "Bearer \(token)", "Content-Type": "application/json",
                                "Idempotency-Key": key,
                            ], body: Data(body.utf8))
                    } while answer.status == 503 && attempts < 3
                    return (key, answer)
                }
            }
            var answers: [(String, HTTPAnswer)] = []
            for try await answer in group { answers.append(answer) }
            return answers
        }
        // On failure, first what each key got (a CI log keeps only part of a long message), then
        // what the servers logged as errors (a 503's cause is logged, not answered).
        let summary = answers.map { "\($0.0) \($0.1.status) \($0.1.problem?.code ?? "")" }.sorted()
        let errors = (first.text + second.text).split(separator: "\n").filter { $0.contains(" error ") }
        #expect(
            answers.allSatisfy { [200, 201, 409].contains($0.1.status) },
            "\(summary.joined(separator: "; "))\n\(errors.joined(separator: "\n"))")
        var numberByKey: [String: Set<String>] = [:]
        for (key, answer) in answers where answer.status != 409 {
            let receipt = try #require(
                try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], "\(answer)")
            let number = try #require((receipt["case"] as? [String: Any])?["number"] as? String)
            numberByKey[key, default: []].insert(number)
        }
        // One case per key; the retry got the first's case (or was told the first is in progress).
        #expect(numberByKey.count == names.count && numberByKey.values.allSatisfy { $0.count == 1 })
        let sequences = numberByKey.values.compactMap(\.first).compactMap(CaseNumber.init).map(\.sequence).sorted()
        #expect(sequences == Array(1...names.count), "\(sequences)")
        // Both servers' worklists show every case.
        let queue = try kaiban.run(["queue", "--json", "--as", "wangfang"])
        #expect(queue.status == 0, "\(queue)")
        for numbers in numberByKey.values { #expect(queue.stdout.contains(numbers.first ?? "?")) }
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(first.exitStatus() == 0 && second.exitStatus() == 0)
    }
}
