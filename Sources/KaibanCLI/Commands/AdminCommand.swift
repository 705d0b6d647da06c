import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanServer
import Logging

/// `kaiban admin`: maintenance.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: localized(zh: "维护命令（负责人使用）。", en: "Maintenance commands (supervisors)."),
        subcommands: [
            Rebuild.self, SynthesizeCommand.self, BenchCalendarCommand.self, BenchStepsCommand.self,
            BenchDeskCommand.self, BenchBareHTTPCommand.self, SynthesizeTransfersCommand.self, MigrateToCommand.self,
        ])

    /// `kaiban admin rebuild`: current state recomputed from the history.
    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild",
            abstract: localized(
                zh: "根据办理记录重新计算每件办件的当前状态，并报告不一致之处（负责人使用）。",
                en: "Recompute every case's current state from its history and report any difference (supervisors)."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let report = try await session.desk.rebuild(as: session.actor)
                if output.json {
                    try Console.json(report)
                    return
                }
                Console.print(
                    session.zh
                        ? "已从\(report.events)条历史记录重建\(report.cases)件办件；与原状态不一致并已修复：\(report.repaired.count)件"
                        : "rebuilt \(report.cases) cases from \(report.events) events; \(report.repaired.count) differed and were repaired"
                )
                for number in report.repaired { Console.print("  \(number)") }
                if report.orphansRemoved > 0 {
                    Console.print(
                        session.zh
                            ? "删除了不属于任何办件的检索或名称登记记录：\(report.orphansRemoved)条"
                            : "removed \(report.orphansRemoved) lookup or registered-name rows of no case")
                }
                if report.figureDaysRepaired > 0 {
                    Console.print(
                        session.zh
                            ? "按日统计数与办件历史不一致并已修复：\(report.figureDaysRepaired)条"
                            : "\(report.figureDaysRepaired) rows of the counts by day differed from the cases' histories and were repaired"
                    )
                }
                if let files = report.files {
                    Console.print(
                        session.zh
                            ? "电子材料文件：核对\(files.verified)个；无记录的文件\(files.orphansRemoved)个移至数据目录的 orphans 文件夹（可能属于恢复备份后丢失的办件，核实后再删除）；删除中断写入的临时文件\(files.temporaryRemoved)个；缺失或大小不符\(files.missing.count)个"
                            : "document files: \(files.verified) checked; \(files.orphansRemoved) no record names moved to the data directory's orphans folder (they may belong to cases lost to a restored backup: check before deleting them); \(files.temporaryRemoved) temporary ones of interrupted writes removed; \(files.missing.count) missing or of another size"
                    )
                    for digest in files.missing { Console.print("  \(digest)") }
                }
                if !report.clerksRepaired.isEmpty {
                    Console.print(
                        session.zh
                            ? "工作人员的角色或状态与其记录不一致并已修复：\(report.clerksRepaired.joined(separator: "、"))"
                            : "clerks whose roles or standing differed from their history, repaired: \(report.clerksRepaired.joined(separator: ", "))"
                    )
                }
            }
        }
    }
}

/// `kaiban admin synthesize`: realistic cases in bulk, for benchmarks.
struct SynthesizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: localized(
            zh: "批量生成仿真办件，供性能测试使用（切勿用于生产数据库；数据库已有工作人员时须由负责人执行）。",
            en:
                "Generate realistic cases in bulk for benchmarks (never on a production database; a supervisor's act unless the database has no clerks)."
        )
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: .localized(zh: "办件数。", en: "How many cases."))
    var cases: Int

    @Option(help: .localized(zh: "停留在某一环节、未办结的办件比例（0-1）。", en: "Share of cases left open at some stage (0-1)."))
    var openShare = 0.02

    @Option(help: .localized(zh: "每个工作日的办件数。", en: "Cases per working day."))
    var perDay = 60

    @Option(help: .localized(zh: "最后一个收件日（yyyy-MM-dd）。", en: "The last intake day (yyyy-MM-dd)."))
    var until = "2026-11-26"

    @Option(help: .localized(zh: "随机数种子。", en: "Random seed."))
    var seed: UInt64 = 2026

    func validate() throws {
        guard cases > 0 else { throw usageError(zh: "--cases 应为正数", en: "--cases must be positive") }
        guard (0...1).contains(openShare) else {
            throw usageError(zh: "--open-share 应在0至1之间", en: "--open-share must be between 0 and 1")
        }
        guard perDay > 0 else { throw usageError(zh: "--per-day 应为正数", en: "--per-day must be positive") }
        try requireDate("--until", until)
    }

    func run() async throws {
        try await withDesk(global) { session in
            guard let lastDay = CivilDate(until) else {
                throw usageError(zh: "--until：不是日期（yyyy-MM-dd）", en: "--until: not a date")
            }
            let total = cases
            try await session.desk.synthesize(
                count: total, lastDay: lastDay, perDay: perDay, openShare: openShare, seed: seed, as: session.actor
            ) { written in
                if written % 20_000 == 0 || written == total { Console.error("\(written)/\(total)") }
            }
        }
    }
}

