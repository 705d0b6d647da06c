import Foundation

extension CivilDate {
    /// The date as Chinese official documents write it: the year digit by digit with 〇 for
    /// zero, month and day as numbers in words (十, 十一, 二十, 三十一): 二〇二六年十一月二十六日.
    public var chineseText: String {
        let year = String(padded(year, 4)).map { ChineseNumerals.digit($0.wholeNumberValue ?? 0) }.joined()
        return "\(year)年\(ChineseNumerals.number(month))月\(ChineseNumerals.number(day))日"
    }
}

extension HallTime {
    /// The local date of `instant` as Chinese official documents write it (二〇二六年十一月二十六日).
    public static func chineseDate(of instant: Date) -> String {
        localDate(of: instant).chineseText
    }

    /// The local date and time of `instant` on a notice: 二〇二六年十一月二十六日9时05分.
    public static func chineseDateTime(of instant: Date) -> String {
        let (date, second) = split(instant, offset: offsetSeconds)
        return "\(date.chineseText)\(second / 3600)时\(padded((second % 3600) / 60, 2))分"
    }
}

/// Chinese numerals as dates on documents use them.
enum ChineseNumerals {
    static let digits = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"]

    /// One digit, 0-9, with 〇 for zero (as in years: 二〇二六).
    static func digit(_ value: Int) -> String {
        digits[max(0, min(9, value))]
    }

    /// A number from 1 to 99 in words: 一, 十, 十一, 二十, 二十六, 三十一.
    static func number(_ value: Int) -> String {
        guard (1...99).contains(value) else { return String(value) }
        let tens = value / 10
        let units = value % 10
        let head = tens == 0 ? "" : (tens == 1 ? "" : digits[tens]) + "十"
        return head + (units == 0 ? "" : digits[units])
    }
}
