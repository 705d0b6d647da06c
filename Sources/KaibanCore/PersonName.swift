import Foundation

/// A person's name as it is kept, compared and searched: one spelling for what may be typed
/// several ways.
public enum PersonName {
    /// `name` in its NFKC form (full-width or mathematical letters and compatibility forms are the
    /// letters they stand for), its middle dots, hyphens and apostrophes written one way each
    /// (• ‧ ・ ꞏ → ·, ‐ ‑ – → -, ’ → '), its runs of spaces one space, no space before a separator
    /// nor after one but a full stop, without blanks around it. A
    /// name typed either way is then one name to the record, a search and a commitment's signer
    /// (which is also compared without regard to case).
    public static func canonical(_ name: String) -> String {
        // ASCII, the middle dot and the basic block of Chinese characters (nearly every name) are
        // their own NFKC form, with nothing to fold.
        let plain = name.unicodeScalars.allSatisfy {
            ($0.isASCII && $0 != "\t") || $0 == "·" || (0x4E00...0x9FFF).contains($0.value)
        }
        if plain, !name.contains("  "), !name.unicodeScalars.contains(where: { $0 != " " && separators.contains($0) }) {
            return name.trimmingWhitespace()
        }
        var folded = String.UnicodeScalarView()
        for scalar in (plain ? name : name.precomposedStringWithCompatibilityMapping).unicodeScalars {
            let written = foldings[scalar] ?? scalar
            // One space at most, none before a separator and none after one but a full stop's
            // (阿卜杜拉 · 艾合买提 is 阿卜杜拉·艾合买提, Jean - Luc is Jean-Luc; J. R. Smith stays).
            if written == " ", let last = folded.last, last == " " || (joiners.contains(last)) { continue }
            if written != " ", separators.contains(written), folded.last == " " { folded.removeLast() }
            folded.append(written)
        }
        return String(folded).trimmingWhitespace()
    }

    /// How each variant of a separator is written.
    public static let foldings: [Unicode.Scalar: Unicode.Scalar] = [
        "\u{2022}": "·", "\u{2027}": "·", "\u{30FB}": "·", "\u{A78F}": "·", "\u{1427}": "·", "\u{2E31}": "·",
        "\u{2010}": "-", "\u{2011}": "-", "\u{2013}": "-", "\u{2019}": "'", "\t": " ",
    ]

    /// The separators no space may follow (a full stop may: J. R. Smith).
    static let joiners: Set<Unicode.Scalar> = ["·", "-", "'", "\u{0F0B}", "\u{0F0C}"]

    /// What may stand between the letters of a name, as ``canonical(_:)`` writes it: a space, the
    /// middle dot, a hyphen, an apostrophe, a full stop and the Tibetan tsheg (་ ༌).
    public static let separators: Set<Unicode.Scalar> = [" ", "·", "-", "'", ".", "\u{0F0B}", "\u{0F0C}"]
}
