import ArgumentParser
import Foundation
import KaibanCore
import KaibanStore

/// `kaiban check`: official codes and names, checked as the window does. Exit 0 when valid
/// (warnings included), 65 when not.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Check a credit code, ID number, division or enterprise name (核验).",
        subcommands: [CreditCodeCheck.self, IDCheck.self, DivisionCheck.self, NameCheck.self])

    /// The result every check prints.
    struct Verdict: Encodable {
        var value: String
        var valid: Bool
        var problems: [String]
        var warnings: [String]
        var details: [String: String]
    }

    static func finish(_ verdict: Verdict, json: Bool, language: Language) throws {
        if json {
            try Console.json(verdict)
        } else {
            let zh = language == .zh
            Console.print("\(verdict.value)：" + (verdict.valid ? (zh ? "有效" : "valid") : (zh ? "无效" : "not valid")))
            for (key, value) in verdict.details.sorted(by: { $0.key < $1.key }) { Console.print("  \(key): \(value)") }
            for problem in verdict.problems { Console.print((zh ? "  错误：" : "  problem: ") + problem) }
            for warning in verdict.warnings { Console.print((zh ? "  提示：" : "  warning: ") + warning) }
        }
        if !verdict.valid { throw ExitCode(KaibanExit.refused) }
    }

    /// `kaiban check uscc CODE`
    struct CreditCodeCheck: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uscc", abstract: "A unified social credit code (GB 32100-2015 with GB 11714).")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The 18-character code.")
        var code: String

        func run() throws {
            try withDesk(global) { desk in
                let language = desk.language
                var verdict = Verdict(value: code, valid: true, problems: [], warnings: [], details: [:])
                switch Result(catching: { () throws(CreditCode.Problem) -> CreditCode in try CreditCode(code) }) {
                case .failure(let problem):
                    verdict.valid = false
                    verdict.problems.append(problem.message(language))
                case .success(let parsed):
                    let authority = CreditCode.authorities[parsed.authority]
                    verdict.details["authority"] = authority?.name.text(language)
                    verdict.details["type"] = authority?.types[parsed.entityType]?.text(language)
                    verdict.details["organizationCode"] =
                        String(parsed.organizationCode.prefix(8)) + "-" + String(parsed.organizationCode.suffix(1))
                    let division = try desk.division(parsed.divisionCode, on: HallTime.localDate(of: Date()))
                    verdict.details["division"] = parsed.divisionCode + " " + (division.fullName ?? "")
                    if let warning = division.lifelongIdentifierWarning(DivisionStatus.registeringDivision) {
                        verdict.warnings.append(warning.text(language))
                    }
                }
                try CheckCommand.finish(verdict, json: output.json, language: language)
            }
        }
    }

    /// `kaiban check id NUMBER`
    struct IDCheck: ParsableCommand {
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

        func run() throws {
            try withDesk(global) { desk in
                let language = desk.language
                let zh = language == .zh
                let day = on.flatMap(CivilDate.init) ?? HallTime.localDate(of: Date())
                var verdict = Verdict(value: number, valid: true, problems: [], warnings: [], details: [:])
                switch Result(catching: { () throws(CitizenID.Problem) -> CitizenID in try CitizenID(number) }) {
                case .failure(let problem):
                    verdict.valid = false
                    verdict.problems.append(problem.message(language))
                case .success(let id):
                    let birth = CivilDate(uncheckedYear: id.birthYear, month: id.birthMonth, day: id.birthDay)
                    let age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day) ? 1 : 0)
                    verdict.details["birthDate"] = birth.description
                    verdict.details["age"] = "\(age)"
                    if birth > day {
                        verdict.valid = false
                        verdict.problems.append(zh ? "出生日期晚于\(day)" : "the birth date is after \(day)")
                    }
                    let division = try desk.division(id.divisionCode, on: day)
                    verdict.details["division"] = id.divisionCode + " " + (division.fullName ?? "")
                    if let warning = division.lifelongIdentifierWarning(DivisionStatus.issuingDivision) {
                        verdict.warnings.append(warning.text(language))
                    }
                }
                try CheckCommand.finish(verdict, json: output.json, language: language)
            }
        }
    }

    /// `kaiban check division CODE [--on DATE]`
    struct DivisionCheck: ParsableCommand {
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

        func run() throws {
            try withDesk(global) { desk in
                let zh = desk.language == .zh
                let day = on.flatMap(CivilDate.init) ?? HallTime.localDate(of: Date())
                let status = try desk.division(code, on: day)
                var verdict = Verdict(
                    value: code, valid: status.state == .current, problems: [], warnings: [],
                    details: ["name": status.fullName ?? "", "on": day.description])
                for entry in status.history {
                    verdict.details["history \(entry.validFrom)"] =
                        "\(entry.name) \(entry.validFrom) – \(entry.validTo?.description ?? (zh ? "至今" : "now"))"
                        + (entry.note.map { " (\($0))" } ?? "")
                }
                switch status.state {
                case .current: break
                case .notInForce:
                    verdict.problems.append(
                        zh
                            ? "\(day)时该代码不是现行区划（曾为\(status.name ?? "")）"
                            : "not in force on \(day) (was \(status.name ?? ""))")
                case .unknown:
                    verdict.problems.append(zh ? "区划库中没有该代码" : "no such division code")
                }
                try CheckCommand.finish(verdict, json: output.json, language: desk.language)
            }
        }
    }

    /// `kaiban check name NAME --type TYPE`
    struct NameCheck: ParsableCommand {
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

        func run() throws {
            try withDesk(global) { desk in
                let language = desk.language
                let analysis = try desk.analyzeName(
                    name, type: type, hall: desk.configuration.hall, on: HallTime.localDate(of: Date()))
                let verdict = Verdict(
                    value: name, valid: analysis.isValid, problems: analysis.problems.map { $0.text(language) },
                    warnings: analysis.warnings.map { $0.text(language) },
                    details: [
                        "division": analysis.division, "tradeName": analysis.tradeName, "industry": analysis.industry,
                        "form": analysis.form,
                    ])
                try CheckCommand.finish(verdict, json: output.json, language: language)
            }
        }
    }
}
