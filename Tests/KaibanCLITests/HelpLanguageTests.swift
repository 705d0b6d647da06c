import Foundation
import KaibanTestSupport
import Testing

/// `--help` speaks the clerk's language: Simplified Chinese by default, English with `--lang en`
/// or KAIBAN_LANG=en; the parser's own headings and lines are translated too.
@Suite struct HelpLanguageTests {
    let kaiban: KaibanProcess

    init() throws {
        kaiban = try KaibanProcess()
    }

    /// Runs a help request on an 80-column screen and expects it to succeed.
    func help(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let result = try kaiban.run(arguments, extraEnvironment: ["COLUMNS": "80"].merging(environment) { $1 })
        #expect(result.status == 0, "\(arguments): \(result)")
        #expect(result.stderr.isEmpty, "\(arguments): \(result)")
        return result.stdout
    }

    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        (0x2E80...0x9FFF).contains(scalar.value) || (0xFF00...0xFF60).contains(scalar.value)
    }

    /// The columns a line takes on a terminal (a Chinese character or full-width mark takes two).
    static func columns(_ line: Substring) -> Int {
        line.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
    }

    /// A line that cannot be broken: one word after its indent (such as
    /// `seal,tax,social-insurance,provident-fund,bank。`), with no Chinese character but punctuation.
    static func isOneWord(_ line: Substring) -> Bool {
        let text = line.drop { $0 == " " }
        return !text.contains(" ")
            && text.unicodeScalars.filter(isWide).allSatisfy { "。，）".unicodeScalars.contains($0) }
    }

    @Test func stepHelpIsChineseByDefault() throws {
        let text = try help(["step", "--help"])
        for expected in [
            "概述：办理办件的流程步骤（受理、补正、审查、核准、发照等）。",
            "企业开办流程的办理步骤：receive-documents（材料签收，寄递办）、accept（受理）",
            "用法：kaiban step ",
            "\n参数：\n", "\n选项：\n",
            "  <number>                办件编号。",
            "  --reason <reason>       理由（补正、不予受理、驳回和撤回时必填）。",
            "  -h, --help              显示帮助信息。",
            "  --lang <lang>           输出语言：zh（默认）或 en（环境变量 KAIBAN_LANG）。\n", "（可选值：zh, en）",
        ] {
            #expect(text.contains(expected), "missing \(expected.debugDescription) in:\n\(text)")
        }
        for english in [
            "OVERVIEW", "USAGE", "ARGUMENTS", "OPTIONS", "Show help information", "Take a workflow step", "Why (",
            "(values:", "Case number",
        ] {
            #expect(!text.contains(english), "\(english.debugDescription) left in:\n\(text)")
        }
    }

    @Test func kaibanHelpStepIsChineseToo() throws {
        let text = try help(["help", "step"])
        #expect(text.hasPrefix("概述：办理办件的流程步骤"), "\(text)")
        #expect(text.contains("\n选项：\n"), "\(text)")
    }

    @Test func stepHelpIsEnglishWithLangEn() throws {
        for (arguments, environment) in [
            (["step", "--help", "--lang", "en"], [:]), (["step", "--lang=en", "--help"], [:]),
            (["step", "--help"], ["KAIBAN_LANG": "en"]), (["help", "step", "--lang", "en"], [:]),
        ] {
            let text = try help(arguments, environment: environment)
            for expected in [
                "OVERVIEW: Take a workflow step on a case (办理).", "USAGE: kaiban step ", "\nARGUMENTS:\n",
                "\nOPTIONS:\n", "  --reason <reason>       Why (required for correction, refusal, rejection and",
                "Show help information.", "(values: zh, en)",
            ] {
                #expect(text.contains(expected), "\(arguments) \(environment): missing \(expected) in:\n\(text)")
            }
            for chinese in ["概述", "选项：", "理由", "显示帮助信息", "办理办件的流程步骤"] {
                #expect(!text.contains(chinese), "\(arguments) \(environment): \(chinese) in:\n\(text)")
            }
        }
    }

    @Test func aGroupsHelpInEnglishIsTheGroupsNotItsDefaultSubcommands() throws {
        for arguments in [
            ["sla", "--help", "--lang", "en"], ["sla", "--lang=en", "-h"], ["help", "sla", "--lang", "en"],
        ] {
            let text = try help(arguments)
            #expect(text.hasPrefix("OVERVIEW: Time limits"), "\(arguments): \(text)")
            #expect(text.contains("\nSUBCOMMANDS:\n") && text.contains("list (default)"), "\(arguments): \(text)")
        }
        let list = try help(["sla", "list", "--help", "--lang", "en"])
        #expect(list.hasPrefix("OVERVIEW: Open cases at risk or breached now."), "\(list)")
        let chinese = try help(["sla", "--help"])
        #expect(chinese.hasPrefix("概述：时限监控") && chinese.contains("list（默认）"), "\(chinese)")
    }

    @Test func queueHelpFollowsKaibanLang() throws {
        let english = try help(["queue", "--help"], environment: ["KAIBAN_LANG": "en"])
        #expect(english.contains("At most this many cases. (default: 50)"), "\(english)")
        let chinese = try help(["queue", "--help"])
        #expect(chinese.contains("最多列出的办件数。（默认：50）"), "\(chinese)")
        #expect(chinese.contains("概述：待办："), "\(chinese)")
    }

    @Test func rootHelpListsSubcommandsWithChineseAbstracts() throws {
        let text = try help(["--help"])
        #expect(text.hasPrefix("概述：开办 Kaiban：政务服务中心企业开办窗口的办件系统。"), "\(text)")
        #expect(text.contains("退出码：0 完成，64 用法错误"), "\(text)")
        #expect(text.contains("\n子命令：\n"), "\(text)")
        #expect(text.contains("  --version               显示版本号。"), "\(text)")
        for (command, abstract) in [
            ("intake", "收件：登记一件企业开办申请。"), ("queue", "待办："), ("step", "办理办件的流程步骤"),
            ("withdraw", "应申请人要求撤回办件。"), ("calendar", "工作日历："), ("check", "核验统一社会信用代码"),
        ] {
            let line = text.split(separator: "\n").first { $0.hasPrefix("  \(command) ") }
            #expect(line?.contains(abstract) == true, "\(command): \(line ?? "no line") in:\n\(text)")
        }
        #expect(text.contains("用“kaiban help <子命令>”查看子命令的详细说明。"), "\(text)")
        #expect(!text.contains("SUBCOMMANDS"), "\(text)")
        #expect(!text.contains("for detailed help"), "\(text)")
    }

    /// The example in `intake --help` is wrapped at spaces only, so the Chinese words in it stay whole.
    @Test func theIntakeExampleKeepsItsWords() throws {
        let text = try help(["intake", "--help"], environment: ["COLUMNS": "60"])
        for word in ["广元市昭化区青禾农业科技有限公司", "四川省广元市昭化区元坝镇中街12号", "农业技术推广服务"] {
            #expect(text.contains(word), "\(word) broken in:\n\(text)")
        }
    }

    @Test func defaultSubcommandIsMarkedInChinese() throws {
        let text = try help(["sla", "--help"])
        #expect(text.contains("  list（默认）"), "\(text)")
        #expect(text.contains("当前临近超时或已超时的未办结办件。"), "\(text)")
        #expect(!text.contains("(default)"), "\(text)")
    }

    /// Chinese help is laid out for characters two columns wide: no line but the synopsis is wider
    /// than the screen, and an option's help that wraps continues under the help column.
    @Test func chineseHelpFitsTheScreen() throws {
        for command in [["find"], ["intake"], ["step"], []] {
            let text = try help(command + ["--help"], environment: ["COLUMNS": "60"])
            for line in text.split(separator: "\n") where !line.hasPrefix("用法：") && !Self.isOneWord(line) {
                #expect(Self.columns(line) <= 60, "\(command): \(Self.columns(line)) columns: \(line)")
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if let index = lines.firstIndex(where: { $0.hasPrefix("  --show-ids") }) {
                #expect(lines[index + 1].hasPrefix(String(repeating: " ", count: 26)), "\(text)")
                #expect(!lines[index + 1].dropFirst(26).hasPrefix(" "), "\(text)")
            }
        }
    }
}
