import Foundation
import KaibanTestSupport
import Testing

/// `kaiban serve` as an operator runs it: it refuses to start, with a clear message and the exit
/// code of the problem, when the port is taken or the database is unusable; on SIGTERM it lets the
/// request in flight finish, closes the database and exits 0.
@Suite struct ServeCommandTests {
    @Test func sigtermLetsTheRequestInFlightFinishThenExits0() async throws {
        let database = Fixtures.temporaryDatabasePath()
        try await Fixtures.staff(database)
        let serve = try ServeProcess(database: database, arguments: ["--log-level", "trace"])
        let port = try #require(serve.port(), "\(serve.text)")
        // `kaiban serve` runs its tasks on the event loops, so the request below is read and
        // answered on them, and the shutdown still waits for it.
        #expect(serve.text.contains("tasks=event-loops"), "\(serve.text)")

        // A request whose body is still coming when the signal arrives: the server is reading it.
        let connection = try RawConnection(port: port)
        try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n12345")
        #expect(serve.waitForLog("GET /healthz begins"), "\(serve.text)")
        try await Task.sleep(for: .milliseconds(200))
        serve.signal(SIGTERM)
        #expect(serve.waitForLog("stopping"), "\(serve.text)")
        // No new connection is taken, but the server waits for the one in flight.
        var refused = false
        for _ in 0..<100 where !refused {
            refused = (try? RawConnection(port: port)) == nil
            if !refused { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(refused, "a new connection was still taken after SIGTERM")
        #expect(serve.process.isRunning, "\(serve.text)")

        try connection.send("67890")
        let answer = connection.readAnswer()
        #expect(answer.hasPrefix("HTTP/1.1 200 OK"), "\(answer)")
        #expect(answer.contains(#"{"database":{"reachable":true},"status":"ok","version":"0.1.0"}"#), "\(answer)")

        #expect(serve.exitStatus() == 0, "\(serve.text)")
        #expect(serve.text.contains("stopped"), "\(serve.text)")
        #expect(serve.text.contains("database closed"), "\(serve.text)")
        // Everything the log held is in the database file.
        let wal = (try? FileManager.default.attributesOfItem(atPath: database + "-wal")[.size] as? Int) ?? 0
        #expect(wal == 0)
    }

    /// From a hostile trial: a log that cannot be written (its disk full, its pipe's reader gone)
    /// took the server down before it answered anything (a trap in `FileHandle.write`, exit 132),
    /// and any command's usage error too. The lines are lost now, not the server.
    @Test func aLogThatCannotBeWrittenLosesItsLinesNotTheServer() async throws {
        let database = Fixtures.temporaryDatabasePath()
        try await Fixtures.staff(database)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let port = try Loopback().port
        let serve = try ServeProcess(
            database: database, port: port, arguments: ["--log-level", "trace"], log: full)
        var answer = ""
        for _ in 0..<600 where !answer.hasPrefix("HTTP/1.1 200") && serve.process.isRunning {
            if let connection = try? RawConnection(port: port) {
                try connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                answer = connection.readAnswer()
            } else {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        #expect(serve.process.isRunning)
        serve.signal(SIGTERM)
        #expect(serve.exitStatus() == 0)
        #expect(serve.process.terminationReason == .exit)

        let kaiban = try KaibanProcess(database: database)
        let usage = Process()
        usage.executableURL = kaiban.executable
        usage.arguments = ["show", "510811-99999999-0001"]
        usage.environment = kaiban.environment
        usage.standardError = full
        usage.standardOutput = FileHandle.nullDevice
        try usage.run()
        usage.waitUntilExit()
        #expect(usage.terminationReason == .exit)
        #expect(usage.terminationStatus == 64)
    }

    @Test func sigintStopsItToo() async throws {
        let database = Fixtures.temporaryDatabasePath()
        try await Fixtures.staff(database)
        let serve = try ServeProcess(database: database)
        _ = try #require(serve.port(), "\(serve.text)")
        serve.signal(SIGINT)
        #expect(serve.exitStatus() == 0, "\(serve.text)")
        #expect(serve.text.contains("database closed"), "\(serve.text)")
    }

    @Test func aPortTakenRefusesToStartWith74() async throws {
        let database = Fixtures.temporaryDatabasePath()
        try await Fixtures.staff(database)
        let holder = try Loopback()
        let kaiban = try KaibanProcess(database: database)
        let chinese = try kaiban.run(["serve", "--port", "\(holder.port)"])
        #expect(chinese.status == 74, "\(chinese)")
        #expect(chinese.stderr.contains("端口\(holder.port)（127.0.0.1）已被占用，服务无法启动"), "\(chinese)")
        #expect(chinese.stderr.contains("用 --port 另选端口"), "\(chinese)")
        let english = try kaiban.run(["serve", "--port", "\(holder.port)", "--lang", "en"])
        #expect(english.status == 74, "\(english)")
        #expect(
            english.stderr.contains("port \(holder.port) on 127.0.0.1 is already in use: the server cannot start"),
            "\(english)")
    }

    @Test func noDatabaseRefusesToStartWith66() throws {
        let kaiban = try KaibanProcess()
        let result = try kaiban.run(["serve", "--port", "0", "--lang", "en"])
        #expect(result.status == 66, "\(result)")
        #expect(result.stderr.contains("no database at"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: kaiban.database), "serve created a database")
    }

    @Test func anotherProgramsDatabaseRefusesToStartWith78() throws {
        let kaiban = try KaibanProcess()
        try Self.foreignDatabase().write(to: URL(fileURLWithPath: kaiban.database))
        let result = try kaiban.run(["serve", "--port", "0", "--lang", "en"])
        #expect(result.status == 78, "\(result)")
        #expect(result.stderr.contains("is another program's database, not Kaiban's"), "\(result)")
    }

    @Test func unusableSettingsRefuseToStartWith64() async throws {
        let database = Fixtures.temporaryDatabasePath()
        try await Fixtures.staff(database)
        let kaiban = try KaibanProcess(database: database)
        let result = try kaiban.run(
            ["serve", "--port", "70000", "--lang", "en"], extraEnvironment: ["KAIBAN_MAX_BODY": "lots"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains(#"port "70000" is not a whole number from 0 to 65535"#), "\(result)")
        #expect(result.stderr.contains(#"a body limit of "lots" is not a number of bytes"#), "\(result)")
    }

    /// A SQLite database of another program: one table `notes` (made with Python's sqlite3,
    /// page size 512).
    static func foreignDatabase() throws -> Data {
        try #require(
            Data(
                base64Encoded: """
                    U1FMaXRlIGZvcm1hdCAzAAIAAQEAQCAgAAAAAQAAAAIAAAAAAAAAAAAAAAEAAAAEAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABAC5jAQ0AAAABAbgAAbgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAABGAQYXFxcBbXRhYmxlbm90ZXNub3RlcwJDUkVBVEUgVEFCTEUgbm90ZXMoaWQgaW50ZWdlciBwcmltYXJ5IGtl
                    eSwgdGV4dCkNAAAAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
                    AAAAAAAAAAAAAAAAAAAAAA==
                    """.filter { !$0.isWhitespace }))
    }
}
