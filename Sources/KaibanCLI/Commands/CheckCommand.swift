import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban check`: official codes and names, checked as the window does. Exit 0 when valid
/// (warnings included), 65 when not.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a credit code, ID number, division or enterprise name (核验).",
        subcommands: [CreditCodeCheck.self, IDCheck.self, DivisionCheck.self, NameCheck.self])

    /// Prints a verdict and exits 65 when the value is not valid.
    static func finish(_ verdict: CheckVerdict, json: Bool, session: Session) throws {
        if json {
            try Console.json(verdict)
        } else {
            let zh = session.zh
            let language = session.language
            Console.print("\(verdict.value)：" + (verdict.valid ? (zh ? "有效" : "valid") : (zh ? "无效" : "not valid")))
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
            commandName: "uscc", abstract: "A unified social credit code (GB 32100-2015 with GB 11714).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The 18-character code.")
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
            abstract: "A citizen ID number (GB 11643-1999): length, birth date, check character, division, age.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The 18-character number.")
        var number: String

        @Option(help: "The day to compute the age on (yyyy-MM-dd, default today).")
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
            commandName: "division", abstract: "An administrative division code (GB/T 2260) on a day, with its history."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The 6-digit code.")
        var code: String

        @Option(help: "The day (yyyy-MM-dd, default today).")
        var on: String?

        func validate() throws {
            guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw ValidationError("CODE: \"\(code)\" is not a 6-digit division code")
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
            abstract:
                "An enterprise name: structure, organisational form, forbidden words, conflicts in the hall's division."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The proposed name, e.g. 广元市昭化区青禾农业科技有限公司.")
        var name: String

        @Option(
            help: "llc, one-person-llc, sole-proprietorship, partnership, individual-business or farmers-cooperative.")
        var type: EnterpriseType

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                try CheckCommand.finish(
                    try await session.desk.checkName(name, type: type), json: output.json, session: session)
            }
        }
    }
}
