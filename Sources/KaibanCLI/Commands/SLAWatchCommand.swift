import ArgumentParser
import Dispatch
import Foundation
import KaibanCore
import KaibanDesk

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SLACommand {
    /// `kaiban sla watch`: a line for each case crossing its at-risk line or its whole budget, for
    /// a supervisor's terminal; Ctrl-C stops it. With `--from`/`--until`, the crossings of that
    /// stretch of time, then it exits.
    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "watch",
            abstract: localized(
                zh: "时限盯办：办件临近超时（已用75%）或超时时各打印一行，按 Ctrl-C 结束。",
                en: "Watch: a line when a case becomes at risk (75% used) or breaches; Ctrl-C stops it."),
            discussion: localized(
                zh: "给出 --from 与 --until 时，列出该时段内的越线情况后退出（按办件现在的状态计算）。",
                en: "With --from and --until: the crossings of that stretch (as the cases stand now), then exit."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(
            parsing: .unconditional,
            help: .localized(zh: "检查间隔秒数（1至3600，默认30）。", en: "Seconds between checks (1 to 3600, default 30)."))
        var every = 30

        @Option(help: .localized(zh: "回看时段的起点（ISO 8601）。", en: "Start of a stretch to look back on (ISO 8601)."))
        var from: String?

        @Option(help: .localized(zh: "回看时段的终点（ISO 8601）。", en: "End of that stretch (ISO 8601)."))
        var until: String?

        func validate() throws {
            guard (1...3600).contains(every) else {
                throw usageError(zh: "--every 应在1至3600秒之间", en: "--every must be between 1 and 3600 seconds")
            }
            if let from { try requireInstant("--from", from) }
            if let until { try requireInstant("--until", until) }
            guard (from == nil) == (until == nil) else {
                throw usageError(zh: "--from 与 --until 须一同给出", en: "give --from and --until together")
            }
            if let from, let until, let start = HallTime.parse(from), let end = HallTime.parse(until), start >= end {
                throw usageError(zh: "--from 应早于 --until", en: "--from must come before --until")
            }
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                if let start = from.flatMap(HallTime.parse), let end = until.flatMap(HallTime.parse) {
                    let crossings = try await session.desk.slaCrossings(after: start, through: end)
                    if output.json {
                        try Console.json(crossings)
                    } else if crossings.isEmpty {
                        Console.print(session.zh ? "该时段内没有办件越线" : "no case crossed a line in that stretch")
                    } else {
                        let definition = try await session.desk.latestDefinition()
                        for crossing in crossings { Console.print(line(crossing, session, definition: definition)) }
                    }
                    return
                }
                try await watch(session)
            }
        }

        /// Watches until SIGINT or SIGTERM, a check every `every` seconds.
        func watch(_ session: Session) async throws {
            let desk = session.desk
            // Listening for Ctrl-C before saying so.
            let stop = StopSignal()
            defer { stop.release() }
            let definition = try await desk.latestDefinition()
            var last = desk.clock.now()
            let open = try await desk.atRisk(limit: 10_000, at: last)
            let risky = open.filter { $0.sla.state == .atRisk }.count
            let breached = open.filter { $0.sla.state == .breached }.count
            if !output.json {
                Console.print(
                    session.zh
                        ? "开始盯办（\(HallTime.localText(of: last))）：临近超时\(risky)件，已超时\(breached)件；每\(every)秒检查一次，Ctrl-C 结束"
                        : "watching from \(HallTime.localText(of: last)): \(risky) at risk, \(breached) breached; checking every \(every) s, Ctrl-C stops"
                )
            }
            while !stop.stopped {
                await stop.sleep(seconds: every)
                if stop.stopped { break }
                let now = desk.clock.now()
                let crossings: [SLACrossing]
                do {
                    crossings = try await desk.slaCrossings(after: last, through: now)
                } catch let problem as Problem where problem.kind == .storage {
                    // The database away for a while (a restart): said, and the crossings of the
                    // meantime told once it is back (`last` stays where it was).
                    Console.error(
                        session.zh
                            ? "数据库暂时不可用（\(problem.text.zh)），\(every)秒后重试"
                            : "the database is unavailable (\(problem.text.en)); trying again in \(every) s")
                    continue
                }
                for crossing in crossings {
                    Console.print(
                        output.json ? try Console.jsonLine(crossing) : line(crossing, session, definition: definition))
                }
                last = now
            }
            if !output.json { Console.print(session.zh ? "已结束盯办" : "stopped watching") }
        }

        func line(_ crossing: SLACrossing, _ session: Session, definition: WorkflowDefinition) -> String {
            let zh = session.zh
            let stage = definition.stageName(crossing.stage).text(session.language)
            let time = HallTime.localText(of: crossing.at)
            let state = crossing.state.name.text(session.language)
            let detail =
                crossing.state == .breached
                ? (zh ? "政府用时已满\(crossing.budgetMinutes)分" : "government time reached \(crossing.budgetMinutes) min")
                : (zh
                    ? "政府用时已达\(crossing.minutes)分（时限\(crossing.budgetMinutes)分）"
                    : "government time reached \(crossing.minutes) min (of \(crossing.budgetMinutes))")
            return zh
                ? "\(time) \(state) \(crossing.number) \(crossing.proposedName)（\(stage)）：\(detail)"
                : "\(time) \(state) \(crossing.number) \(crossing.proposedName) (\(stage)): \(detail)"
        }
    }
}

/// SIGINT and SIGTERM turned into a flag the watch loop reads, and a sleep they cut short.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [DispatchSourceSignal] = []

    init() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.set() }
            source.resume()
            sources.append(source)
        }
    }

    var stopped: Bool { lock.withLock { flag } }

    private func set() { lock.withLock { flag = true } }

    /// Sleeps `seconds`, waking every tenth of a second to see whether a signal came.
    func sleep(seconds: Int) async {
        for _ in 0..<(seconds * 10) {
            if stopped { return }
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
    }

    func release() {
        for source in sources { source.cancel() }
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
    }
}
