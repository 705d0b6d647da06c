import Foundation

/// A case number readable at the window and sortable: the hall's division code, the local
/// intake date and a daily sequence, e.g. `510811-20261126-0007`.
public struct CaseNumber: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let division: String
    public let date: CivilDate
    public let sequence: Int

    public init(division: String, date: CivilDate, sequence: Int) {
        self.division = division
        self.date = date
        self.sequence = sequence
    }

    /// Parses `510811-20261126-0007`.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        // Digits only (no sign), and the sequence as it is written: four digits, more only when needed.
        guard parts.count == 3, parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            parts[0].count == 6, parts[1].count == 8, parts[2].count >= 4, parts[2].count <= 6,
            parts[2].count == 4 || parts[2].first != "0",
            let y = Int(parts[1].prefix(4)), let m = Int(parts[1].dropFirst(4).prefix(2)),
            let d = Int(parts[1].suffix(2)), let date = CivilDate(year: y, month: m, day: d),
            let seq = Int(parts[2]), seq > 0
        else { return nil }
        self.init(division: String(parts[0]), date: date, sequence: seq)
    }

    public var description: String {
        "\(division)-\(date.compact)-\(padded(sequence, 4))"
    }

    public static func < (lhs: CaseNumber, rhs: CaseNumber) -> Bool {
        (lhs.date, lhs.division, lhs.sequence) < (rhs.date, rhs.division, rhs.sequence)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = CaseNumber(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "bad case number \(text)"))
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
