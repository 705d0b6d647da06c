import Foundation
import KaibanCore
import KaibanDesk
import Logging
import PostgresNIO
import Synchronization

/// The desk's store on PostgreSQL (issue 14), for a city's or a province's halls and several
/// `kaiban serve` processes on one database: a connection pool with a time limit on every
/// operation, versioned migrations, and every `DeskStore` operation with the same meaning as on
/// SQLite, safe with several servers at once (row and advisory locks, unique constraints), its
/// histories append-only in the database itself.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let logger: Logger
    /// How long an operation waits for the database (a connection, its statements, its commit)
    /// before it is answered ``PostgresStoreError/unreachable(_:)``.
    let deadline: Duration
    /// The address without its password, for messages.
    public let location: String
    /// The hall's schema the store works in (`kaiban_HALL`), or nil for the database's own search
    /// path (``PostgresLocation/schema``).
    public let schema: String?
    /// Decoded workflow definition versions (a version never changes once registered).
    let definitionCache = Mutex<[WorkflowDefinition.Key: WorkflowDefinition]>([:])
    /// The newest version of each workflow as last read, and until when it is trusted
    /// (``latestDefinition(_:)``).
    let latestDefinitions = Mutex(LatestDefinitions())

    struct LatestDefinitions {
        var known: [String: (key: WorkflowDefinition.Key, until: ContinuousClock.Instant)] = [:]
        /// Raised at every registration through this store: a version read before it is not kept.
        var generation = 0
    }
    /// The pool's run, for a store made by ``connected(_:logger:deadline:)``: ended with the store.
    let running: Task<Void, Never>?

    init(
        client: PostgresClient, logger: Logger, deadline: Duration, location: String, schema: String? = nil,
        running: Task<Void, Never>? = nil
    ) {
        self.client = client
        self.logger = logger
        self.deadline = deadline
        self.location = location
        self.schema = schema
        self.running = running
    }

    deinit { running?.cancel() }

    /// A store connected to `location` whose connection pool runs as long as the store is kept
    /// (its connections close when the store is released, or at ``close()``): for a desk that
    /// lives beyond one scope. ``withStore(_:logger:deadline:_:)`` is the scoped form.
    public static func connected(
        _ location: PostgresLocation, logger: Logger = Logger(label: "kaiban.postgres"),
        deadline: Duration = defaultDeadline
    ) -> PostgresStore {
        let client = PostgresClient(configuration: location.configuration(deadline: deadline), backgroundLogger: logger)
        let running = Task { await client.run() }
        return PostgresStore(
            client: client, logger: logger, deadline: deadline, location: location.description,
            schema: location.schema, running: running)
    }

    /// Closes the pool of a store made by ``connected(_:logger:deadline:)``; any later operation fails.
    public func close() { running?.cancel() }

    /// How long an operation waits for the database unless told otherwise: a clerk or a portal
    /// gets a clear answer (exit 74, HTTP 503) rather than waiting for the pool's minute.
    public static let defaultDeadline: Duration = .seconds(5)

    /// Runs `body` with a store connected to `location`, its connection pool running for the
    /// duration; the pool is closed when `body` returns or throws.
    public static func withStore<Result: Sendable>(
        _ location: PostgresLocation, logger: Logger = Logger(label: "kaiban.postgres"),
        deadline: Duration = defaultDeadline, _ body: (PostgresStore) async throws -> Result
    ) async throws -> Result {
        let client = PostgresClient(configuration: location.configuration(deadline: deadline), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(
                PostgresStore(
                    client: client, logger: logger, deadline: deadline, location: location.description,
                    schema: location.schema))
        }
    }

    /// Applies the migrations this version knows and the database lacks, in order, each in its own
    /// transaction; returns the versions applied now (none when the database is current). A hall's
    /// schema is created only for a hall `isHall` knows (a mistyped `KAIBAN_HALL` such as 000001
    /// had left a schema of 41 tables in the province's database).
    @discardableResult
    public func migrate(isHall: (@Sendable (String) -> Bool)? = nil) async throws -> [Int] {
        try await guarded { [self] in
            try await transaction { [self] connection in
                // One hall's processes take turns; other halls' migrate beside them.
                try await connection.runToEnd(
                    "SELECT pg_advisory_xact_lock(\(PostgresMigrations.lock), hashtext(\(schema ?? "public")))",
                    logger: logger)
                if let schema {
                    try await Self.prepareHallSchema(schema, location: location, isHall: isHall, connection, logger)
                }
                // Another program's database is not made Kaiban's by a typo in an address: one
                // without Kaiban's ledger must hold no table, view or sequence yet, in any schema
                // but other halls' (SQLite refuses the same). What an extension brought (PostGIS's
                // spatial_ref_sys, pg_stat_statements's views) is the database's, not a program's.
                let foreign =
                    try await connection.query(
                        """
                        SELECT to_regclass(quote_ident(current_schema()) || '.kaiban_migration') IS NULL AND EXISTS (
                            SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
                                AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
                                AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                                AND NOT EXISTS (
                                    SELECT 1 FROM pg_depend d
                                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
                                AND NOT EXISTS (
                                    SELECT 1 FROM pg_class ledger
                                    WHERE ledger.relnamespace = n.oid AND ledger.relname = 'kaiban_migration'
                                        AND ledger.relkind = 'r'))
                        """, logger: logger
                    ).decode(Bool.self).first(where: { _ in true }) ?? false
                if foreign {
                    throw Problem(
                        .brokenData, "database.not-kaiban", zh: "数据库\(location)是其他程序的数据库，不是开办系统的数据库",
                        en: "\(location) is another program's database, not Kaiban's")
                }
                // Only when missing: CREATE TABLE IF NOT EXISTS needs the right to create tables
                // even when the table is there, which a role that only reads and writes rows (its
                // hall migrated by the schema's owner) does not have.
                let ledgerMissing =
                    try await connection.query(
                        "SELECT to_regclass(quote_ident(current_schema()) || '.kaiban_migration') IS NULL",
                        logger: logger
                    ).decode(Bool.self).first(where: { _ in true }) ?? true
                if ledgerMissing {
                    try await connection.runToEnd(PostgresQuery(unsafeSQL: PostgresMigrations.ledger), logger: logger)
                }
                var applied: Set<Int> = []
                for try await version in try await connection.query(
                    "SELECT version FROM kaiban_migration", logger: logger
                ).decode(Int.self) {
                    applied.insert(version)
                }
                // A newer Kaiban's database: its rules are not this program's (a revocation written
                // by an older build, say, would not release the name), so it is not used at all.
                let unknown = applied.subtracting(PostgresMigrations.all.map(\.version)).sorted()
                if !unknown.isEmpty {
                    throw StoreError.databaseNewer(
                        location: location.description, migrations: unknown.map { String($0) })
                }
                var now: [Int] = []
                if let schema, PostgresMigrations.all.contains(where: { !applied.contains($0.version) }) {
                    try await Self.requireCreate(in: schema, location: location, connection, logger)
                }
                for migration in PostgresMigrations.all where !applied.contains(migration.version) {
                    for statement in migration.statements {
                        _ = try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    _ = try await connection.query(
                        "INSERT INTO kaiban_migration (version, name) VALUES (\(migration.version), \(migration.name))",
                        logger: logger)
                    now.append(migration.version)
                }
                return now
            }
        }
    }

    /// The versions recorded as applied, in order.
    public func appliedMigrations() async throws -> [Int] {
        try await guarded { [self] in
            var versions: [Int] = []
            for try await version in try await client.query(
                "SELECT version FROM kaiban_migration ORDER BY version", logger: logger
            ).decode(Int.self) {
                versions.append(version)
            }
            return versions
        }
    }

    /// Opens a case: takes the hall's next number of `day` and records the opening event, in one
    /// transaction (a failure after the number was taken gives it back).
    public func openCase(
        hall: String, day: CivilDate, channel: String, stage: String, actor: String, at: Date
    ) async throws -> CaseNumber {
        try await guarded { [self] in
            try await transaction { [self] connection in
                let sequence = try await Self.nextNumber(hall: hall, day: day, connection, logger)
                let number = CaseNumber(division: hall, date: day, sequence: sequence)
                let ids = try await connection.execute(
                    PostgresStatements.InsertCase(
                        number: number.description, hall: hall, channel: channel, stage: stage, at: at),
                    logger: logger)
                guard let id = try await ids.first(where: { _ in true }) else {
                    throw PostgresStoreError.storage("the new case \(number) was not given an id")
                }
                _ = try await connection.execute(
                    PostgresStatements.InsertOpening(caseID: id, at: at, actor: actor, stage: stage), logger: logger)
                return number
            }
        }
    }

    /// Appends an event to a case's history (the case row locked meanwhile, so two servers append
    /// one after the other); returns its sequence number.
    @discardableResult
    public func appendEvent(
        to number: CaseNumber, transition: String, actor: String, toStage: String, at: Date
    ) async throws -> Int {
        try await guarded { [self] in
            try await transaction { [self] connection in
                let found = try await connection.query(
                    "SELECT id FROM registration_case WHERE number = \(number.description) FOR UPDATE", logger: logger)
                guard let id = try await found.decode(Int64.self).first(where: { _ in true }) else {
                    throw PostgresStoreError.unknownCase(number.description)
                }
                let next = try await connection.query(
                    "SELECT coalesce(max(sequence), 0) + 1 FROM case_event WHERE case_id = \(id)", logger: logger)
                let sequence = try await next.decode(Int.self).first(where: { _ in true }) ?? 1
                _ = try await connection.query(
                    """
                    INSERT INTO case_event (case_id, sequence, at, kind, actor, transition, to_stage)
                    VALUES (\(id), \(sequence), \(at), 1, \(actor), \(transition), \(toStage))
                    """, logger: logger)
                _ = try await connection.query(
                    "UPDATE registration_case SET stage = \(toStage) WHERE id = \(id)", logger: logger)
                return sequence
            }
        }
    }

    /// A case's history in order: sequence, transition (nil for the opening), actor, stage after.
    public func history(of number: CaseNumber) async throws -> [StoredEvent] {
        try await guarded { [self] in
            let rows = try await client.query(
                """
                SELECT e.sequence, e.transition, e.actor, e.to_stage, e.at FROM case_event e
                JOIN registration_case c ON c.id = e.case_id
                WHERE c.number = \(number.description) ORDER BY e.sequence
                """, logger: logger)
            var events: [StoredEvent] = []
            for try await (sequence, transition, actor, stage, at) in rows.decode(
                (Int, String?, String, String?, Date).self)
            {
                events.append(
                    StoredEvent(sequence: sequence, transition: transition, actor: actor, toStage: stage, at: at))
            }
            return events
        }
    }

    /// Runs one SQL statement as given (for tests and `admin` tools that check what the database
    /// itself refuses); a refusal comes back as ``PostgresStoreError/refused(_:)``.
    package func execute(_ sql: String) async throws {
        // Outside a transaction (CREATE DATABASE refuses one), but not run once abandoned.
        try await guarded { [self] in
            try await client.withConnection { [self] connection in
                try Task.checkCancellation()
                _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            }
        }
    }

    /// The next number of `hall` on `day`, its row locked until the transaction ends.
    static func nextNumber(hall: String, day: CivilDate, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> Int
    {
        let rows = try await connection.execute(
            PostgresStatements.NextNumber(hall: hall, day: day.description), logger: logger)
        guard let last = try await rows.first(where: { _ in true }) else {
            throw PostgresStoreError.storage("no case number was returned for \(hall) on \(day)")
        }
        return last
    }

    /// `body` in one transaction, begun and committed only if the operation is still wanted (its
    /// time not up, its caller still waiting): else rolled back. Once it enters its commit, its
    /// caller waits for the commit's outcome (``PostgresDeadline``).
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T
    {
        try await client.withTransaction(logger: logger) { connection in
            // An abandoned operation takes no lock (the day's counter row) on its way out.
            try Task.checkCancellation()
            let value = try await body(connection)
            try PostgresCommitGate.enterCommit()
            return value
        }
    }

    /// `body` within the store's deadline, with PostgreSQL's errors said in words: the server
    /// unreachable (also when it does not answer in time), a statement refused (with the
    /// server's message), the day's numbers used up. The desk's own refusals (``StoreError``,
    /// ``WorkflowError``, a rejected application…), also when they end a transaction (which then
    /// rolls back), go through as they are: the desk answers them by their codes.
    func guarded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await PostgresDeadline.run(deadline, body)
        } catch let error as PostgresDeadline<T>.Exceeded {
            throw PostgresStoreError.unreachable("no answer within \(error.limit)")
        } catch let error as PostgresDeadline<T>.CommitUnconfirmed {
            throw PostgresStoreError.commitUnconfirmed("no answer to the commit within \(error.waited)")
        } catch let error as PostgresStoreError {
            throw error
        } catch let error as PSQLError {
            throw PostgresStoreError(error)
        } catch let error as PostgresTransactionError {
            if let inner = (error.closureError ?? error.beginError ?? error.commitError) as? PSQLError {
                throw PostgresStoreError(inner)
            }
            if error.closureError is CancellationError { throw CancellationError() }
            if let inner = error.closureError as? any ProblemConvertible { throw inner }
            throw PostgresStoreError.storage(String(describing: error))
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as any ProblemConvertible {
            throw error
        } catch {
            // The pool's own refusals (its circuit breaker tripped after a minute of failed
            // connections) are not PSQLErrors: they say the server cannot be reached.
            if String(reflecting: type(of: error)).contains("ConnectionPoolError") {
                throw PostgresStoreError.unreachable("no connection to the server could be made")
            }
            throw PostgresStoreError.storage(String(describing: error))
        }
    }
}

