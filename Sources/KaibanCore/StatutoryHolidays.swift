import Foundation

/// The statutory days off of the 全国年节及纪念日放假办法 (as revised in 2024, in force from
/// 2025): 元旦 1 January; 春节 the eve and the first three days of the lunar year; 清明 the day
/// of the solar term; 劳动节 1–2 May; 端午 the 5th of the 5th lunar month; 中秋 the 15th of the
/// 8th; 国庆节 1–3 October. They are off whatever the State Council's yearly notice adds (bridges
/// and the make-up working days that pay for them), so a year without its notice counts them
/// rather than weekends only, and its figures stay provisional.
public enum StatutoryHolidays {
    /// The first year the present rules (13 days) hold.
    public static let firstYear = 2025

    /// The statutory days off of `year` (from ``firstYear`` to ``WorkingCalendar/lastYear``;
    /// none for other years), each with its name.
    public static func days(of year: Int) -> [(date: CivilDate, name: LocalizedText)] {
        table[year] ?? []
    }

    /// Every year's days, computed once.
    static let table: [Int: [(date: CivilDate, name: LocalizedText)]] = {
        var table: [Int: [(date: CivilDate, name: LocalizedText)]] = [:]
        for year in firstYear...WorkingCalendar.lastYear { table[year] = compute(year) }
        return table
    }()

    static func name(_ zh: String, _ en: String) -> LocalizedText {
        LocalizedText(zh: zh, en: en)
    }

    /// `name` as a day of a year without its notice is named (`calendar show`).
    public static func withoutNotice(_ name: LocalizedText) -> LocalizedText {
        LocalizedText(zh: "\(name.zh)（法定节假日，暂无放假通知）", en: "\(name.en) (statutory; no notice yet)")
    }

    static func compute(_ year: Int) -> [(date: CivilDate, name: LocalizedText)] {
        var days: [(date: CivilDate, name: LocalizedText)] = []
        func add(_ date: CivilDate?, _ name: LocalizedText, count: Int = 1, from offset: Int = 0) {
            guard let date else { return }
            let first = HallTime.daysSinceEpoch(date) + offset
            for day in first..<(first + count) {
                days.append((HallTime.civilDate(fromDaysSinceEpoch: day), name))
            }
        }
        add(CivilDate(uncheckedYear: year, month: 1, day: 1), name("元旦", "New Year's Day"))
        // 正月初一, 端午, 中秋 from the table (MMDD).
        func lunar(_ index: Int) -> CivilDate? {
            guard let days = lunarDays[year], days.indices.contains(index) else { return nil }
            return CivilDate(uncheckedYear: year, month: days[index] / 100, day: days[index] % 100)
        }
        add(lunar(0), name("春节", "Spring Festival"), count: 4, from: -1)
        add(qingming(year), name("清明节", "Qingming Festival"))
        add(CivilDate(uncheckedYear: year, month: 5, day: 1), name("劳动节", "Labour Day"), count: 2)
        add(lunar(1), name("端午节", "Dragon Boat Festival"))
        add(lunar(2), name("中秋节", "Mid-Autumn Festival"))
        add(CivilDate(uncheckedYear: year, month: 10, day: 1), name("国庆节", "National Day"), count: 3)
        return days
    }

    /// The lunar new year (正月初一), 端午 (五月初五) and 中秋 (八月十五) of each year, as MMDD in
    /// hall time: a table, so that no command pays for the Chinese calendar (about 6 ms a process);
    /// a test checks every entry against Foundation's (``lunar(_:month:day:)``).
    package static let lunarDays: [Int: [Int]] = [
        2025: [0129, 0531, 1006], 2026: [0217, 0619, 0925], 2027: [0206, 0609, 0915],
        2028: [0126, 0528, 1003], 2029: [0213, 0616, 0922], 2030: [0203, 0605, 0912],
        2031: [0123, 0624, 1001], 2032: [0211, 0612, 0919], 2033: [0131, 0601, 0908],
        2034: [0219, 0620, 0927], 2035: [0208, 0610, 0916], 2036: [0128, 0530, 1004],
        2037: [0215, 0618, 0924], 2038: [0204, 0607, 0913], 2039: [0124, 0527, 1002],
        2040: [0212, 0614, 0920], 2041: [0201, 0603, 0910], 2042: [0122, 0622, 0928],
        2043: [0210, 0611, 0917], 2044: [0130, 0531, 1005], 2045: [0217, 0619, 0925],
        2046: [0206, 0608, 0915], 2047: [0126, 0529, 1004], 2048: [0214, 0615, 0922],
        2049: [0202, 0604, 0911], 2050: [0123, 0623, 0930], 2051: [0211, 0613, 0919],
        2052: [0201, 0601, 0907], 2053: [0219, 0620, 0926], 2054: [0208, 0610, 0916],
        2055: [0128, 0530, 1005], 2056: [0215, 0617, 0924], 2057: [0204, 0606, 0913],
        2058: [0124, 0625, 1002], 2059: [0212, 0614, 0921], 2060: [0202, 0603, 0909],
    ]

    /// The Gregorian date of lunar `month`/`day` (not a leap month) of the lunar year whose first
    /// day falls in Gregorian `year`, by Foundation's Chinese calendar in hall time.
    package static func lunar(_ year: Int, month: Int, day: Int) -> CivilDate? {
        guard let zone = TimeZone(identifier: "Asia/Shanghai") else { return nil }
        var chinese = Calendar(identifier: .chinese)
        chinese.timeZone = zone
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = zone
        // Mid-year is always inside the lunar year that began in January or February.
        guard let midYear = gregorian.date(from: DateComponents(year: year, month: 7, day: 1)) else { return nil }
        let lunarYear = chinese.dateComponents([.era, .year], from: midYear)
        var wanted = DateComponents(era: lunarYear.era, year: lunarYear.year, month: month, day: day)
        wanted.isLeapMonth = false
        guard let instant = chinese.date(from: wanted) else { return nil }
        let parts = gregorian.dateComponents([.year, .month, .day], from: instant)
        guard let y = parts.year, let m = parts.month, let d = parts.day else { return nil }
        return CivilDate(uncheckedYear: y, month: m, day: d)
    }

    /// 清明, the solar term of the sun at 15°: 4 or 5 April in this century, by the usual rule
    /// ⌊Y × 0.2422 + 4.81⌋ − ⌊Y / 4⌋ with Y the year's last two digits (2026: the 5th; 2028: the 4th).
    static func qingming(_ year: Int) -> CivilDate? {
        guard (2001...2099).contains(year) else { return nil }
        let y = Double(year % 100)
        let day = Int((y * 0.2422 + 4.81).rounded(.down)) - (year % 100) / 4
        return CivilDate(uncheckedYear: year, month: 4, day: day)
    }
}
