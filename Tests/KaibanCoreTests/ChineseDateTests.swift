import Foundation
import KaibanCore
import Testing

/// Dates as Chinese official documents write them (notices): the year digit by digit with 〇,
/// months and days as numbers in words.
@Suite struct ChineseDateTests {
    @Test(arguments: [
        (2026, 11, 26, "二〇二六年十一月二十六日"),
        (2000, 1, 1, "二〇〇〇年一月一日"),
        (2010, 10, 10, "二〇一〇年十月十日"),
        (2019, 5, 19, "二〇一九年五月十九日"),
        (2026, 2, 20, "二〇二六年二月二十日"),
        (2024, 2, 29, "二〇二四年二月二十九日"),
        (2026, 3, 30, "二〇二六年三月三十日"),
        (2026, 12, 31, "二〇二六年十二月三十一日"),
        (2031, 7, 11, "二〇三一年七月十一日"),
        (1998, 9, 9, "一九九八年九月九日"),
    ])
    func writesTheDateInWords(year: Int, month: Int, day: Int, text: String) throws {
        let date = try #require(CivilDate(year: year, month: month, day: day))
        #expect(date.chineseText == text)
    }

    @Test func everyDayOfAMonthHasItsWord() throws {
        let days = (1...31).map { CivilDate(uncheckedYear: 2026, month: 1, day: $0).chineseText.dropFirst(7) }
        #expect(
            days.prefix(12).map(String.init) == [
                "一日", "二日", "三日", "四日", "五日", "六日", "七日", "八日", "九日", "十日", "十一日", "十二日",
            ])
        #expect(days[19] == "二十日" && days[20] == "二十一日" && days[29] == "三十日" && days[30] == "三十一日")
        // Never a digit, never 一十 or 零.
        #expect(days.allSatisfy { !$0.contains(where: \.isASCII) && !$0.hasPrefix("一十") && !$0.contains("零") })
    }

    @Test func anInstantIsDatedInHallTime() {
        // 2026-11-25T16:30Z is 00:30 on the 26th in Asia/Shanghai.
        let instant = Date(timeIntervalSince1970: 1_795_622_400 + 30 * 60)
        #expect(HallTime.chineseDate(of: instant) == "二〇二六年十一月二十六日")
        #expect(HallTime.chineseDateTime(of: instant) == "二〇二六年十一月二十六日0时30分")
        #expect(HallTime.chineseDateTime(of: instant.addingTimeInterval(14 * 3600 + 5 * 60)) == "二〇二六年十一月二十六日14时35分")
    }

    @Test func anInstantIsDatedAsHTTPWritesDates() {
        // RFC 9110's own example, and instants against Foundation's formatter in UTC.
        #expect(HallTime.httpDate(of: Date(timeIntervalSince1970: 784_111_777)) == "Sun, 06 Nov 1994 08:49:37 GMT")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        for seconds in stride(from: -86_400 * 400, to: 86_400 * 365 * 60, by: 86_400 * 37 + 3_601) {
            let instant = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(HallTime.httpDate(of: instant) == formatter.string(from: instant), "\(seconds)")
        }
    }

    @Test func aDeadlineOffTheMinuteIsWrittenToTheSecond() throws {
        let whole = try #require(HallTime.parse("2026-12-07T13:42"))
        #expect(HallTime.localTextToTheSecond(of: whole) == "2026-12-07 13:42")
        #expect(HallTime.localTextToTheSecond(of: whole.addingTimeInterval(30)) == "2026-12-07 13:42:30")
        // A fraction of a second past the minute is not the minute either.
        #expect(HallTime.localTextToTheSecond(of: whole.addingTimeInterval(0.25)) == "2026-12-07 13:42:00")
    }
}
