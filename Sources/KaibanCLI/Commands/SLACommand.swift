import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

extension SLAGrouping: ExpressibleByArgument {}

/// `kaiban sla`: cases about to miss the 0.4-working-day target, and the report.
struct SLACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla",
        abstract: localized(
            zh: "时限监控：临近超时和已超时的办件，以及时限报告。", en: "Time limits: cases at risk or breached, and the report (时限监控)."),
        subcommands: [List.self, Report.self, Watch.self], defaultSubcommand: List.self)

    /// `kaiban sla`: open cases at risk or breached now.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: localized(zh: "当前临近超时或已超时的未办结办件。", en: "Open cases at risk or breached now."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var time: InstantOption

        @Option(
            parsing: .unconditional,
            help: .localized(zh: "最多列出的办件数，最紧急的排在最前。", en: "At most this many cases, most urgent first."))
        var limit = 100

        func validate() throws {
            try validateLimit(limit)
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let items = try await session.desk.atRisk(limit: limit, at: time.instant)
                if output.json {
                    try Console.json(items)
                } else if items.isEmpty {
                    Console.print(session.zh ? "没有临近超时或已超时的办件" : "no case is at risk or breached")
                } else {
                    Console.print(
                        CasePresenter.worklist(
                            items, definitions: try await session.desk.definitions(), language: session.language))
                }
            }
        }
    }

    /// `kaiban sla report --from --to [--by]`
    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: localized(
                zh: "某一期间办结的办件所用的工作时间：件数、中位数、90% 分位数、最长用时及 0.4 个工作日内办结的占比。",
                en:
                    "Elapsed working time of the cases completed in a period: count, median, 90th percentile, maximum and share within 0.4 day."
            )
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(
            help: .localized(
                zh: "统计的第一个办结日（yyyy-MM-dd，默认同 --to）。", en: "First completion day (yyyy-MM-dd, default: --to)."))
        var from: String?

        @Option(
            help: .localized(
                zh: "统计的最后一个办结日（yyyy-MM-dd，默认今天）。", en: "Last completion day (yyyy-MM-dd, default: today)."))
        var to: String?

        @Option(
            help: .localized(
                zh: "分组方式：all（合计）、channel（渠道）、type（企业类型）、clerk（收件人员）或 stage（环节）。",
                en: "Group by all, channel, type, clerk (who took the case in) or stage."))
        var by: SLAGrouping = .all

        @Option(
            help: .localized(
                zh: "统计一个自然月（yyyy-MM，代替 --from/--to），如按渠道的月度统计。",
                en: "A calendar month (yyyy-MM, instead of --from/--to), such as the monthly count per channel."))
        var month: String?

        /// The first and last day of `--month`.
        var monthDays: (first: CivilDate, last: CivilDate)? { month.flatMap(monthRange) }

        func validate() throws {
            if let month {
                if let problem = CivilDate.monthProblem(month) {
                    throw usageError(zh: "--month：\(problem.zh)", en: "--month: \(problem.en)")
                }
                guard from == nil, to == nil else {
                    throw usageError(
                        zh: "--month 与 --from/--to 只能用其一", en: "give either --month or --from/--to, not both")
                }
            }
            try requireDate("--from", from)
            try requireDate("--to", to)
            if let from, let to, let a = CivilDate(from), let b = CivilDate(to), a > b {
                throw usageError(zh: "--from \(from) 晚于 --to \(to)", en: "--from \(from) is after --to \(to)")
            }
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let last = monthDays?.last ?? to.flatMap(CivilDate.init) ?? session.desk.today()
                let first = monthDays?.first ?? from.flatMap(CivilDate.init) ?? last
                let report = try await session.desk.slaReport(from: first, to: last, by: by)
                if output.json {
                    try Console.json(report)
                } else {
                    let definition = try await session.desk.latestDefinition()
                    Console.print(CasePresenter(definition: definition, language: session.language).report(report))
                }
            }
        }
    }
}

