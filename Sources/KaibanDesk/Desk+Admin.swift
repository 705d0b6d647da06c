import Foundation
import KaibanCore

extension Desk {
    static let rebuildAct = LocalizedText(zh: "从历史记录重建办件状态", en: "rebuild cases from their history")
    static let synthesizeAct = LocalizedText(zh: "生成测试办件", en: "generate synthetic cases")
    static let migrateAct = LocalizedText(zh: "将数据库迁移到 PostgreSQL", en: "move the database to PostgreSQL")

    /// Checks that `actor` is an active supervisor, who may copy the hall's database elsewhere
    /// (`kaiban admin migrate-to`); the clerk.
    @discardableResult
    public func authorizeMigration(as actor: DeskActor) async throws -> Clerk {
        try await run { try await requireSupervisor(actor, for: Self.migrateAct) }
    }

    /// Recomputes every case's current state from its history and reports what differed; a
    /// supervisor's act.
    public func rebuild(as actor: DeskActor) async throws -> RebuildReport {
        try await run {
            _ = try await requireSupervisor(actor, for: Self.rebuildAct)
            var report = try await store.rebuild(clock: try await slaClock())
            // Files an hour old or more: an upload being committed now keeps its file. Only a
            // folder this hall has claimed for this database is swept; any other is only checked.
            let refusal = try settings.dataDirectorySweep()
            if let refusal { notice(refusal) }
            let sweeping = refusal == nil
            report.files = try await store.checkDocumentFiles(
                in: settings.dataDirectory,
                olderThan: sweeping ? clock.now().addingTimeInterval(-Self.documentFileGrace) : .distantPast)
            return report
        }
    }

    /// How old a file no record names must be before a rebuild removes it (seconds).
    public static let documentFileGrace: TimeInterval = 3600

    /// Counts for the end-of-day summary.
    public func summary() async throws -> DeskSummary {
        try await run { try await store.summary() }
    }

    /// Refuses unless the database holds no case (the demo plays only into a new one).
    public func requireEmpty() async throws {
        try await run {
            let count = try await store.caseCount()
            guard count == 0 else { throw StoreError.notEmpty(location: store.location, cases: count) }
        }
    }

    /// Generates `count` realistic cases for benchmarks, ending on `lastDay`, `perDay` a working
    /// day. On a database without clerks it registers its own (a supervisor first); on any
    /// other, only a supervisor may run it. `progress` hears how many are written.
    public func synthesize(
        count: Int, lastDay: CivilDate, perDay: Int, openShare: Double, seed: UInt64, as actor: DeskActor,
        progress: @Sendable (Int) -> Void = { _ in }
    ) async throws {
        try await run {
            // Generated cases are for a database of their own, dated no later than today and
            // within what the calendar measures: never mixed into a hall's records.
            guard lastDay <= today(), lastDay.year >= WorkingCalendar.firstYear else {
                throw Problem(
                    .invalid, "calendar.out-of-range",
                    zh: "生成办件的最后一天\(lastDay)应在\(WorkingCalendar.firstYear)年至今天（\(today())）之间",
                    en:
                        "the last day of generated cases, \(lastDay), must lie between \(WorkingCalendar.firstYear) and today (\(today()))"
                )
            }
            try await requireEmpty()
            try await bringInStep(.workflow)
            let existing = Set(try await store.clerks().map(\.id))
            if existing.isEmpty {
                for clerk in SyntheticCases.clerks {
                    try await store.addClerk(
                        clerk, by: clerk.isSupervisor ? nil : SyntheticCases.clerks[0].id, at: clock.now())
                }
            } else {
                let supervisor = try await requireSupervisor(actor, for: Self.synthesizeAct)
                for clerk in SyntheticCases.clerks where !existing.contains(clerk.id) {
                    try await store.addClerk(clerk, by: supervisor.id, at: clock.now())
                }
            }
            var generator = SyntheticCases(
                hall: settings.hall, workflowID: settings.workflowID, openShare: openShare,
                random: SyntheticCases.Generator(state: seed))
            var position = (day: HallTime.daysSinceEpoch(lastDay), onDay: 0)
            let clock = try await slaClock()
            var written = 0
            while written < count {
                let batch = generator.cases(count: min(2_000, count - written), position: &position, perDay: perDay)
                try await store.importCases(batch, clock: clock)
                written += batch.count
                progress(written)
            }
        }
    }
}
