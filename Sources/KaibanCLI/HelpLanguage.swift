import ArgumentParser
import Foundation
import KaibanCore

extension ArgumentHelp {
    /// An option's or argument's help in the language of this run (read when ArgumentParser
    /// builds the command, after the language is known).
    static func localized(zh: String, en: String) -> ArgumentHelp {
        ArgumentHelp(KaibanCLI.localized(zh: zh, en: en))
    }
}

/// `--help` in Chinese: the help screen ArgumentParser renders, with its own headings and standard
/// lines translated, then laid out again for a terminal where a Chinese character is two columns
/// wide (the parser counts it as one). The commands' own texts are already Chinese.
enum HelpText {
    /// Whether `text` is a help screen (not a version, a completion script or a JSON dump, which
    /// go out as they are).
    static func isHelpScreen(_ text: String) -> Bool {
        text.hasPrefix("OVERVIEW: ") || text.hasPrefix("USAGE: ")
    }

    /// The help screen in Chinese. `text` must be rendered without wrapping (a very wide screen),
    /// so that each element is one line; it is wrapped here to `width` display columns.
    static func chinese(_ text: String, width: Int) -> String {
        var inSections = false
        var lines: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = translate(raw)
            if raw.hasPrefix("USAGE: ") {
                inSections = true
                lines.append(line)  // the synopsis is what is typed: never wrapped, as in English
            } else if raw.hasPrefix("OVERVIEW: ") {
                lines += wrap(String(line.dropFirst(overview.count)), first: overview, indent: 0, width: width)
            } else if inSections, let (label, abstract) = element(raw) {
                let padded = "  " + translate(label)
                let labelWidth = displayWidth(padded)
                if labelWidth < labelColumn {
                    let first = padded + String(repeating: " ", count: labelColumn - labelWidth)
                    lines += wrap(translate(abstract), first: first, indent: labelColumn, width: width)
                } else {
                    lines.append(padded)
                    lines += wrap(translate(abstract), first: spaces(labelColumn), indent: labelColumn, width: width)
                }
            } else {
                // An indented line of a command's discussion is an example to type: broken at spaces only.
                let indent = line.prefix { $0 == " " }.count
                lines += wrap(
                    String(line.dropFirst(indent)), first: spaces(indent), indent: indent, width: width,
                    breakingWords: inSections || indent == 0)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Where ArgumentParser starts the help of an option, argument or subcommand.
    static let labelColumn = 26
    static let overview = "概述："

    /// ArgumentParser's own words: (pattern, template), each applied in turn to a line, a label or a help.
    static let patterns: [(NSRegularExpression, String)] = [
        // Headings and lines of the screen.
        (#"^OVERVIEW: Show subcommand help information\.$"#, overview + "显示子命令的帮助信息。"),
        (#"^OVERVIEW: "#, overview),
        (#"^USAGE: "#, "用法："),
        (#"^ARGUMENTS:$"#, "参数："),
        (#"^OPTIONS:$"#, "选项："),
        (#"^SUBCOMMANDS:$"#, "子命令："),
        (#"^  See '(.+) <subcommand>' for detailed help\.$"#, "  用“$1 <子命令>”查看子命令的详细说明。"),
        // A subcommand's label, and the parser's own options and additions to an option's help.
        (#"^(.+) \(default\)$"#, "$1（默认）"),
        (#"^Show help information\.$"#, "显示帮助信息。"),
        (#"^Show the version\.$"#, "显示版本号。"),
        (#" \(values: ([^;()]*); default: ([^()]*)\)$"#, "（可选值：$1；默认：$2）"),
        (#" \(values: ([^;()]*)\)$"#, "（可选值：$1）"),
        (#" \(default: ([^()]*)\)$"#, "（默认：$1）"),
    ].compactMap { pattern, template in
        (try? NSRegularExpression(pattern: pattern)).map { ($0, template) }
    }

    /// A line with every one of ArgumentParser's phrases in it translated (a value list and a
    /// default can both end an option's line, after its own help).
    static func translate(_ line: String) -> String {
        var line = line
        for (expression, template) in patterns {
            let range = NSRange(line.startIndex..., in: line)
            if expression.firstMatch(in: line, range: range) != nil {
                line = expression.stringByReplacingMatches(in: line, range: range, withTemplate: template)
            }
        }
        return line
    }

    /// An element of a section, `  LABEL   help` with the help at the label column: its label
    /// and its help.
    static func element(_ line: String) -> (String, String)? {
        let characters = Array(line)
        guard characters.count > labelColumn, characters[0] == " ", characters[1] == " ", characters[2] != " ",
            characters[labelColumn] != " ", characters[labelColumn - 1] == " "
        else { return nil }
        let label = String(characters[2..<labelColumn]).trimmingCharacters(in: .whitespaces)
        guard !label.contains("  ") else { return nil }
        return (label, String(characters[labelColumn...]))
    }

    static func spaces(_ count: Int) -> String { String(repeating: " ", count: count) }

    /// `text` wrapped to `width` display columns: after `first` on the first line, indented by
    /// `indent` on the next. Lines break at spaces and, unless `breakingWords` is false, between
    /// Chinese characters (never before closing punctuation nor after opening punctuation).
    static func wrap(_ text: String, first: String, indent: Int, width: Int, breakingWords: Bool = true) -> [String] {
        var lines: [String] = []
        var line = first
        var used = displayWidth(first)
        var lineHasText = false
        for (spaced, piece) in pieces(text, breakingWords: breakingWords) {
            let pieceWidth = displayWidth(piece)
            let gap = spaced && lineHasText ? 1 : 0
            if lineHasText, used + gap + pieceWidth > width {
                lines.append(line)
                line = spaces(indent) + piece
                used = indent + pieceWidth
            } else {
                line += (gap == 1 ? " " : "") + piece
                used += gap + pieceWidth
            }
            lineHasText = true
        }
        lines.append(lineHasText ? line : String(first.reversed().drop { $0 == " " }.reversed()))
        return lines
    }

    /// The unbreakable pieces of `text`, each with whether a space comes before it.
    static func pieces(_ text: String, breakingWords: Bool) -> [(Bool, String)] {
        var result: [(Bool, String)] = []
        var current = ""
        var spaced = false
        for character in text {
            if character == " " {
                if !current.isEmpty { result.append((spaced, current)) }
                current = ""
                spaced = true
                continue
            }
            if breakingWords, let previous = current.last, breaks(between: previous, and: character) {
                result.append((spaced, current))
                current = ""
                spaced = false
            }
            current.append(character)
        }
        if !current.isEmpty { result.append((spaced, current)) }
        return result
    }

    static let closing = Set("，。、；：？！）》」』”’…")
    static let opening = Set("（《「『“‘")

    static func breaks(between previous: Character, and next: Character) -> Bool {
        guard isWide(previous) || isWide(next) else { return false }
        return !closing.contains(next) && !opening.contains(previous)
    }

    /// Whether a character takes two columns on a terminal (CJK ideographs, kana, fullwidth forms).
    static func isWide(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    static func displayWidth(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
    }

    /// The terminal's width as ArgumentParser reads it: COLUMNS, else the terminal, else 80.
    static var terminalWidth: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 {
            return columns
        }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
