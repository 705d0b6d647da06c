import Foundation

/// A value that can be shown with its citizen ID numbers masked. The rule for what is shown on a
/// screen, in a terminal's scroll-back or a pasted JSON: a citizen ID number keeps its first six
/// characters (the issuing division) and its last four, the birth date and the rest are stars
/// (`510811********0178`). Credit codes are public and stay as they are.
public protocol IDMaskable {
    /// The same value with every citizen ID number masked.
    func maskingIDs() -> Self
}

extension CitizenID {
    /// `number` masked: the first six and last four characters kept, every other one a star;
    /// anything of ten characters or fewer (not an ID number, but maybe part of one) all stars.
    public static func masked(_ number: String) -> String {
        let characters = Array(number)
        guard characters.count > 10 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(6)) + String(repeating: "*", count: characters.count - 10)
            + String(characters.suffix(4))
    }
}

extension CitizenID {
    /// Whether `text` looks like a citizen ID number (14 digits or more, then a digit or X),
    /// valid or not: what is masked wherever a number typed is echoed.
    public static func looksLikeNumber<S: StringProtocol>(_ text: S) -> Bool {
        text.count >= 15 && text.dropLast().allSatisfy { $0.isASCII && $0.isNumber }
            && (text.last.map { $0.isASCII && ($0.isNumber || $0 == "X" || $0 == "x") } ?? false)
    }

    /// `text` with every run of characters that looks like a citizen ID number masked (messages
    /// that echo what was typed). A valid ID number is masked wherever it stands (`ID5108…`, a
    /// file name, a list item). Any other run that looks like one is masked too, unless it is
    /// the whole part of a decimal number (an amount: `4999999999999999.50`), lies in a
    /// hexadecimal token of 32 characters or more (a digest), or is longer than an ID number
    /// typed with a couple of digits too many (over 20).
    public static func maskingNumbers(in text: String) -> String {
        let characters = Array(text)
        var result = ""
        var start = 0
        while start < characters.count {
            guard isRunCharacter(characters[start]) else {
                result.append(characters[start])
                start += 1
                continue
            }
            var end = start
            while end < characters.count && isRunCharacter(characters[end]) { end += 1 }
            let run = String(characters[start..<end])
            // Judged in ASCII; masked as written.
            let judged = String(run.map(ascii))
            result += shouldMask(judged, in: characters, from: start, to: end) ? masked(run) : run
            start = end
        }
        return result
    }

    /// Whether the run `characters[start..<end]` is masked (see ``maskingNumbers(in:)``).
    static func shouldMask(_ run: String, in characters: [Character], from start: Int, to end: Int) -> Bool {
        guard looksLikeNumber(run) else { return false }
        if run.count == 18, (try? CitizenID(run)) != nil { return true }
        guard run.count <= 20 else { return false }
        let after = end < characters.count ? characters[end] : nil
        let afterNext = end + 1 < characters.count ? characters[end + 1] : nil
        if after == ".", afterNext.map(isASCIIDigit) == true { return false }
        // The hexadecimal token around the run.
        var first = start
        while first > 0 && characters[first - 1].isHexDigit && characters[first - 1].isASCII { first -= 1 }
        var last = end
        while last < characters.count && characters[last].isHexDigit && characters[last].isASCII { last += 1 }
        return last - first < 32
    }

    /// A digit, or the check character X, in ASCII or full width (５１０８…Ｘ, as an input
    /// method may type them): what a run that may be an ID number is made of.
    static func isRunCharacter(_ character: Character) -> Bool {
        isASCIIDigit(ascii(character)) || "Xx".contains(ascii(character))
    }

    /// A full-width digit or letter as its ASCII one; any other character as it is.
    static func ascii(_ character: Character) -> Character {
        guard let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
            (0xFF01...0xFF5E).contains(scalar.value), let folded = Unicode.Scalar(scalar.value - 0xFEE0)
        else { return character }
        return Character(folded)
    }

    static func isASCIIDigit(_ character: Character) -> Bool { character.isASCII && character.isNumber }

}

extension Person: IDMaskable {
    public func maskingIDs() -> Person {
        Person(name: name, idNumber: CitizenID.masked(idNumber))
    }
}

extension Investor: IDMaskable {
    /// A natural person's ID number masked; an organisation's credit code as it is.
    public func maskingIDs() -> Investor {
        guard kind == .person else { return self }
        var masked = self
        masked.idNumber = CitizenID.masked(idNumber)
        return masked
    }
}

extension CaseApplication: IDMaskable {
    public func maskingIDs() -> CaseApplication {
        var masked = self
        masked.legalRepresentative = legalRepresentative.maskingIDs()
        masked.investors = investors.map { $0.maskingIDs() }
        masked.agent = agent?.maskingIDs()
        if let special { masked.special?.reason = CitizenID.maskingIDs(inText: special.reason) }
        return masked
    }
}

