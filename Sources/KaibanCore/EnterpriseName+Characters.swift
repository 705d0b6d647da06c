import Foundation

/// The characters of an enterprise name (STANDARDS.md §10): the one rule `check name` and intake
/// apply. A name is read in its Unicode NFKC form (full-width letters and digits become ASCII,
/// compatibility ideographs and Kangxi radicals the ideographs they stand for), without the
/// blanks around it and with round brackets full-width, as Chinese names write them. It may then
/// hold only standard Chinese characters (规范汉字: ``StandardCharacters``, so no traditional forms)
/// and paired brackets: no Latin or pinyin letters, no Arabic digits, no symbols or emoji, no
/// spaces, tabs or invisible characters. Where brackets may stand is the name analysis' rule.
public enum EnterpriseNameText {
    /// The most characters a name may have, counted on its normalised form.
    public static let limit = 100

    /// The form a name is registered in (NFKC, trimmed, brackets full-width).
    public static func normalized(_ raw: String) -> String {
        compatibilityForm(raw.trimmingWhitespace())
    }

    /// The key names are compared on for conflicts: the normalised form without any blank or
    /// invisible character, so that names that read alike have one key (names stored before these
    /// rules included).
    public static func comparisonKey(_ raw: String) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: normalized(raw).unicodeScalars.filter { !isBlank($0) && !isInvisible($0) })
        return String(scalars)
    }

    /// Whether `scalar` is a Chinese character: a CJK unified ideograph (the basic block and its
    /// extensions) or 〇.
    public static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3007: true
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0x20000...0x2EE5F, 0x30000...0x323AF:
            scalar.properties.isIdeographic
        default: false
        }
    }

    /// Every problem with the length and the characters of `raw`, each character named once with
    /// its code point and the rule it breaks.
    public static func problems(_ raw: String) -> [LocalizedText] {
        let name = normalized(raw)
        var problems: [LocalizedText] = []
        if name.isEmpty {
            return [LocalizedText(zh: "名称不能为空", en: "the name is empty")]
        }
        if name.count > limit {
            problems.append(
                LocalizedText(
                    zh: "名称过长（\(name.count)字，最多\(limit)字）",
                    en: "the name is too long (\(name.count) characters, at most \(limit))"))
        }
        var reported: Set<Character> = []
        for character in raw.trimmingWhitespace() {
            // A Chinese character or a full-width bracket alone is its own compatibility form (no
            // unified ideograph decomposes): the common case, without Foundation's NFKC per character.
            if character.unicodeScalars.count == 1, let scalar = character.unicodeScalars.first,
                isChineseCharacter(scalar) || scalar == "（" || scalar == "）"
            {
                continue
            }
            let form = compatibilityForm(String(character))
            guard !form.unicodeScalars.allSatisfy({ isChineseCharacter($0) || $0 == "（" || $0 == "）" }),
                reported.insert(character).inserted
            else { continue }
            problems.append(problem(character, form: form))
        }
        // Chinese characters outside the 通用规范汉字表: traditional forms and variants (農, 華).
        var nonStandard: Set<Unicode.Scalar> = []
        for scalar in name.unicodeScalars
        where isChineseCharacter(scalar) && !StandardCharacters.contains(scalar) && nonStandard.insert(scalar).inserted
        {
            problems.append(nonStandardProblem(scalar))
        }
        if let brackets = bracketProblem(name) { problems.append(brackets) }
        return problems
    }

    /// What is wrong with a Chinese character outside the table: a traditional form is named with
    /// the standard character to write instead.
    static func nonStandardProblem(_ scalar: Unicode.Scalar) -> LocalizedText {
        let code = codePoints(CollectionOfOne(scalar))
        if let simplified = StandardCharacters.simplified(scalar) {
            return LocalizedText(
                zh: "名称含有繁体字“\(Character(scalar))”（\(code)）：名称应使用规范汉字，写作“\(Character(simplified))”",
                en:
                    "the name contains the traditional form \"\(Character(scalar))\" (\(code)): names are written in standard simplified characters; write \"\(Character(simplified))\""
            )
        }
        return LocalizedText(
            zh: "名称含有“\(Character(scalar))”（\(code)）：不是《通用规范汉字表》所收的规范汉字",
            en:
                "the name contains \"\(Character(scalar))\" (\(code)): it is not a standard character (Table of General Standard Chinese Characters, 2013)"
        )
    }

    /// NFKC with round brackets full-width.
    static func compatibilityForm(_ text: String) -> String {
        // Chinese characters and full-width brackets only (nearly every name): already the form.
        // No unified ideograph decomposes, and NFKC's "(" for "（" is turned back below.
        if text.unicodeScalars.allSatisfy({ isChineseCharacter($0) || $0 == "（" || $0 == "）" }) { return text }
        return text.precomposedStringWithCompatibilityMapping
            .replacingOccurrences(of: "(", with: "（").replacingOccurrences(of: ")", with: "）")
    }

    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || scalar.properties.generalCategory == .spaceSeparator
    }

    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        FreeText.isHidden(scalar) || scalar.properties.isDefaultIgnorableCodePoint
    }

    /// "U+200B", or "U+1F468 U+200D U+1F469" for a character of several scalars.
    static func codePoints(_ character: Character) -> String {
        codePoints(character.unicodeScalars)
    }

    /// "U+200B U+200D" for those scalars.
    static func codePoints(_ scalars: some Sequence<Unicode.Scalar>) -> String {
        scalars.map { scalar in
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }.joined(separator: " ")
    }

    /// What is wrong with `character` (whose compatibility form is `form`): which rule it breaks.
    static func problem(_ character: Character, form: String) -> LocalizedText {
        let code = codePoints(character)
        let bad = (Array(character.unicodeScalars) + Array(form.unicodeScalars)).filter {
            !isChineseCharacter($0) && $0 != "（" && $0 != "）"
        }
        // A blank or invisible scalar is named alone: joined to the character before it (司 and
        // U+200D are one character), that character is not the fault.
        let all = Array(character.unicodeScalars)
        let own = all.filter { !isChineseCharacter($0) && $0 != "（" && $0 != "）" }
        if bad.contains(where: isBlank) {
            let blanks = codePoints(own.contains(where: isBlank) ? own.filter(isBlank) : all)
            return LocalizedText(
                zh: "名称含有空白字符（\(blanks)）：名称中不得有空格、制表符等空白",
                en: "the name contains a blank character (\(blanks)): no spaces or tabs inside a name")
        }
        // Joiners and variation selectors inside an emoji do not make it invisible.
        let visible = bad.filter { !isInvisible($0) }
        if visible.isEmpty {
            let hidden = codePoints(own.isEmpty ? all : own)
            return LocalizedText(
                zh: "名称含有不可见字符（\(hidden)）：名称中不得有不可见字符或控制字符",
                en: "the name contains an invisible character (\(hidden)): no invisible or control characters")
        }
        let shown = "“\(character)”（\(code)）"
        let shownEn = "\"\(character)\" (\(code))"
        if visible.contains(where: { $0.properties.generalCategory == .decimalNumber }) {
            return LocalizedText(
                zh: "名称含有\(shown)：名称不得使用阿拉伯数字，数字应以汉字书写",
                en: "the name contains \(shownEn): Arabic digits may not be used; write numbers in Chinese characters")
        }
        if visible.contains(where: isLatinLetter) {
            return LocalizedText(
                zh: "名称含有\(shown)：名称不得使用外文字母或汉语拼音",
                en: "the name contains \(shownEn): Latin letters and pinyin may not be used")
        }
        switch visible.first?.properties.generalCategory {
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol, .connectorPunctuation,
            .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation:
            return LocalizedText(
                zh: "名称含有\(shown)：名称不得使用符号（包括标点和表情符号），只能使用规范汉字",
                en:
                    "the name contains \(shownEn): symbols, punctuation and emoji may not be used, only Chinese characters"
            )
        default:
            return LocalizedText(
                zh: "名称含有\(shown)：名称只能使用规范汉字",
                en: "the name contains \(shownEn): a name is written in standard Chinese characters only")
        }
    }

    /// Latin letters, with the accented ones pinyin uses (ā, ü, …).
    static func isLatinLetter(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.properties.isAlphabetic else { return false }
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF: return true
        default: return false
        }
    }

    /// Brackets come in pairs, not nested, with something inside.
    static func bracketProblem(_ name: String) -> LocalizedText? {
        var open = false
        var inside = 0
        for character in name {
            switch character {
            case "（":
                if open { return unpaired }
                open = true
                inside = 0
            case "）":
                if !open || inside == 0 { return unpaired }
                open = false
            default:
                inside += 1
            }
        }
        return open ? unpaired : nil
    }

    static let unpaired = LocalizedText(
        zh: "名称中的括号应成对使用，不得嵌套，括号内应有文字",
        en: "brackets in a name come in pairs, not nested, with text inside")
}