/// `kaiban admin bench-calendar`: a fixed load of working-time computations for Scripts/bench
/// (hyperfine times the whole run; computations per second = iterations / seconds).
struct BenchCalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-calendar",
        abstract: localized(
            zh: "执行 N 次已用工作时间计算和 N 次届满时间推算（供 Scripts/bench 使用）。",
            en: "Run N elapsed-time and N add-time computations (for Scripts/bench)."),
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions

    @Option(help: .localized(zh: "每种计算的次数。", en: "How many of each."))
    var iterations = 1_000_000

    func run() async throws {
        try await withDesk(global) { session in
            let calendar = try await session.desk.workingCalendar()
            var random = SyntheticCases.Generator(state: 7)
            let base = HallTime.instant(CivilDate(uncheckedYear: 2021, month: 1, day: 1), hour: 0, minute: 0)
            let span = 6.0 * 365 * 86_400
            var checksum = 0
            for _ in 0..<iterations {
                let from = base.addingTimeInterval(Double(random.next() % UInt64(span)))
                let to = from.addingTimeInterval(Double(random.next() % (30 * 86_400)))
                checksum &+= calendar.elapsed(from: from, to: to).minutes
                checksum &+= Int(
                    calendar.adding(minutes: Int(random.next() % 2_400), to: from).instant.timeIntervalSince1970)
            }
            Console.print("\(iterations) elapsed + \(iterations) add computations, checksum \(checksum)")
        }
    }
}

/// `kaiban admin bench-steps`: the rate of durable steps through the store's own operations,
/// for Scripts/bench-steps to set against raw SQLite doing the same writes.
struct BenchStepsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-steps",
        abstract: localized(
            zh: "在新数据库上计时 N 件办件各办理 S 个流程步骤（供 Scripts/bench-steps 使用）。",
            en: "Time N cases x S workflow steps on a new database (for Scripts/bench-steps)."),
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions

    @Option(help: .localized(zh: "办件数。", en: "How many cases."))
    var cases = 2_000

    @Option(help: .localized(zh: "每件办件的步骤数（1-3：受理、审查、核准）。", en: "Steps per case (1-3: accept, review, approve)."))
    var steps = 3

    func validate() throws {
        guard cases > 0 else { throw usageError(zh: "--cases 应为正数", en: "--cases must be positive") }
        guard (1...3).contains(steps) else { throw usageError(zh: "--steps 应为1、2或3", en: "--steps must be 1, 2 or 3") }
    }

    func run() async throws {
        try await withDesk(global) { session in
            let desk = session.desk
            try await desk.requireEmpty()
            for clerk in SyntheticCases.clerks {
                _ = try await desk.addClerk(
                    id: clerk.id, name: clerk.name, roles: clerk.roles,
                    as: clerk.isSupervisor ? .anonymous : .clerk(SyntheticCases.clerks[0].id))
            }
            var generator = SyntheticCases(
                hall: desk.settings.hall, workflowID: desk.settings.workflowID, openShare: 0,
                random: SyntheticCases.Generator(state: 11))
            let start = HallTime.instant(CivilDate(uncheckedYear: 2026, month: 11, day: 26), hour: 9, minute: 0)
            let imports = (0..<cases).map { _ in
                var application = generator.application()
                application.channel = .window
                return CaseImport(
                    application: application, workflowID: desk.settings.workflowID, hall: desk.settings.hall,
                    clerk: "wangfang", at: start, steps: [])
            }
            let slaClock = try await desk.slaClock()
            try await desk.store.importCases(imports, clock: slaClock)
            let numbers = (1...cases).map {
                CaseNumber(division: desk.settings.hall, date: HallTime.localDate(of: start), sequence: $0)
            }
            let plan = [("accept", "wangfang"), ("review", "lijun"), ("approve", "lijun")].prefix(steps)
            let clock = ContinuousClock()
            let began = clock.now
            for (index, (step, clerk)) in plan.enumerated() {
                let at = start.addingTimeInterval(TimeInterval(60 * (index + 1)))
                for number in numbers {
                    _ = try await desk.store.apply(
                        .transition(step, reason: nil), to: number, by: clerk, at: at, expectedVersion: nil,
                        recording: Recording(at: at), clock: slaClock)
                }
            }
            let elapsed = clock.now - began
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let total = cases * steps
            Console.print(
                "kaiban-store: \(total) steps in \(String(format: "%.3f", seconds)) s = \(Int(Double(total) / seconds)) steps/s"
            )
        }
    }
}

