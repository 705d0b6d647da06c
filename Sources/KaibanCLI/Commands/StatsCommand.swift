import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// The first and last day of a `yyyy-MM` month (ASCII digits only, no sign), or nil.
func monthRange(_ text: String) -> (first: CivilDate, last: CivilDate)? {
    CivilDate.month(text)
}

/// `kaiban stats`: the hall's figures for a month, a year or a range, as reported upward.
struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: localized(
            zh: "本厅统计：某月、某年或某时段的收件、受理、办结、退件、撤回，用时，补正率，容缺，预约爽约。",
            en:
                "The hall's figures for a month, a year or a range: cases in and out, time, corrections, deferrals, no-shows."
        ),
        subcommands: [Month.self, Year.self, Range.self])

    struct Month: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "month",
            abstract: localized(zh: "某月的统计（yyyy-MM）。", en: "A month's figures (yyyy-MM)."))
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "月份，如 2026-11。", en: "The month, e.g. 2026-11."))
        var month: String

        func validate() throws {
            if let problem = CivilDate.monthProblem(month) { throw usageError(zh: problem.zh, en: problem.en) }
        }

        func run() async throws {
            guard let days = monthRange(month) else { return }
            try await show(days.first, days.last, global: global, json: output.json)
        }
    }

    struct Year: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "year",
            abstract: localized(zh: "某年的统计（yyyy）。", en: "A year's figures (yyyy)."))
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "年份，如 2026。", en: "The year, e.g. 2026."))
        var year: String

        var days: (CivilDate, CivilDate)? {
            guard CivilDate.yearProblem(year) == nil, let number = Int(year),
                let first = CivilDate(year: number, month: 1, day: 1),
                let last = CivilDate(year: number, month: 12, day: 31)
            else { return nil }
            return (first, last)
        }

        func validate() throws {
            if let problem = CivilDate.yearProblem(year) { throw usageError(zh: problem.zh, en: problem.en) }
        }

        func run() async throws {
            guard let (first, last) = days else { return }
            try await show(first, last, global: global, json: output.json)
        }
    }

    struct Range: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "range",
            abstract: localized(zh: "某时段的统计（含首尾两日）。", en: "A range's figures (both days included)."))
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: .localized(zh: "第一天（yyyy-MM-dd）。", en: "First day (yyyy-MM-dd)."))
        var from: String
        @Option(help: .localized(zh: "最后一天（yyyy-MM-dd）。", en: "Last day (yyyy-MM-dd)."))
        var to: String

        func validate() throws {
            try requireDate("--from", from)
            try requireDate("--to", to)
            if let a = CivilDate(from), let b = CivilDate(to), a > b {
                throw usageError(zh: "--from \(from) 晚于 --to \(to)", en: "--from \(from) is after --to \(to)")
            }
        }

        func run() async throws {
            guard let first = CivilDate(from), let last = CivilDate(to) else { return }
            try await show(first, last, global: global, json: output.json)
        }
    }

}

extension AsyncParsableCommand {
    /// Prints the hall's figures from `first` to `last` (`kaiban stats …`).
    func show(_ first: CivilDate, _ last: CivilDate, global: GlobalOptions, json: Bool) async throws {
        try await withDesk(global, json: json) { session in
            let figures = try await session.desk.hallFigures(from: first, to: last)
            if json {
                try Console.json(figures)
                return
            }
            let presenter = CasePresenter(
                definition: try await session.desk.latestDefinition(), language: session.language)
            Console.print(presenter.figures(figures))
        }
    }
}

extension CasePresenter {
    func figures(_ figures: HallFigures) -> String {
        func percent(_ share: Double?) -> String { share.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
        let period = figures.from == figures.to ? "\(figures.from)" : "\(figures.from) – \(figures.to)"
        var lines = [zh ? "本厅统计：\(period)" : "The hall's figures: \(period)"]
        func table(_ rows: [HallFigures.Counts], label: (String) -> String) -> String {
            var table = TextTable(
                zh
                    ? ["分组", "收件", "受理", "办结", "不予受理/驳回", "撤回", "其他终止"]
                    : [
                        "group", "received", "accepted", "completed", "refused/rejected", "withdrawn",
                        "otherwise ended",
                    ])
            for row in rows + [figures.total] {
                table.add([
                    row.group == "all" ? (zh ? "合计" : "all") : label(row.group), "\(row.received)", "\(row.accepted)",
                    "\(row.completed)", "\(row.refused)", "\(row.withdrawn)", "\(row.otherwiseEnded)",
                ])
            }
            return table.rendered
        }
        lines.append(zh ? "按渠道：" : "by channel:")
        lines.append(table(figures.byChannel) { Channel(rawValue: $0)?.name.text(language) ?? $0 })
        lines.append(zh ? "按企业类型：" : "by enterprise type:")
        lines.append(table(figures.byType) { EnterpriseType(rawValue: $0)?.name.text(language) ?? $0 })
        if let time = figures.time {
            lines.append(
                zh
                    ? "办结用时（工作分钟）：中位数\(time.medianMinutes)，90%分位\(time.p90Minutes)，最长\(time.maxMinutes)；0.4个工作日（\(figures.budgetMinutes)分）内办结\(percent(time.withinBudgetShare))"
                    : "time to completion (working minutes): median \(time.medianMinutes), p90 \(time.p90Minutes), max \(time.maxMinutes); within 0.4 working day (\(figures.budgetMinutes) min): \(percent(time.withinBudgetShare))"
            )
            if time.provisional {
                lines.append(
                    zh
                        ? "注意：部分办结用时落在未载入节假日安排的年份，以上用时为暂估。"
                        : "note: some of this time falls in years without a holiday notice; the times are provisional.")
            }
        } else {
            lines.append(zh ? "本期没有办结的办件" : "no case was completed in the period")
        }
        lines.append(
            zh
                ? "补正率：本期收件\(figures.total.received)件中退回补正\(figures.returnedForCorrection)件（\(percent(figures.correctionRate))）"
                : "corrections: \(figures.returnedForCorrection) of \(figures.total.received) cases received were returned for correction (\(percent(figures.correctionRate)))"
        )
        if let deferrals = figures.deferrals {
            lines.append(deferralLines(deferrals, completed: figures.total.completed))
        }
        let bookings = figures.bookings
        lines.append(
            zh
                ? "预约办：预约\(bookings.booked)个，到场\(bookings.checkedIn)，爽约\(bookings.noShows)（爽约率\(percent(figures.noShowRate))），待到场\(bookings.waiting)，取消\(bookings.cancelled)"
                    + (bookings.slotClosed > 0 ? "，时段因日历变更已不开放\(bookings.slotClosed)（不计爽约）" : "")
                : "appointments: \(bookings.booked) booked, \(bookings.checkedIn) checked in, \(bookings.noShows) no-shows (\(percent(figures.noShowRate))), \(bookings.waiting) to come, \(bookings.cancelled) cancelled"
                    + (bookings.slotClosed > 0
                        ? ", \(bookings.slotClosed) on a slot the calendar no longer has (no no-shows)" : "")
        )
        let crossProvince = figures.crossProvince
        lines.append(
            zh
                ? "川渝通办（跨省）：省外转来本厅受理\(crossProvince.inbound)件，本厅收件转省外办理\(crossProvince.outbound)件"
                : "川渝通办 (cross-province): \(crossProvince.inbound) transferred here and taken in, \(crossProvince.outbound) transferred from here to the partner"
        )
        return lines.joined(separator: "\n")
    }
}
