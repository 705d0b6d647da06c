import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import Synchronization

/// Group commit: writes that arrive while another is being written wait and are then written
/// together, in one IMMEDIATE transaction, each in its own savepoint. One refused write rolls back
/// only its savepoint; the others commit. Every caller is answered only after the transaction
/// holding its write has committed (or failed as a whole), so a durable answer costs one fsync
/// per group instead of one per write.
///
/// The first write into an idle committer starts a drain on the store's work queue; the drain
/// takes every write waiting (at most ``groupLimit``), writes them, answers them, and takes the
/// next group until none is waiting.
package final class GroupCommitter: Sendable {
    /// One write: `run` executes inside its savepoint and keeps its own outcome, returning the
    /// opening events it wrote (remembered once committed); `finish` answers the caller with that
    /// outcome, or with the transaction's failure.
    struct Job: Sendable {
        let run: @Sendable (Database) -> [(key: String, text: String, data: CaseStore.OpeningData)]
        let finish: @Sendable ((any Error)?) -> Void
    }

    /// The most writes in one transaction.
    static let groupLimit = 256

    /// Where drains run: a serial queue of its own, so that a drain (which lasts as long as writes
    /// keep coming) never holds one of the few threads of the concurrent work queue the reads use;
    /// libdispatch gives a serial queue a thread of its own when the pool's are busy.
    static let drainQueue = DispatchQueue(label: "kaiban.group-commit", qos: .userInitiated)

    private struct State {
        var waiting: [Job] = []
        var draining = false
        var groupsWritten = 0
    }

    private let state = Mutex(State())

    /// Writes queued behind the transaction being written.
    package var waitingCount: Int { state.withLock { $0.waiting.count } }
    /// Transactions written so far (each holding one group).
    package var groupsWritten: Int { state.withLock { $0.groupsWritten } }

    /// Queues `job`; returns true when the caller must start a drain (none is running).
    func enqueue(_ job: Job) -> Bool {
        state.withLock { state in
            state.waiting.append(job)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
    }

    /// The next group, or nil (and the committer idle) when none is waiting.
    func nextGroup() -> [Job]? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.draining = false
                return nil
            }
            let count = min(state.waiting.count, Self.groupLimit)
            state.groupsWritten += 1
            let group = Array(state.waiting.prefix(count))
            state.waiting.removeFirst(count)
            return group
        }
    }
}

/// A result set from inside a job and read when it is answered.
private final class Outcome<T: Sendable>: Sendable {
    let value = Mutex<Result<T, any Error>?>(nil)
}

extension CaseStore {
    /// Runs `body` with a ``Batch`` in its own savepoint of a transaction shared with the other
    /// grouped writes waiting at the same moment, and returns once that transaction has committed.
    /// A refusal by `body` undoes only its own writes.
    package func groupedBatch<T: Sendable>(clock: SLAClock, _ body: @escaping @Sendable (Batch) throws -> T)
        async throws
        -> T
    {
        try await withCheckedThrowingContinuation { continuation in
            let outcome = Outcome<T>()
            let job = GroupCommitter.Job(
                run: { db in
                    var written: [(key: String, text: String, data: OpeningData)] = []
                    do {
                        var value: T?
                        try db.inSavepoint {
                            let batch = Batch(store: self, db: db, clock: clock)
                            value = try body(batch)
                            try self.invalidateSchedules(ifOlderThanStored: clock, db)
                            written = batch.openings.entries
                            return .commit
                        }
                        if let value { outcome.value.withLock { $0 = .success(value) } }
                    } catch {
                        written = []
                        outcome.value.withLock { $0 = .failure(error) }
                    }
                    return written
                },
                finish: { failure in
                    if let failure {
                        continuation.resume(throwing: failure)
                        return
                    }
                    let result =
                        outcome.value.withLock { $0 }
                        ?? .failure(StoreError.storage("a grouped write finished without an outcome"))
                    continuation.resume(with: result.mapError { Self.storageError($0) })
                })
            if committer.enqueue(job) {
                GroupCommitter.drainQueue.async { self.drainGroups() }
            }
        }
    }

    /// Writes the waiting groups one transaction each until none is waiting.
    func drainGroups() {
        while let group = committer.nextGroup() {
            var written: [(key: String, text: String, data: OpeningData)] = []
            do {
                try write { db in
                    for job in group {
                        written += job.run(db)
                        // SQLite ends the whole transaction on some errors (a full disk, an I/O
                        // error): then nothing of the group may be answered as written.
                        guard db.isInsideTransaction else {
                            throw StoreError.storage("the transaction of a grouped write was rolled back")
                        }
                    }
                }
            } catch {
                let failure = Self.storageError(error)
                for job in group { job.finish(failure) }
                continue
            }
            remember(written)
            for job in group { job.finish(nil) }
        }
    }

    /// A database error as the store reports it; other errors as they are.
    static func storageError(_ error: any Error) -> any Error {
        if let error = error as? DatabaseError { return storeError(error) }
        return error
    }
}
