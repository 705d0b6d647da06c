import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanPostgres
import KaibanStore
import Logging

/// One run of a command: the desk on the configured store, who is acting and the language.
struct Session {
    let desk: Desk
    let actor: DeskActor
    let language: Language
    let settings: KaibanSettings

    var zh: Bool { language == .zh }

    /// The acting clerk named by `--as` or KAIBAN_CLERK, or anonymous.
    var clerk: String? { actor.clerkID }
}

/// Where a command's problems go, and how.
struct ProblemOutput {
    var language: Language
    var json: Bool
}

/// A command that may create the database (the first clerk, the demo, generated data).
protocol CreatesDatabase {}

/// A command that reads only reference data (checks, the calendar, the workflow): without a
/// database file it works on one in memory instead of creating the file.
protocol ReadsReferenceOnly {}

extension ClerkCommand.Add: CreatesDatabase {}
extension DemoCommand: CreatesDatabase {}
extension SynthesizeCommand: CreatesDatabase {}
extension BenchStepsCommand: CreatesDatabase {}
extension BenchCalendarCommand: ReadsReferenceOnly {}
extension CheckCommand.CreditCodeCheck: ReadsReferenceOnly {}
extension CheckCommand.IDCheck: ReadsReferenceOnly {}
extension CheckCommand.DivisionCheck: ReadsReferenceOnly {}
extension CheckCommand.NameCheck: ReadsReferenceOnly {}
extension CalendarCommand.Status: ReadsReferenceOnly {}
extension CalendarCommand.Show: ReadsReferenceOnly {}
extension CalendarCommand.Elapsed: ReadsReferenceOnly {}
extension CalendarCommand.Add: ReadsReferenceOnly {}
extension WorkflowCommand: ReadsReferenceOnly {}

extension AsyncParsableCommand {
    /// The store at `path`. Only a command that may create the database creates a missing file:
    /// any other would leave an empty database behind a mistyped `--db`.
    func openStore(_ path: String, hall: String, divisions: URL) async throws -> any DeskStore {
        // An address (`postgres://…`) is no file: taken as a path it would create folders named
        // after it. The address is not repeated (it may hold a password).
        if let colon = path.range(of: "://"), !path[..<colon.lowerBound].isEmpty,
            path[..<colon.lowerBound].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) })
        {
            let scheme = path[..<colon.lowerBound].lowercased()
            if scheme == "postgres" || scheme == "postgresql" {
                return try await openPostgres(path, hall: hall, divisions: divisions)
            }
            throw Problem(
                .invalid, "database.address-unsupported",
                zh: "数据库应为 SQLite 文件的路径或 postgres:// 地址，不是“\(scheme)://”地址",
                en:
                    "the database must be the path of a SQLite file or a postgres:// address, not a \(scheme):// address"
            )
        }
        // A folder, a device or a pipe is no database: SQLite would write its journal beside it
        // (`/dev/null-journal`), or wait on the pipe.
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            throw Problem(
                .invalid, "database.not-a-file", zh: "\(path)不是普通文件（是文件夹、设备或管道）：数据库应为一个 SQLite 文件",
                en: "\(path) is not a regular file (a folder, a device or a pipe): the database is a SQLite file")
        }
        // An empty file is no database yet either (a read would write the whole schema into it).
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        if (size ?? 0) > 0 {
            // Another program's SQLite file is not migrated into a Kaiban database by a typo.
            if CaseStore.isKaibanDatabase(path) == false {
                throw Problem(
                    .brokenData, "database.not-kaiban", zh: "文件\(path)是其他程序的数据库，不是开办系统的数据库",
                    en: "\(path) is another program's database, not Kaiban's")
            }
            return try CaseStore(path: path)
        }
        if self is CreatesDatabase { return try CaseStore(path: path) }
        if self is ReadsReferenceOnly { return try CaseStore.inMemory() }
        throw Problem(
            .notFound, "database.not-found",
            zh: "数据库文件\(path)不存在或为空；新库由第一位负责人登记时（clerk add）或演示（demo）创建",
            en:
                "no database at \(path) (no file, or an empty one); a new database is created with its first supervisor (clerk add) or by the demo"
        )
    }

    /// Opens the desk on the configured database and runs `body`. A problem is printed in the
    /// clerk's language (or as JSON with `json`) on standard error, with the exit code of its kind.
    func withDesk(_ options: GlobalOptions, json: Bool = false, _ body: (Session) async throws -> Void) async throws {
        let environment = ProcessInfo.processInfo.environment
        var language = options.lang ?? .zh
        if options.lang == nil, let text = environment["KAIBAN_LANG"], !text.isEmpty {
            guard let parsed = Language(rawValue: text) else {
                throw usageError(zh: "KAIBAN_LANG=\(text)：应为 zh 或 en", en: "KAIBAN_LANG=\(text): use zh or en")
            }
            language = parsed
        }
        let output = ProblemOutput(language: language, json: json)
        do {
            let settings = try KaibanSettings.resolve(
                database: options.db, forms: options.forms, environment: environment,
                executable: Bundle.main.executableURL)
            // Another hall's data directory is refused before the database is opened (opening
            // creates a hall's schema on PostgreSQL).
            if !(self is ReadsReferenceOnly) { try settings.checkDataDirectory() }
            let store: any DeskStore
            do {
                store = try await openStore(settings.database, hall: settings.hall, divisions: settings.divisionsFile)
            } catch {
                throw Problem.from(error)
            }
            // Trimmed, and an empty one is none (`--as ""` had read "no clerk  (…)", and
            // KAIBAN_CLERK='zhouqiang ' a clerk unknown, its blank hidden; from a trial).
            let clerk = (options.clerk ?? environment["KAIBAN_CLERK"])
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .flatMap { $0.isEmpty ? nil : $0 }
            let session = Session(
                desk: Desk(
                    settings: settings, store: store, notices: { [language] in Console.error($0.text(language)) }),
                actor: clerk.map(DeskActor.clerk) ?? .anonymous,
                language: language, settings: settings)
            try await body(session)
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch let error as CleanExit {
            throw error
        } catch {
            throw ExitCode(Console.report(Desk.realCause(of: Problem.from(error)), output))
        }
    }
}

