import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban queue`: the worklist of open cases, most urgent first.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: localized(
            zh: "待办：列出未办结的办件及其时限数据，剩余时间最少的排在最前。",
            en: "List open cases, least time left first, with their SLA figures (待办)."),
        discussion: localized(
            zh: "已用时间和剩余时间均以工作分钟计（只计办公时间），对照 0.4 个工作日的时限。",
            en: "Elapsed and remaining are working minutes of government time against the 0.4-working-day budget."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(
        help: .localized(
            zh: "只列出该角色有待办事项的办件（window 窗口人员、reviewer 审查人员、supervisor 负责人）。",
            en: "Only cases where this role has something to do (window, reviewer, supervisor)."))
    var role: String?

    @Option(
        help: .localized(zh: "只列出处于该环节的办件（如 received、review）。", en: "Only cases at this stage (e.g. received, review).")
    )
    var stage: String?

    @Option(parsing: .unconditional, help: .localized(zh: "最多列出的办件数。", en: "At most this many cases."))
    var limit = 50

    @OptionGroup var time: InstantOption

    func validate() throws {
        try validateLimit(limit)
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let items = try await session.desk.worklist(role: role, stage: stage, limit: limit, at: time.instant)
            if output.json {
                try Console.json(items)
            } else if items.isEmpty {
                Console.print(session.zh ? "没有待办的办件" : "no open cases")
            } else {
                Console.print(
                    CasePresenter.worklist(
                        items, definitions: try await session.desk.definitions(), language: session.language))
                if items.count == limit {
                    Console.print(
                        session.zh
                            ? "只列出最紧急的\(limit)件；更多用 --limit（最多10000）"
                            : "only the \(limit) most urgent are listed; see more with --limit (up to 10000)")
                }
            }
        }
    }
}
