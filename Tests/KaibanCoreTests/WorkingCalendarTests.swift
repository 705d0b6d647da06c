import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

@Suite struct WorkingCalendarTests {
    let calendar: WorkingCalendar

    init() throws {
        calendar = try Fixtures.calendar()
    }

    /// From a hostile trial: office hours whose seasons name a month-day no year has (02-30) were
    /// taken; they are refused, saying which.
    @Test func seasonsNamingADayNoYearHasAreRefused() {
        let sessions = [OfficeHours.Session(start: 540, end: 1050)]
        let hours = OfficeHours(
            hall: "510811", name: "昭化区政务服务中心",
            seasons: [
                OfficeHours.Season(
                    name: LocalizedText(zh: "全年", en: "all year"), from: 101, to: 1231, sessions: sessions),
                OfficeHours.Season(name: LocalizedText(zh: "怪", en: "odd"), from: 230, to: 229, sessions: sessions),
                OfficeHours.Season(name: LocalizedText(zh: "无", en: "none"), from: 1301, to: 1302, sessions: sessions),
            ])
        let problems = hours.problems()
        #expect(problems.contains { $0.contains("02-30") } && problems.contains { $0.contains("13-01") }, "\(problems)")
        #expect(!problems.contains { $0.contains("02-29") }, "\(problems)")
        let plain = OfficeHours(
            hall: "510811", name: "昭化区政务服务中心",
            seasons: [
                OfficeHours.Season(
                    name: LocalizedText(zh: "全年", en: "all year"), from: 101, to: 1231, sessions: sessions)
            ])
        #expect(plain.problems().isEmpty)
    }

    func minutes(_ from: String, _ to: String) -> Int {
        calendar.elapsed(from: Fixtures.local(from), to: Fixtures.local(to)).minutes
    }

    func date(_ text: String) throws -> CivilDate {
        try #require(CivilDate(text))
    }

    @Test func springFestival2021() throws {
        #expect(calendar.kind(of: try date("2021-02-07")).isWorking)
        #expect(calendar.kind(of: try date("2021-02-20")).isWorking)
        for day in 11...17 {
            #expect(!calendar.kind(of: try date("2021-02-\(day)")).isWorking, "02-\(day)")
        }
        #expect(minutes("2021-02-07 00:00", "2021-02-08 00:00") == 420)
        #expect(minutes("2021-02-10 17:30", "2021-02-18 09:00") == 0)
        #expect(minutes("2021-02-10 09:00", "2021-02-18 12:00") == 600)
        #expect(minutes("2021-02-20 00:00", "2021-02-22 00:00") == 420)
    }

    @Test func nationalDay2021CrossesFromSummerToWinterHours() {
        // 09-30 is on summer hours (until 18:00); 10-01..07 are off; 10-08 on winter hours.
        #expect(minutes("2021-09-30 17:00", "2021-10-08 09:30") == 90)
        #expect(calendar.kind(of: CivilDate(uncheckedYear: 2021, month: 9, day: 26)).isWorking)
        #expect(calendar.kind(of: CivilDate(uncheckedYear: 2021, month: 10, day: 9)).isWorking)
    }

    @Test func theLunchBreakDoesNotCount() {
        #expect(minutes("2026-11-26 11:30", "2026-11-26 14:00") == 60)
        #expect(minutes("2026-11-26 12:10", "2026-11-26 13:20") == 0)
    }

    @Test func intervalsThatStartAndEndOutsideOfficeHours() {
        #expect(minutes("2026-11-26 07:00", "2026-11-26 20:00") == 420)
        #expect(minutes("2026-11-27 18:00", "2026-11-30 08:00") == 0)
        #expect(minutes("2026-11-27 20:00", "2026-11-30 09:10") == 10)
    }

    @Test func summerAndWinterHoursSwitch() {
        // 04-30 winter (13:30 after lunch); 05-01..05 Labour Day; 05-06 summer (14:00 after lunch).
        #expect(minutes("2026-04-30 13:00", "2026-05-06 15:00") == 480)
        #expect(minutes("2026-09-30 14:00", "2026-10-08 14:00") == 450)
        #expect(minutes("2026-05-06 13:30", "2026-05-06 14:00") == 0)
        #expect(minutes("2026-11-26 13:30", "2026-11-26 14:00") == 30)
    }

