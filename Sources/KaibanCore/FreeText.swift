import Foundation

/// The rule for free text a clerk or an applicant types (reasons, notes, names, addresses): one
/// line of visible text of bounded length. Control characters (newlines, tabs, terminal escapes)
/// and invisible format characters (zero-width spaces, direction overrides) are refused, so that
/// one event stays one row and what is shown is what is stored.
public enum FreeText {
    /// Reasons and notes kept in the history.
    public static let reasonLimit = 500
    /// People's and clerks' names.
    public static let nameLimit = 50
    /// Addresses and enterprise names' surroundings.
    public static let addressLimit = 200
    /// A business scope.
    public static let scopeLimit = 2_000

    /// What is wrong with `text`, or nil when it is acceptable.
    public static func problem(_ text: String, limit: Int) -> LocalizedText? {
        // Control and format characters, and the line and paragraph separators (U+2028, U+2029),
        // which break a line as a newline does.
        let refused: Set<Unicode.GeneralCategory> = [.control, .format, .lineSeparator, .paragraphSeparator]
        if let scalar = text.unicodeScalars.first(where: { refused.contains($0.properties.generalCategory) }) {
            let code = String(format: "U+%04X", scalar.value)
            return LocalizedText(
                zh: "含有不可见或控制字符（\(code)）", en: "contains an invisible or control character (\(code))")
        }
        if text.count > limit {
            return LocalizedText(
                zh: "过长（\(text.count)字，最多\(limit)字）", en: "is too long (\(text.count) characters, at most \(limit))")
        }
        return nil
    }
}
