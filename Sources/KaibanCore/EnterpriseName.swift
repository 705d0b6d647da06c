import Foundation

/// The hall's rules for enterprise names (名称自主申报), kept as data in Forms/names/.
public struct NameRules: Sendable, Equatable, Codable {
    /// A word that may not appear, or only with an approval the desk cannot give.
    public struct Word: Sendable, Equatable, Codable {
        public var word: String
        public var reason: LocalizedText
        /// Restricted words need an approval; forbidden ones are never allowed.
        public var restricted: Bool

        public init(word: String, reason: LocalizedText, restricted: Bool) {
            self.word = word
            self.reason = reason
            self.restricted = restricted
        }
    }

    /// Organisational forms allowed per enterprise type (raw value), longest first when matching.
    public var forms: [String: [String]]
    /// Industry terms (行业表述), matched longest first just before the form.
    public var industries: [String]
    public var words: [Word]

    public init(forms: [String: [String]], industries: [String], words: [Word]) {
        self.forms = forms
        self.industries = industries
        self.words = words
    }
}

/// A proposed name taken apart: division + trade name (字号) + industry + organisational form.
public struct NameAnalysis: Sendable, Equatable, Codable {
    public var name: String
    public var division: String
    public var tradeName: String
    public var industry: String
    public var form: String
    /// Reasons the name cannot be registered.
    public var problems: [LocalizedText]
    /// Things the clerk should look at, which do not stop registration.
    public var warnings: [LocalizedText]

    public var isValid: Bool { problems.isEmpty }

    /// Takes `name` apart for an enterprise of `type` registering where the division names
    /// `divisionNames` apply (e.g. ["四川省", "广元市", "昭化区"], outermost first). The name is
    /// read in its normalised form (``EnterpriseNameText``), whose characters are checked first;
    /// its parts are taken from the comparison key, so that they are what conflicts compare.
    public init(name raw: String, type: EnterpriseType, divisionNames: [String], rules: NameRules) {
        self.name = EnterpriseNameText.normalized(raw)
        let name = EnterpriseNameText.comparisonKey(raw)
        var problems = EnterpriseNameText.problems(raw)
        var warnings: [LocalizedText] = []
        // Division: the longest acceptable prefix (广元市昭化区, 昭化区, 广元市, 四川省, 四川).
        var prefixes: [String] = []
        for start in divisionNames.indices {
            prefixes.append(divisionNames[start...].joined())
            prefixes.append(divisionNames[start])
        }
        prefixes += divisionNames.prefix(1).map { $0.replacingOccurrences(of: "省", with: "") }
        let division = prefixes.filter { name.hasPrefix($0) }.max { $0.count < $1.count } ?? ""
        if division.isEmpty {
            problems.append(
                LocalizedText(
                    zh: "名称应以登记机关所在行政区划名称开头（如\(divisionNames.suffix(2).joined())）",
                    en: "the name must start with the division's name (e.g. \(divisionNames.suffix(2).joined()))"))
        }
        var rest = String(name.dropFirst(division.count))
        let forms = (rules.forms[type.rawValue] ?? []).sorted { $0.count > $1.count }
        let form = forms.first { rest.hasSuffix($0) } ?? ""
        if form.isEmpty {
            problems.append(
                LocalizedText(
                    zh: "组织形式与企业类型“\(type.name.zh)”不符（应以\(forms.joined(separator: "、"))结尾）",
                    en:
                        "the organisational form does not fit a \(type.name.en) (it must end with \(forms.joined(separator: ", ")))"
                ))
        }
        rest = String(rest.dropLast(form.count))
        // Brackets belong to organisational forms (合伙企业（有限合伙）): around or inside a trade
        // name they would make 青禾 and （青禾） two names (STANDARDS.md §10: no symbols).
        if !form.isEmpty, rest.contains(where: { $0 == "（" || $0 == "）" }),
            EnterpriseNameText.bracketProblem(name) == nil
        {
            problems.append(
                LocalizedText(
                    zh: "字号和行业表述中不得使用括号：括号只用于组织形式（如“合伙企业（有限合伙）”）",
                    en:
                        "brackets may not stand in the trade name or the industry: they belong to organisational forms such as 合伙企业（有限合伙）"
                ))
        }
        // The longest term that ends the rest and leaves a trade name before it (the first listed
        // of equally long ones), found without sorting the list each time.
        let restLength = rest.count
        let industry =
            rules.industries.lazy.filter { rest.hasSuffix($0) }.map { ($0, $0.count) }.filter { $0.1 < restLength }
            .max { $0.1 < $1.1 }?.0 ?? ""
        if industry.isEmpty && !form.isEmpty {
            warnings.append(
                LocalizedText(zh: "未识别行业表述，请核对名称中的行业用语", en: "no known industry term found; check the industry wording")
            )
        }
        let tradeName = String(rest.dropLast(industry.count))
        // A trade name of emoji or letters is refused for its characters above, not its length.
        let readable = tradeName.unicodeScalars.allSatisfy(EnterpriseNameText.isChineseCharacter)
        if tradeName.count < 2 && !form.isEmpty && readable {
            problems.append(LocalizedText(zh: "字号应不少于两个字", en: "the trade name needs at least two characters"))
        }
        for word in rules.words where name.contains(word.word) {
            let kind =
                word.restricted
                ? LocalizedText(zh: "限制使用", en: "restricted") : LocalizedText(zh: "禁止使用", en: "forbidden")
            problems.append(
                LocalizedText(
                    zh: "含有\(kind.zh)的文字“\(word.word)”：\(word.reason.zh)",
                    en: "contains the \(kind.en) word \"\(word.word)\": \(word.reason.en)"))
        }
        self.division = division
        self.tradeName = tradeName
        self.industry = industry
        self.form = form
        self.problems = problems
        self.warnings = warnings
    }

