import Foundation

/// How a case is found by the people and codes in it (`kaiban find`): the keys an application
/// files the case under, and the same normalisation for what a clerk types. Names match exactly
/// or by prefix (Chinese names are short); ID numbers, phone numbers and credit codes exactly.
public enum CaseLookup {
    /// What a key is.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A person's or the enterprise's name (legal representative, investors, contact, the
        /// proposed name and its trade name).
        case name
        /// A citizen ID number (legal representative, natural-person investors).
        case idNumber = "id-number"
        /// The contact's phone number.
        case phone
        /// A unified social credit code: the one issued with the licence, or an organisation
        /// investor's.
        case creditCode = "credit-code"
    }

    /// One key a case is filed under, and the field of the application it comes from
    /// (`legalRepresentative.idNumber`, `investors[2].name`, `creditCode`).
    public struct Entry: Sendable, Hashable, Codable {
        public var kind: Kind
        public var key: String
        public var field: String

        public init(kind: Kind, key: String, field: String) {
            self.kind = kind
            self.key = key
            self.field = field
        }
    }

    /// A name's key: surrounding spaces dropped, Latin letters in lower case.
    public static func nameKey(_ text: String) -> String {
        // Read as names are read (NFKC): a Kangxi radical or a full-width letter is the
        // character it stands for, typed either way.
        PersonName.canonical(text.precomposedStringWithCompatibilityMapping).lowercased()
    }

    /// An ID number's or a credit code's key, read as `check id` and `check uscc` read them:
    /// surrounding spaces dropped, letters (the final X) in either case.
    public static func codeKey(_ text: String) -> String {
        // Spaces and dashes inside too (91510811 MA…, 110105-19491231-002X): no code holds any.
        // Only in a text with digits: a name of 18 letters stays a name.
        guard text.unicodeScalars.contains(where: { ("0"..."9").contains($0) }) else {
            return text.trimmingSpaces().uppercased()
        }
        return String(text.unicodeScalars.filter { !CharacterSet.whitespaces.contains($0) && !dashes.contains($0) })
            .uppercased()
    }

    /// A phone number's key: spaces, dashes, brackets and dots ignored.
    public static func phoneKey(_ text: String) -> String {
        let key = String(
            text.unicodeScalars.filter {
                !CharacterSet.whitespaces.contains($0) && !dashes.contains($0) && !phoneMarks.contains($0)
            })
        // China's country code (+86, 0086) is no part of a number as intake keeps it.
        for code in ["+86", "0086"] where key.hasPrefix(code) && key.count > code.count + 6 {
            return String(key.dropFirst(code.count))
        }
        return key
    }

    static let dashes = CharacterSet(charactersIn: "-\u{2010}\u{2011}\u{2012}\u{2013}\u{2014}\u{FF0D}")
    /// What a phone number is written with besides its digits: (+86)138.9000.1234.
    static let phoneMarks = CharacterSet(charactersIn: "().")

    /// The key of `text` as a `kind`.
    public static func key(_ text: String, as kind: Kind) -> String {
        switch kind {
        case .name: nameKey(text)
        case .idNumber, .creditCode: codeKey(text)
        case .phone: phoneKey(text)
        }
    }

    /// Every key a case is filed under: its names, ID numbers, phone and codes. `tradeName` is the
    /// proposed name's trade name (字号) as intake found it; `creditCode` the code issued with the
    /// licence.
    public static func entries(of application: CaseApplication, tradeName: String?, creditCode: String?) -> [Entry] {
        var entries: [Entry] = [
            Entry(kind: .name, key: nameKey(application.proposedName), field: "proposedName"),
            Entry(kind: .name, key: nameKey(application.legalRepresentative.name), field: "legalRepresentative.name"),
            Entry(
                kind: .idNumber, key: codeKey(application.legalRepresentative.idNumber),
                field: "legalRepresentative.idNumber"),
        ]
        if let tradeName {
            entries.append(Entry(kind: .name, key: nameKey(tradeName), field: "tradeName"))
        }
        for (index, investor) in application.investors.enumerated() {
            let field = "investors[\(index + 1)]"
            entries.append(Entry(kind: .name, key: nameKey(investor.name), field: field + ".name"))
            entries.append(
                Entry(
                    kind: investor.kind == .person ? .idNumber : .creditCode, key: codeKey(investor.idNumber),
                    field: field + ".idNumber"))
        }
        entries.append(Entry(kind: .name, key: nameKey(application.contact.name), field: "contact.name"))
        entries.append(Entry(kind: .phone, key: phoneKey(application.contact.phone), field: "contact.phone"))
        if let creditCode {
            entries.append(Entry(kind: .creditCode, key: codeKey(creditCode), field: "creditCode"))
        }
        return entries.filter { !$0.key.isEmpty }
    }

    /// What a clerk's query most likely is when they do not say: 18 letters and digits an ID
    /// number or a credit code (both are looked up), digits (with spaces or dashes) a phone
    /// number, anything else a name.
    public static func likelyKinds(of query: String) -> [Kind] {
        let code = codeKey(query)
        if code.count == 18, code.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) }) {
            return [.idNumber, .creditCode]
        }
        let phone = phoneKey(query)
        let digits = phone.hasPrefix("+") ? phone.dropFirst() : phone[...]
        if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) { return [.phone] }
        return [.name]
    }

    /// What is wrong with `query` as a `kind`, or nil. ID numbers and credit codes have 18
    /// characters (matched exactly); a phone number is digits.
    public static func problem(_ query: String, as kind: Kind) -> LocalizedText? {
        let key = key(query, as: kind)
        guard !key.isEmpty else { return LocalizedText(zh: "查询内容为空", en: "the query is empty") }
        switch kind {
        case .name:
            return FreeText.problem(key, limit: FreeText.addressLimit)
        case .idNumber, .creditCode:
            guard key.count == 18,
                key.unicodeScalars.allSatisfy({ $0.isASCII && CharacterSet.alphanumerics.contains($0) })
            else {
                return kind == .idNumber
                    ? LocalizedText(
                        zh: "身份证号码应为18位数字或字母X，按完整号码查找",
                        en: "an ID number has 18 digits (or a final X) and is matched whole")
                    : LocalizedText(
                        zh: "统一社会信用代码应为18位字母或数字，按完整代码查找",
                        en: "a credit code has 18 letters or digits and is matched whole")
            }
            return nil
        case .phone:
            let digits = key.hasPrefix("+") ? key.dropFirst() : key[...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return LocalizedText(
                    zh: "电话号码只能含数字（空格和“-”不计）", en: "a phone number is digits (spaces and dashes ignored)")
            }
            return nil
        }
    }
}
