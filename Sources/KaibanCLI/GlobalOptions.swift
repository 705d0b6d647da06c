import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

extension Language: ExpressibleByArgument {}

/// Options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: .localized(
            zh: "SQLite 数据库文件，或 PostgreSQL 数据库 postgres://用户@主机:端口/库名（环境变量 KAIBAN_DB；默认 ./kaiban.sqlite）。",
            en:
                "SQLite database file, or a PostgreSQL database postgres://USER@HOST:PORT/DATABASE (env KAIBAN_DB; default ./kaiban.sqlite)."
        ))
    var db: String?

    @Option(
        name: .customLong("as"),
        help: .localized(zh: "办理人的工号（环境变量 KAIBAN_CLERK）。", en: "The clerk acting (env KAIBAN_CLERK)."))
    var clerk: String?

    @Option(
        name: .long,
        help: .localized(
            zh: "输出语言：zh（默认）或 en（环境变量 KAIBAN_LANG）。", en: "Output language: zh (default) or en (env KAIBAN_LANG)."))
    var lang: Language?

    @Option(
        name: .long,
        help: .localized(
            zh: "存放流程定义和表单结构的 Forms 目录（环境变量 KAIBAN_FORMS）。",
            en: "The Forms folder with workflows and schemas (env KAIBAN_FORMS)."))
    var forms: String?
}

/// `--json` for read commands.
struct OutputOptions: ParsableArguments {
    @Flag(
        name: .long,
        help: .localized(
            zh: "输出供脚本使用的 JSON，而非表格（错误以 JSON 写到标准错误）。",
            en: "Print JSON for scripts instead of a table (problems as JSON on standard error)."))
    var json = false
}

/// `--show-ids` for commands that print a case's people: citizen ID numbers are masked
/// (510811********0178) on screen and in JSON unless the clerk asks for them.
struct IDOptions: ParsableArguments {
    @Flag(
        name: .customLong("show-ids"),
        help: .localized(
            zh: "完整显示身份证号码（否则遮蔽显示，如 510811********0178，JSON 中亦同）。",
            en: "Show citizen ID numbers in full (otherwise masked, e.g. 510811********0178, in JSON too)."))
    var showIDs = false

    var disclosure: IDDisclosure { showIDs ? .full : .masked }
}

/// `--at` for commands that record or measure something: the instant it happened.
struct InstantOption: ParsableArguments {
    @Option(
        name: .long,
        help: .localized(
            zh: "办理时间，ISO 8601 格式（如 2026-11-26T09:05；未写时区偏移的按北京时间）。默认为当前时间。",
            en:
                "When it happened, ISO 8601 (e.g. 2026-11-26T09:05; Asia/Shanghai unless an offset is given). Default: now."
        )
    )
    var at: String?

    /// The instant given, or nil for the desk's clock.
    var instant: Date? { at.flatMap(HallTime.parse) }

    func validate() throws {
        if let at { try requireInstant("--at", at) }
    }
}

/// `--late-reason` and `--done-by` for commands that record a step: a late entry (补录), a
/// supervisor's act for a step that happened more than 15 minutes before now.
struct LateEntryOptions: ParsableArguments {
    @Option(
        name: .customLong("late-reason"),
        help: .localized(
            zh: "补录过去的办理（限负责人，须同时用 --at）：事后补录的理由。",
            en: "Enter a past step (补录, supervisors; with --at): why it is entered after the fact."))
    var lateReason: String?

    @Option(
        name: .customLong("done-by"),
        help: .localized(
            zh: "与 --late-reason 同用：实际办理的工作人员工号（默认为本人）。",
            en: "With --late-reason: the clerk who did the step (default: you)."))
    var doneBy: String?

    var late: LateEntry? { lateReason.map { LateEntry(reason: $0, doneBy: doneBy) } }

    func validate() throws {
        if lateReason != nil && !CommandLine.arguments.contains(where: { $0 == "--at" || $0.hasPrefix("--at=") }) {
            throw usageError(
                zh: "--late-reason 须与 --at 一起使用：补录的是过去某一时刻的办理",
                en: "--late-reason: only with --at (a late entry is a step that happened at an earlier instant)")
        }
        if doneBy != nil && lateReason == nil {
            throw usageError(
                zh: "--done-by 只能与 --late-reason 一起使用（由负责人补录过去的办理）",
                en: "--done-by: only with --late-reason (a supervisor entering a past step)")
        }
    }
}

/// A usage error unless `value` is an ISO 8601 instant.
func requireInstant(_ name: String, _ value: String) throws {
    if HallTime.parse(value) == nil {
        throw usageError(
            zh: "\(name)：“\(value)”不是 ISO 8601 时间，应如 2026-11-26T09:05（北京时间）或 2026-11-26T01:05Z",
            en:
                "\(name): \"\(value)\" is not an ISO 8601 time such as 2026-11-26T09:05 (Asia/Shanghai) or 2026-11-26T01:05Z"
        )
    }
}

/// A usage error unless `value` (when given) is a yyyy-MM-dd date.
func requireDate(_ name: String, _ value: String?) throws {
    if let value, CivilDate(value) == nil {
        throw usageError(
            zh: "\(name)：“\(value)”不是 yyyy-MM-dd 格式的日期", en: "\(name): \"\(value)\" is not a yyyy-MM-dd date")
    }
}

/// A case number argument, checked at parse time.
extension CaseNumber: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(argument)
    }
}
