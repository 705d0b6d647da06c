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
}
