import Foundation
import KaibanCore

/// Text and attributes written into the page: every piece of data goes through ``escape(_:)``
/// (enterprise names come from applicants), so the page stays well-formed XHTML too.
enum HTMLText {
    /// `text` with `&`, `<`, `>`, `"` and `'` written as character references.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// ` name="value"` for each pair, values escaped.
    static func attributes(_ pairs: KeyValuePairs<String, String>) -> String {
        pairs.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }

    /// A number of points for SVG: at most one decimal, no trailing zero.
    static func point(_ value: Double) -> String {
        let tenths = (value * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int(tenths / 10))" : "\(tenths / 10)"
    }

    /// A share (0-1) as a percentage with one decimal, or a dash.
    static func percent(_ share: Double?) -> String {
        share.map { String(format: "%.1f%%", $0 * 100) } ?? "—"
    }

    /// JSON for a `<script type="application/json">` block: `<`, `>` and `&` (which only occur
    /// inside strings) as `\u` escapes, so that no text can close the block or need XML escaping.
    static func scriptJSON(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
            .replacingOccurrences(of: ">", with: "\\u003e").replacingOccurrences(of: "&", with: "\\u0026")
    }
}
