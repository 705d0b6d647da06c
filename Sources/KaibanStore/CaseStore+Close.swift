import Foundation
import GRDB

extension CaseStore {
    /// Closes the database at the end of a long-running process (the server): the write-ahead log
    /// is checkpointed into the database file and emptied, then every connection is closed; any
    /// later call fails. (A command's store closes when it is released.)
    public func closeDatabase() throws {
        accessReads?.close()
        try Self.guarded {
            if let pool = writer as? DatabasePool {
                try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            }
            try writer.close()
        }
    }
}
