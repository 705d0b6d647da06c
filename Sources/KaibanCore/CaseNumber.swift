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

    /// Parses `510811-20261126-0007` (blanks around it ignored): digits only, no sign, and the
    /// sequence as it is written: four digits, more only when needed. Read byte by byte: every
    /// portal request parses one.
    public init?(_ text: String) {
        var text = Substring(text)
        while let first = text.unicodeScalars.first, Self.isBlank(first) { text.unicodeScalars.removeFirst() }
        while let last = text.unicodeScalars.last, Self.isBlank(last) { text.unicodeScalars.removeLast() }
        let bytes = Array(text.utf8)
        // 6 + 1 + 8 + 1 + (4...6)
        guard (20...22).contains(bytes.count), bytes[6] == UInt8(ascii: "-"), bytes[15] == UInt8(ascii: "-") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            return value
        }
        let sequenceDigits = 16..<bytes.count
        guard number(0..<6) != nil, let y = number(7..<11), let m = number(11..<13), let d = number(13..<15),
            let date = CivilDate(year: y, month: m, day: d), let seq = number(sequenceDigits), seq > 0,
            sequenceDigits.count == 4 || bytes[16] != UInt8(ascii: "0")
        else { return nil }
        self.init(division: String(decoding: bytes[0..<6], as: UTF8.self), date: date, sequence: seq)
    }

    /// What `trimmingCharacters(in: .whitespaces)` trims: tab and the space separators (Zs).
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
    }

    public var description: String {
        // Written in place, one allocation: every portal request names its case several times.
        guard (0..<10_000).contains(date.year), (0..<100).contains(date.month), (0..<100).contains(date.day),
            (0..<10_000).contains(sequence)
        else { return spelledOut() }
        let division = division.utf8
        return String(unsafeUninitializedCapacity: division.count + 14) { buffer in
            var index = 0
            for byte in division {
                buffer[index] = byte
                index += 1
            }
            func put(_ value: Int, _ width: Int) {
                var rest = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[index + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                index += width
            }
            func dash() {
                buffer[index] = UInt8(ascii: "-")
                index += 1
            }
            dash()
            put(date.year, 4)
            put(date.month, 2)
            put(date.day, 2)
            dash()
            put(sequence, 4)
            return index
        }
    }

    /// ``description`` for fields out of their usual widths (a sequence past 9999).
    func spelledOut() -> String {
        let fields = [(date.year, 4), (date.month, 2), (date.day, 2), (sequence, 4)]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(22)
        bytes.append(contentsOf: division.utf8)
        bytes.append(UInt8(ascii: "-"))
        for (value, width) in fields.prefix(3) { appendDigits(value, width, &bytes) }
        bytes.append(UInt8(ascii: "-"))
        appendDigits(fields[3].0, fields[3].1, &bytes)
        return String(decoding: bytes, as: UTF8.self)
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

/// The decimal digits of `value` (not negative), padded with zeros to `width`.
func appendDigits(_ value: Int, _ width: Int, _ bytes: inout [UInt8]) {
    guard value >= 0 else {
        bytes.append(contentsOf: padded(value, width).utf8)
        return
    }
    var digits: [UInt8] = []
    var rest = value
    repeat {
        digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
        rest /= 10
    } while rest > 0
    bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - digits.count)))
    bytes.append(contentsOf: digits.reversed())
}
