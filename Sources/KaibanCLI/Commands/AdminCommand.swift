import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban admin`: maintenance.
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Maintenance commands.",
        subcommands: [Rebuild.self, SynthesizeCommand.self, BenchCalendarCommand.self])

    /// `kaiban admin rebuild`: current state recomputed from the history.
    struct Rebuild: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every case's current state from its history and report any difference.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try withDesk(global) { desk in
                let report = try desk.store.rebuild()
                if output.json {
                    try Console.json(report)
                    return
                }
                Console.print(
                    desk.language == .zh
                        ? "已从\(report.events)条历史记录重建\(report.cases)件办件；与原状态不一致并已修复：\(report.repaired.count)件"
                        : "rebuilt \(report.cases) cases from \(report.events) events; \(report.repaired.count) differed and were repaired"
                )
                for number in report.repaired { Console.print("  \(number)") }
            }
        }
    }
}

/// `kaiban admin synthesize`: realistic cases in bulk, for benchmarks.
struct SynthesizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize",
        abstract: "Generate realistic cases in bulk for benchmarks (never on a production database).")

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many cases.")
    var cases: Int

    @Option(help: "Share of cases left open at some stage (0-1).")
    var openShare = 0.02

    @Option(help: "Cases per working day.")
    var perDay = 60

    @Option(help: "The last intake day (yyyy-MM-dd).")
    var until = "2026-11-26"

    @Option(help: "Random seed.")
    var seed: UInt64 = 2026

    func validate() throws {
        guard cases > 0 else { throw ValidationError("--cases must be positive") }
        guard (0...1).contains(openShare) else { throw ValidationError("--open-share must be between 0 and 1") }
        guard perDay > 0 else { throw ValidationError("--per-day must be positive") }
        try requireDate("--until", until)
    }

    func run() throws {
        try withDesk(global) { desk in
            let existing = Set(try desk.store.clerks().map(\.id))
            for clerk in SyntheticCases.clerks where !existing.contains(clerk.id) {
                try desk.store.addClerk(clerk, by: existing.isEmpty && clerk.id == "zhouqiang" ? nil : "zhouqiang")
            }
            var generator = SyntheticCases(
                hall: desk.configuration.hall, workflowID: desk.configuration.workflowID, openShare: openShare,
                random: SyntheticCases.Generator(state: seed))
            guard let lastDay = CivilDate(until) else { throw ValidationError("--until: not a date") }
            try generator.generate(count: cases, lastDay: lastDay, perDay: perDay, into: desk.store) { written in
                if written % 20_000 == 0 || written == cases { Console.error("\(written)/\(cases)") }
            }
        }
    }
}

/// `kaiban admin bench-calendar`: a fixed load of working-time computations for Scripts/bench
/// (hyperfine times the whole run; computations per second = iterations / seconds).
struct BenchCalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-calendar", abstract: "Run N elapsed-time and N add-time computations (for Scripts/bench).",
        shouldDisplay: false)

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many of each.")
    var iterations = 1_000_000

    func run() throws {
        try withDesk(global) { desk in
            let calendar = try desk.calendar()
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