    @Test func addingWorkingTime() {
        let start = Fixtures.local("2026-11-26 09:00")
        #expect(calendar.adding(minutes: 192, to: start).instant == Fixtures.local("2026-11-26 13:42"))
        #expect(calendar.adding(minutes: 180, to: start).instant == Fixtures.local("2026-11-26 12:00"))
        #expect(
            calendar.adding(minutes: 1, to: Fixtures.local("2026-11-26 12:00")).instant
                == Fixtures.local("2026-11-26 13:31"))
        #expect(
            calendar.adding(minutes: 30, to: Fixtures.local("2026-11-27 17:20")).instant
                == Fixtures.local("2026-11-30 09:20"))
        let deadline = calendar.adding(workingDays: 5, to: Fixtures.local("2026-09-29 10:00"))
        #expect(deadline.instant == Fixtures.local("2026-10-12 17:30"))
        #expect(!deadline.provisional)
    }

    @Test(arguments: [("0.4d", 192), ("192m", 192), ("3.2h", 192), ("5d", 2400), ("1.5h", 90)])
    func durationsAreWholeWorkingMinutes(text: String, minutes: Int) {
        #expect(WorkingDuration(text) == .minutes(minutes))
    }

    @Test(arguments: ["", "0d", "-1d", "0.001d", "5", "5x", "1.5wd", "abc"])
    func badDurationsAreRefused(text: String) {
        #expect(WorkingDuration(text) == nil)
    }

    @Test func elapsedAndAddingAgree() {
        var instant = Fixtures.local("2026-01-02 10:17")
        for step in [1, 7, 59, 180, 192, 421, 1000, 2400] {
            let later = calendar.adding(minutes: step, to: instant).instant
            #expect(calendar.elapsed(from: instant, to: later).minutes == step, "\(step) from \(instant)")
            instant = later
        }
    }

    @Test func aYearBeyondTheDataIsProvisionalWeekendsOnly() {
        let beyond = calendar.elapsed(from: Fixtures.local("2027-03-01 09:00"), to: Fixtures.local("2027-03-02 09:00"))
        #expect(beyond == WorkingTime(seconds: 420 * 60, provisional: true))
        // No notice loaded for 2027: its figures are provisional.
        #expect(
            calendar.elapsed(from: Fixtures.local("2026-12-31 17:00"), to: Fixtures.local("2027-01-01 10:00"))
                .provisional)
        #expect(
            !calendar.elapsed(from: Fixtures.local("2026-12-30 09:00"), to: Fixtures.local("2026-12-31 10:00"))
                .provisional)
        #expect(calendar.adding(minutes: 480, to: Fixtures.local("2026-12-31 15:00")).provisional)
    }

    @Test func aYearWithoutItsNoticeKeepsTheStatutoryDaysOff() throws {
        func date(_ text: String) throws -> CivilDate { try #require(CivilDate(text)) }
        // 2027: 元旦 Fri 1 Jan; 春节 5–8 Feb (the lunar year begins on the 6th); 清明 5 Apr;
        // 劳动节 1–2 May (a weekend); 端午 9 Jun; 中秋 15 Sep; 国庆节 1–3 Oct.
        for day in [
            "2027-01-01", "2027-02-05", "2027-02-08", "2027-04-05", "2027-06-09", "2027-09-15", "2027-10-01",
        ] {
            guard case .holiday(let name) = calendar.kind(of: try date(day)) else {
                Issue.record("\(day) is \(calendar.kind(of: try date(day)))")
                continue
            }
            #expect(name.zh.contains("法定节假日"), "\(day)")
        }
        #expect(calendar.kind(of: try date("2027-02-09")) == .workday)
        // No bridge or make-up day is guessed: Monday 4 October is a working day.
        #expect(calendar.kind(of: try date("2027-10-04")) == .workday)
        // 2028: the lunar year begins on 26 January (eve the 25th); 清明 4 April.
        #expect(!calendar.kind(of: try date("2028-01-25")).isWorking)
        #expect(!calendar.kind(of: try date("2028-04-04")).isWorking)
        #expect(calendar.kind(of: try date("2028-04-05")).isWorking)
        // A year with its notice is the notice's alone: 2026's 春节 is 15–23 February.
        #expect(!calendar.kind(of: try date("2026-02-23")).isWorking)
        #expect(StatutoryHolidays.days(of: 2026).count == 13 && StatutoryHolidays.days(of: 2024).isEmpty)
        // The table of lunar days is the Chinese calendar's, every year.
        for year in StatutoryHolidays.firstYear...WorkingCalendar.lastYear {
            let computed = [(1, 1), (5, 5), (8, 15)].map { StatutoryHolidays.lunar(year, month: $0.0, day: $0.1) }
            let table = (StatutoryHolidays.lunarDays[year] ?? []).map {
                CivilDate(uncheckedYear: year, month: $0 / 100, day: $0 % 100)
            }
            #expect(computed == table, "\(year)")
        }
        // The figure across 元旦 2027 is a day shorter than weekends only would make it.
        let across = calendar.elapsed(from: Fixtures.local("2026-12-31 17:00"), to: Fixtures.local("2027-01-04 09:30"))
        #expect(across == WorkingTime(seconds: 60 * 60, provisional: true))
    }

    @Test func holidayYearsAreCheckedForConsistency() throws {
        let bad = HolidayYear(
            year: 2027, notice: "test",
            holidays: [
                .init(
                    name: LocalizedText(zh: "元旦", en: "New Year"), from: try date("2027-01-01"),
                    to: try date("2027-01-03"))
            ],
            makeUpDays: [
                .init(date: try date("2027-01-02"), holiday: LocalizedText(zh: "元旦", en: "New Year")),
                .init(date: try date("2027-01-06"), holiday: LocalizedText(zh: "元旦", en: "New Year")),
            ])
        let problems = bad.problems()
        #expect(problems.contains { $0.contains("2027-01-02 is both") })
        #expect(problems.contains { $0.contains("2027-01-06 is not a weekend day") })
        // Every statutory day off the notice leaves out is named (here all but 元旦's).
        let missing = problems.filter { $0.contains("a statutory day off") }
        #expect(missing.count == StatutoryHolidays.days(of: 2027).count - 1, "\(missing)")
        #expect(missing.contains { $0.hasPrefix("2027-02-05 (春节") }, "\(missing)")
        #expect(!missing.contains { $0.hasPrefix("2027-01-01") })
        // The notices shipped keep every statutory day (the rules hold from 2025).
        let shipped = calendar.years.filter { $0.year >= StatutoryHolidays.firstYear }
        #expect(!shipped.isEmpty && shipped.allSatisfy { $0.problems().isEmpty })
    }
}

