import Foundation
import KaibanCore

/// Writing to the terminal.
enum Console {
    /// Writes a line on standard output; when it cannot be written (a full disk, a closed
    /// terminal), says so on standard error and exits 74: what was recorded stays recorded.
    static func print(_ text: String) {
        do {
            try write(text + "\n")
        } catch {
            let message =
                RunLanguage.current == .zh
                ? "无法写出标准输出（\(error.localizedDescription)）；如为办理事项的命令，办理已经记录，请先查看再决定是否重办"
                : "standard output cannot be written (\(error.localizedDescription)); a step it was recording is recorded: look before repeating it"
            Console.error(message)
            exit(KaibanExit.storage)
        }
    }

    /// Writes `text` as it is on standard output (throws when it cannot be written).
    static func write(_ text: String) throws {
        try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }

    static func error(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data((text + "\n").utf8))
    }

    /// One JSON vocabulary for every command: keys sorted, instants ISO 8601 in hall time with
    /// their offset, civil dates `yyyy-MM-dd`, money in fen.
    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(HallTime.isoText(of: date))
        }
        return encoder
    }()

    /// `value` as one line of JSON (for a stream of records, such as `sla watch --json`).
    static func jsonLine<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = jsonEncoder.dateEncodingStrategy
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try jsonEncoder.encode(value), as: UTF8.self)
    }

    static func json<T: Encodable>(_ value: T) throws {
        print(try jsonText(value))
    }

    /// A problem as `--json` prints it on standard error.
    struct ProblemView: Encodable {
        struct Field: Encodable {
            var field: String
            var message: String
        }

        var code: String
        var kind: ProblemKind
        var message: String
        var hint: String?
        var fields: [Field]
        var exitCode: Int32
    }

    /// Prints `problem` on standard error and returns its exit code.
    /// A message as it may reach a terminal: what was typed and echoed back keeps no control
    /// character (shown as its code point; the message's own line breaks stay) and no citizen ID
    /// number in full.
    static func safe(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map {
            FreeText.showingHidden(CitizenID.maskingNumbers(in: String($0)))
        }
        .joined(separator: "\n")
    }

    static func report(_ problem: Problem, _ output: ProblemOutput) -> Int32 {
        let code = KaibanExit.code(problem.kind)
        let hint = KaibanExit.hint(problem, output.language)
        if output.json {
            let view = ProblemView(
                code: problem.code, kind: problem.kind, message: safe(problem.text.text(output.language)), hint: hint,
                fields: problem.fields.map { .init(field: $0.field, message: safe($0.reason.text(output.language))) },
                exitCode: code)
            error((try? jsonText(["problem": view])) ?? problem.description)
        } else {
            let tail = hint.map { (output.language == .zh ? "（" : " (") + $0 + (output.language == .zh ? "）" : ")") }
            let lines = safe(problem.message(output.language)).split(separator: "\n", omittingEmptySubsequences: false)
            error(
                ([String(lines.first ?? "") + (tail ?? "")] + lines.dropFirst().map(String.init)).joined(
                    separator: "\n"))
        }
        return code
    }
}
