import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import PostgresNIO
import Testing

@testable import KaibanPostgres

/// Many halls on one database, each in its own schema (`kaiban_HALL`): a hall's numbers, counts
/// and records are its own; a database still keeping one hall in `public` is refused, not read
/// as empty.
extension PostgresStoreTests {
    /// The schemas named `kaiban_…` on `location`'s database, in order.
    static func hallSchemas(_ location: PostgresLocation) async throws -> [String] {
        try await PostgresStore.withStore(location, deadline: TestServer.patience) { try await $0.hallSchemas() }
    }

    @Test func twoHallsOnOneDatabaseKeepTheirOwnNumbersAndRecords() async throws {
        try await withFreshDatabase { location in
            let zhaohua = try location.inHall("510811")
            let lizhou = try location.inHall("510802")
            // Both halls' first processes start at once: each gets its schema, migrated once.
            async let first = Self.migrated(zhaohua) { try await $0.appliedMigrations() }
            async let second = Self.migrated(lizhou) { try await $0.appliedMigrations() }
            let (applied, appliedToo) = try await (first, second)
            #expect(applied == PostgresMigrations.all.map(\.version))
            #expect(appliedToo == applied)
            #expect(try await Self.hallSchemas(location) == ["kaiban_510802", "kaiban_510811"])

            let numbers = try await Self.migrated(zhaohua) { store in
                [try await Self.openAtTheWindow(store), try await Self.openAtTheWindow(store)]
            }
            #expect(numbers.map(\.description) == ["510811-20261126-0001", "510811-20261126-0002"])
            let (lizhouNumber, lizhouSummary) = try await Self.migrated(lizhou) { store in
                let number = try await Self.openAtTheWindow(store, hall: "510802")
                return (number, try await store.summary())
            }
            #expect(lizhouNumber.description == "510802-20261126-0001")
            // Each hall counts its own cases only, whatever the other holds.
            #expect(lizhouSummary.total == 1 && lizhouSummary.events == 1)
            let zhaohuaSummary = try await Self.migrated(zhaohua) { try await $0.summary() }
            #expect(zhaohuaSummary.total == 2 && zhaohuaSummary.events == 2)
            #expect(try await Self.migrated(lizhou) { try await $0.history(of: numbers[0]) }.isEmpty)
        }
    }

