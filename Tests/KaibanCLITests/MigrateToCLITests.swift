import Foundation
import KaibanCore
import KaibanPostgres
import KaibanTestSupport
import Testing

/// `kaiban admin migrate-to`: a hall's SQLite database copied into PostgreSQL, checked by
/// rebuilding every case from its history there; the desk then reads the same on either.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct MigrateToCLITests {
    /// A SQLite database with the fixtures' staff and `count` generated cases (licensed, open,
    /// by mail, with deferrals…), as a hall's month.
    static func hall(cases count: Int) async throws -> String {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(path: path)
        try await desk.synthesize(
            count: count, lastDay: Fixtures.day, perDay: 20, openShare: 0.25, seed: 11, as: .clerk("zhouqiang"))
        return path
    }

    @Test func aHallsDatabaseIsCopiedCheckedAndThenReadTheSameOnPostgres() async throws {
        let path = try await Self.hall(cases: 90)
        let address = try await TestPostgres.freshDatabase()
        let sqlite = try KaibanProcess(database: path)
        var postgres = try KaibanProcess(database: address)
        postgres.environment["KAIBAN_DATA_DIR"] = path + ".files"

        // The day's last case, taken in at the window before the copy.
        let last = try sqlite.run(Self.intake(at: "2026-11-26T17:00"))
        #expect(last.status == 0, "\(last)")

        let copied = try sqlite.run(["admin", "migrate-to", address, "--as", "zhouqiang", "--lang", "en"])
        #expect(copied.status == 0, "\(copied)")
        #expect(copied.stdout.contains("registration_case  91"), "\(copied.stdout)")
        #expect(copied.stdout.contains("rebuilt from their histories: 91 cases"), "\(copied.stdout)")
        #expect(copied.stdout.contains("the same as copied"), "\(copied.stdout)")
        // The address is said without any password, and the cases are on PostgreSQL now.
        let found = try sqlite.run(["find", "张伟", "--json", "--as", "wangfang"])
        #expect(found.status == 0, "\(found)")
        let listed = try JSONSerialization.jsonObject(with: Data(found.stdout.utf8)) as? [String: Any]
        let number = try #require(
            (listed?["cases"] as? [[String: Any]])?.first?["number"] as? String, "\(found.stdout)")
        for arguments in [
            ["find", "张伟", "--json"], ["show", String(number), "--json", "--at", "2026-11-26T18:00"],
            ["clerk", "list", "--json"], ["queue", "--json", "--at", "2026-11-26T18:00"],
        ] {
            let before = try sqlite.run(arguments + ["--as", "wangfang"])
            let after = try postgres.run(arguments + ["--as", "wangfang"])
            #expect(before.status == 0 && after.status == 0, "\(arguments): \(before) \(after)")
            #expect(before.stdout == after.stdout, "\(arguments) reads otherwise on PostgreSQL")
        }
        // The next case of the day follows the copied ones on PostgreSQL.
        let intake = try postgres.run(Self.intake(at: "2026-11-26T17:01"))
        #expect(intake.status == 0, "\(intake)")
        #expect(intake.stdout.contains(Self.next(after: last)), "\(intake.stdout)")

        // A second copy into the database, which holds a desk now, is refused and changes nothing.
        let again = try sqlite.run(["admin", "migrate-to", address, "--as", "zhouqiang", "--lang", "en"])
        #expect(again.status != 0, "\(again)")
        #expect(again.stderr.contains("holds"), "\(again.stderr)")
    }

    /// An address naming a database the server does not have is said as such (a configuration
    /// error, exit 78), not as a server that does not answer.
    @Test func anAddressTheServerRefusesIsSaidWithTheServersReason() throws {
        let server = try #require(TestPostgres.server)
        let address = "postgres://\(server.username)@\(server.host):\(server.port)/kaiban_absent"
        let process = try KaibanProcess(database: address)
        let refused = try process.run(["clerk", "list", "--as", "zhouqiang", "--lang", "en"])
        #expect(refused.status == 78, "\(refused)")
        #expect(refused.stderr.contains("database \"kaiban_absent\" does not exist"), "\(refused.stderr)")
        let chinese = try process.run(["clerk", "list", "--as", "zhouqiang"])
        #expect(chinese.stderr.contains("拒绝连接"), "\(chinese.stderr)")
    }

    /// The window's intake of the fixtures' application at `instant` (entered late by the supervisor).
    static func intake(at instant: String) -> [String] {
        KaibanCLITests.intakeFlags.map { $0 == "2026-11-26T09:05" ? instant : $0 } + ["--json"]
    }

    /// The case number after the one an intake's JSON answer names.
    static func next(after intake: KaibanProcess.Result) -> String {
        let number = intake.stdout.components(separatedBy: "510811-20261126-").dropFirst().first.flatMap {
            Int($0.prefix(4))
        }
        return String(format: "510811-20261126-%04d", (number ?? 0) + 1)
    }

    /// A hall's database copied under another hall's name would put its cases in that hall's
    /// schema: refused, naming a case, and nothing is written; the copy under its own goes through.
    @Test func aCopyUnderAnotherHallsNameIsRefusedAndWritesNothing() async throws {
        let path = try await Self.hall(cases: 8)
        let address = try await TestPostgres.freshDatabase()
        var elsewhere = try KaibanProcess(database: path)
        elsewhere.environment["KAIBAN_HALL"] = "510802"
        elsewhere.environment["KAIBAN_DATA_DIR"] = path + ".other.files"
        let refused = try elsewhere.run(["admin", "migrate-to", address, "--as", "zhouqiang", "--lang", "en"])
        #expect(refused.status != 0, "\(refused)")
        #expect(refused.stderr.contains("the source's case 510811-"), "\(refused.stderr)")
        #expect(refused.stderr.contains("is not of this hall (510802)"), "\(refused.stderr)")
        let copied = try KaibanProcess(database: path).run(
            ["admin", "migrate-to", address, "--as", "zhouqiang", "--lang", "en"])
        #expect(copied.status == 0, "\(copied)")
        #expect(copied.stdout.contains("rebuilt from their histories: 8 cases"), "\(copied.stdout)")

        // A hall's file with no case yet is known by its office hours (its bookings were made
        // against them): not copied under another hall's name either.
        let empty = Fixtures.temporaryDatabasePath()
        try await Fixtures.staff(empty)
        let read = try KaibanProcess(database: empty).run(["queue", "--as", "wangfang", "--lang", "en"])
        #expect(read.status == 0, "\(read)")
        var caseless = try KaibanProcess(database: empty)
        caseless.environment["KAIBAN_HALL"] = "510802"
        caseless.environment["KAIBAN_DATA_DIR"] = empty + ".other.files"
        let hours = try caseless.run(
            ["admin", "migrate-to", try await TestPostgres.freshDatabase(), "--as", "zhouqiang", "--lang", "en"])
        #expect(hours.status == 64, "\(hours)")
        #expect(hours.stderr.contains("office hours of hall 510811 is not of this hall (510802)"), "\(hours.stderr)")
    }

    /// Another hall's data directory is refused before the database is opened: a hall's first
    /// command there had created its schema (41 tables) before it was refused.
    @Test func anotherHallsDataDirectoryIsRefusedBeforeTheDatabaseIsTouched() async throws {
        let address = try await TestPostgres.freshDatabase()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-claimed-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("510811\n".utf8).write(to: folder.appendingPathComponent("kaiban-hall"))
        var elsewhere = try KaibanProcess(database: address)
        elsewhere.environment["KAIBAN_HALL"] = "510802"
        elsewhere.environment["KAIBAN_DATA_DIR"] = folder.path
        let refused = try elsewhere.run(["clerk", "list", "--lang", "en"])
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.stderr.contains("belongs to hall 510811"), "\(refused.stderr)")
        let schemas = try await PostgresStore.withStore(try PostgresLocation(address), deadline: .seconds(60)) {
            try await $0.hallSchemas()
        }
        #expect(schemas.isEmpty)
    }

    /// A hall code that is no division makes no schema in the province's database (000001 had
    /// left 41 tables behind); a real one does.
    @Test func aHallThatIsNoDivisionMakesNoSchema() async throws {
        let address = try await TestPostgres.freshDatabase()
        var unknown = try KaibanProcess(database: address)
        unknown.environment["KAIBAN_HALL"] = "000001"
        let refused = try unknown.run(["clerk", "list", "--lang", "en"])
        #expect(refused.status == 64, "\(refused)")
        #expect(refused.stderr.contains("KAIBAN_HALL=000001 is no division"), "\(refused.stderr)")
        var lizhou = try KaibanProcess(database: address)
        lizhou.environment["KAIBAN_HALL"] = "510802"
        #expect(try lizhou.run(["clerk", "list", "--lang", "en"]).status == 0)
        let schemas = try await PostgresStore.withStore(try PostgresLocation(address), deadline: .seconds(60)) {
            try await $0.hallSchemas()
        }
        #expect(schemas == ["kaiban_510802"])
    }

    @Test func onlyASupervisorCopiesAndARefusedCopyWritesNothing() async throws {
        let path = try await Self.hall(cases: 12)
        let address = try await TestPostgres.freshDatabase()
        let sqlite = try KaibanProcess(database: path)
        let refused = try sqlite.run(["admin", "migrate-to", address, "--as", "wangfang", "--lang", "en"])
        #expect(refused.status == 65, "\(refused)")
        #expect(refused.stderr.contains("supervisor"), "\(refused.stderr)")
        let unreadable = try sqlite.run(
            ["admin", "migrate-to", "postgres://kaiban:s3cret@/nowhere", "--as", "zhouqiang", "--lang", "en"])
        #expect(unreadable.status == 64, "\(unreadable)")
        #expect(!unreadable.stderr.contains("s3cret"))
        // The target stayed empty: a copy into it now goes through.
        let copied = try sqlite.run(["admin", "migrate-to", address, "--as", "zhouqiang", "--lang", "en"])
        #expect(copied.status == 0, "\(copied)")
        #expect(copied.stdout.contains("rebuilt from their histories: 12 cases"), "\(copied.stdout)")
    }
}

