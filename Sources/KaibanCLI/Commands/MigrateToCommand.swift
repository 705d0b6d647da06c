import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanPostgres
import KaibanStore
import Logging
import Synchronization

/// `kaiban admin migrate-to postgres://…`: a hall's SQLite database copied into an empty
/// PostgreSQL database, in one transaction: the histories first and what is kept beside them, then
/// every case and clerk rebuilt from its history on PostgreSQL and compared with what was copied,
/// and the counts by day the database derives compared with the source's. Any difference, or
/// anything the copy could not keep, rolls it all back.
struct MigrateToCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate-to",
        abstract: localized(
            zh: "将本大厅的 SQLite 数据库复制到一个空的 PostgreSQL 数据库，并从历史记录重建核对（负责人使用）。",
            en:
                "Copy the hall's SQLite database into an empty PostgreSQL database, rebuilt and checked from the histories (supervisors)."
        ))

    @OptionGroup var global: GlobalOptions

    @Argument(
        help: .localized(
            zh: "目标 PostgreSQL 数据库地址（postgres://用户@主机:端口/数据库）。",
            en: "The target PostgreSQL database (postgres://USER@HOST:PORT/DATABASE)."))
    var target: String

    /// Rows handed from the SQLite read to the PostgreSQL writes at a time.
    static let batch = 2_000

    func run() async throws {
        try await withDesk(global) { session in
            guard let source = session.desk.store as? CaseStore else {
                throw Problem(
                    .invalid, "migrate.source-not-sqlite", zh: "迁移的来源须为 SQLite 数据库文件（--db）",
                    en: "the copy's source must be a SQLite database file (--db)")
            }
            // The copy goes into this hall's schema (KAIBAN_HALL): another hall's file is refused
            // before anything is made there, and before the desk takes this hall's reference data
            // (its office hours) into the file, which would hide whose file it is.
            if let other = try source.recordOfAnotherHall(than: session.settings.hall) {
                throw Self.otherHall(other, hall: session.settings.hall)
            }
            try await session.desk.authorizeMigration(as: session.actor)
            let clock = try await session.desk.slaClock()
            let destination = try await openPostgres(
                target, hall: session.settings.hall, divisions: session.settings.divisionsFile,
                deadline: .seconds(24 * 3600))
            defer { destination.close() }
            let report = try await Self.watched { progress in
                try await Self.copy(from: source, to: destination, clock: clock, progress: progress)
            }
            Self.say(report, zh: session.zh, to: destination.location)
            Self.sayFiles(session.desk.settings.dataDirectory.path, zh: session.zh)
        }
    }

    /// The refusal of a source holding `record` of another hall than `hall`.
    static func otherHall(_ record: (zh: String, en: String), hall: String) -> Problem {
        Problem(
            .invalid, "migrate.other-hall",
            zh: "来源数据库中的\(record.zh)不属于本厅（\(hall)）：请以该库所属大厅的 KAIBAN_HALL 运行迁移",
            en:
                "the source's \(record.en) is not of this hall (\(hall)): run the copy with KAIBAN_HALL set to the source's hall"
        )
    }

    /// What a copy wrote and checked.
    struct Report {
        var rows: [(table: String, count: Int)] = []
        var cases = 0
        var events = 0
        var clerks = 0
        var figureDays: Int?
    }

    /// How long the copy may go without a step done (a batch written, a chunk rebuilt) before it
    /// is given up: a target that stopped answering (a server stopped, not shut down: its
    /// connection stays open) had held the command for the whole day's time limit, saying nothing.
    static let stallLimit: Duration = .seconds(120)

    /// When the copy last got a step done (nil until it began: a copy whose task had not yet run
    /// has not stalled).
    final class Progress: Sendable {
        private let last = Mutex<ContinuousClock.Instant?>(nil)
        private let committing = Mutex(false)

        func tick() { last.withLock { $0 = .now } }

        /// The copy is done and its transaction commits next.
        func commit() {
            tick()
            committing.withLock { $0 = true }
        }

        var idle: Duration { last.withLock { $0 }.map { ContinuousClock.now - $0 } ?? .zero }

        var isCommitting: Bool { committing.withLock { $0 } }
    }

    /// `copy`'s report, or a refusal once it has gone ``stallLimit`` without a step done (before
    /// its COMMIT the transaction never commits: the connection closes with the command; during it,
    /// the outcome is not known, and the refusal says so). The refusal does not
    /// wait for the stalled copy to end (a task group would: a copy stuck in its commit waits for
    /// the commit's own limit); the copy is cancelled and left to the process's exit.
    static func watched(
        stallLimit: Duration = stallLimit, _ copy: @escaping @Sendable (Progress) async throws -> Report
    ) async throws -> Report {
        let progress = Progress()
        let race = Race()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation)
                let copying = Task {
                    progress.tick()
                    do { race.answer(.success(try await copy(progress))) } catch { race.answer(.failure(error)) }
                }
                let watching = Task {
                    while progress.idle < stallLimit {
                        guard (try? await Task.sleep(for: min(.seconds(5), stallLimit / 4))) != nil else { return }
                    }
                    let seconds = stallLimit.components.seconds
                    // Stalled on its COMMIT, the server may yet commit what it received: the
                    // truth is that it is not known.
                    race.answer(
                        .failure(
                            progress.isCommitting
                                ? Problem(
                                    .storage, "migrate.commit-unconfirmed",
                                    zh:
                                        "复制已完成，但提交时目标数据库\(seconds)秒没有应答：记录可能已保存，也可能没有；请检查目标数据库（已有记录则不要再次迁移）",
                                    en:
                                        "the copy was done, but the target database did not answer its commit for \(seconds) seconds: it may or may not have been kept; look at the target (if it holds the records, do not copy again)"
                                )
                                : Problem(
                                    .storage, "migrate.stalled",
                                    zh: "目标数据库\(seconds)秒没有应答，迁移已放弃，没有写入任何记录（检查 PostgreSQL 服务器后重新迁移）",
                                    en:
                                        "the target database did not answer for \(seconds) seconds: the copy was given up and nothing was kept (check the PostgreSQL server, then copy again)"
                                )))
                    copying.cancel()
                }
                race.hold([copying, watching])
            }
        } onCancel: {
            race.answer(.failure(CancellationError()))
        }
    }

    /// Who answers ``watched(stallLimit:_:)`` first: the copy, the watch or the caller's
    /// cancellation; then the other tasks are cancelled.
    final class Race: Sendable {
        private struct State {
            var continuation: CheckedContinuation<Report, any Error>?
            var tasks: [Task<Void, Never>] = []
            var answered = false
        }

        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<Report, any Error>) {
            state.withLock { $0.continuation = continuation }
        }

        /// Keeps the tasks to cancel once answered (at once when answered already).
        func hold(_ tasks: [Task<Void, Never>]) {
            let answered = state.withLock { state in
                state.tasks = tasks
                return state.answered
            }
            if answered { for task in tasks { task.cancel() } }
        }

        /// The first answer resumes the caller; every later one is dropped.
        func answer(_ result: Result<Report, any Error>) {
            let (continuation, tasks) = state.withLock { state in
                let taken = (state.continuation, state.tasks)
                state.continuation = nil
                state.answered = true
                return taken
            }
            continuation?.resume(with: result)
            for task in tasks { task.cancel() }
        }
    }

    static func copy(
        from source: CaseStore, to destination: PostgresStore, clock: SLAClock, progress: Progress = Progress()
    ) async throws -> Report {
        // Which tables there are (not how many rows: the copy reads every known table, in one read).
        let counts = try source.tableCounts()
        for (table, count) in counts.sorted(by: { $0.key < $1.key }) where count > 0 {
            guard PostgresStore.copiedTables.contains(table) || PostgresStore.derivedTables.contains(table) else {
                throw Problem(
                    .brokenData, "migrate.table-unknown", zh: "SQLite 数据库中的表\(table)不在迁移范围内，未作复制",
                    en: "the SQLite database holds a table \(table) the copy does not know; nothing was copied")
            }
        }
        let columns = try await destination.targetColumns()
        // Every table copied, and the source's counts by day to compare, read in one read
        // transaction: one state of the file, whatever a server writes meanwhile.
        let tables =
            PostgresStore.copiedTables.filter { counts[$0] != nil }
            + (counts["case_figure_day"] != nil ? ["case_figure_day"] : [])
        let definitions = Dictionary(try await source.definitions().map { ($0.key, $0) }) { first, _ in first }
        let handoff = Handoff()
        // The SQLite read runs on a thread of its own, one batch ahead of the writes at most.
        Thread.detachNewThread {
            do {
                try source.export(tables, batch: batch) { rows in try handoff.put(rows) }
                handoff.finish(nil)
            } catch {
                handoff.finish(error)
            }
        }
        // However the copy ends (also before its transaction began), the reader is let go.
        defer { handoff.abandon() }
        return try await destination.inTransaction { connection in
            var report = Report()
            // Instants written as text without an offset are UTC, whatever the server's zone.
            try await destination.readInstantsAsUTC(connection)
            // Only into an empty database, kept to this copy until it commits.
            let held = PostgresStore.copiedTables.filter { columns[$0] != nil }
            let filled = try await destination.lockAndFindRows(held, connection)
            guard filled.isEmpty else {
                throw Problem(
                    .refused, "migrate.target-not-empty",
                    zh: "目标数据库已有记录（\(filled.joined(separator: "、"))）；迁移只写入空的数据库",
                    en:
                        "the target database holds rows already (\(filled.joined(separator: ", "))); a copy goes only into an empty one"
                )
            }
            var sourceDays: Set<[String]>?
            while let rows = try await handoff.take() {
                if rows.table == "case_figure_day" {
                    sourceDays = (sourceDays ?? []).union(Self.figureDayRows(rows))
                    continue
                }
                guard let target = columns[rows.table] else {
                    throw Problem(
                        .brokenData, "migrate.table-missing",
                        zh: "SQLite 数据库中的\(rows.table)在 PostgreSQL 数据库中没有对应的表，未作复制",
                        en:
                            "the SQLite database holds rows of \(rows.table), which the PostgreSQL database has no table for; nothing was copied"
                    )
                }
                try await destination.copy(rows, into: target, connection)
                progress.tick()
                if report.rows.last?.table == rows.table {
                    report.rows[report.rows.count - 1].count += rows.rows.count
                } else {
                    report.rows.append((rows.table, rows.rows.count))
                }
            }
            if counts["case_figure_day"] != nil, sourceDays == nil { sourceDays = [] }
            try await destination.advanceSequences(columns, connection)
            // Every case rebuilt from its history: nothing may differ from what was copied.
            var after: Int64 = -1
            var differing: [String] = []
            while true {
                let (part, last) = try await destination.rebuildChunk(
                    after: after, definitions: definitions, clock: clock, connection)
                progress.tick()
                report.cases += part.cases
                report.events += part.events
                differing += part.repaired
                guard let last, part.cases == PostgresStore.rebuildChunk else { break }
                after = last
            }
            let clerks = try await destination.rebuildClerks(connection)
            progress.tick()
            report.clerks = report.rows.first { $0.table == "clerk" }?.count ?? 0
            guard differing.isEmpty, clerks.isEmpty else {
                throw Problem(
                    .brokenData, "migrate.rebuild-differs",
                    zh:
                        "复制后从历史记录重建的结果与复制的记录不一致，已全部撤回：\((differing + clerks).prefix(20).joined(separator: "、"))（先在原数据库上执行 kaiban admin rebuild，使其与历史记录一致，再迁移）",
                    en:
                        "rebuilt from their histories, these differ from what was copied; nothing was kept: \((differing + clerks).prefix(20).joined(separator: ", ")) (run kaiban admin rebuild on the source database first, so that it agrees with its histories, then migrate)"
                )
            }
            try await destination.settleDeferred(connection)
            progress.tick()
            if let derived = try await destination.figureDays(columns, connection), let sourceDays {
                guard derived == sourceDays else {
                    let missing = sourceDays.subtracting(derived).count
                    let extra = derived.subtracting(sourceDays).count
                    throw Problem(
                        .brokenData, "migrate.figures-differ",
                        zh: "PostgreSQL 数据库按日统计数与 SQLite 不一致（缺\(missing)行、多\(extra)行），已全部撤回",
                        en:
                            "the counts by day PostgreSQL derived differ from SQLite's (\(missing) missing, \(extra) more); nothing was kept"
                    )
                }
                report.figureDays = derived.count
            }
            progress.commit()
            return report
        }
    }

    /// Rows of the source's counts by day (without zero counts) as the target derives them.
    static func figureDayRows(_ stored: StoredRows) -> Set<[String]> {
        guard let count = stored.columns.firstIndex(of: "count") else { return [] }
        let order = ["day", "measure", "channel", "enterprise_type", "stage"].compactMap {
            stored.columns.firstIndex(of: $0)
        }
        var rows: Set<[String]> = []
        for row in stored.rows {
            let texts = (order + [count]).map { index -> String in
                switch row[index] {
                case .text(let text): text
                case .integer(let number): "\(number)"
                default: ""
                }
            }
            if texts.last != "0" { rows.insert(texts) }
        }
        return rows
    }

    /// The files stay where they are: the database holds their records, the data directory the
    /// files themselves (documents, the exchange's files and key).
    static func sayFiles(_ folder: String, zh: Bool) {
        Console.print(
            zh
                ? "材料文件、交换文件与本机构交换密钥不在数据库中，仍在数据目录 \(folder)：使用新数据库的服务器与命令须设 KAIBAN_DATA_DIR=\(folder)（或把该目录复制过去）"
                : "the documents' files, the exchange's files and this hall's exchange key are not in the database: they stay in the data directory \(folder); run the servers and commands on the new database with KAIBAN_DATA_DIR=\(folder) (or copy that folder there)"
        )
    }

    static func say(_ report: Report, zh: Bool, to location: String) {
        Console.print(
            zh
                ? "已复制到 \(location)："
                : "copied to \(location):")
        for (table, count) in report.rows { Console.print("  \(table)  \(count)") }
        Console.print(
            zh
                ? "从历史记录重建核对：\(report.cases)件办件（\(report.events)条历史记录）、\(report.clerks)名工作人员，与复制的记录一致"
                : "rebuilt from their histories: \(report.cases) cases (\(report.events) events) and \(report.clerks) clerks, the same as copied"
        )
        if let days = report.figureDays {
            Console.print(zh ? "按日统计数：\(days)行，与 SQLite 一致" : "counts by day: \(days) rows, the same as SQLite's")
        }
    }
}

