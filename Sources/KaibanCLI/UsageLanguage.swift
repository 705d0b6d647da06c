import ArgumentParser
import Foundation
import KaibanCore

/// The language of this run, known before the command line is parsed (from `--lang` or
/// KAIBAN_LANG; Simplified Chinese by default), so that usage errors speak it too.
enum RunLanguage {
    static let current: Language = detect(CommandLine.arguments, ProcessInfo.processInfo.environment)

    static func detect(_ arguments: [String], _ environment: [String: String]) -> Language {
        if let index = arguments.firstIndex(of: "--lang"), index + 1 < arguments.count,
            let language = Language(rawValue: arguments[index + 1])
        {
            return language
        }
        if let argument = arguments.first(where: { $0.hasPrefix("--lang=") }),
            let language = Language(rawValue: String(argument.dropFirst("--lang=".count)))
        {
            return language
        }
        if let text = environment["KAIBAN_LANG"], let language = Language(rawValue: text) { return language }
        return .zh
    }

    /// The arguments for the parser. The parser's own `help` command takes no options, so
    /// `kaiban help step --lang en` has its `--lang` (read already) taken out; so does a request
    /// for help, since `--lang` belongs to the commands and would make the parser take
    /// `kaiban sla --help --lang en` for the help of `sla`'s default subcommand.
    static func parserArguments(_ arguments: [String]) -> [String] {
        guard arguments.first == "help" || arguments.contains("--help") || arguments.contains("-h") else {
            return arguments
        }
        var result: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            if arguments[index] == "--lang" {
                index += 2
                continue
            }
            if !arguments[index].hasPrefix("--lang=") { result.append(arguments[index]) }
            index += 1
        }
        return result
    }
}

/// A message in the language of this run.
/// The mark of a figure that rests on a year without its holiday notice (none when firm).
func provisionalMark(_ provisional: Bool, zh: Bool) -> String {
    provisional ? (zh ? "（暂估）" : " (provisional)") : ""
}

func localized(zh: String, en: String) -> String {
    RunLanguage.current == .zh ? zh : en
}

/// A usage error (exit 64) in the language of this run.
func usageError(zh: String, en: String) -> ValidationError {
    ValidationError(localized(zh: zh, en: en))
}

enum UsageText {
    /// The command-line parser's English report of a usage error, in Chinese: its own messages
    /// translated line by line (a message it phrases otherwise is kept as it is).
    static func chinese(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { translate(String($0)) }
            .joined(separator: "\n")
    }

    static let patterns: [(NSRegularExpression, String)] = [
        (#"^Error: Missing expected argument '(.+)'$"#, "用法错误：缺少参数 $1"),
        (#"^Error: Unknown option '([^']+)'\. Did you mean '([^']+)'\?$"#, "用法错误：未知选项 $1（是否要用 $2？）"),
        (#"^Error: Unknown option '([^']+)'$"#, "用法错误：未知选项 $1"),
        (
            #"^Error: The value '(.*)' is invalid for '([^']+)'\. Please provide one of (.*)\.$"#,
            "用法错误：“$1”不是有效的 $2（可选：$3）"
        ),
        (
            #"^Error: The value '(.*)' is invalid for '([^']+)'\. Please provide one of the following:$"#,
            "用法错误：“$1”不是有效的 $2，可选："
        ),
        (
            #"^Error: The option '([^']+)' does not take any value, but '(.*)' was specified\.$"#,
            "用法错误：选项 $1 不取值，却给了“$2”"
        ),
        (#"^Error: The value '(.*)' is invalid for '([^']+)'(: .*)?$"#, "用法错误：“$1”不是有效的 $2$3"),
        (#"^Error: Unexpected argument '(.*)'$"#, "用法错误：多余的参数“$1”（或没有这个命令）"),
        (#"^Error: Missing value for '([^']+)'$"#, "用法错误：$1 缺少取值"),
        (#"^Error: (.*)$"#, "用法错误：$1"),
        (#"^Help:  (.*)$"#, "说明：$1"),
        (#"^Usage: (.*)$"#, "用法：$1"),
        (#"^  See '(.+)' for more information\.$"#, "  详见 $1"),
    ].compactMap { pattern, template in
        (try? NSRegularExpression(pattern: pattern)).map { ($0, template) }
    }

    static func translate(_ line: String) -> String {
        let range = NSRange(line.startIndex..., in: line)
        for (expression, template) in patterns where expression.firstMatch(in: line, range: range) != nil {
            return expression.stringByReplacingMatches(in: line, range: range, withTemplate: template)
        }
        return line
    }
}

/// A `--limit` of a listing: 1 to 10,000.
func validateLimit(_ limit: Int, maximum: Int = 10_000) throws {
    guard (1...maximum).contains(limit) else {
        throw usageError(zh: "--limit 应在1至\(maximum)之间", en: "--limit must be between 1 and \(maximum)")
    }
}