/// The demo day on either store: the same day, told the same (but where the database is).
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresDemoCLITests {
    @Test func theDemoDayOnPostgresIsTheDemoDayOnSQLite() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-demo-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("day.sqlite").path
        let address = try await TestPostgres.freshDatabase()
        let sqlite = try KaibanProcess(database: path)
        var postgres = try KaibanProcess(database: address)
        postgres.environment["KAIBAN_DATA_DIR"] = folder.appendingPathComponent("pg.files").path
        let onSQLite = try sqlite.run(["demo", "--lang", "en"])
        let onPostgres = try postgres.run(["demo", "--lang", "en"])
        #expect(onSQLite.status == 0, "\(onSQLite.stderr)")
        #expect(onPostgres.status == 0, "\(onPostgres.stderr)")
        // Where the database and the dashboard are is all that differs.
        func day(_ text: String, _ database: String, _ dashboard: String) -> [String] {
            text.replacingOccurrences(of: database, with: "DATABASE").replacingOccurrences(
                of: dashboard, with: "DASHBOARD"
            )
            .components(separatedBy: "\n")
        }
        let told = day(onSQLite.stdout, path, folder.appendingPathComponent("day-dashboard.html").path)
        let toldOnPostgres = day(
            onPostgres.stdout, address, folder.appendingPathComponent("pg.files/kaiban-dashboard.html").path)
        #expect(told.count > 100, "\(onSQLite.stdout)")
        #expect(told == toldOnPostgres, "\(zip(told, toldOnPostgres).first { $0 != $1 }.map { "\($0)\n\($1)" } ?? "")")
    }
}
