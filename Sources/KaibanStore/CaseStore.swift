import Foundation
import GRDB
import GRDBSQLite
import KaibanCore
import KaibanDesk
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one entry point to Kaiban's database. Every write is a named operation run in one IMMEDIATE
/// transaction: load, let the core decide, append the history, update the projection, commit. A
/// refusal writes nothing.
public final class CaseStore: Sendable {
    let writer: any DatabaseWriter
    /// A label for messages (the file path).
    public let location: String
    let definitionCache = Mutex<[WorkflowDefinition.Key: WorkflowDefinition]>([:])
    let openings = Mutex(OpeningCache())
    /// Concurrent portal submissions gathered into shared transactions (group commit).
    package let committer = GroupCommitter()
    /// The portal requests' access read on connections of its own (a file's pool only).
    let accessReads: AccessReads?
    /// The database file as found when the store opened it (a file's pool only).
    let openedFile: FileIdentity?

    /// How long a writer waits for another process's transaction before giving up.
    public static let busyTimeout: TimeInterval = 15

    /// Opens (creating if needed) the SQLite database at `path` in WAL mode and migrates it.
    public convenience init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "kaiban"
        // Durability: a committed step survives a power cut (GRDB's WAL default is NORMAL).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try Self.openPool(path, configuration)
        // Several processes may open a new database at once: GRDB's migrator decides what to run
        // before its transactions, so migrations are serialised with a lock on the file itself
        // (flock, which does not interfere with SQLite's own fcntl locks).
        let migrator = KaibanMigrations.migrator
        let (pending, applied) = try Self.guarded {
            try pool.read { db in (try !migrator.hasCompletedMigrations(db), try migrator.appliedIdentifiers(db)) }
        }
        // A newer Kaiban's database: its rules are not this program's (a revocation written by an
        // older build, say, would not release the name), so it is not used at all.
        let known = Set(migrator.migrations)
        let unknown = applied.subtracting(known).sorted()
        guard unknown.isEmpty else { throw StoreError.databaseNewer(location: path, migrations: unknown) }
        if pending {
            let descriptor = open(path, O_RDWR)
            guard descriptor >= 0 else { throw StoreError.storage("\(path): cannot open for the migration lock") }
            defer { close(descriptor) }
            flock(descriptor, LOCK_EX)
            defer { flock(descriptor, LOCK_UN) }
            try self.init(writer: pool, location: path)
        } else {
            try self.init(writer: pool, location: path, migrate: false)
        }
    }

    /// Opens the pool. Several processes opening a new file at once contend for the switch to WAL,
    /// which SQLite may refuse as busy without waiting: that is retried within the busy timeout.
    static func openPool(_ path: String, _ configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline
            {
                Thread.sleep(forTimeInterval: 0.05)
            } catch let error as DatabaseError {
                // Still locked at the deadline: busy, like any write that waited as long.
                if case .databaseBusy = storeError(error) { throw StoreError.databaseBusy }
                throw StoreError.storage("\(path): \(Self.describe(error))")
            } catch {
                throw StoreError.storage("\(path): \(Self.describe(error))")
            }
        }
    }

    /// Whether the SQLite file at `path` is a Kaiban database (it has Kaiban's migrations table, or
    /// no table at all yet), read without changing it; nil when it cannot be read as SQLite.
    public static func isKaibanDatabase(_ path: String) -> Bool? {
        var configuration = Configuration()
        configuration.readonly = true
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        // A file another process is creating right now holds no table yet: that is Kaiban's too.
        return try? queue.read { db in
            try db.tableExists("grdb_migrations")
                || (try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0) == 0
        }
    }

    /// A new database in memory, gone when the process ends: for commands that read only the
    /// reference data (checks, the calendar) when no database file exists.
    public static func inMemory() throws -> CaseStore {
        try guarded { try CaseStore(writer: try DatabaseQueue(), location: ":memory:") }
    }

    /// Uses an already opened database (an in-memory `DatabaseQueue` in tests).
    package init(writer: any DatabaseWriter, location: String = ":memory:", migrate: Bool = true) throws {
        self.writer = writer
        self.location = location
        accessReads = writer is DatabasePool ? AccessReads(path: location) : nil
        openedFile = writer is DatabasePool ? FileIdentity.of(location) : nil
        if migrate {
            try Self.guarded { try KaibanMigrations.migrator.migrate(writer) }
        }
    }

    /// Runs a database operation, turning GRDB's errors into ``StoreError/storage(_:)`` and
    /// letting the domain's own errors through.
    static func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw storeError(error)
        }
    }

    /// A database error as the store reports it: the write lock held by another process past the
    /// busy timeout is `database.busy` (try again), anything else a storage failure.
    static func storeError(_ error: DatabaseError) -> StoreError {
        if error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED { return .databaseBusy }
        return .storage(describe(error))
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return "\(error.resultCode): \(error.message ?? "")"
        }
        return "\(error)"
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.guarded { try writer.read(body) }
    }

    /// ``read(_:)`` without a transaction around it, for a body that runs one statement (alone
    /// it sees one state of the file): the BEGIN and COMMIT are most of the cost of a small read
    /// on every portal request.
    func readStatement<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.guarded { try writer.unsafeRead(body) }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try Self.guarded {
            try writer.write { db in
                try checkInPlace(db)
                return try body(db)
            }
        }
    }

    /// Refuses to write when the database file this process has open is no longer the one at its
    /// path: renamed over (a restore under a running server) or deleted. The server had answered
    /// 201 for cases written into the unlinked file, which no other process reads and which is
    /// gone when the server stops. One `stat` per transaction (a group of submissions shares one).
    /// The write-ahead log is not checked: SQLite itself deletes it and makes a new one between
    /// transactions (a last connection of another process closing), so its absence proves nothing.
    func checkInPlace(_ db: Database) throws {
        guard writer is DatabasePool else { return }
        var moved: Int32 = 0
        // A VFS that cannot tell (not SQLITE_OK) refuses nothing.
        let asked = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_HAS_MOVED, &moved)
        if asked == SQLITE_OK, moved != 0 { throw StoreError.databaseFileReplaced(location) }
    }

    /// Whether the file at the store's path is still the one it opened (by device and inode, as
    /// found when it opened), without a transaction: `/healthz` asks it, and must not queue behind
    /// (or take) the one writer.
    public func checkInPlace() async throws {
        guard let opened = openedFile else { return }
        var status = stat()
        guard stat(location, &status) == 0, opened == FileIdentity(status) else {
            throw StoreError.databaseFileReplaced(location)
        }
    }

    /// A file as the filesystem knows it, whatever its path.
    struct FileIdentity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64

        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }

        /// The file at `path`, or nil when there is none.
        static func of(_ path: String) -> FileIdentity? {
            var status = stat()
            return stat(path, &status) == 0 ? FileIdentity(status) : nil
        }
    }

    // The JSON of values that are not events, shared with the other stores.
    static var encoder: JSONEncoder { StoredJSON.encoder }
    static var decoder: JSONDecoder { StoredJSON.decoder }

    /// An instant as GRDB stores dates ("yyyy-MM-dd HH:mm:ss.SSS", UTC), written directly: GRDB's
    /// own conversion goes through a DateFormatter, which is slow on Linux, and every step
    /// stores two or three instants.
    package static func storageText(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = Int(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let fraction = Int(millis - Int64(seconds) * 1000)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - days * 86_400
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(HallTime.civilDate(fromDaysSinceEpoch: days)) \(pad(second / 3600, 2)):\(pad(second % 3600 / 60, 2)):"
            + "\(pad(second % 60, 2)).\(pad(fraction, 3))"
    }

    // The history's stored form is shared with the other stores (KaibanDesk's StoredHistory).
    static var storageEncoder: JSONEncoder { StoredHistory.encoder }
    static var openingJSON: ChecklistJSON { StoredHistory.openingJSON }

    /// A stored application's compact JSON.
    static func storageJSON<T: Encodable>(_ value: T) throws -> String {
        try StoredHistory.json(value)
    }

    static func decodeStorage<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try StoredHistory.decode(type, text)
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, with decoder: JSONDecoder = decoder) throws -> T {
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.storage("undecodable stored \(type): \(error)")
        }
    }
}