extension RegistrationCase: IDMaskable {
    /// The people's ID numbers, and any in the clerks' words (a reason, a flag's reason, a
    /// visit's note: 投资人李秀英510811…身份证件已过期), masked.
    public func maskingIDs() -> RegistrationCase {
        var masked = self
        masked.application = application.maskingIDs()
        if let deferral { masked.deferral?.commitment = deferral.commitment.maskingIDs() }
        masked.lastReason = lastReason.map(CitizenID.maskingIDs(inText:))
        if let special { masked.special?.reason = CitizenID.maskingIDs(inText: special.reason) }
        for index in masked.visits.indices {
            masked.visits[index].note = visits[index].note.map(CitizenID.maskingIDs(inText:))
            masked.visits[index].place = CitizenID.maskingIDs(inText: visits[index].place)
        }
        for index in masked.segments.indices {
            masked.segments[index].reason = segments[index].reason.map(CitizenID.maskingIDs(inText:))
        }
        masked.deferral?.extensionReason = deferral?.extensionReason.map(CitizenID.maskingIDs(inText:))
        return masked
    }
}

extension DeferralCommitment: IDMaskable {
    public func maskingIDs() -> DeferralCommitment {
        var masked = self
        masked.signerID = CitizenID.masked(signerID)
        return masked
    }
}

extension CaseEvent: IDMaskable {
    /// The people's ID numbers, and any in the clerks' words, masked.
    public func maskingIDs() -> CaseEvent {
        var masked = self
        masked.application = application?.maskingIDs()
        masked.commitment = commitment?.maskingIDs()
        masked.reason = reason.map(CitizenID.maskingIDs(inText:))
        masked.lateReason = lateReason.map(CitizenID.maskingIDs(inText:))
        if let special { masked.special?.reason = CitizenID.maskingIDs(inText: special.reason) }
        masked.visit?.note = visit?.note.map(CitizenID.maskingIDs(inText:))
        if let visit { masked.visit?.place = CitizenID.maskingIDs(inText: visit.place) }
        return masked
    }
}

extension Array: IDMaskable where Element: IDMaskable {
    public func maskingIDs() -> [Element] {
        map { $0.maskingIDs() }
    }
}

extension CitizenID {
    /// `text` (a clerk's words: a reason, a note, a place) with every citizen ID number in it
    /// masked: a valid 18-character number (checked as ``CitizenID/init(_:)`` checks it), or a
    /// 15-digit legacy one with a real birth date standing alone, also written in full width, in groups split by
    /// single spaces or hyphens (`5108 1119 8503 1201 78`, `110105-19491231-002X`), or run on
    /// into other digits (`510811198503120178138`). Nothing else: a credit code, a tracking
    /// number, a bank account stay as written (``maskingNumbers(in:)`` masks whatever looks like
    /// one, for echoing what was typed).
    public static func maskingIDs(inText text: String) -> String {
        let characters = Array(text)
        var masked = characters
        var index = 0
        while index < characters.count {
            // A run of digits (and X), with single spaces or hyphens between groups.
            guard isASCIIDigit(ascii(characters[index])) else {
                index += 1
                continue
            }
            var positions: [Int] = []
            var cursor = index
            while cursor < characters.count {
                let character = ascii(characters[cursor])
                if isASCIIDigit(character) || character == "X" || character == "x" {
                    positions.append(cursor)
                    cursor += 1
                } else if " -".contains(character) || characters[cursor] == "\u{3000}",
                    cursor + 1 < characters.count, isASCIIDigit(ascii(characters[cursor + 1])),
                    let last = positions.last, last == cursor - 1
                {
                    cursor += 1
                } else {
                    break
                }
            }
            let digits = positions.map { ascii(characters[$0]) }
            var start = 0
            while start < digits.count {
                var length = 0
                for candidate in [18, 15] where start + candidate <= digits.count {
                    let window = String(digits[start..<(start + candidate)])
                    if candidate == 18, (try? CitizenID(window)) != nil {
                        length = 18
                        break
                    }
                    // A legacy number only as a whole run (inside a longer one, 15 digits with a
                    // date-like middle are too common: a credit code's).
                    if candidate == 15, digits.count == 15, isLegacyNumber(window) {
                        length = 15
                        break
                    }
                }
                guard length > 0 else {
                    start += 1
                    continue
                }
                // The division (six) and the last four stay; the rest is stars.
                for offset in 6..<(length - 4) { masked[positions[start + offset]] = "*" }
                start += length
            }
            index = cursor
        }
        return String(masked)
    }

    /// Whether `text` is a 15-digit legacy ID number: digits only, a birth date (YYMMDD, 19YY)
    /// that exists.
    static func isLegacyNumber(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 15, characters.allSatisfy(isASCIIDigit) else { return false }
        func number(_ range: Range<Int>) -> Int { characters[range].reduce(0) { $0 * 10 + ($1.wholeNumberValue ?? 0) } }
        return CivilDate.isValid(year: 1900 + number(6..<8), month: number(8..<10), day: number(10..<12))
    }
}
