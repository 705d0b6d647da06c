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
        masked.lastReason = lastReason.map(CitizenID.maskingNumbers(in:))
        if let special { masked.special?.reason = CitizenID.maskingNumbers(in: special.reason) }
        for index in masked.visits.indices {
            masked.visits[index].note = visits[index].note.map(CitizenID.maskingNumbers(in:))
        }
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
        masked.reason = reason.map(CitizenID.maskingNumbers(in:))
        masked.lateReason = lateReason.map(CitizenID.maskingNumbers(in:))
        if let special { masked.special?.reason = CitizenID.maskingNumbers(in: special.reason) }
        masked.visit?.note = visit?.note.map(CitizenID.maskingNumbers(in:))
        return masked
    }
}

extension Array: IDMaskable where Element: IDMaskable {
    public func maskingIDs() -> [Element] {
        map { $0.maskingIDs() }
    }
}
