import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

@Suite struct CalendarStoreTests {
    func year2027(newYear: String = "2027-01-01") throws -> HolidayYear {
        HolidayYear(
            year: 2027, notice: "国务院办公厅关于2027年部分节假日安排的通知",
            holidays: [
                .init(
                    name: LocalizedText(zh: "元旦", en: "New Year's Day"), from: try #require(CivilDate(newYear)),
                    to: try #require(CivilDate("2027-01-03")))
            ], makeUpDays: [])
    }

    func store() throws -> CaseStore {
        let store = try Fixtures.store()
        let calendar = try Fixtures.calendar()
        try store.loadHolidayYears(
            calendar.years, source: ReferenceSource(key: "calendar:seed", text: "seed"), reason: "seed",
            at: Fixtures.at(8, 0))
        try store.loadOfficeHours(
            calendar.officeHours, source: ReferenceSource(key: "calendar:hours", text: "hours"), reason: "seed",
            at: Fixtures.at(8, 0))
        return store
    }

    @Test func importingANewYearMakesItsFiguresFinal() throws {
        let store = try store()
        let before = try store.workingCalendar(hall: "510811")
        let newYear = before.elapsed(from: Fixtures.local("2027-01-01 09:00"), to: Fixtures.local("2027-01-01 17:30"))
        // Before the notice, 1 January is off by statute, and the figure provisional.
        #expect(newYear == WorkingTime(seconds: 0, provisional: true))
        let changes = try store.importCalendar(
            [try year2027()], source: "holidays-2027.xml", replace: false, reason: "2027 notice", by: "zhouqiang",
            at: Fixtures.at(10, 0))
        #expect(changes.map(\.change) == ["added"])
        let after = try store.workingCalendar(hall: "510811")
        #expect(
            after.elapsed(from: Fixtures.local("2027-01-01 09:00"), to: Fixtures.local("2027-01-01 17:30"))
                == WorkingTime(seconds: 0, provisional: false))
        #expect(try store.calendarYears().map(\.year) == Array(2020...2027))
    }

    @Test func aConflictingYearNeedsAnExplicitReplacementAndKeepsItsReason() throws {
        let store = try store()
        _ = try store.importCalendar(
            [try year2027()], source: "a.xml", replace: false, reason: "2027 notice", by: "zhouqiang",
            at: Fixtures.at(10, 0))
        let corrected = try year2027(newYear: "2027-01-02")
        #expect(throws: StoreError.calendarYearExists(2027)) {
            try store.importCalendar(
                [corrected], source: "b.xml", replace: false, reason: "typo", by: "zhouqiang", at: Fixtures.at(11, 0))
        }
        let unchanged = try store.importCalendar(
            [try year2027()], source: "a.xml", replace: false, reason: "again", by: "zhouqiang", at: Fixtures.at(11, 0))
        #expect(unchanged.isEmpty)
        let replaced = try store.importCalendar(
            [corrected], source: "b.xml", replace: true, reason: "通知更正：元旦为1月2日至3日", by: "zhouqiang",
            at: Fixtures.at(12, 0))
        #expect(replaced.map(\.change) == ["replaced"])
        let last = try #require(try store.calendarChanges().last)
        #expect(last.subject == "2027")
        #expect(last.reason == "通知更正：元旦为1月2日至3日")
        #expect(last.by == "zhouqiang")
    }

    @Test func theWorklistAndReportReadClockSegmentsFromTheStore() throws {
        let store = try store()
        let opened = try store.intake(
            Fixtures.application(tasks: []), workflowID: "company-formation", hall: "510811", by: "wangfang",
            at: Fixtures.local("2026-11-26 09:00"), clock: try Fixtures.sla())
        for (step, at) in [("accept", "09:10"), ("review", "09:30"), ("approve", "10:00"), ("issue-licence", "10:30")] {
            _ = try store.apply(
                .transition(step, reason: nil), to: opened.number, by: "zhouqiang",
                at: Fixtures.local("2026-11-26 \(at)"), clock: try Fixtures.sla())
        }
        let closed = try store.closedCases(
            from: Fixtures.local("2026-11-26 00:00"), to: Fixtures.local("2026-11-27 00:00"), stages: ["completed"])
        #expect(closed.count == 1)
        // The government minutes stored with the closing step, and the same from the segments.
        #expect(closed.first?.governmentMinutes == 90)
        let byStage = try store.closedCases(
            from: Fixtures.local("2026-11-26 00:00"), to: Fixtures.local("2026-11-27 00:00"), stages: ["completed"],
            groupedBy: .stage)
        let calendar = try store.workingCalendar(hall: "510811")
        let minutes = (byStage.first?.segments ?? []).filter { $0.effect == .running }.reduce(0) {
            $0 + calendar.elapsed(from: $1.start, to: $1.end ?? $1.start).minutes
        }
        #expect(minutes == 90)
        #expect(
            try store.closedCases(
                from: Fixtures.local("2026-11-27 00:00"), to: Fixtures.local("2026-11-28 00:00"), stages: ["completed"]
            ).isEmpty)
    }
}
