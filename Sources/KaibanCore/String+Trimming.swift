import Foundation

/// Trimming without Foundation's `trimmingCharacters(in:)`, which bridges every string through
/// NSString (a copy to UTF-16 and back): intake trims every name, ID number and amount of an
/// application, twice. The same result, scalar by scalar (neither set holds a scalar outside the
/// Basic Multilingual Plane, so scalars and UTF-16 units trim alike).
extension StringProtocol {
    /// `trimmingCharacters(in: .whitespaces)`: tab and the space separators (Zs) at either end.
    public func trimmingSpaces() -> String { trimming(where: Self.isSpace) }

    /// `trimmingCharacters(in: .whitespacesAndNewlines)`: the separators (Z*), tab, the line
    /// breaks U+000A–U+000D and U+0085 at either end.
    public func trimmingWhitespace() -> String { trimming(where: Self.isWhitespaceOrNewline) }

    /// Whether nothing is left once ``trimmingWhitespace()`` trims.
    public var isBlank: Bool { unicodeScalars.allSatisfy(Self.isWhitespaceOrNewline) }

    func trimming(where trimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !trimmed($0) }),
            let last = scalars.lastIndex(where: { !trimmed($0) })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }

    /// In `CharacterSet.whitespaces` (which on Linux also holds U+200B ZERO WIDTH SPACE, a space
    /// separator in Unicode's early versions).
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || scalar == "\t" }
        return scalar.value == 0x200B || scalar.properties.generalCategory == .spaceSeparator
    }

    /// In `CharacterSet.whitespacesAndNewlines`.
    static func isWhitespaceOrNewline(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || (0x09...0x0D).contains(scalar.value) }
        if scalar.value == 0x85 || scalar.value == 0x200B { return true }
        switch scalar.properties.generalCategory {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
