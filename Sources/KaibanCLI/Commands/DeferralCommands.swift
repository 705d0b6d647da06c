import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban defer N CODE… --signer NAME --signer-id ID [--days D]`: the applicant's commitment (容缺).
struct DeferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "defer",
        abstract: localized(
            zh: "登记申请人签署的容缺受理承诺书：所缺次要材料及补交期限。", en: "Record the applicant's commitment to supply documents later (容缺)."),
        discussion: localized(
            zh: """
                受理前，主要材料齐全而仅缺可容缺的次要材料时，由法定代表人（负责人、执行事务合伙人）本人签署承诺书，列明所缺材料；\
                补交期限按工作日计算，默认取材料清单允许的最长期限，且不超过本事项的承诺期限。登记后即可受理（kaiban step N accept）。\
                被标记失信或曾未按期补交的申请人不适用容缺。
                """,
            en: """
                Before acceptance, when the main documents are complete and only deferrable secondary ones are missing, \
                the legal representative signs a commitment listing them; deadlines are \
                counted in working days, by default the most the checklist allows, never beyond the matter's promised \
                limit. The case can then be accepted (kaiban step N accept). Applicants flagged as dishonest or with a \
                broken commitment get no deferral.
                """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Argument(help: .localized(zh: "容缺的材料代码，可多个。", en: "The deferred documents' codes."))
    var codes: [String]

    @Option(help: .localized(zh: "签署人姓名。", en: "The signer's name."))
    var signer: String

    @Option(name: .customLong("signer-id"), help: .localized(zh: "签署人身份证号码。", en: "The signer's ID number."))
    var signerID: String

    @Option(
        parsing: .unconditional,
        help: .localized(zh: "补交期限（工作日），默认为允许的最长期限。", en: "Working days to supply them (default: the most allowed)."))
    var days: Int?

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.commitDeferral(
                number, codes: codes, signer: signer, signerID: signerID, days: days, as: session.actor,
                at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json)
        }
    }
}

/// `kaiban supplement N CODE…`: deferred documents supplied (补交).
struct SupplementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supplement",
        abstract: localized(
            zh: "登记申请人补交的容缺材料；全部补齐后容缺办结。", en: "Record deferred documents supplied; the last closes the deferral."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Argument(help: .localized(zh: "补交的材料代码，可多个。", en: "The supplied documents' codes."))
    var codes: [String]

    @OptionGroup var how: DocumentFormOptions

    func validate() throws {
        try how.validate(codes)
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.supplement(
                number, how.documents(codes), as: session.actor, at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json)
        }
    }
}

/// `kaiban deferrals [--due|--overdue] [--json]`, and `kaiban deferrals extend N`.
struct DeferralsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deferrals",
        abstract: localized(
            zh: "容缺办件：待补交、即将到期（2个工作日内）和逾期的。", en: "Open deferrals: all, due within 2 working days, overdue."),
        discussion: localized(
            zh:
                "逾期的交负责人处理：延期一次（kaiban deferrals extend），或终止办理（kaiban step N terminate）、撤销登记（kaiban step N revoke），均须说明理由。",
            en:
                "An overdue one goes to a supervisor: extend it once (kaiban deferrals extend), or terminate the case (kaiban step N terminate) or revoke the registration (kaiban step N revoke), each with a reason."
        ),
        subcommands: [ListDeferrals.self, ExtendDeferral.self],
        defaultSubcommand: ListDeferrals.self)
}

struct ListDeferrals: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: localized(zh: "列出容缺办件。", en: "List open deferrals."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: .localized(zh: "只列2个工作日内到期的。", en: "Only those due within 2 working days."))
    var due = false

    @Flag(help: .localized(zh: "只列已逾期的。", en: "Only the overdue."))
    var overdue = false

    @Option(
        help: .localized(
            zh: "按该时刻判断到期和逾期（ISO 8601，默认现在）；列出的是现在仍待补交的。",
            en:
                "Judge due and overdue as of this instant (ISO 8601, default now); the list is of what is outstanding now."
        ))
    var at: String?

    func validate() throws {
        if let at, HallTime.parse(at) == nil {
            throw usageError(zh: "--at：无法识别的时刻“\(at)”", en: "--at: \"\(at)\" is not an instant")
        }
        if due && overdue {
            throw usageError(zh: "--due 与 --overdue 只能选一个", en: "choose --due or --overdue, not both")
        }
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let filter: DeferralFilter = due ? .due : overdue ? .overdue : .open
            let listings = try await session.desk.deferrals(filter, at: at.flatMap(HallTime.parse))
            if output.json {
                try Console.json(listings)
                return
            }
            let zh = session.zh
            guard !listings.isEmpty else {
                let none: String =
                    switch filter {
                    case .open: zh ? "没有待补交的容缺材料" : "no open deferral"
                    case .due: zh ? "2个工作日内没有到期的容缺材料" : "nothing due within 2 working days"
                    case .overdue: zh ? "没有逾期的容缺材料" : "nothing overdue"
                    }
                Console.print(none)
                return
            }
            Console.print(ListDeferrals.table(listings, language: session.language))
        }
    }

    /// Open deferrals as a table: the case, who signed, what is outstanding, the next deadline.
    static func table(_ listings: [DeferralListing], language: Language) -> String {
        let zh = language == .zh
        var table = TextTable(
            zh
                ? ["办件编号", "企业名称", "阶段", "签署人", "待补材料", "最近期限", "状态"]
                : ["case", "name", "stage", "signer", "outstanding", "next deadline", "state"])
        for listing in listings {
            let state =
                listing.overdue
                ? (zh ? "逾期" : "overdue") : (zh ? "待补" : "open")
            let extended = listing.extended ? (zh ? "（已延期）" : " (extended)") : ""
            table.add([
                listing.number.description, listing.proposedName, listing.stageName.text(language),
                "\(listing.signer) \(listing.signerID)",
                listing.outstanding.map(\.code).joined(separator: ","),
                listing.nextDeadline.map(HallTime.localText(of:)) ?? "", state + extended,
            ])
        }
        return table.rendered
    }
}

struct ExtendDeferral: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend",
        abstract: localized(
            zh: "负责人延长容缺补交期限（仅一次，须说明理由；工作日历更正使期限日放假的，可再延一次）。",
            en:
                "A supervisor extends a deferral once, with a reason (once more when a calendar correction made its day a day off)."
        ))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(parsing: .unconditional, help: .localized(zh: "延长的工作日数。", en: "Working days to add."))
    var days: Int

    @Option(help: .localized(zh: "理由（如不可抗力）。", en: "Why (force majeure, …)."))
    var reason: String

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.extendDeferral(number, days: days, reason: reason, as: session.actor)
            try await present(outcome, session, json: output.json)
        }
    }
}

/// `kaiban applicant flag|clear|show ID`: a supervisor's dishonesty flags (失信) on applicants.
struct ApplicantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "applicant",
        abstract: localized(
            zh: "申请人信用：失信标记、解除，以及未按期补交的记录。", en: "Applicants' credit: dishonesty flags and broken commitments."),
        subcommands: [Flag.self, Clear.self, Show.self])

    /// What `flag` and `clear` share: the person, the reason, and the supervisor's act.
    struct FlagArguments: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "身份证号码。", en: "ID number."))
        var idNumber: String
        @Option(help: .localized(zh: "理由（如信用修复）。", en: "Why (dishonest conduct, credit repaired, …)."))
        var reason: String

        func record(flagged: Bool, _ session: Session) async throws {
            let flag = try await session.desk.flagApplicant(
                idNumber, flagged: flagged, reason: reason, as: session.actor)
            try ApplicantCommand.present(flag, session, json: output.json)
        }
    }

    struct Flag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "flag",
            abstract: localized(zh: "标记申请人失信（负责人）。", en: "Flag an applicant as dishonest (supervisor)."))

        @OptionGroup var arguments: FlagArguments

        func run() async throws {
            try await withDesk(arguments.global, json: arguments.output.json) {
                try await arguments.record(flagged: true, $0)
            }
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "clear",
            abstract: localized(
                zh: "解除申请人的失信标记及此前未按期补交的记录（负责人）。",
                en: "Clear an applicant's flag and earlier broken commitments (supervisor)."))

        @OptionGroup var arguments: FlagArguments

        func run() async throws {
            try await withDesk(arguments.global, json: arguments.output.json) {
                try await arguments.record(flagged: false, $0)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: localized(zh: "查看申请人能否容缺。", en: "Whether an applicant may defer."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "身份证号码。", en: "ID number."))
        var idNumber: String

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let (standing, flags) = try await session.desk.applicant(idNumber)
                if output.json {
                    struct Answer: Encodable {
                        var idNumber: String
                        var excluded: Bool
                        var brokenCommitments: [CaseNumber]
                        var flags: [ApplicantFlag]
                    }
                    var masked = flags
                    for index in masked.indices { masked[index].idNumber = CitizenID.masked(masked[index].idNumber) }
                    try Console.json(
                        Answer(
                            idNumber: CitizenID.masked(standing.idNumber), excluded: standing.excluded,
                            brokenCommitments: standing.brokenCommitments, flags: masked))
                    return
                }
                let zh = session.zh
                let who = CitizenID.masked(standing.idNumber)
                if let flag = standing.flag {
                    Console.print(
                        zh
                            ? "\(who)：已被\(flag.actor)于\(HallTime.localText(of: flag.at))标记失信（\(flag.reason)），不适用容缺"
                            : "\(who): flagged by \(flag.actor) at \(HallTime.localText(of: flag.at)) (\(flag.reason)); no deferral"
                    )
                }
                if !standing.brokenCommitments.isEmpty {
                    let list = standing.brokenCommitments.map(\.description).joined(separator: zh ? "、" : ", ")
                    Console.print(
                        zh ? "\(who)：曾未按承诺补交材料（\(list)），不适用容缺" : "\(who): broke a commitment (\(list)); no deferral")
                }
                if !standing.excluded { Console.print(zh ? "\(who)：可以适用容缺受理" : "\(who): may defer") }
                for flag in flags {
                    Console.print(
                        "  \(HallTime.localText(of: flag.at)) \(flag.actor) "
                            + (flag.flagged ? (zh ? "标记失信" : "flagged") : (zh ? "解除" : "cleared")) + "：\(flag.reason)")
                }
            }
        }
    }

    static func present(_ flag: ApplicantFlag, _ session: Session, json: Bool) throws {
        var shown = flag
        shown.idNumber = CitizenID.masked(flag.idNumber)
        if json {
            try Console.json(shown)
            return
        }
        let zh = session.zh
        Console.print(
            flag.flagged
                ? (zh ? "已标记\(shown.idNumber)失信：\(flag.reason)" : "flagged \(shown.idNumber): \(flag.reason)")
                : (zh
                    ? "已解除\(shown.idNumber)的容缺限制（失信标记及此前未按承诺补交的记录）：\(flag.reason)"
                    : "cleared \(shown.idNumber) for deferrals (a flag, and commitments broken before): \(flag.reason)")
        )
    }
}
