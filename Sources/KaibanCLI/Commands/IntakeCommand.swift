import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanForms

/// `kaiban intake`: take in a company-formation application (收件), from flags or a case file.
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: localized(zh: "收件：登记一件企业开办申请。", en: "Take in an application (收件)."),
        discussion: localized(
            zh: """
                用 --file 提供申请文件（参见 seeds/demo/cases/ 和 Forms/schemas/case-1.xsd），或用以下选项逐项填写。\
                示例：
                  kaiban intake --as wangfang --channel window --type llc --name 广元市昭化区青禾农业科技有限公司 \\
                    --capital 500000 --domicile 四川省广元市昭化区元坝镇中街12号 --division 510811 \\
                    --scope 农业技术推广服务 --legal-rep 张伟:11010519491231002X \\
                    --investor 张伟:11010519491231002X:500000 --contact 张伟:13800000000 --tasks seal,tax,bank
                """,
            en: """
                Either --file with an application file (see seeds/demo/cases/ and Forms/schemas/case-1.xsd), or the \
                flags. Example:
                  kaiban intake --as wangfang --channel window --type llc --name 广元市昭化区青禾农业科技有限公司 \\
                    --capital 500000 --domicile 四川省广元市昭化区元坝镇中街12号 --division 510811 \\
                    --scope 农业技术推广服务 --legal-rep 张伟:11010519491231002X \\
                    --investor 张伟:11010519491231002X:500000 --contact 张伟:13800000000 --tasks seal,tax,bank
                """
        ))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var ids: IDOptions

    @Option(help: .localized(zh: "申请文件（XML）。", en: "An application file (XML)."))
    var file: String?

    @Option(
        help: .localized(
            zh: "收件渠道：window（窗口办）、online（网上办）、mobile（掌上办）、mail（寄递办）、appointment（预约办）或 special（特殊办）。",
            en: "window, online, mobile, mail, appointment or special."))
    var channel: Channel?

    @Option(
        help: .localized(
            zh: "到场办理的预约编号（渠道为预约办，可不写 --channel）。", en: "The booking checked in (channel appointment)."))
    var appointment: Int64?

    @Option(
        help: .localized(
            zh:
                "企业类型：llc（有限责任公司）、one-person-llc（一人有限责任公司）、sole-proprietorship（个人独资企业）、partnership（合伙企业）、individual-business（个体工商户）或 farmers-cooperative（农民专业合作社）。",
            en: "llc, one-person-llc, sole-proprietorship, partnership, individual-business or farmers-cooperative."))
    var type: EnterpriseType?

    @Option(help: .localized(zh: "申请的企业名称。", en: "Proposed enterprise name."))
    var name: String?

    @Option(
        help: .localized(
            zh: "注册资本，单位元（精确值，最多两位小数）；仅限公司（llc、one-person-llc）。",
            en: "Registered capital in yuan (exact, up to two decimals); companies only (llc, one-person-llc)."))
    var capital: String?

    @Option(help: .localized(zh: "住所。", en: "Domicile address."))
    var domicile: String?

    @Option(
        help: .localized(
            zh: "住所所在县级行政区划代码（GB/T 2260，如 510811）。", en: "GB/T 2260 code of the domicile's county (e.g. 510811)."))
    var division: String?

    @Option(help: .localized(zh: "经营范围。", en: "Business scope."))
    var scope: String?

    @Option(
        name: .customLong("legal-rep"),
        help: .localized(
            zh: "法定代表人（合伙企业为执行事务合伙人，个体工商户为经营者，个人独资企业为投资人），格式为 姓名:身份证号码。",
            en:
                "Legal representative (a partnership's managing partner, an individual business's operator, a sole proprietorship's owner) as NAME:ID-NUMBER."
        )
    )
    var legalRep: String?

    @Option(
        help: .localized(
            zh: "出资人，格式为 姓名:证件号码:出资额[:person|company|institution]；每位出资人各写一次。",
            en: "An investor as NAME:ID-NUMBER:CONTRIBUTION[:person|company|institution]; repeat for each."))
    var investor: [String] = []

    @Option(help: .localized(zh: "联系人，格式为 姓名:电话。", en: "Contact as NAME:PHONE."))
    var contact: String?

    @Option(
        help: .localized(
            zh: "住所使用方式：owned（自有）、leased（租赁）或 declared（住所申报承诺）。",
            en: "How the domicile is held: owned, leased or declared (a signed domicile declaration)."))
    var tenure: DomicileTenure?

    @Option(
        help: .localized(
            zh: "委托代理人（指定代表或者共同委托代理人），格式为 姓名:身份证号码。",
            en: "The agent the applicant authorised, as NAME:ID-NUMBER."))
    var agent: String?

    @Option(
        name: .customLong("mailing-address"),
        help: .localized(
            zh: "邮寄地址（营业执照、通知书寄往此处）；寄递办必填。",
            en: "The mailing address the licence and notices are posted to; required for the mail channel."))
    var mailingAddress: String?

    @Option(
        help: .localized(
            zh: "申请办理的开办事项，以逗号分隔：seal,tax,social-insurance,provident-fund,bank。",
            en: "Start-up tasks wanted, comma-separated: seal,tax,social-insurance,provident-fund,bank."))
    var tasks: String?

    @Option(
        help: .localized(
            zh: "随申请一并收到的纸质材料：all（材料清单所列全部）或以逗号分隔的材料代码。",
            en:
                "Paper documents handed in with the application: all (every one the checklist asks for) or codes, comma-separated."
        ))
    var received: String?

    @Option(
        help: .localized(
            zh:
                "特殊办（绿色通道）：elderly（老年人）、disabled（残疾人）、key-project（重点项目）或 door-to-door（上门服务）；须同时用 --special-reason；未写 --channel 时渠道为 special。",
            en:
                "Special service (green channel): elderly, disabled, key-project or door-to-door; needs --special-reason; the channel is special unless --channel says otherwise."
        ))
    var special: String?

    @Option(
        name: .customLong("special-reason"),
        help: .localized(zh: "特殊办的理由。", en: "Why the case gets special service."))
    var specialReason: String?

    @Option(
        name: .customLong("transfer-to"),
        help: .localized(
            zh: "川渝通办（异地代收代办）：住所在协同省份的，填办理地登记机关的统一社会信用代码（kaiban partner list）；本厅核对材料后用 kaiban transfer 转办。",
            en:
                "川渝通办 (taken in here for another province): the deciding authority's credit code (kaiban partner list) for a domicile there; the window checks the documents and transfers the case with kaiban transfer."
        ))
    var transferTo: String?

    /// The special service `--special` and `--special-reason` ask for, or a usage error.
    func specialRequest() throws -> SpecialRequest? {
        guard let special else {
            if specialReason != nil {
                throw usageError(
                    zh: "--special-reason 须与 --special 同用", en: "--special-reason goes with --special")
            }
            return nil
        }
        guard let kind = SpecialKind(rawValue: special.trimmingCharacters(in: .whitespaces)) else {
            throw usageError(
                zh: "--special：未知的特殊办类别“\(special)”（可选：\(SpecialKind.known(.zh))）",
                en: "--special: unknown kind \"\(special)\" (known: \(SpecialKind.known(.en)))")
        }
        guard let specialReason else {
            throw usageError(zh: "--special 须同时用 --special-reason 说明理由", en: "--special needs --special-reason")
        }
        return SpecialRequest(kind: kind, reason: specialReason.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The documents `--received` names.
    var receivedDocuments: DocumentSelection { DocumentSelection.named(received, form: .paper) ?? .none }

    func validate() throws {
        if appointment != nil && lateEntry.lateReason != nil {
            throw usageError(
                zh: "--appointment 不能与 --late-reason 同用：到场办理即时登记；补录收件请去掉 --appointment",
                en:
                    "--appointment cannot go with --late-reason: a check-in is recorded as it happens; enter a late intake without --appointment"
            )
        }
        if DocumentSelection.named(received, form: .paper) == nil {
            throw usageError(
                zh: "--received 须为 all 或材料代码（以逗号分隔）", en: "--received takes all or document codes, comma-separated")
        }
        if file != nil {
            let flags: [(String, Bool)] = [
                ("--channel", channel != nil), ("--type", type != nil), ("--name", name != nil),
                ("--capital", capital != nil), ("--domicile", domicile != nil), ("--division", division != nil),
                ("--scope", scope != nil), ("--legal-rep", legalRep != nil), ("--investor", !investor.isEmpty),
                ("--contact", contact != nil), ("--tasks", tasks != nil), ("--tenure", tenure != nil),
                ("--agent", agent != nil), ("--special", special != nil), ("--special-reason", specialReason != nil),
                ("--mailing-address", mailingAddress != nil),
            ]
            let given = flags.filter(\.1).map(\.0)
            if !given.isEmpty {
                throw usageError(
                    zh: "--file 不能与 \(given.joined(separator: "、")) 同用：申请文件已包含全部申请内容",
                    en:
                        "--file cannot be combined with \(given.joined(separator: ", ")): the file holds the whole application"
                )
            }
            return
        }
        _ = try applicationFromFlags()
    }

    /// The application given by the flags, or a usage error naming the first flag that is wrong.
    func applicationFromFlags() throws -> CaseApplication {
        func required<T>(_ value: T?, _ flag: String) throws -> T {
            guard let value else {
                throw usageError(zh: "缺少 \(flag)（或用 --file 提交申请文件）", en: "\(flag) is required (or give --file)")
            }
            return value
        }
        func pair(_ text: String, _ flag: String) throws -> (String, String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else {
                throw usageError(
                    zh: "\(flag)：应为“姓名:值”，实际为“\(CitizenID.maskingNumbers(in: text))”",
                    en: "\(flag): expected NAME:VALUE, got \"\(CitizenID.maskingNumbers(in: text))\"")
            }
            return (parts[0], parts[1])
        }
        let special = try specialRequest()
        let type = try required(self.type, "--type")
        var capitalMoney = Money.zero
        if let capital {
            guard let parsed = Self.amount(capital) else {
                throw usageError(
                    zh: "--capital：“\(capital)”不是以元为单位的金额（如 500000 或 12.50）",
                    en: "--capital: \"\(capital)\" is not an amount in yuan (e.g. 500000 or 12.50)")
            }
            capitalMoney = parsed
        } else if type.hasRegisteredCapital {
            throw usageError(
                zh: "\(type.name.zh)须填写 --capital（注册资本）", en: "--capital is required for a \(type.name.en)")
        }
        let legal = try pair(try required(legalRep, "--legal-rep"), "--legal-rep")
        let contactPair = try pair(try required(contact, "--contact"), "--contact")
        guard !investor.isEmpty else {
            throw usageError(zh: "缺少 --investor（每位出资人一个）", en: "--investor is required (repeat it for each investor)")
        }
        let investors = try investor.enumerated().map { index, text in
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (3...4).contains(parts.count) else {
                throw usageError(
                    zh: "第\(index + 1)个 --investor：应为“姓名:证件号码:出资额[:类别]”，实际为“\(CitizenID.maskingNumbers(in: text))”",
                    en:
                        "--investor #\(index + 1): expected NAME:ID-NUMBER:CONTRIBUTION[:KIND], got \"\(CitizenID.maskingNumbers(in: text))\""
                )
            }
            guard let amount = Self.amount(parts[2]) else {
                throw usageError(
                    zh: "第\(index + 1)个 --investor：“\(parts[2])”不是以元为单位的金额",
                    en: "--investor #\(index + 1): \"\(parts[2])\" is not an amount in yuan")
            }
            let kind = parts.count == 4 ? InvestorKind(rawValue: parts[3]) : .person
            guard let kind else {
                throw usageError(
                    zh: "第\(index + 1)个 --investor：类别应为 person、company 或 institution",
                    en: "--investor #\(index + 1): kind must be person, company or institution")
            }
            return Investor(name: parts[0], kind: kind, idNumber: parts[1], contribution: amount)
        }
        return CaseApplication(
            channel: try required(
                appointment != nil ? .appointment : (channel ?? (special != nil ? .special : nil)), "--channel"),
            enterpriseType: type,
            proposedName: try required(name, "--name"),
            registeredCapital: capitalMoney, domicile: try required(domicile, "--domicile"),
            domicileDivision: try required(division, "--division"), businessScope: try required(scope, "--scope"),
            legalRepresentative: Person(name: legal.0, idNumber: legal.1), investors: investors,
            contact: Contact(name: contactPair.0, phone: contactPair.1),
            requestedTasks: (tasks ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
            domicileTenure: tenure,
            agent: try agent.map { try pair($0, "--agent") }.map { Person(name: $0.0, idNumber: $0.1) },
            special: special, mailingAddress: mailingAddress)
    }

    /// An amount in yuan as typed; a minus sign is read too, so that a negative amount is refused
    /// by the rules (65) like any other bad application, not as unreadable input.
    static func amount(_ text: String) -> Money? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("-") { return Money(yuan: String(trimmed.dropFirst())).map { Money(fen: -$0.fen) } }
        return Money(yuan: trimmed)
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            var application: CaseApplication
            if let file {
                let data = try DataFile.read(URL(fileURLWithPath: file))
                application = try session.desk.application(fromCaseFile: data, source: file)
            } else {
                application = try applicationFromFlags()
            }
            if let transferTo {
                application.transferTo = transferTo.trimmingCharacters(in: .whitespaces)
            }
            let result = ids.disclosure.apply(
                try await admit(
                    application, documents: receivedDocuments, as: session.actor, at: time.instant,
                    late: lateEntry.late,
                    desk: session.desk))
            for warning in result.warnings {
                Console.error(
                    (session.zh ? "提示：" : "note: ") + "\(warning.field): \(warning.reason.text(session.language))")
            }
            if output.json {
                try Console.json(result)
                return
            }
            let state = result.case
            let presenter = CasePresenter(
                definition: try await session.desk.definition(state.definition), language: session.language)
            Console.print(
                session.zh
                    ? "已收件：\(state.number)（\(application.enterpriseType.name.zh) \(application.proposedName)），当前：\(presenter.stage(state.stage))"
                    : "received: \(state.number) (\(application.enterpriseType.name.en) \(application.proposedName)), now \(presenter.stage(state.stage))"
            )
        }
    }
}

extension Channel: ExpressibleByArgument {}
extension DomicileTenure: ExpressibleByArgument {}
extension EnterpriseType: ExpressibleByArgument {
}
