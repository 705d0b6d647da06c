import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban check`: official codes and names, checked as the window does. Exit 0 when valid
/// (warnings included), 65 when not.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: localized(
            zh: "核验统一社会信用代码、身份证号码、行政区划代码或企业名称。", en: "Check a credit code, ID number, division or enterprise name (核验)."
        ),
        subcommands: [CreditCodeCheck.self, IDCheck.self, DivisionCheck.self, NameCheck.self])

    /// Prints a verdict and exits 65 when the value is not valid.
    static func finish(_ verdict: CheckVerdict, json: Bool, session: Session) throws {
        if json {
            try Console.json(verdict)
        } else {
            let zh = session.zh
            let language = session.language
            Console.print(
                FreeText.showingHidden(verdict.value) + (zh ? "：" : ": ")
                    + (verdict.valid ? (zh ? "有效" : "valid") : (zh ? "无效" : "not valid")))
            for (label, value) in details(verdict.details, session) { Console.print("  \(label): \(value)") }
            for problem in verdict.problems { Console.print((zh ? "  错误：" : "  problem: ") + problem.text(language)) }
            for warning in verdict.warnings { Console.print((zh ? "  提示：" : "  warning: ") + warning.text(language)) }
        }
        if !verdict.valid { throw ExitCode(KaibanExit.refused) }
    }

    /// The details worth printing, labelled in the clerk's language.
    static func details(_ details: CheckDetails, _ session: Session) -> [(String, String)] {
        let zh = session.zh
        let language = session.language
        var lines: [(String, String)] = []
        func add(_ zhLabel: String, _ enLabel: String, _ value: String?) {
            if let value { lines.append((zh ? zhLabel : enLabel, value)) }
        }
        add("登记机关", "authority", details.authority?.text(language))
        add("主体类型", "type", details.entityType?.text(language))
        add("组织机构代码", "organisation code", details.organizationCode)
        add("区划", "division", details.divisionCode.map { "\($0) \(details.divisionName ?? "")" })
        add("出生日期", "birth date", details.birthDate?.description)
        add("年龄", "age", details.age.map(String.init))
        add("日期", "on", details.on?.description)
        for entry in details.history ?? [] {
            add(
                "沿革", "history",
                "\(entry.name) \(entry.validFrom) – \(entry.validTo?.description ?? (zh ? "至今" : "now"))"
                    + (entry.note.map { " (\($0))" } ?? ""))
        }
        add("行政区划", "division part", details.nameDivision)
        add("字号", "trade name", details.tradeName)
        add("行业", "industry", details.industry)
        add("组织形式", "form", details.form)
        return lines
    }

    /// `kaiban check uscc CODE`
    struct CreditCodeCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uscc",
            abstract: localized(
                zh: "核验统一社会信用代码（GB 32100-2015 及 GB 11714）。",
                en: "A unified social credit code (GB 32100-2015 with GB 11714)."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "18 位代码。", en: "The 18-character code."))
        var code: String

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                try CheckCommand.finish(
                    try await session.desk.checkCreditCode(code), json: output.json, session: session)
            }
        }
    }

    /// `kaiban check id NUMBER`
    struct IDCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "id",
            abstract: localized(
                zh: "核验身份证号码（GB 11643-1999）：位数、出生日期、校验码、行政区划和年龄。",
                en: "A citizen ID number (GB 11643-1999): length, birth date, check character, division, age."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "18 位号码。", en: "The 18-character number."))
        var number: String

        @Option(
            help: .localized(
                zh: "计算年龄的日期（yyyy-MM-dd，默认今天）。", en: "The day to compute the age on (yyyy-MM-dd, default today)."))
        var on: String?

        func validate() throws {
            try requireDate("--on", on)
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let verdict = try await session.desk.checkCitizenID(number, on: on.flatMap(CivilDate.init))
                try CheckCommand.finish(verdict, json: output.json, session: session)
            }
        }
    }

    /// `kaiban check division CODE [--on DATE]`
    struct DivisionCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "division",
            abstract: localized(
                zh: "核验某日的行政区划代码（GB/T 2260）及其沿革。",
                en: "An administrative division code (GB/T 2260) on a day, with its history.")
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "6 位代码。", en: "The 6-digit code."))
        var code: String

        @Option(help: .localized(zh: "日期（yyyy-MM-dd，默认今天）。", en: "The day (yyyy-MM-dd, default today)."))
        var on: String?

        func validate() throws {
            guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw usageError(zh: "代码：“\(code)”不是6位行政区划代码", en: "CODE: \"\(code)\" is not a 6-digit division code")
            }
            try requireDate("--on", on)
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let verdict = try await session.desk.checkDivision(code, on: on.flatMap(CivilDate.init))
                try CheckCommand.finish(verdict, json: output.json, session: session)
            }
        }
    }

    /// `kaiban check name NAME --type TYPE`
    struct NameCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "name",
            abstract: localized(
                zh: "核验企业名称：名称结构、组织形式、禁用字词，以及与本中心辖区内已有名称的冲突。",
                en:
                    "An enterprise name: structure, organisational form, forbidden words, conflicts in the hall's division."
            )
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "申请的企业名称，如 广元市昭化区青禾农业科技有限公司。", en: "The proposed name, e.g. 广元市昭化区青禾农业科技有限公司."))
        var name: String

        @Option(
            help: .localized(
                zh:
                    "企业类型：llc（有限责任公司）、one-person-llc（一人有限责任公司）、sole-proprietorship（个人独资企业）、partnership（合伙企业）、individual-business（个体工商户）或 farmers-cooperative（农民专业合作社）。",
                en: "llc, one-person-llc, sole-proprietorship, partnership, individual-business or farmers-cooperative."
            ))
        var type: EnterpriseType

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                try CheckCommand.finish(
                    try await session.desk.checkName(name, type: type), json: output.json, session: session)
            }
        }
    }
}