/// `kaiban admin bench-desk`: the desk's reads timed in process on an existing database (for
/// Scripts/bench): the worklist's first page, the at-risk list and the whole-history report.
struct BenchDeskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-desk",
        abstract: localized(
            zh: "在进程内计时待办列表、临近超时列表和时限报告的查询。", en: "Time the worklist, the at-risk list and the report in process."),
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions

    @Option(help: .localized(zh: "每项查询的重复次数（输出中位数）。", en: "Repetitions of each read (the median is printed)."))
    var runs = 20

    func run() async throws {
        try await withDesk(global) { session in
            let desk = session.desk
            _ = try await desk.slaClock()
            let clock = ContinuousClock()
            func median(_ label: String, runs: Int, _ body: () async throws -> Int) async throws {
                var times: [Double] = []
                var size = 0
                for _ in 0..<runs {
                    let began = clock.now
                    size = try await body()
                    let elapsed = clock.now - began
                    times.append(
                        Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                }
                let sorted = times.sorted()
                Console.print("\(label): median \(String(format: "%.2f", sorted[sorted.count / 2])) ms (\(size) rows)")
            }
            try await median("worklist first page (50)", runs: runs) { try await desk.worklist(limit: 50).count }
            try await median("worklist of reviewers (50)", runs: runs) {
                try await desk.worklist(role: "reviewer", limit: 50).count
            }
            try await median("at-risk list (100)", runs: runs) { try await desk.atRisk(limit: 100).count }
            let first = CivilDate(uncheckedYear: 2000, month: 1, day: 1)
            try await median("SLA report over the whole history", runs: 3) {
                try await desk.slaReport(from: first, to: desk.today(), by: .channel).total?.count ?? 0
            }
        }
    }
}

/// `kaiban admin bench-bare-http`: a bare Hummingbird route (`GET /status`, a fixed body, no
/// middleware, no database) for Scripts/bench-http to set Kaiban's status reads against.
struct BenchBareHTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-bare-http",
        abstract: localized(
            zh: "启动一个最简HTTP服务（GET /status，固定答复），作为 Scripts/bench-http 的基准。",
            en: "Run a bare HTTP server (GET /status, a fixed answer), the yardstick of Scripts/bench-http."),
        shouldDisplay: false)

    @Option(help: .localized(zh: "监听地址。", en: "Address to listen on."))
    var host = "127.0.0.1"

    @Option(help: .localized(zh: "监听端口。", en: "Port to listen on."))
    var port: Int

    func validate() throws {
        guard (1...65535).contains(port) else {
            throw usageError(zh: "--port 应在1至65535之间", en: "--port must be from 1 to 65535")
        }
    }

    func run() async throws {
        var logger = Logger(label: "kaiban.bench-bare-http")
        logger.logLevel = .warning
        try await BareServer.run(host: host, port: port, logger: logger)
    }
}
