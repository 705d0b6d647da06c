import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban special flag|unflag|visit`: special service (特殊办, green channel).
struct SpecialCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "special",
        abstract: localized(
            zh: "特殊办（绿色通道）：负责人标记或取消标记，登记上门服务。",
            en: "Special service (green channel): a supervisor flags or unflags a case; visits are recorded."),
        discussion: localized(
            zh: """
                类别：elderly（老年人）、disabled（残疾人）、key-project（重点项目）、door-to-door（上门服务）。\
                标记的办件在工作清单中排在其所在环节的最前。上门服务的办件在收件环节、尚未办理任何步骤时，\
                上门前暂停计时，自首次上门时起计时。
                """,
            en: """
                Kinds: elderly, disabled, key-project, door-to-door. A flagged case comes first in its stage in the \
                worklist. A door-to-door case still at its intake stage, before any step, waits for its visit with \
                the clock paused; the clock counts from the first visit.
                """),
        subcommands: [FlagSpecial.self, UnflagSpecial.self, RecordVisit.self])
}

struct FlagSpecial: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flag",
        abstract: localized(
            zh: "负责人将办件标记为特殊办，须说明理由。", en: "Flag a case for special service (supervisors), with a reason."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(
        help: .localized(
            zh: "类别：elderly、disabled、key-project 或 door-to-door。", en: "elderly, disabled, key-project or door-to-door."
        ))
    var kind: String

    @Option(help: .localized(zh: "标记的理由。", en: "Why the case gets special service."))
    var reason: String

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.flagSpecial(
                number, kind: kind, reason: reason, as: session.actor, at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json)
        }
    }
}

struct UnflagSpecial: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unflag",
        abstract: localized(
            zh: "负责人取消特殊办标记，须说明理由。", en: "Remove the special-service flag (supervisors), with a reason."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(help: .localized(zh: "取消的理由。", en: "Why the flag is removed."))
    var reason: String

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.unflagSpecial(
                number, reason: reason, as: session.actor, at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json)
        }
    }
}

struct RecordVisit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "visit",
        abstract: localized(
            zh: "登记上门服务：时间、地点、上门人员。", en: "Record a visit to the applicant: when, where, who went."),
        discussion: localized(
            zh: "12小时内的上门由窗口人员如实登记；更早的须由负责人补录（--late-reason）。",
            en:
                "A visit within the last 12 hours is recorded by a window clerk; an older one is a supervisor's late entry (--late-reason)."
        ))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(
        help: .localized(
            zh: "上门时间，ISO 8601 格式（未写时区偏移的按北京时间）。",
            en: "When the visit took place, ISO 8601 (Asia/Shanghai unless an offset is given)."))
    var at: String

    @Option(help: .localized(zh: "上门地点。", en: "Where."))
    var place: String

    @Option(help: .localized(zh: "上门的工作人员工号，以逗号分隔。", en: "The clerks who went, comma-separated ids."))
    var by: String

    @Option(help: .localized(zh: "备注。", en: "A note."))
    var note: String?

    var clerks: [String] {
        by.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func validate() throws {
        try requireInstant("--at", at)
        if clerks.isEmpty {
            throw usageError(zh: "--by：须写明上门的工作人员工号", en: "--by: name the clerks who went")
        }
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            guard let instant = HallTime.parse(at) else { return }
            let outcome = try await session.desk.recordVisit(
                number, at: instant, place: place, clerks: clerks, note: note, as: session.actor, late: lateEntry.late)
            try await present(outcome, session, json: output.json)
        }
    }
}