    /// A database made before halls had schemas keeps its hall in `public`: a hall's process is
    /// refused with what the administrator should run, and creates nothing (it would otherwise
    /// start an empty hall beside the real records).
    @Test func aHallKeptInPublicIsRefusedUntilMovedToItsSchema() async throws {
        try await withFreshDatabase { location in
            let number = try await Self.migrated(location) { try await Self.openAtTheWindow($0) }
            let refusal = await #expect(throws: Problem.self) {
                try await Self.migrated(try location.inHall("510811")) { _ in }
            }
            #expect(refusal?.code == "database.hall-in-public" && refusal?.kind == .brokenData)
            #expect(refusal?.message(.en).contains("ALTER SCHEMA public RENAME TO kaiban_HALL") == true)
            #expect(try await Self.hallSchemas(location).isEmpty)

            // What the message says to do, done: the hall's process finds its records.
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                try await store.execute("ALTER SCHEMA public RENAME TO kaiban_510811")
                try await store.execute("CREATE SCHEMA public")
            }
            let history = try await Self.migrated(try location.inHall("510811")) {
                try await $0.history(of: number)
            }
            #expect(history.count == 1)
        }
    }

    /// An administrator who made the hall's schema beforehand (as the README says to for a user
    /// without CREATE) on a database keeping a hall in public: refused all the same, not opened as
    /// an empty hall beside the real records.
    @Test func aSchemaMadeBeforehandDoesNotHideAHallKeptInPublic() async throws {
        try await withFreshDatabase { location in
            _ = try await Self.migrated(location) { try await Self.openAtTheWindow($0) }
            try await PostgresStore.withStore(location, deadline: TestServer.patience) {
                try await $0.execute("CREATE SCHEMA kaiban_510811")
            }
            let refusal = await #expect(throws: Problem.self) {
                try await Self.migrated(try location.inHall("510811")) { _ in }
            }
            #expect(refusal?.code == "database.hall-in-public")
        }
    }

    /// A schema the user may not create tables in: what to run, naming the user (exit 78), not the
    /// server's words as a passing failure (74).
    @Test func aSchemaTheUserMayNotUseIsSaidWithWhatToRun() async throws {
        try await withFreshDatabase { location in
            let user = "hall_clerk_" + String(UUID().uuidString.prefix(8)).lowercased()
            // A hardened database: nothing granted on public, the hall's schema made by an
            // administrator with nothing granted on it either.
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                try await store.execute("CREATE ROLE \(user) LOGIN")
                try await store.execute("GRANT CONNECT ON DATABASE \(location.database) TO \(user)")
                try await store.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
                try await store.execute("CREATE SCHEMA kaiban_510811")
            }
            var asClerk = try location.inHall("510811")
            asClerk.username = user
            let unusable = await #expect(throws: Problem.self) { try await Self.migrated(asClerk) { _ in } }
            #expect(unusable?.code == "database.schema-not-allowed", "\(String(describing: unusable))")
            try await PostgresStore.withStore(location, deadline: TestServer.patience) {
                try await $0.execute("GRANT USAGE ON SCHEMA kaiban_510811 TO \(user)")
            }
            let refusal = await #expect(throws: Problem.self) { try await Self.migrated(asClerk) { _ in } }
            #expect(refusal?.code == "database.schema-not-allowed" && refusal?.kind == .brokenData)
            #expect(refusal?.message(.en).contains("GRANT USAGE, CREATE ON SCHEMA kaiban_510811 TO \(user)") == true)
            // Without the right to create a schema at all: the same problem, with CREATE SCHEMA.
            var elsewhere = try location.inHall("510802")
            elsewhere.username = user
            let missing = await #expect(throws: Problem.self) { try await Self.migrated(elsewhere) { _ in } }
            #expect(missing?.message(.en).contains("CREATE SCHEMA kaiban_510802 AUTHORIZATION \(user)") == true)
            // What the message says, done: the hall migrates as that user, public untouched.
            try await PostgresStore.withStore(location, deadline: TestServer.patience) {
                try await $0.execute("CREATE SCHEMA kaiban_510802 AUTHORIZATION \(user)")
            }
            #expect(try await Self.migrated(elsewhere) { try await $0.appliedMigrations() }.count > 0)
            // The least-privilege set-up: the schema's owner migrates the hall, the role only reads
            // and writes rows (it had been refused by the ledger's CREATE TABLE IF NOT EXISTS).
            let owned = try location.inHall("510812")
            try await Self.migrated(owned) { _ in }
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { store in
                try await store.execute("GRANT USAGE ON SCHEMA kaiban_510812 TO \(user)")
                try await store.execute(
                    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA kaiban_510812 TO \(user)")
            }
            var rowsOnly = owned
            rowsOnly.username = user
            #expect(
                try await Self.migrated(rowsOnly) { try await $0.appliedMigrations() }
                    == PostgresMigrations.all.map(\.version))
        }
    }

    /// From an upgrade trial: an older build used a database a newer one had migrated, writing by
    /// its older rules. A database with a migration this build does not know is refused.
    @Test func aDatabaseOfANewerBuildIsRefused() async throws {
        try await withFreshDatabase { location in
            try await Self.migrated(location) { _ in }
            try await PostgresStore.withStore(location, deadline: TestServer.patience) {
                try await $0.execute("INSERT INTO kaiban_migration (version, name) VALUES (9999, 'from-the-future')")
            }
            let refused = await #expect(throws: StoreError.self) { try await Self.migrated(location) { _ in } }
            #expect(refused?.problem.code == "database.newer-version", "\(String(describing: refused))")
            #expect(refused == .databaseNewer(location: location.description, migrations: ["9999"]))
        }
    }

    /// Each hall's processes take turns to migrate, apart from other halls': one hall's migration
    /// held up does not hold up the province, and a turn not had in time is said as busy (it had
    /// been "current transaction is aborted", the lock's own failure lost).
    @Test func aHallsMigrationWaitsOnlyForItsOwnHall() async throws {
        try await withFreshDatabase { location in
            try await PostgresStore.withStore(location, deadline: TestServer.patience) { holder in
                try await holder.client.withConnection { connection in
                    try await connection.runToEnd(
                        "SELECT pg_advisory_lock(\(PostgresMigrations.lock), hashtext('kaiban_510811'))",
                        logger: holder.logger)
                    // Its own migrations take a few seconds on a loaded machine; the lock held
                    // above is held until the end, so finishing at all shows it did not wait.
                    let other = try await PostgresStore.withStore(
                        try location.inHall("510802"), deadline: .seconds(30)
                    ) {
                        try await $0.migrate()
                    }
                    #expect(other == PostgresMigrations.all.map(\.version))
                    let held = await #expect(throws: PostgresStoreError.self) {
                        try await PostgresStore.withStore(try location.inHall("510811"), deadline: .seconds(3)) {
                            try await $0.migrate()
                        }
                    }
                    guard case .busy? = held else {
                        Issue.record("a migration waiting past its limit: \(String(describing: held))")
                        return
                    }
                    try await connection.runToEnd(
                        "SELECT pg_advisory_unlock(\(PostgresMigrations.lock), hashtext('kaiban_510811'))",
                        logger: holder.logger)
                }
            }
            #expect(try await Self.hallSchemas(location) == ["kaiban_510802"])
        }
    }

    /// Another program's tables are still refused for a hall's schema; other halls' are not.
    @Test func anotherProgramsTablesAreRefusedForAHallToo() async throws {
        try await withFreshDatabase { location in
            try await PostgresStore.withStore(location, deadline: TestServer.patience) {
                try await $0.execute("CREATE TABLE invoices (id integer PRIMARY KEY)")
            }
            let refusal = await #expect(throws: Problem.self) {
                try await Self.migrated(try location.inHall("510811")) { _ in }
            }
            #expect(refusal?.code == "database.not-kaiban")
            // Nothing was left of the attempt: not even the hall's schema.
            #expect(try await Self.hallSchemas(location).isEmpty)
        }
    }

    @Test func aHallIsNamedBySixDigits() throws {
        let location = try PostgresLocation("postgres://kaiban@127.0.0.1/kaiban")
        #expect(try location.inHall("510811").schema == "kaiban_510811")
        #expect(location.schema == nil)
        for code in ["51081", "5108111", "51081a", "510811; DROP SCHEMA public", "５１０８１１", ""] {
            #expect(throws: PostgresLocation.Invalid.self, "\(code)") { try location.inHall(code) }
        }
        let settings = Dictionary(uniqueKeysWithValues: PostgresLocation.sessionSettings(schema: "kaiban_510811"))
        #expect(settings["search_path"] == "kaiban_510811")
        #expect(PostgresLocation.sessionSettings().contains { $0.0 == "search_path" } == false)
    }
}