/// Whether a booking not checked in was a no-show: the hall open at its time by the calendar as
/// it stands, whether or not its slot still starts then.
@Suite struct BookingStandingTests {
    func booking(_ local: String, extended: Bool = false) throws -> Appointment {
        let startsAt = try #require(HallTime.parse(local))
        return Appointment(
            id: 1, date: HallTime.localDate(of: startsAt), time: String(local.suffix(5)), startsAt: startsAt,
            extended: extended, name: "张伟", idNumber: "11010519491231002X", phone: "13800000000",
            enterpriseName: nil, state: .booked, portalID: nil, bookedAt: startsAt.addingTimeInterval(-86_400),
            bookedBy: "wangfang")
    }

    @Test func aBookingIsANoShowOnlyWhenTheHallWasOpenAtItsTime() throws {
        let calendar = try Fixtures.calendar()
        let later = try #require(HallTime.parse("2026-12-01T09:00"))
        // A working day inside the morning session: a no-show, also at a time no slot starts
        // (hours that moved by a quarter of an hour leave the hall open).
        #expect(try booking("2026-11-26T09:00").standing(at: later, calendar: calendar).state == .noShow)
        #expect(try booking("2026-11-26T09:15").standing(at: later, calendar: calendar).state == .noShow)
        // At lunch, on a Saturday: the hall was closed.
        #expect(try booking("2026-11-26T12:30").standing(at: later, calendar: calendar).state == .slotClosed)
        #expect(try booking("2026-11-28T10:00").standing(at: later, calendar: calendar).state == .slotClosed)
        // Extended hours are the supervisor's own opening: a no-show there is one.
        #expect(
            try booking("2026-11-28T10:00", extended: true).standing(at: later, calendar: calendar).state == .noShow)
        // Without a calendar, or before its grace ends, as it was.
        #expect(try booking("2026-11-28T10:00").standing(at: later).state == .noShow)
        let soon = try #require(HallTime.parse("2026-11-26T09:10"))
        #expect(try booking("2026-11-26T09:00").standing(at: soon, calendar: calendar).state == .booked)
        // The figures count alike.
        let rows = try ["2026-11-26T09:15", "2026-11-26T12:30", "2026-11-28T10:00"].map {
            (state: AppointmentState.booked, startsAt: try booking($0).startsAt, extended: false)
        }
        let counted = ChannelActivity.Bookings(rows, at: later, calendar: calendar)
        #expect(counted.noShows == 1 && counted.slotClosed == 2 && counted.booked == 3)
    }
}
