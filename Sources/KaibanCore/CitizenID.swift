import Foundation

/// A citizen ID number checked against GB 11643-1999: 6-digit division, 8-digit birth date,
/// 3-digit sequence and an ISO 7064 MOD 11-2 check character.
public struct CitizenID: Sendable, Hashable, Codable {
    /// The 18 characters, upper case.
    public let value: String
    /// The division where the number was first issued (may since have been abolished).
    public let divisionCode: String
    /// Birth date as year, month and day.
    public let birthYear: Int
    public let birthMonth: Int
    public let birthDay: Int

    /// Why a number is not a valid citizen ID number.
    public enum Problem: Error, Sendable, Equatable {
        case legacyFifteenDigits
        case wrongLength(Int)
        case invalidCharacter
        case invalidBirthDate
        case wrongCheckCharacter(expected: Character)

        public func message(_ language: Language) -> String {
            switch (self, language) {
            case (.legacyFifteenDigits, .zh): "15位旧身份证号码已停止使用，请提供18位号码"
            case (.legacyFifteenDigits, .en): "15-digit legacy numbers are no longer valid; give the 18-digit number"
            case (.wrongLength(let n), .zh): "应为18位，实际\(n)位"
            case (.wrongLength(let n), .en): "must have 18 characters, has \(n)"
            case (.invalidCharacter, .zh): "前17位须为半角数字，末位为半角数字或X（全角字符不行）"
            case (.invalidCharacter, .en):
                "the first 17 characters must be ASCII digits and the last an ASCII digit or X (no full-width characters)"
            case (.invalidBirthDate, .zh): "出生日期无效"
            case (.invalidBirthDate, .en): "the birth date is not a real date"
            case (.wrongCheckCharacter(let c), .zh): "校验码错误（应为\(c)）"
            case (.wrongCheckCharacter(let c), .en): "wrong check character (expected \(c))"
            }
        }
    }

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters = Array("10X98765432")

    /// The check character for the first 17 digits.
    public static func checkCharacter(for digits: [Int]) -> Character {
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// Validates `text`; lower-case x is accepted as X.
    public init(_ text: String) throws(Problem) {
        let chars = Array(text.trimmingSpaces().uppercased())
        if chars.count == 15 && chars.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw .legacyFifteenDigits
        }
        guard chars.count == 18 else { throw .wrongLength(chars.count) }
        var digits: [Int] = []
        for c in chars.prefix(17) {
            guard c.isASCII, let d = c.wholeNumberValue else { throw .invalidCharacter }
            digits.append(d)
        }
        let last = chars[17]
        guard last == "X" || (last.isASCII && last.isNumber) else { throw .invalidCharacter }
        func number(_ range: Range<Int>) -> Int { digits[range].reduce(0) { $0 * 10 + $1 } }
        let year = number(6..<10)
        let month = number(10..<12)
        let day = number(12..<14)
        guard year >= 1850, CivilDate.isValid(year: year, month: month, day: day) else {
            throw .invalidBirthDate
        }
        let expected = Self.checkCharacter(for: digits)
        guard expected == last else { throw .wrongCheckCharacter(expected: expected) }
        self.value = String(chars)
        self.divisionCode = String(chars[0..<6])
        self.birthYear = year
        self.birthMonth = month
        self.birthDay = day
    }
}

/// What a citizen ID number is on a given day: the one check `check id` and intake both run.
public struct CitizenIDCheck: Sendable, Equatable {
    /// The number, when it is well formed (GB 11643-1999).
    public var id: CitizenID?
    public var birthDate: CivilDate?
    /// The age in whole years on the day of the check.
    public var age: Int?
    /// Why the number cannot identify a living person on the day; empty when it can.
    public var problems: [LocalizedText]

    public var isValid: Bool { problems.isEmpty }
}

extension CitizenID {
    /// The oldest age the desk believes: a birth date further back names no living person (the
    /// oldest person on record lived to 122).
    public static let oldestAge = 120

    /// The earliest birth date believed on `day`: the same day ``oldestAge`` years before (28
    /// February for a 29 February then not a leap day).
    public static func earliestBirth(on day: CivilDate) -> CivilDate {
        CivilDate(year: day.year - oldestAge, month: day.month, day: day.day)
            ?? CivilDate(uncheckedYear: day.year - oldestAge, month: day.month, day: 28)
    }

    /// The birth date written in the number.
    public var birthDate: CivilDate {
        CivilDate(uncheckedYear: birthYear, month: birthMonth, day: birthDay)
    }

    /// The age in whole years on `day` (negative before the birth date).
    public func age(on day: CivilDate) -> Int {
        day.year - birthYear - ((day.month, day.day) < (birthMonth, birthDay) ? 1 : 0)
    }

    /// Checks `number` on `day` (a date in Asia/Shanghai; the core reads no clock): the standard's
    /// rules, then a birth date neither after `day` nor more than ``oldestAge`` years before it.
    public static func check(_ number: String, on day: CivilDate) -> CitizenIDCheck {
        let id: CitizenID
        do throws(Problem) {
            id = try CitizenID(number)
        } catch {
            return CitizenIDCheck(problems: [LocalizedText(zh: error.message(.zh), en: error.message(.en))])
        }
        var result = CitizenIDCheck(id: id, birthDate: id.birthDate, age: id.age(on: day), problems: [])
        if id.birthDate > day {
            result.problems.append(LocalizedText(zh: "出生日期晚于\(day)", en: "the birth date is after \(day)"))
        } else if id.birthDate < earliestBirth(on: day) {
            result.problems.append(
                LocalizedText(
                    // The birth date itself is not repeated: it is the part a masked number hides.
                    zh: "出生日期距\(day)超过\(oldestAge)年，不可信",
                    en: "the birth date is more than \(oldestAge) years before \(day), which is not believable"
                ))
        }
        return result
    }
}
