import Foundation
import KaibanDesk
import KaibanPostgres
import KaibanStore

#if canImport(Glibc)
    import Glibc
#endif

/// The stores the desk's suites run against (issue 14): the same tests, parameterised.
public enum TestStoreKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }
}

/// The throw-away PostgreSQL server the tests use (Scripts/test starts it and names it in
/// KAIBAN_TEST_POSTGRES); each desk gets a database of its own on it.
public enum TestPostgres {
    public static let server = ProcessInfo.processInfo.environment["KAIBAN_TEST_POSTGRES"].flatMap {
        try? PostgresLocation($0)
    }

    /// The time limit of the tests' stores: the whole suite runs at once on a small machine, where
    /// an operation may wait seconds for a thread.
    public static let patience: Duration = .seconds(120)

    /// A new, empty database on the tests' server, migrated, with a store connected to it (its
    /// pool closes when the store is released). The database is left for the server's end.
    /// The store works in the schema of `hall` (the desk's default, as a command's would), or in
    /// the database's own search path when `hall` is nil.
    public static func freshStore(hall: String? = KaibanSettings.defaultHall) async throws -> PostgresStore {
        var location = try PostgresLocation(try await freshDatabase())
        if let hall { location = try location.inHall(hall) }
        let store = PostgresStore.connected(location, deadline: patience)
        try await store.migrate()
        return store
    }

    /// Another store on `store`'s database: another server.
    public static func secondServer(_ store: PostgresStore) throws -> PostgresStore {
        guard var location = server else {
            throw PostgresStoreError.unreachable("no PostgreSQL server for tests (KAIBAN_TEST_POSTGRES)")
        }
        location.database = String(store.location.split(separator: "/").last ?? "")
        if let hall = store.hall { location = try location.inHall(hall) }
        return PostgresStore.connected(location, deadline: patience)
    }

    /// Another store on the database of `desk`, of the desk's kind: another server (a SQLite
    /// store on the same file, or a PostgreSQL one on the same database).
    public static func secondStore(of desk: Desk) throws -> any DeskStore {
        guard PostgresLocation.isPostgres(desk.settings.database) else {
            return try CaseStore(path: desk.settings.database)
        }
        guard var location = server else {
            throw PostgresStoreError.unreachable("no PostgreSQL server for tests (KAIBAN_TEST_POSTGRES)")
        }
        location.database = try PostgresLocation(desk.settings.database).database
        return PostgresStore.connected(try location.inHall(desk.settings.hall), deadline: patience)
    }
}

extension TestPostgres {
    /// A second server the restart tests stop and start again while the others keep running on
    /// the first, and the script that does it (Scripts/lib/postgres.sh), when given.
    public static let restartable = ProcessInfo.processInfo.environment["KAIBAN_TEST_POSTGRES_RESTARTABLE"].flatMap {
        try? PostgresLocation($0)
    }
    public static let control = ProcessInfo.processInfo.environment["KAIBAN_TEST_POSTGRES_CONTROL"]

    /// A new, empty database on `server` (the tests' own unless told), as an address for
    /// `--db`/KAIBAN_DB; left for the server's end.
    public static func freshDatabase(on server: PostgresLocation? = server) async throws -> String {
        guard let server else {
            throw PostgresStoreError.unreachable("no PostgreSQL server for tests (KAIBAN_TEST_POSTGRES)")
        }
        let name = "kaiban_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresStore.withStore(server, deadline: patience) {
            try await $0.execute("CREATE DATABASE \(name)")
        }
        var location = server
        location.database = name
        let password = location.password.map {
            ":" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        return "postgres://\(location.username)\(password ?? "")@\(location.host):\(location.port)/\(name)"
    }

    /// Runs `body` holding the restartable server to itself: the tests that stop it take turns
    /// (each is in its own suite, which runs beside the others).
    public static func withRestartableServer<T>(_ body: () async throws -> T) async throws -> T {
        guard let control else { throw PostgresStoreError.unreachable("no KAIBAN_TEST_POSTGRES_CONTROL") }
        let descriptor = open(control + ".lock", O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        // Polled, not waited for: a blocked cooperative thread would stall the tests around it.
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 { try await Task.sleep(for: .milliseconds(100)) }
        defer { flock(descriptor, LOCK_UN) }
        return try await body()
    }

    /// Stops (`stop`) or starts (`start`) the restartable server and waits until it has. (Spawned
    /// and waited for on a thread of its own: Foundation's `Process.waitUntilExit` from a test's
    /// task sometimes never saw the script end.)
    public static func restartableServer(_ action: String) async throws {
        guard let script = control else { throw PostgresStoreError.unreachable("no KAIBAN_TEST_POSTGRES_CONTROL") }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var argv: [UnsafeMutablePointer<CChar>?] = [strdup(script), strdup(action), nil]
                defer { for argument in argv { free(argument) } }
                var pid: pid_t = 0
                let spawned = posix_spawn(&pid, script, nil, nil, &argv, environ)
                guard spawned == 0 else {
                    continuation.resume(throwing: POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO))
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        guard status == 0 else {
            throw PostgresStoreError.storage("the test server's \(action) failed (status \(status))")
        }
    }
}

extension Fixtures {
    /// The error `body` throws, or nil when it throws none.
    public static func failure(_ body: () async throws -> Void) async -> (any Error)? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    /// The stores to run a desk suite against: SQLite always, PostgreSQL when a server is given.
    public static let stores: [TestStoreKind] = TestPostgres.server == nil ? [.sqlite] : [.sqlite, .postgres]

    /// A new, empty store of `kind`: a SQLite file at `path`, or a PostgreSQL database of its own.
    public static func newStore(_ kind: TestStoreKind, path: String) async throws -> any DeskStore {
        switch kind {
        case .sqlite: try CaseStore(path: path)
        case .postgres: try await TestPostgres.freshStore()
        }
    }
}

/// The parts of the desk a test needs of its store. The PostgreSQL store is being built part by
/// part (issue 14): a suite runs on PostgreSQL once every part it needs is kept there.
public enum StorePart: Sendable, CaseIterable {
    case reference, clerks, clerkTokens, portals, cases, portalSubmissions, deferrals, reports, attachments, mail
    case appointments, exchange
    /// Finding cases by name, number or code; rebuilding the derived rows; importing cases.
    case find, rebuild, caseImport
}

extension TestStoreKind {
    /// The parts kept on PostgreSQL so far (each added as it lands, with its tests).
    static let postgresParts: Set<StorePart> = [
        .reference, .clerks, .clerkTokens, .portals, .cases, .find, .caseImport, .rebuild, .deferrals, .mail,
        .portalSubmissions, .attachments, .appointments, .exchange, .reports,
    ]

    /// Whether a store of this kind keeps every part in `parts`.
    public func keeps(_ parts: [StorePart]) -> Bool {
        switch self {
        case .sqlite: true
        case .postgres: Set(parts).isSubset(of: Self.postgresParts)
        }
    }
}

extension Fixtures {
    /// The stores a test needing `parts` runs against.
    public static func stores(for parts: StorePart...) -> [TestStoreKind] {
        stores.filter { $0.keeps(parts) }
    }
}
