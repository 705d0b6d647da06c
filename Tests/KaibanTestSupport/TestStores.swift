import Foundation
import KaibanDesk
import KaibanPostgres
import KaibanStore

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
    public static func freshStore() async throws -> PostgresStore {
        guard let server else {
            throw PostgresStoreError.unreachable("no PostgreSQL server for tests (KAIBAN_TEST_POSTGRES)")
        }
        let name = "kaiban_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await PostgresStore.withStore(server, deadline: patience) {
            try await $0.execute("CREATE DATABASE \(name)")
        }
        var location = server
        location.database = name
        let store = PostgresStore.connected(location, deadline: patience)
        try await store.migrate()
        return store
    }
}

extension Fixtures {
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
}

extension TestStoreKind {
    /// The parts kept on PostgreSQL so far (each added as it lands, with its tests).
    static let postgresParts: Set<StorePart> = []

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
