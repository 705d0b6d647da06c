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

    /// Whether `scalar` is not shown as itself: a control or format character; a line or
    /// paragraph separator (U+2028, U+2029), which breaks a line as a newline does; any other
    /// default-ignorable code point (the combining grapheme joiner U+034F, the Hangul fillers
    /// U+115F, U+1160, U+3164 and U+FFA0, tags), which a text shows as nothing; and the blank
    /// Braille pattern U+2800, which shows as a space. Variation selectors (U+FE00–U+FE0F,
    /// U+E0100–U+E01EF) are not hidden: they choose how the character before them looks (an
    /// emoji's colour, an ideograph's variant in a person's name).
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        // Printable ASCII and the basic block of Chinese characters (nearly all text): shown.
        if (0x20...0x7E).contains(scalar.value) || (0x4E00...0x9FFF).contains(scalar.value) { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: break
        }
        switch scalar.value {
        case 0x2800: return true
        case 0xFE00...0xFE0F, 0xE0100...0xE01EF: return false
        default: return scalar.properties.isDefaultIgnorableCodePoint
        }
    }

    /// `U+001B`, as messages name a character.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        String(format: "U+%04X", scalar.value)
    }

    /// `text` with every hidden character shown as its code point (`<U+001B>`): what was typed,
    /// echoed to a terminal without reaching it as an escape or a line break.
    public static func showingHidden(_ text: String) -> String {
        text.unicodeScalars.map { isHidden($0) ? "<\(codePoint($0))>" : String($0) }.joined()
    }

    /// What is wrong with `text`, or nil when it is acceptable.
    public static func problem(_ text: String, limit: Int) -> LocalizedText? {
        if let scalar = text.unicodeScalars.first(where: isHidden) {
            let code = codePoint(scalar)
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
