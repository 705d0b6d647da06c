import Foundation

/// An exact amount of renminbi, held in fen (分). Never a floating-point number.
public struct Money: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The amount in fen (1 yuan = 100 fen).
    public var fen: Int64

    public init(fen: Int64) {
        self.fen = fen
    }

    /// Parses a yuan amount written as digits with at most two decimals ("500000", "12.5",
    /// "1,000.00", commas only between groups of three). Returns nil for anything else, negative
    /// amounts included.
    public init?(yuan text: String) {
        let trimmed = text.trimmingSpaces()
        // Commas only as thousands separators ("1,000,000.00"), never anywhere ("5,0,0,000").
        let halves = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integral = halves.first ?? ""
        // None in the decimals ("5,000.5,0" is no amount).
        if halves.count == 2 && halves[1].contains(",") { return nil }
        if integral.contains(",") {
            let groups = integral.split(separator: ",", omittingEmptySubsequences: false)
            guard let head = groups.first, (1...3).contains(head.count),
                groups.dropFirst().allSatisfy({ $0.count == 3 })
            else { return nil }
        }
        let cleaned = trimmed.replacingOccurrences(of: ",", with: "")
        let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.count <= 15, fraction.count <= 2,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }),
            fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
            parts.count == 1 || !fraction.isEmpty,
            let yuan = Int64(whole)
        else { return nil }
        let paddedFraction = fraction.padding(toLength: 2, withPad: "0", startingAt: 0)
        guard let cents = Int64(paddedFraction) else { return nil }
        self.fen = yuan * 100 + cents
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.fen < rhs.fen }

    /// The sum of `amounts`, or nil when it does not fit (input, not arithmetic, decides the sizes).
    public static func total(_ amounts: some Sequence<Money>) -> Money? {
        var sum: Int64 = 0
        for amount in amounts {
            let (next, overflow) = sum.addingReportingOverflow(amount.fen)
            if overflow { return nil }
            sum = next
        }
        return Money(fen: sum)
    }

    public static let zero = Money(fen: 0)

    /// The amount in yuan with two decimals, e.g. "500000.00".
    public var yuanText: String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = fen.magnitude
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public var description: String { yuanText }

    enum CodingKeys: String, CodingKey {
        case fen
    }

    /// JSON says its unit: `{"fen": 50000000}`. A bare integer (fen), as stored by earlier
    /// versions, is read too.
    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer(), let fen = try? container.decode(Int64.self) {
            self.fen = fen
            return
        }
        self.fen = try decoder.container(keyedBy: CodingKeys.self).decode(Int64.self, forKey: .fen)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(fen, forKey: .fen)
    }
}
