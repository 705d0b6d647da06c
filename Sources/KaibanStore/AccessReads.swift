import Foundation
import GRDBSQLite
import KaibanDesk
import Synchronization

/// The one read every portal request makes (the case's access row, its version and its recent
/// wrong passwords), on read-only SQLite connections of its own with the statement prepared once
/// each. Through the pool the same read paid GRDB's reader hand-out (two barrier blocks on a
/// dispatch queue, where the event loops' threads waited on each other), a check of the schema's
/// version (one more statement) and a hop through a serial queue: most of its cost.
///
/// A connection is taken from the idle ones (or opened), used by one thread, and put back; the
/// statement runs outside any transaction, so it sees one committed state of the file (WAL: it
/// never waits for a writer) and ends its read when reset. Anything unexpected closes that
/// connection and answers nil, and the caller reads through the pool instead, so no answer
/// depends on this path working.
final class AccessReads: Sendable {
    /// A connection and its prepared statement, used by one thread at a time.
    struct Reader: @unchecked Sendable {
        let connection: OpaquePointer
        let statement: OpaquePointer
    }

    let path: String
    /// Idle readers, and whether the store was closed (then none is opened or kept).
    private let state = Mutex((idle: [Reader](), closed: false))
    /// Readers kept idle at most (a burst may open more; those are closed when put back).
    static let kept = 8

    static let sql = """
        SELECT a.portal_id, a.password_hash, c.version,
            (SELECT count(*) FROM access_failure f WHERE f.case_number = c.number AND f.at >= ?1)
        FROM registration_case c JOIN case_access a ON a.case_id = c.id
        WHERE c.number = ?2
        """

    init(path: String) {
        self.path = path
    }

    deinit {
        close()
    }

    /// The outcome of one read: the row (or none: no such case), or nil when this path could not
    /// answer (the caller then reads through the pool).
    func access(number: String, failuresSince since: Int64) -> CaseAccess?? {
        guard let reader = take() else { return nil }
        let statement = reader.statement
        // Reset (ending the read) before the reader is given back: another thread may take it then.
        guard sqlite3_bind_int64(statement, 1, since) == SQLITE_OK,
            sqlite3_bind_text(statement, 2, number, -1, Self.transient) == SQLITE_OK
        else {
            sqlite3_reset(statement)
            discard(reader)
            return nil
        }
        switch sqlite3_step(statement) {
        case SQLITE_ROW:
            guard let portal = Self.text(statement, 0), let hash = Self.text(statement, 1) else {
                sqlite3_reset(statement)
                discard(reader)
                return nil
            }
            let access = CaseAccess(
                portalID: portal, passwordHash: hash, failures: Int(sqlite3_column_int64(statement, 3)),
                version: Int(sqlite3_column_int64(statement, 2)))
            sqlite3_reset(statement)
            give(reader)
            return .some(access)
        case SQLITE_DONE:
            sqlite3_reset(statement)
            give(reader)
            return .some(nil)
        default:
            sqlite3_reset(statement)
            discard(reader)
            return nil
        }
    }

    /// Closes the idle readers; none is opened or kept after.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        idle.forEach(Self.close)
    }

    // MARK: Readers

    private func take() -> Reader? {
        let taken = state.withLock { state -> (reader: Reader?, closed: Bool) in
            (state.idle.popLast(), state.closed)
        }
        if taken.closed { return nil }
        return taken.reader ?? open()
    }

    private func give(_ reader: Reader) {
        let keep = state.withLock { state in
            guard !state.closed, state.idle.count < Self.kept else { return false }
            state.idle.append(reader)
            return true
        }
        if !keep { Self.close(reader) }
    }

    private func discard(_ reader: Reader) {
        Self.close(reader)
    }

    private func open() -> Reader? {
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &connection, flags, nil) == SQLITE_OK, let connection else {
            if let connection { sqlite3_close_v2(connection) }
            return nil
        }
        sqlite3_busy_timeout(connection, Int32(CaseStore.busyTimeout * 1000))
        var statement: OpaquePointer?
        guard
            sqlite3_prepare_v3(connection, Self.sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
                == SQLITE_OK, let statement
        else {
            sqlite3_finalize(statement)
            sqlite3_close_v2(connection)
            return nil
        }
        return Reader(connection: connection, statement: statement)
    }

    private static func close(_ reader: Reader) {
        sqlite3_finalize(reader.statement)
        sqlite3_close_v2(reader.connection)
    }

    private static func text(_ statement: OpaquePointer, _ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// SQLite copies the bound text (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