extension AsyncParsableCommand {
    /// The PostgreSQL store at `address`, in `hall`'s own schema (`kaiban_HALL`: one database
    /// keeps many halls), brought up to date (several servers and commands may do so at once: each
    /// version is applied once). The database itself must exist (a database administrator creates
    /// it); an unreadable address is a usage error that does not repeat the password, and a server
    /// that does not answer is a storage problem (exit 74).
    func openPostgres(
        _ address: String, hall: String, divisions: URL, deadline: Duration = PostgresStore.defaultDeadline
    ) async throws -> PostgresStore {
        let location: PostgresLocation
        do {
            location = try PostgresLocation(address).inHall(hall)
        } catch {
            // What is wrong, in the address's own words (its password never shown).
            throw Problem(
                .invalid, "database.address-invalid",
                zh: "PostgreSQL 地址有误（应为 postgres://用户@主机:端口/数据库[?sslmode=…]）：\(error.description)",
                en:
                    "the PostgreSQL address is unreadable (postgres://USER@HOST:PORT/DATABASE[?sslmode=…]): \(error.description)"
            )
        }
        // The pool's own reports (each failed connection attempt) are not the clerk's business: the
        // command says what failed, as a problem.
        var logger = Logger(label: "kaiban.postgres")
        logger.logLevel = .critical
        let store = PostgresStore.connected(location, logger: logger, deadline: deadline)
        do {
            try await Self.migrate(
                store, at: location, deadline: deadline, logger: logger, isHall: Self.divisionsName(divisions))
        } catch {
            store.close()
            throw error
        }
        return store
    }

    /// Whether the divisions table in `file` names `code` (asked only before a hall's schema is
    /// made: a plain search of the file's text for its `code` attribute, not a parse). A file that
    /// cannot be read refuses no one: the desk says so when it takes the table in.
    static func divisionsName(_ file: URL) -> @Sendable (String) -> Bool {
        { code in
            guard let data = try? Data(contentsOf: file) else { return true }
            return data.range(of: Data("code=\"\(code)\"".utf8)) != nil
        }
    }

    /// Brings `store`'s schema up to date. The pool says only that no connection came in time
    /// (after `deadline`): when the migration has not answered within a second, one connection
    /// made apart says why, at once when the server refuses the address (no such database or
    /// role, a wrong password: exit 78), and as the reason of a server not reached.
    private static func migrate(
        _ store: PostgresStore, at location: PostgresLocation, deadline: Duration, logger: Logger,
        isHall: @escaping @Sendable (String) -> Bool
    ) async throws {
        try await withThrowingTaskGroup(of: PostgresOpening.self) { group in
            group.addTask {
                do {
                    try await store.migrate(isHall: isHall)
                    return .migrated(nil)
                } catch {
                    return .migrated(error)
                }
            }
            group.addTask {
                try await Task.sleep(for: min(.seconds(1), deadline))
                return .probed(await PostgresStore.connectionFailure(location, within: deadline, logger: logger))
            }
            defer { group.cancelAll() }
            var probe: PostgresStoreError??
            var failed: (any Error)?
            while let outcome = try await group.next() {
                switch outcome {
                case .migrated(nil): return
                case .migrated(let error?): failed = error
                case .probed(let failure):
                    if case .connectionRefused? = failure, let failure { throw failure }
                    probe = .some(failure)
                }
                guard let failed else { continue }
                // The pool found no connection in time: what the connection made apart met says
                // why, once it has finished (it may still be trying).
                guard case .unreachable? = failed as? PostgresStoreError else { throw failed }
                switch probe {
                case nil: continue
                case let finished?: throw finished ?? failed
                }
            }
            if let failed { throw failed }
        }
    }
}

/// What opening a PostgreSQL store waits on, in a race.
private enum PostgresOpening: Sendable {
    /// The migration ended, with its error if it failed.
    case migrated((any Error)?)
    case probed(PostgresStoreError?)
}
