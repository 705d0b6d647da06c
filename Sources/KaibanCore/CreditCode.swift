import Foundation

/// The organisation code of GB 11714: eight characters (digits, upper-case letters) and a check
/// character (weights 3,7,9,10,5,8,4,2; C9 = 11 − Σ mod 11; 10 → X, 11 → 0).
public enum OrganizationCode {
    static let weights = [3, 7, 9, 10, 5, 8, 4, 2]

    /// The value of a body character (0-9, A-Z as 10-35), nil for anything else.
    static func value(_ character: Character) -> Int? {
        guard character.isASCII else { return nil }
        if let digit = character.wholeNumberValue { return digit }
        guard character.isUppercase, let ascii = character.asciiValue else { return nil }
        return Int(ascii) - 55
    }

    /// The check character for eight body characters, nil if one is not a digit or capital.
    public static func checkCharacter(for body: some Collection<Character>) -> Character? {
        guard body.count == 8 else { return nil }
        var sum = 0
        for (character, weight) in zip(body, weights) {
            guard let value = value(character) else { return nil }
            sum += value * weight
        }
        switch 11 - sum % 11 {
        case 10: return "X"
        case 11: return "0"
        case let digit: return Character(String(digit))
        }
    }
}

/// A unified social credit code (GB 32100-2015), checked in every part.
public struct CreditCode: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The code's alphabet: digits and capitals without I, O, Z, S, V; values 0-30.
    public static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = (0..<17).map { index in (0..<index).reduce(1) { value, _ in value * 3 % 31 } }

    /// Registration authorities (position 1) and the entity types each registers (position 2).
    public static let authorities: [Character: (name: LocalizedText, types: [Character: LocalizedText])] = [
        "1": (
            LocalizedText(zh: "机构编制", en: "institutional establishment"),
            [
                "1": LocalizedText(zh: "机关", en: "government organ"),
                "2": LocalizedText(zh: "事业单位", en: "public institution"),
                "3": LocalizedText(zh: "中央编办直接管理机构编制的群众团体", en: "mass organisation"),
                "9": LocalizedText(zh: "其他", en: "other"),
            ]
        ),
        "2": (
            LocalizedText(zh: "外交", en: "foreign affairs"),
            ["1": LocalizedText(zh: "外国常驻新闻机构", en: "foreign press office"), "9": LocalizedText(zh: "其他", en: "other")]
        ),
        "3": (
            LocalizedText(zh: "司法行政", en: "justice"),
            [
                "1": LocalizedText(zh: "律师执业机构", en: "law firm"), "2": LocalizedText(zh: "公证处", en: "notary office"),
                "3": LocalizedText(zh: "基层法律服务所", en: "legal service office"),
                "4": LocalizedText(zh: "司法鉴定机构", en: "forensic institution"),
                "5": LocalizedText(zh: "仲裁委员会", en: "arbitration commission"),
                "9": LocalizedText(zh: "其他", en: "other"),
            ]
        ),
        "4": (
            LocalizedText(zh: "文化", en: "culture"),
            [
                "1": LocalizedText(zh: "外国在华文化中心", en: "foreign cultural centre"),
                "9": LocalizedText(zh: "其他", en: "other"),
            ]
        ),
        "5": (
            LocalizedText(zh: "民政", en: "civil affairs"),
            [
                "1": LocalizedText(zh: "社会团体", en: "social organisation"),
                "2": LocalizedText(zh: "民办非企业单位", en: "private non-profit"),
                "3": LocalizedText(zh: "基金会", en: "foundation"), "9": LocalizedText(zh: "其他", en: "other"),
            ]
        ),
        "6": (
            LocalizedText(zh: "旅游", en: "tourism"),
            [
                "1": LocalizedText(zh: "外国旅游部门常驻代表机构", en: "foreign tourism office"),
                "2": LocalizedText(zh: "港澳台地区旅游部门常驻内地（大陆）代表机构", en: "HK/Macao/Taiwan tourism office"),
                "9": LocalizedText(zh: "其他", en: "other"),
            ]
        ),
        "7": (
            LocalizedText(zh: "宗教", en: "religious affairs"),
            [
                "1": LocalizedText(zh: "宗教活动场所", en: "place of worship"),
                "2": LocalizedText(zh: "宗教院校", en: "religious school"), "9": LocalizedText(zh: "其他", en: "other"),
            ]
        ),
        "8": (
            LocalizedText(zh: "工会", en: "trade unions"),
            ["1": LocalizedText(zh: "基层工会", en: "grassroots union"), "9": LocalizedText(zh: "其他", en: "other")]
        ),
        "9": (
            LocalizedText(zh: "工商（市场监管）", en: "market regulation"),
            [
                "1": LocalizedText(zh: "企业", en: "enterprise"),
                "2": LocalizedText(zh: "个体工商户", en: "individual business"),
                "3": LocalizedText(zh: "农民专业合作社", en: "farmers' cooperative"),
            ]
        ),
        "A": (
            LocalizedText(zh: "中央军委改革和编制办公室", en: "Central Military Commission"),
            ["1": LocalizedText(zh: "军队事业单位", en: "military institution"), "9": LocalizedText(zh: "其他", en: "other")]
        ),
        "N": (
            LocalizedText(zh: "农业", en: "agriculture"),
            [
                "1": LocalizedText(zh: "组级集体经济组织", en: "group collective"),
                "2": LocalizedText(zh: "村级集体经济组织", en: "village collective"),
                "3": LocalizedText(zh: "乡镇级集体经济组织", en: "township collective"),
                "9": LocalizedText(zh: "其他", en: "other"),
            ]
        ),
        "Y": (LocalizedText(zh: "其他", en: "other"), ["1": LocalizedText(zh: "其他", en: "other")]),
    ]

    /// Why a text is not a valid code; each names the position (1-based) where it can.
    public enum Problem: Error, Sendable, Equatable {
        case wrongLength(Int)
        case invalidCharacter(position: Int, character: Character)
        case unknownAuthority(Character)
        case unknownType(authority: Character, type: Character)
        case divisionNotDigits
        case wrongOrganizationCheck(expected: Character)
        case wrongCheckCharacter(expected: Character)

        public func message(_ language: Language) -> String {
            let zh = language == .zh
            switch self {
            case .wrongLength(let n): return zh ? "应为18位，实际\(n)位" : "must have 18 characters, has \(n)"
            case .invalidCharacter(let position, let character):
                return zh
                    ? "第\(position)位“\(character)”不是代码字符（数字及除I、O、Z、S、V以外的大写字母）"
                    : "character \(position) \"\(character)\" is not allowed (digits and capitals except I, O, Z, S, V)"
            case .unknownAuthority(let c):
                return zh ? "第1位登记管理部门代码“\(c)”不存在" : "unknown registration authority \"\(c)\" at position 1"
            case .unknownType(let a, let t):
                return zh
                    ? "第2位机构类别“\(t)”不属于登记管理部门“\(a)”"
                    : "entity type \"\(t)\" at position 2 does not exist for authority \"\(a)\""
            case .divisionNotDigits: return zh ? "第3-8位行政区划码应为6位数字" : "positions 3-8 must be a 6-digit division code"
            case .wrongOrganizationCheck(let c):
                return zh
                    ? "第9-17位组织机构代码的校验码错误（第17位应为\(c)）"
                    : "the organisation code's check character is wrong (position 17 should be \(c))"
            case .wrongCheckCharacter(let c):
                return zh ? "第18位校验码错误（应为\(c)）" : "wrong check character at position 18 (expected \(c))"
            }
        }
    }

    /// The 18 characters.
    public let value: String

    public var authority: Character { Array(value)[0] }
    public var entityType: Character { Array(value)[1] }
    public var divisionCode: String { String(Array(value)[2..<8]) }
    public var organizationCode: String { String(Array(value)[8..<17]) }

    /// Validates `text` (surrounding spaces ignored; letters must be capitals).
    public init(_ text: String) throws(Problem) {
        // As a citizen ID number is read: surrounding spaces ignored, letters in either case.
        let characters = Array(text.trimmingCharacters(in: .whitespaces).uppercased())
        guard characters.count == 18 else { throw .wrongLength(characters.count) }
        var values: [Int] = []
        for (index, character) in characters.enumerated() {
            guard let value = Self.alphabet.firstIndex(of: character) else {
                throw .invalidCharacter(position: index + 1, character: character)
            }
            values.append(value)
        }
        guard let authority = Self.authorities[characters[0]] else { throw .unknownAuthority(characters[0]) }
        guard authority.types[characters[1]] != nil else {
            throw .unknownType(authority: characters[0], type: characters[1])
        }
        guard characters[2..<8].allSatisfy({ $0.isNumber }) else { throw .divisionNotDigits }
        guard let organizationCheck = OrganizationCode.checkCharacter(for: characters[8..<16]) else {
            throw .invalidCharacter(position: 9, character: characters[8])
        }
        guard organizationCheck == characters[16] else { throw .wrongOrganizationCheck(expected: organizationCheck) }
        let expected = Self.checkCharacter(for: values.prefix(17))
        guard expected == characters[17] else { throw .wrongCheckCharacter(expected: expected) }
        value = String(characters)
    }

    /// The check character for the first 17 values: (31 − Σ Ci·Wi mod 31) mod 31.
    static func checkCharacter(for values: some Collection<Int>) -> Character {
        let sum = zip(values, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// Builds a code for authority and type, a division, and an eight-character organisation code
    /// body (characters of the code's alphabet); nil if a part is malformed.
    public static func make(authority: Character, type: Character, division: String, organizationBody: String)
        -> CreditCode?
    {
        guard let check = OrganizationCode.checkCharacter(for: Array(organizationBody)) else { return nil }
        let body = Array("\(authority)\(type)\(division)\(organizationBody)\(check)")
        let values = body.compactMap { alphabet.firstIndex(of: $0) }
        guard values.count == 17 else { return nil }
        return try? CreditCode(String(body) + String(checkCharacter(for: values)))
    }

    /// A new code's organisation body for issue number `serial`: "MA" and six characters of the
    /// code's alphabet (31^6 ≈ 887 million codes per division and type), never reused.
    public static func organizationBody(serial: Int) -> String? {
        guard serial >= 0, serial < 887_503_681 else { return nil }
        var rest = serial
        var characters: [Character] = []
        for _ in 0..<6 {
            characters.append(alphabet[rest % 31])
            rest /= 31
        }
        return "MA" + String(characters.reversed())
    }

    public var description: String { value }
}
