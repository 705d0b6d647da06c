import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban mail receive|send|pending|close`: the mail channel (寄递办).
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mail",
        abstract: localized(
            zh: "寄递办：邮件签收、邮寄送达、待寄递清单、关闭材料未寄达的办件。",
            en: "The mail channel: posts received and sent, what waits on the post, closing cases never posted."),
        subcommands: [MailReceiveCommand.self, MailSendCommand.self, MailPendingCommand.self, MailCloseCommand.self])
}

/// The carrier and tracking number of a post.
struct PostOptions: ParsableArguments {
    @Option(help: .localized(zh: "运单号（字母和数字，8至30位）。", en: "The tracking number (8 to 30 letters and digits)."))
    var tracking: String

    @Option(
        help: .localized(
            zh: "承运商：EMS（默认）、SF、JD、ZTO、YTO、STO、YUNDA 或 POST（挂号信）。",
            en: "The carrier: EMS (default), SF, JD, ZTO, YTO, STO, YUNDA or POST (registered mail)."))
    var carrier: String?
}

struct MailReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: localized(
            zh: "寄递办的申请材料寄达（邮件签收）：记录承运商和运单号，办件离开“材料寄递中”，从此时起计时。",
            en:
                "A mail case's documents arrived: carrier and tracking kept; the case leaves the post and its clock starts."
        ))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var post: PostOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(
        help: .localized(
            zh: "邮件中的材料，一并签收（邮寄）：all（材料清单所列全部）或以逗号分隔的材料代码。",
            en:
                "Documents found in the post, received with it: all (every one the checklist asks for) or codes, comma-separated."
        ))
    var documents: String?

    func validate() throws {
        if DocumentSelection.named(documents, form: .post) == nil {
            throw usageError(
                zh: "--documents 须为 all 或材料代码（以逗号分隔）", en: "--documents takes all or document codes, comma-separated")
        }
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let item = try Desk.postalItem(carrier: post.carrier, tracking: post.tracking)
            let outcome = try await session.desk.receiveMail(
                number, post: item, documents: DocumentSelection.named(documents, form: .post) ?? .none,
                as: session.actor, at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json)
        }
    }
}

struct MailSendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: localized(
            zh: "邮寄送达：营业执照和（或）通知书寄往申请所填的邮寄地址（营业执照须已发照）。",
            en: "Post the licence and/or notices to the application's mailing address (the licence once issued)."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var post: PostOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(
        help: .localized(
            zh: "寄出的物品，以逗号分隔：licence（营业执照，默认）、notices（通知书）、documents（退还原件）。",
            en: "What is posted, comma-separated: licence (default), notices, documents (originals returned)."))
    var items: String?

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let item = try Desk.postalItem(
                carrier: post.carrier, tracking: post.tracking,
                items: items.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) })
            let outcome = try await session.desk.sendMail(
                number, post: item, as: session.actor, at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json)
        }
    }
}

struct MailPendingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: localized(
            zh: "待寄递：申请材料尚未寄达的办件（自收件起的工作日数），和已发照待寄出的营业执照。",
            en:
                "What waits on the post: mail cases whose documents have not arrived (working days since intake), licences to post."
        ))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(
        help: .localized(
            zh: "按该时刻计算工作日数和是否逾期（ISO 8601，默认现在）；所列是现在仍待寄递的办件（该时刻以后才收件或发照的不列）。",
            en:
                "Count working days and lateness as of this instant (ISO 8601, default now); the list is of what waits on the post now (cases taken in or licensed after that instant left out)."
        ))
    var at: String?

    @Option(
        parsing: .unconditional,
        help: .localized(zh: "每类最多列出的件数（默认500）。", en: "At most this many of each (default 500)."))
    var limit = 500

    func validate() throws {
        if let at { try requireInstant("--at", at) }
        try validateLimit(limit)
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let pending = try await session.desk.mailPending(at: at.flatMap(HallTime.parse), limit: limit)
            if output.json {
                try Console.json(pending)
                return
            }
            Console.print(Self.text(pending, language: session.language))
        }
    }

    /// A count of working days, marked when it rests on a year without its holiday notice.
    static func days(_ item: MailPendingCase, zh: Bool) -> String {
        "\(item.workingDays)" + provisionalMark(item.workingDaysProvisional, zh: zh)
    }

    static func text(_ pending: MailPending, language: Language) -> String {
        let zh = language == .zh
        var lines: [String] = []
        lines.append(zh ? "申请材料尚未寄达：" : "documents not arrived:")
        if pending.awaitingDocuments.isEmpty {
            lines.append(zh ? "  无" : "  none")
        } else {
            var table = TextTable(
                zh
                    ? ["办件编号", "名称", "收件时间", "已过工作日", "可关闭"]
                    : ["case", "name", "taken in", "working days", "may close"])
            for item in pending.awaitingDocuments {
                table.add([
                    item.number.description, item.proposedName, HallTime.localText(of: item.since),
                    Self.days(item, zh: zh),
                    item.overdue ? (zh ? "是（满\(pending.closeAfterWorkingDays)个工作日）" : "yes") : "",
                ])
            }
            lines.append(table.rendered)
        }
        lines.append("")
        lines.append(zh ? "营业执照待寄出：" : "licences to post:")
        if pending.awaitingLicencePost.isEmpty {
            lines.append(zh ? "  无" : "  none")
        } else {
            var table = TextTable(
                zh ? ["办件编号", "名称", "发照时间", "已过工作日", "状态"] : ["case", "name", "issued", "working days", "state"])
            for item in pending.awaitingLicencePost {
                table.add([
                    item.number.description, item.proposedName, HallTime.localText(of: item.since),
                    Self.days(item, zh: zh),
                    item.overdue ? (zh ? "逾期未寄" : "late") : (zh ? "待寄" : "to post"),
                ])
            }
            lines.append(table.rendered)
        }
        return lines.joined(separator: "\n")
    }
}

struct MailCloseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: localized(
            zh: "负责人关闭申请材料始终未寄达的寄递办件（自收件满规定工作日后，须说明理由），按撤回计，不计超时。",
            en:
                "A supervisor closes a mail case whose documents never arrived (after the set working days, with a reason): withdrawn, never a breach."
        ),
        discussion: localized(
            zh: "工作日数由 KAIBAN_MAIL_CLOSE_DAYS 设定，默认10。",
            en: "The working days are set by KAIBAN_MAIL_CLOSE_DAYS, default 10."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(help: .localized(zh: "理由。", en: "Why."))
    var reason: String

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.closeUnarrivedMail(
                number, reason: reason, as: session.actor, at: time.instant)
            try await present(outcome, session, json: output.json)
        }
    }
}
