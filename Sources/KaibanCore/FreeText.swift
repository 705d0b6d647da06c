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
    /// U+E0100–U+E01EF, Mongolian's U+180B–U+180D and U+180F) are not hidden: they choose how the
    /// character before them looks (an emoji's colour, an ideograph's variant in a person's name).
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        // Printable ASCII, CJK punctuation, full-width forms and the basic block of Chinese
        // characters (nearly all text): shown.
        switch scalar.value {
        case 0x20...0x7E, 0x3001...0x303F, 0x4E00...0x9FFF, 0xFF01...0xFF5E: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: break
        }
        switch scalar.value {
        case 0x2800: return true
        default: return !isVariationSelector(scalar) && scalar.properties.isDefaultIgnorableCodePoint
        }
    }

    /// Whether `scalar` shows on its own: not hidden, not a blank, not a mark or a selector that
    /// only changes the character before it.
    static func isBase(_ scalar: Unicode.Scalar) -> Bool {
        guard !isHidden(scalar), !scalar.properties.isWhitespace else { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return false
        default: return true
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

    /// Whether `scalar` is a variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF, Mongolian's
    /// U+180B–U+180D and U+180F): it chooses how the character before it looks.
    static func isVariationSelector(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x180B...0x180D, 0x180F, 0xFE00...0xFE0F, 0xE0100...0xE01EF: true
        default: false
        }
    }

    /// What is attached where it does not belong, in one pass: a variation selector that follows
    /// no character (at the start, after a blank, after a mark) or another selector, which chooses
    /// nothing; a combining mark (an accent) or a text/emoji presentation selector (U+FE0E, U+FE0F)
    /// on a Chinese character, which no Chinese text uses. A search for the text without either
    /// never finds it (张\u{301}伟 is not 张伟). An ideographic variation selector
    /// (U+E0100–U+E01EF) after a character is a variant of it, and is taken.
    static func attachmentProblem(_ text: String) -> LocalizedText? {
        func mark(_ scalar: Unicode.Scalar) -> LocalizedText {
            LocalizedText(
                zh: "汉字后带有附加符号或表情变体选择符（\(codePoint(scalar))）",
                en: "has a combining mark or an emoji selector on a Chinese character (\(codePoint(scalar)))")
        }
        var afterBase = false
        var onChinese = false
        for scalar in text.unicodeScalars {
            if isVariationSelector(scalar) {
                guard afterBase else {
                    return LocalizedText(
                        zh: "变体选择符（\(codePoint(scalar))）不在字符之后，或一个字符后有两个",
                        en:
                            "has a variation selector (\(codePoint(scalar))) after no character, or a second one on a character"
                    )
                }
                if onChinese && (scalar.value == 0xFE0E || scalar.value == 0xFE0F) { return mark(scalar) }
                afterBase = false
                continue
            }
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark:
                // Marks after a mark stay on the same character.
                if onChinese { return mark(scalar) }
                afterBase = false
            default:
                afterBase = isBase(scalar)
                onChinese = EnterpriseNameText.isChineseCharacter(scalar) && scalar.value != 0x3007
            }
        }
        return nil
    }

    /// What is wrong with a person's or an investor's name `text` beyond ``problem(_:limit:)``: a
    /// space other than the ordinary one inside it (a no-break space U+00A0, an ideographic space
    /// U+3000, pasted from a document), which a search for the name as typed never finds
    /// (张\u{3000}伟 is not 张伟, nor 张 伟). Nil when it has none.
    public static func nameSpacingProblem(_ text: String) -> LocalizedText? {
        guard
            let scalar = text.unicodeScalars.first(where: {
                $0 != " " && !isHidden($0) && $0.properties.isWhitespace
            })
        else { return nil }
        let code = codePoint(scalar)
        return LocalizedText(
            zh: "含有全角或不换行空格（\(code)），姓名中只可用普通空格",
            en: "contains a no-break or ideographic space (\(code)); a name may only hold ordinary spaces")
    }

    /// What is wrong with a person's name `text` (a legal representative, an agent, a contact, an
    /// investor who is a person) beyond ``problem(_:limit:)`` and ``nameSpacingProblem(_:)``, read
    /// as it is kept (``PersonName/canonical(_:)``): a name is letters of any script (with their
    /// marks and variation selectors; 〇, and private-use characters, which systems that predate a
    /// rare character's code give it), with a middle dot, a hyphen, an apostrophe, a full stop, a
    /// Tibetan tsheg or a space between them (阿卜杜拉·艾合买提, Jean-Luc O'Brien, John Smith Jr.; a
    /// full stop or a tsheg may also end it: བཀྲ་ཤིས་);
    /// a digit, an emoji, a symbol or markup is no part of a name, nor a space between two Chinese
    /// characters (张 伟 is 张伟: a search for either missed the other). Nil when it has none.
    public static func personNameProblem(_ text: String) -> LocalizedText? {
        if let spacing = nameSpacingProblem(text) { return spacing }
        let scalars = Array(PersonName.canonical(text).unicodeScalars)
        func isPart(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .privateUse,
                .nonspacingMark, .spacingMark, .enclosingMark:
                true
            default: scalar == "\u{3007}" || isVariationSelector(scalar)
            }
        }
        func isAllowed(_ scalar: Unicode.Scalar) -> Bool { isPart(scalar) || PersonName.separators.contains(scalar) }
        // Named as typed (① is no letter, though its NFKC form is 1).
        for scalar in text.unicodeScalars where !isAllowed(scalar) && PersonName.foldings[scalar] == nil {
            guard String(scalar).precomposedStringWithCompatibilityMapping.unicodeScalars.allSatisfy(isAllowed) else {
                return LocalizedText(
                    zh: "姓名只能由文字组成（文字之间可用间隔号“·”、连字符、撇号、点或空格），不能含“\(Character(scalar))”（\(codePoint(scalar))）",
                    en:
                        "a person's name is letters (with a middle dot, hyphen, apostrophe, full stop or space between them), not “\(Character(scalar))” (\(codePoint(scalar)))"
                )
            }
        }
        for (index, scalar) in scalars.enumerated() where !isPart(scalar) {
            guard PersonName.separators.contains(scalar) else { continue }
            let last = index == scalars.count - 1
            // Two in a row (张··伟), but an initial's stop and its space (J. R.).
            if index > 0, PersonName.separators.contains(scalars[index - 1]),
                !(scalar == " " && scalars[index - 1] == ".")
            {
                return LocalizedText(
                    zh: "姓名中不能连用两个分隔符号（“\(Character(scalars[index - 1]))\(Character(scalar))”）",
                    en:
                        "a person's name has no two separators in a row (“\(Character(scalars[index - 1]))\(Character(scalar))”)"
                )
            }
            // A full stop may end a name (J. R. Smith Jr.), and so may a Tibetan tsheg, which
            // closes every syllable, the last one too (བཀྲ་ཤིས་).
            // (The tsheg only after a Tibetan letter or mark: 张伟་ is no name.)
            let tibetanEnd =
                scalar == "\u{0F0B}" && index > 0 && (0x0F00...0x0FFF).contains(scalars[index - 1].value)
            if index == 0 || (last && scalar != "." && !tibetanEnd) {
                return LocalizedText(
                    zh: "姓名不能以“\(Character(scalar))”（\(codePoint(scalar))）开头或结尾",
                    en: "a person's name does not start or end with “\(Character(scalar))” (\(codePoint(scalar)))")
            }
            if scalar == " ", !last, scalars[index - 1].properties.isIdeographic,
                scalars[index + 1].properties.isIdeographic
            {
                return LocalizedText(
                    zh: "姓名的汉字之间不能有空格（如“张 伟”应写作“张伟”；少数民族姓名各部分之间用间隔号“·”）",
                    en:
                        "no space goes between the Chinese characters of a name (张 伟 is written 张伟; the parts of a minority name are joined by the middle dot ·)"
                )
            }
        }
        return nil
    }

    /// What is wrong with `text`, or nil when it is acceptable.
    public static func problem(_ text: String, limit: Int) -> LocalizedText? {
        if let scalar = text.unicodeScalars.first(where: isHidden) {
            let code = codePoint(scalar)
            return LocalizedText(
                zh: "含有不可见或控制字符（\(code)）", en: "contains an invisible or control character (\(code))")
        }
        // U+FFFE, U+FFFF, U+FDD0–U+FDEF and the last two of every plane: no character at all
        // (XML 1.0 refuses the first two, and the exchange's messages are XML).
        if let scalar = text.unicodeScalars.first(where: \.properties.isNoncharacterCodePoint) {
            let code = codePoint(scalar)
            return LocalizedText(zh: "含有非字符码位（\(code)），不是文字", en: "contains a noncharacter (\(code)), which is no text")
        }
        // Nothing but marks and selectors (a lone U+FE0F, an accent on nothing): shows as blank.
        // (Blanks alone are the blank checks' to refuse, with their own words.)
        if !text.unicodeScalars.contains(where: isBase),
            let first = text.unicodeScalars.first(where: { !$0.properties.isWhitespace })
        {
            let code = codePoint(first)
            return LocalizedText(
                zh: "只有不可见或附加的字符（\(code)）", en: "holds only invisible or combining characters (\(code))")
        }
        if let problem = attachmentProblem(text) { return problem }
        if text.count > limit {
            return LocalizedText(
                zh: "过长（\(text.count)字，最多\(limit)字）", en: "is too long (\(text.count) characters, at most \(limit))")
        }
        return nil
    }
}