    /// Adds the conflicts with names already registered in the same division: the same trade name
    /// in the same industry is refused; the same trade name in another industry, or a trade name
    /// one character away in the same industry, is a warning.
    /// Trade names and industries are compared on their comparison keys (NFKC, no blanks or
    /// invisible characters), also those of names stored before these rules.
    public mutating func check(against registered: [NameAnalysis]) {
        let tradeName = EnterpriseNameText.comparisonKey(tradeName)
        let industry = EnterpriseNameText.comparisonKey(industry)
        for var other in registered {
            other.tradeName = EnterpriseNameText.comparisonKey(other.tradeName)
            other.industry = EnterpriseNameText.comparisonKey(other.industry)
            if other.tradeName == tradeName && other.industry == industry {
                problems.append(
                    LocalizedText(
                        zh: "与已登记的“\(other.name)”字号、行业相同",
                        en: "same trade name and industry as the registered \"\(other.name)\""))
            } else if other.tradeName == tradeName {
                warnings.append(
                    LocalizedText(
                        zh: "与已登记的“\(other.name)”字号相同", en: "same trade name as the registered \"\(other.name)\""))
            } else if other.industry == industry && Self.oneEditApart(other.tradeName, tradeName) {
                warnings.append(
                    LocalizedText(
                        zh: "与已登记的“\(other.name)”字号相近", en: "trade name close to the registered \"\(other.name)\""))
            }
        }
    }

    /// Whether two strings differ by exactly one substitution, insertion or deletion.
    static func oneEditApart(_ a: String, _ b: String) -> Bool {
        let x = Array(a)
        let y = Array(b)
        guard abs(x.count - y.count) <= 1, x != y else { return false }
        var i = 0
        var j = 0
        var edits = 0
        while i < x.count && j < y.count {
            if x[i] == y[j] {
                i += 1
                j += 1
                continue
            }
            edits += 1
            if edits > 1 { return false }
            if x.count > y.count {
                i += 1
            } else if y.count > x.count {
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        return edits + (x.count - i) + (y.count - j) == 1
    }
}

extension NameRules {
    /// How long the name of an enterprise whose registration was revoked stays held
    /// (STANDARDS.md §10: identical to one revoked less than three years ago is refused).
    public static let revokedNameHoldYears = 3

    /// Whether a name released at `releasedAt` (its registration revoked then) is still held on
    /// hall date `date`: until the same date three years on (a 29 February's until 1 March),
    /// counted in Asia/Shanghai dates. A name never released (nil) is held for good.
    public static func isHeld(releasedAt: Date?, on date: CivilDate) -> Bool {
        guard let releasedAt else { return true }
        return date < holdEnds(releasedAt: releasedAt)
    }

    /// The first hall date on which a name released at `releasedAt` is free again.
    public static func holdEnds(releasedAt: Date) -> CivilDate {
        let released = HallTime.localDate(of: releasedAt)
        let year = released.year + revokedNameHoldYears
        return CivilDate(year: year, month: released.month, day: released.day)
            ?? CivilDate(uncheckedYear: year, month: 3, day: 1)
    }
}

extension WorkflowDefinition {
    /// When `events` revoked the registration (the last step into a stage whose outcome is
    /// ``CaseOutcome/revoked``, 撤销): from then its name is released, held for
    /// ``NameRules/revokedNameHoldYears``; nil when they did not.
    public func revocation(in events: [CaseEvent]) -> Date? {
        events.last { $0.kind == .transitioned && $0.toStage.flatMap(stage)?.outcome == .revoked }?.at
    }
}