/// Hands batches of rows from the thread reading SQLite to the task writing PostgreSQL, one at a
/// time: the reader waits while a batch is not yet taken, so memory holds at most two.
final class Handoff: Sendable {
    private struct State {
        var waiting: StoredRows?
        var finished = false
        var failure: (any Error)?
        var abandoned = false
    }

    private let state = Mutex(State())
    // Made at 0 and raised: libdispatch refuses to free a semaphore left below the value it was
    // made with, and a hand-off may end with its space taken.
    private let space = DispatchSemaphore(value: 0)
    private let ready = DispatchSemaphore(value: 0)

    init() {
        space.signal()
    }

    /// The reader's side: waits until the previous batch was taken.
    func put(_ rows: StoredRows) throws {
        space.wait()
        let abandoned = state.withLock { state in
            if !state.abandoned { state.waiting = rows }
            return state.abandoned
        }
        if abandoned { throw CancellationError() }
        ready.signal()
    }

    func finish(_ failure: (any Error)?) {
        space.wait()
        state.withLock { state in
            state.finished = true
            state.failure = failure
        }
        ready.signal()
    }

    /// The writer's side: the next batch, or nil once the reader finished (its failure thrown).
    func take() async throws -> StoredRows? {
        // Waited for on a thread of its own: a cooperative thread must not block.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                self.ready.wait()
                continuation.resume()
            }
        }
        let (rows, finished, failure) = state.withLock { state in
            let rows = state.waiting
            state.waiting = nil
            return (rows, state.finished, state.failure)
        }
        if let rows {
            space.signal()
            return rows
        }
        if let failure { throw failure }
        guard finished else { throw StoreError.storage("the copy's reader handed over nothing") }
        return nil
    }

    /// The writer gave up: the reader's next hand-off fails, and it is not waited for.
    func abandon() {
        state.withLock { $0.abandoned = true }
        // Once for the reader's waiting hand-off, once for its finish.
        space.signal()
        space.signal()
    }
}
