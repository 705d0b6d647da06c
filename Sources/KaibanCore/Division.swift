import Foundation

/// One name of an administrative division code (GB/T 2260) and when it held. Codes are for life
/// inside identifiers: an abolished code stays known with its end date.
public struct Division: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var validFrom: CivilDate
    /// The first day it no longer held; nil while current.
    public var validTo: CivilDate?
    public var note: String?

    public init(code: String, name: String, validFrom: CivilDate, validTo: CivilDate? = nil, note: String? = nil) {
        self.code = code
        self.name = name
        self.validFrom = validFrom
        self.validTo = validTo
        self.note = note
    }

    public func isValid(on date: CivilDate) -> Bool {
        validFrom <= date && (validTo.map { date < $0 } ?? true)
    }

    /// The province (xx0000) and prefecture (xxxx00) codes above `code`, without `code` itself.
    public static func parents(of code: String) -> [String] {
        guard code.count == 6 else { return [] }
        return [String(code.prefix(2)) + "0000", String(code.prefix(4)) + "00"].filter { $0 != code }
    }
}

/// What is known of a division code on a given day.
public struct DivisionStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// The code holds on that day.
        case current
        /// The code existed but was abolished (or not yet created) on that day.
        case notInForce = "not-in-force"
        /// The code was never listed.
        case unknown
    }

    public var code: String
    public var state: State
    /// The name in force on the day, or the last one known.
    public var name: String?
    /// Province and prefecture names, then the division's own: 四川省 广元市 昭化区.
    public var fullName: String?
    public var history: [Division]

    /// Grouping entries of the standard that are not names of a place (市辖区, 县, …).
    static let placeholderNames: Set<String> = ["市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"]

    /// Works out the status of `code` on `date` from its `history` and its parents' names.
    public init(code: String, on date: CivilDate, history: [Division], parents: [Division]) {
        self.code = code
        self.history = history.sorted { $0.validFrom < $1.validFrom }
        let inForce = history.first { $0.isValid(on: date) }
        state = inForce != nil ? .current : (history.isEmpty ? .unknown : .notInForce)
        name = (inForce ?? self.history.last)?.name
        let parentNames = Division.parents(of: code).compactMap { parent in
            (parents.first { $0.code == parent && $0.isValid(on: date) } ?? parents.last { $0.code == parent })?.name
        }.filter { !Self.placeholderNames.contains($0) }
        fullName = name.map { (parentNames + [$0]).joined(separator: " ") }
    }
}

extension DivisionStatus {
    /// The warning for an identifier (ID number, credit code) whose embedded division is unknown
    /// or no longer in force; the identifier itself stays valid for life (STANDARDS.md §3).
    /// `what` names the division's role, e.g. the ID number's issuing division.
    public func lifelongIdentifierWarning(_ what: LocalizedText) -> LocalizedText? {
        switch state {
        case .current:
            return nil
        case .unknown:
            return LocalizedText(
                zh: "\(what.zh)\(code)不在区划库中，请核对", en: "\(what.en) \(code) is not in the division data; check it")
        case .notInForce:
            return LocalizedText(
                zh: "\(what.zh)\(code)（\(name ?? "")）已撤销或更名；该号码终身有效",
                en: "\(what.en) \(code) (\(name ?? "")) was abolished or renamed; the identifier stays valid for life")
        }
    }

    public static let issuingDivision = LocalizedText(zh: "身份证号码的发证地", en: "the ID number's issuing division")
    public static let registeringDivision = LocalizedText(
        zh: "统一社会信用代码的登记机关区划", en: "the code's registering division")
}