extension CasePresenter {
    func report(_ report: SLAReport) -> String {
        let period = report.from == report.to ? "\(report.from)" : "\(report.from) – \(report.to)"
        var lines = [
            zh
                ? "时限报告：\(period) 办结的办件，时限\(report.budgetMinutes)个工作分钟（0.4个工作日）"
                : "SLA report: cases completed \(period); budget \(report.budgetMinutes) working minutes (0.4 working day)"
        ]
        guard let total = report.total else {
            lines.append(zh ? "该期间没有办结的办件" : "no case was completed in the period")
            if let deferrals = report.deferrals { lines.append(deferralLines(deferrals, completed: 0)) }
            // The cases received, withdrawn or refused, the bookings and the posts of the period
            // count also when none completed.
            if let channels = report.channels { lines.append(channelLines(channels)) }
            return lines.joined(separator: "\n")
        }
        func label(_ group: String) -> String {
            switch report.grouping {
            case .all: return zh ? "合计" : "all"
            case .channel: return Channel(rawValue: group)?.name.text(language) ?? group
            case .type: return EnterpriseType(rawValue: group)?.name.text(language) ?? group
            case .clerk: return group
            case .stage: return stage(group)
            }
        }
        var table = TextTable(
            zh
                ? ["分组", "件数", "中位数", "90%分位", "最长", "时限内占比"]
                : ["group", "cases", "median", "p90", "max", "within budget"])
        for row in report.grouping == .all ? [total] : report.groups + [total] {
            table.add([
                row.group == "all" ? (zh ? "合计" : "all") : label(row.group), "\(row.count)", minutes(row.medianMinutes),
                minutes(row.p90Minutes), minutes(row.maxMinutes), String(format: "%.1f%%", row.withinBudgetShare * 100),
            ])
        }
        lines.append(table.rendered)
        if report.grouping == .stage {
            lines.append(
                zh
                    ? "按环节分组时，占比按各环节自身时限计算；合计按整体时限。"
                    : "By stage, the share is against each stage's own budget; the total against the whole budget.")
        }
        if total.provisional {
            lines.append(
                zh
                    ? "注意：部分时间落在未载入节假日安排的年份，结果为暂估。"
                    : "note: some time falls in years without a holiday notice; figures are provisional.")
        }
        if let deferrals = report.deferrals { lines.append(deferralLines(deferrals, completed: total.count)) }
        if let channels = report.channels { lines.append(channelLines(channels)) }
        return lines.joined(separator: "\n")
    }

    /// The count per channel: cases in and out, bookings and posts.
    func channelLines(_ activity: ChannelActivity) -> String {
        var table = TextTable(
            zh
                ? ["渠道", "收件", "办结", "不予受理/驳回", "撤回", "其他终止", "特殊办标记"]
                : [
                    "channel", "received", "completed", "refused/rejected", "withdrawn", "otherwise ended",
                    "flagged special",
                ])
        for row in activity.channels + [activity.total] {
            let name =
                row.channel == "all"
                ? (zh ? "合计" : "all") : Channel(rawValue: row.channel)?.name.text(language) ?? row.channel
            table.add([
                name, "\(row.received)", "\(row.completed)", "\(row.refused)", "\(row.withdrawn)",
                "\(row.otherwiseEnded)",
                "\(row.flaggedSpecial)",
            ])
        }
        let bookings = activity.bookings
        let posts = activity.posts
        return [
            zh ? "各渠道办件量（收件按收件时间，办结等按结束时间）：" : "cases per channel (received by intake, the rest by closing):",
            table.rendered,
            zh
                ? "预约办：预约\(bookings.booked)个（其中延时服务\(bookings.extended)个），到场\(bookings.checkedIn)，爽约\(bookings.noShows)，待到场\(bookings.waiting)；已取消\(bookings.cancelled)个。"
                    + (bookings.slotClosed > 0 ? "时段因日历变更已不开放\(bookings.slotClosed)个（不计爽约）。" : "")
                : "appointments: \(bookings.booked) booked (\(bookings.extended) in extended hours), \(bookings.checkedIn) checked in, \(bookings.noShows) no-shows, \(bookings.waiting) still to come; \(bookings.cancelled) cancelled."
                    + (bookings.slotClosed > 0
                        ? " \(bookings.slotClosed) on a slot the calendar no longer has (no no-shows)." : ""),
            zh
                ? "寄递办：收到邮寄材料\(posts.documentsReceived)件，寄出执照\(posts.licencesPosted)件。"
                : "mail: \(posts.documentsReceived) applications' documents received by post, \(posts.licencesPosted) licences posted.",
        ].joined(separator: "\n")
    }

    /// The 容缺 figures as the hall reports them: the share of completed cases accepted with a
    /// deferral, and of the commitments signed in the period, the share honoured on time.
    func deferralLines(_ figures: DeferralFigures, completed: Int) -> String {
        func percent(_ share: Double?) -> String { share.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
        let share = percent(figures.deferralShare(completed: completed))
        let onTime = percent(figures.onTimeShare)
        return zh
            ? """
            容缺受理：办结\(completed)件中容缺受理\(figures.completedWithDeferral)件（\(share)）。\
            本期签署承诺\(figures.committed)件：按期补齐\(figures.suppliedOnTime)件，逾期补交\(figures.suppliedLate)件，\
            逾期未补\(figures.overdue)件，延期\(figures.extended)件；按期补齐率\(onTime)（已到期或已补齐者中）。\
            发照前等待补齐材料\(figures.casesThatWaited)件，共\(figures.waitingMinutes)个工作分钟，计入申请人用时，不计入0.4个工作日。
            """
            : """
            deferrals (容缺): \(figures.completedWithDeferral) of \(completed) completed cases accepted with a deferral \
            (\(share)). Commitments signed in the period: \(figures.committed); supplied on time \(figures.suppliedOnTime), \
            late \(figures.suppliedLate), overdue \(figures.overdue), extended \(figures.extended); on time \(onTime) of \
            those settled. \(figures.casesThatWaited) \(figures.casesThatWaited == 1 ? "case" : "cases") waited \
            \(figures.waitingMinutes) working \(figures.waitingMinutes == 1 ? "minute" : "minutes") in all for \
            documents before their licence: the applicant's time, outside the 0.4-day clock.
            """
    }
}
