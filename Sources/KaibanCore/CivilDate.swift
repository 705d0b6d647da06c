import Foundation

/// A calendar date without a time of day, as written on Chinese documents (proleptic Gregorian).
public struct CivilDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard Self.isValid(year: year, month: month, day: day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// For dates valid by construction (computed, or constants); an invalid one is not checked.
    public init(uncheckedYear year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses "yyyy-MM-dd".
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        // Digits only: Int("+1") would read "2026-+1-+1" as 2026-01-01.
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// Whether year-month-day names a real day.
    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1 else { return false }
        return day <= daysIn(year: year, month: month)
    }

    static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// "yyyy-MM-dd".
    public var description: String {
        "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }

    /// "yyyyMMdd", as used in case numbers.
    public var compact: String {
        padded(year, 4) + padded(month, 2) + padded(day, 2)
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    enum CodingKeys: String, CodingKey {
        case year, month, day
    }

    /// JSON is `"2026-11-26"`; the `{year, month, day}` object stored by earlier versions is read too.
    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.singleValueContainer(), let text = try? container.decode(String.self) {
            guard let date = CivilDate(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\"\(text)\" is not a yyyy-MM-dd date")
            }
            self = date
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let year = try container.decode(Int.self, forKey: .year)
        let month = try container.decode(Int.self, forKey: .month)
        let day = try container.decode(Int.self, forKey: .day)
        guard let date = CivilDate(year: year, month: month, day: day) else {
            throw DecodingError.dataCorruptedError(
                forKey: .day, in: container, debugDescription: "\(year)-\(month)-\(day) is not a date")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Conversions between instants and the hall's local time (Asia/Shanghai, UTC+8, no daylight
/// saving). Pure arithmetic: no time-zone database, no clock.
/// `value` in decimal, left-padded with zeros to `width` digits (String(format:) is slow on Linux,
/// and these run for every stored instant and case number).
func padded(_ value: Int, _ width: Int) -> String {
    let digits = String(value.magnitude)
    let sign = value < 0 ? "-" : ""
    return sign + String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// "HH:mm:ss" of a second of the day.
func clockText(_ second: Int) -> String {
    "\(padded(second / 3600, 2)):\(padded((second % 3600) / 60, 2)):\(padded(second % 60, 2))"
}

public enum HallTime {
    /// Asia/Shanghai's offset from UTC in seconds.
    public static let offsetSeconds = 8 * 3600

    /// The local date of `instant` in Asia/Shanghai.
    public static func localDate(of instant: Date) -> CivilDate {
        split(instant, offset: offsetSeconds).date
    }

    /// The date and second of the day of `instant`, `offset` seconds east of UTC.
    static func split(_ instant: Date, offset: Int) -> (date: CivilDate, second: Int) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + offset
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        return (civilDate(fromDaysSinceEpoch: days), seconds - days * 86_400)
    }

    /// "yyyy-MM-dd HH:mm" in Asia/Shanghai.
    public static func localText(of instant: Date) -> String {
        let (date, second) = split(instant, offset: offsetSeconds)
        return "\(date) \(padded(second / 3600, 2)):\(padded((second % 3600) / 60, 2))"
    }

    /// "yyyy-MM-dd HH:mm" in Asia/Shanghai, or "yyyy-MM-dd HH:mm:ss" when the instant is not on
    /// a whole minute: a deadline at 13:42:30 is not shown as 13:42, half a minute early.
    public static func localTextToTheSecond(of instant: Date) -> String {
        let (date, second) = split(instant, offset: offsetSeconds)
        let whole = instant.timeIntervalSince1970.rounded(.down) == instant.timeIntervalSince1970
        return second % 60 == 0 && whole ? localText(of: instant) : "\(date) \(clockText(second))"
    }

    /// Two instants as ``localText(of:)``, or to the second when they would read the same: a
    /// message that compares them never says "10:06 is before 10:06".
    public static func localTexts(of first: Date, _ second: Date) -> (String, String) {
        let texts = (localText(of: first), localText(of: second))
        guard texts.0 == texts.1 else { return texts }
        func withSeconds(_ instant: Date) -> String {
            let (date, seconds) = split(instant, offset: offsetSeconds)
            return "\(date) \(clockText(seconds))"
        }
        return (withSeconds(first), withSeconds(second))
    }

    /// The instant of local `date` at `hour:minute` in Asia/Shanghai.
    public static func instant(_ date: CivilDate, hour: Int, minute: Int, second: Int = 0) -> Date {
        let days = daysSinceEpoch(date)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// Days from 1970-01-01 (Howard Hinnant's algorithm).
    public static func daysSinceEpoch(_ date: CivilDate) -> Int {
        let y = date.month <= 2 ? date.year - 1 : date.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (date.month + 9) % 12
        let doy = (153 * mp + 2) / 5 + date.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    public static func civilDate(fromDaysSinceEpoch days: Int) -> CivilDate {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return CivilDate(uncheckedYear: y, month: m, day: d)
    }

    /// "yyyy-MM-ddTHH:mm:ss+08:00": ISO 8601 in hall time with its offset, as JSON shows instants.
    public static func isoText(of instant: Date) -> String {
        let (date, second) = split(instant, offset: offsetSeconds)
        return "\(date)T\(clockText(second))+08:00"
    }

    /// `instant` as HTTP writes dates (RFC 9110 §5.6.7, IMF-fixdate): "Mon, 30 Nov 2026 01:40:05 GMT".
    public static func httpDate(of instant: Date) -> String {
        let (date, second) = split(instant, offset: 0)
        let days = daysSinceEpoch(date)
        // 1970-01-01 was a Thursday.
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][date.month - 1]
        return "\(weekday), \(padded(date.day, 2)) \(month) \(padded(date.year, 4)) \(clockText(second)) GMT"
    }

    /// "yyyy-MM-ddTHH:mm:ssZ" in UTC, as instants are stored (fractions of a second are dropped).
    public static func utcText(of instant: Date) -> String {
        let (date, second) = split(instant, offset: 0)
        return "\(date)T\(clockText(second))Z"
    }

    /// Parses an ISO 8601 instant: "2026-11-26T09:05", "2026-11-26 09:05:30", with an optional
    /// "Z" or "+08:00"-style offset. Without an offset the time is Asia/Shanghai local time. Spaces
    /// around it (a tab, a no-break or an ideographic space from an input method) are trimmed; an
    /// invisible character pasted with it (a zero-width space, a byte-order mark) makes it no
    /// instant, as it does in the other fields a clerk types.
    public static func parse(_ text: String) -> Date? {
        var s = Substring(
            text.trimming(where: {
                $0 == "\t" || ($0.value != 0x200B && $0.properties.generalCategory == .spaceSeparator)
            }))
        guard s.count >= 16 else { return nil }
        guard let date = CivilDate(String(s.prefix(10))) else { return nil }
        s = s.dropFirst(10)
        guard let sep = s.first, sep == "T" || sep == " " else { return nil }
        s = s.dropFirst()
        var offset = offsetSeconds
        if s.hasSuffix("Z") {
            offset = 0
            s = s.dropLast()
        } else if s.count >= 6, let signIndex = s.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zone = s[signIndex...]
            let sign = zone.first == "-" ? -1 : 1
            let digits = zone.dropFirst().replacingOccurrences(of: ":", with: "")
            guard digits.count == 4, let hh = Int(digits.prefix(2)), let mm = Int(digits.suffix(2)),
                hh <= 14, mm < 60
            else { return nil }
            offset = sign * (hh * 3600 + mm * 60)
            s = s[..<signIndex]
        }
        let clock = s.split(separator: ":")
        guard clock.count == 2 || clock.count == 3,
            clock.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(clock[0]), let minute = Int(clock[1])
        else { return nil }
        let second = clock.count == 3 ? Int(clock[2]) ?? 99 : 0
        guard hour < 24, minute < 60, second < 60 else { return nil }
        let days = daysSinceEpoch(date)
        let total = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: TimeInterval(total))
    }
}

extension CivilDate {
    /// Why `text` is not a month the hall's working calendar covers: not `yyyy-MM`, or a year
    /// outside 2000–2060 (``WorkingCalendar/firstYear`` to ``WorkingCalendar/lastYear``); nil for
    /// one it covers. Every month a clerk or a supervisor names (`stats month`, the dashboard, the
    /// calendar) is checked by it, so each says the same.
    public static func monthProblem(_ text: String) -> LocalizedText? {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || (48...57).contains($0.element) }),
            let year = Int(text.prefix(4)), let month = Int(text.suffix(2)), (1...12).contains(month)
        else {
            return LocalizedText(
                zh: "“\(text)”不是 yyyy-MM 格式的月份（如 2026-11）", en: "\"\(text)\" is not a yyyy-MM month (e.g. 2026-11)")
        }
        return outsideCalendar(year, LocalizedText(zh: "月份“\(text)”", en: "the month \"\(text)\""))
    }

    /// What is wrong with `text` as a `yyyy` year of the working calendar, or nil.
    public static func yearProblem(_ text: String) -> LocalizedText? {
        guard text.utf8.count == 4, text.utf8.allSatisfy({ (48...57).contains($0) }), let year = Int(text) else {
            return LocalizedText(
                zh: "“\(text)”不是有效的年份（四位数字，如2026）", en: "\"\(text)\" is not a year (four digits, e.g. 2026)")
        }
        return outsideCalendar(year, LocalizedText(zh: "年份\(text)", en: "the year \(text)"))
    }

    /// `what` (a month, a year) refused when `year` lies outside the working calendar's years.
    static func outsideCalendar(_ year: Int, _ what: LocalizedText) -> LocalizedText? {
        let years = WorkingCalendar.firstYear...WorkingCalendar.lastYear
        guard !years.contains(year) else { return nil }
        return LocalizedText(
            zh: "\(what.zh)不在工作日历所覆盖的\(years.lowerBound)至\(years.upperBound)年之内",
            en:
                "\(what.en) is outside the years the working calendar covers (\(years.lowerBound) to \(years.upperBound))"
        )
    }

    /// The first and last day of a `yyyy-MM` month (ASCII digits only, no sign), or nil.
    public static func month(_ text: String) -> (first: CivilDate, last: CivilDate)? {
        let bytes = Array(text.utf8)
        guard bytes.count == 7, bytes[4] == UInt8(ascii: "-"),
            bytes.enumerated().allSatisfy({ $0.offset == 4 || (48...57).contains($0.element) })
        else { return nil }
        guard let year = Int(text.prefix(4)), let month = Int(text.suffix(2)),
            let first = CivilDate(year: year, month: month, day: 1),
            let next = month == 12
                ? CivilDate(year: year + 1, month: 1, day: 1) : CivilDate(year: year, month: month + 1, day: 1)
        else { return nil }
        return (first, HallTime.civilDate(fromDaysSinceEpoch: HallTime.daysSinceEpoch(next) - 1))
    }
}