/// One event of a case's history as the PostgreSQL store keeps it.
public struct StoredEvent: Sendable, Equatable {
    public var sequence: Int
    public var transition: String?
    public var actor: String
    public var toStage: String?
    public var at: Date
}

/// What went wrong in the PostgreSQL store, in words.
public enum PostgresStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server could not be reached or the connection was lost (exit 74, HTTP 503).
    case unreachable(String)
    /// The server answered and refused the connection for the address's own sake (no such
    /// database or role, a wrong password, TLS it does not offer): not a passing trouble (exit 78).
    case connectionRefused(String)
    /// The database refused the statement (a constraint, a trigger): its message.
    case refused(String)
    /// PostgreSQL gave up the change so that another could go through (a deadlock, a
    /// serialization failure, a lock not to be had): nothing was written; trying again may succeed.
    case busy(String)
    /// The commit was sent and not answered within the time limit (the server went away
    /// meanwhile): the change may or may not have been saved (exit 74, HTTP 503).
    case commitUnconfirmed(String)
    case unknownCase(String)
    case storage(String)

    init(_ error: PSQLError) {
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState] ?? ""
            // 23514: check_violation, here the counter's 1…9999.
            // 40P01 deadlock, 40001 serialization failure, 55P03 lock not available, 57014 cancelled.
            // The connection ended by the server (57P01–57P03: an administrator, a shutdown or a
            // crash; 25P03: idle in a transaction too long; class 08) is a lost connection, not a
            // refusal of the change.
            if ["40P01", "40001", "55P03", "57014"].contains(state) {
                self = .busy(message)
            } else if state.hasPrefix("57P") || state.hasPrefix("08") || state == "25P03" {
                self = .unreachable(message)
            } else {
                self = .refused(message)
            }
        } else {
            self = .unreachable(String(describing: error.code))
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let why): "PostgreSQL cannot be reached (\(why))"
        case .connectionRefused(let why): "PostgreSQL refused the connection: \(why); check the database's address"
        case .refused(let message): "PostgreSQL refused the change: \(message)"
        case .busy(let message):
            "PostgreSQL gave the change up for another (\(message)); nothing was written: try again"
        case .commitUnconfirmed(let why):
            "PostgreSQL did not confirm the change (\(why)): it may or may not have been saved; look before doing it again (a portal's retry with the same Idempotency-Key is safe)"
        case .unknownCase(let number): "no case \(number)"
        case .storage(let message): "PostgreSQL store: \(message)"
        }
    }
}
