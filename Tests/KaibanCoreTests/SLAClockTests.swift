import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

@Suite struct SLAClockTests {
    let clock: SLAClock

    init() throws {
        clock = SLAClock(calendar: try Fixtures.calendar())
    }

    func segment(_ stage: String, _ effect: ClockEffect, _ from: String, _ to: String?, reason: String? = nil)
        -> ClockSegment
    {
        ClockSegment(
            stage: stage, effect: effect, start: Fixtures.local(from), end: to.map(Fixtures.local), reason: reason)
    }

    @Test func correctionPausesTheClockAcrossAWeekendAndAHoliday() {
        let segments = [
            segment("received", .running, "2026-09-30 09:00", "2026-09-30 09:30"),
            segment("correction", .paused, "2026-09-30 09:30", "2026-10-09 10:00", reason: "章程缺少签字页"),
            segment("received", .running, "2026-10-09 10:00", "2026-10-09 11:00"),
        ]
        let figures = clock.measure(
            segments, budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-10-09 11:00"))
        #expect(figures.governmentMinutes == 90)
        // 09-30 09:30-18:00 on summer hours (390) + 10-08 on winter hours (420) + 10-09 09:00-10:00 (60).
        #expect(figures.applicantMinutes == 870)
        #expect(figures.pauses.map(\.reason) == ["章程缺少签字页"])
        #expect(figures.pauses.first?.workingMinutes == 870)
        #expect(figures.remainingMinutes == 102)
        #expect(figures.state == .onTrack)
        #expect(!figures.provisional)
    }

    @Test func anOnlineSubmissionAt23StartsAtTheNextOpening() {
        let segments = [segment("received", .running, "2026-11-25 23:00", nil)]
        let figures = clock.measure(
            segments, budgetMinutes: 192, stageBudgets: ["received": 20], now: Fixtures.local("2026-11-26 09:30"))
        #expect(figures.governmentMinutes == 30)
        #expect(figures.clockStartedAt == Fixtures.local("2026-11-26 09:00"))
        #expect(figures.stageMinutes == 30)
        // 30 of 192 minutes: the case is on track; only its stage (20 minutes) is overrun.
        #expect(figures.state == .onTrack)
        #expect(figures.stageState == .breached)
        #expect(figures.deadline == Fixtures.local("2026-11-26 13:42"))
    }

    @Test func mailInTransitOverAHolidayCountsAsApplicantTime() {
        let segments = [
            segment("in-transit", .paused, "2026-09-29 16:00", "2026-10-08 10:00"),
            segment("received", .running, "2026-10-08 10:00", nil),
        ]
        let figures = clock.measure(
            segments, budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-10-08 11:00"))
        #expect(figures.governmentMinutes == 60)
        #expect(figures.applicantMinutes == 120 + 420 + 60)
        #expect(figures.clockStartedAt == Fixtures.local("2026-10-08 10:00"))
    }

    @Test func statesFollowTheRiskThreshold() {
        #expect(clock.state(143, budget: 192) == .onTrack)
        #expect(clock.state(144, budget: 192) == .atRisk)
        #expect(clock.state(192, budget: 192) == .breached)
        #expect(clock.state(5000, budget: nil) == .onTrack)
        let strict = SLAClock(calendar: clock.calendar, riskThreshold: 0.5)
        #expect(strict.state(96, budget: 192) == .atRisk)
    }

    @Test func aPausedCaseHasNoDeadlineAndAStoppedOneNoStage() {
        let paused = clock.measure(
            [
                segment("received", .running, "2026-11-26 09:00", "2026-11-26 09:10"),
                segment("correction", .paused, "2026-11-26 09:10", nil),
            ],
            budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-11-27 09:00"))
        #expect(!paused.running)
        #expect(paused.deadline == nil)
        #expect(paused.governmentMinutes == 10)
        let closed = clock.measure(
            [segment("received", .running, "2026-11-26 09:00", "2026-11-26 10:00")], budgetMinutes: 192,
            stageBudgets: [:],
            now: Fixtures.local("2026-11-30 09:00"))
        #expect(closed.stage == "")
        #expect(closed.governmentMinutes == 60)
    }

    @Test func segmentsSurviveTheirCompactForm() throws {
        let segments = [
            segment("received", .running, "2026-11-26 09:00", "2026-11-26 09:10"),
            segment("correction", .paused, "2026-11-26 09:10", nil),
        ]
        let decoded = try #require(ClockSegment.decode(ClockSegment.encode(segments)[...]))
        #expect(decoded.map(\.stage) == ["received", "correction"])
        #expect(decoded.map(\.end) == [Fixtures.local("2026-11-26 09:10"), nil])
        #expect(ClockSegment.decode("x,received,1,2") == nil)
        #expect(ClockSegment.decode("r,received,abc,") == nil)
    }

    @Test func theReportGivesNearestRankPercentiles() throws {
        let base = Fixtures.local("2026-11-26 09:00")
        let cases = [10, 20, 30, 40, 200].enumerated().map { index, minutes in
            SLAReport.Input(
                channel: index < 2 ? "online" : "window", type: "llc", clerk: "wangfang",
                segments: [
                    ClockSegment(
                        stage: "review", effect: .running, start: base,
                        end: clock.calendar.adding(minutes: minutes, to: base).instant)
                ])
        }
        let day = try #require(CivilDate("2026-11-26"))
        let report = SLAReport(
            cases: cases, from: day, to: day, grouping: .channel, budgetMinutes: 192, stageBudgets: [:],
            calendar: clock.calendar)
        let total = try #require(report.total)
        #expect((total.count, total.medianMinutes, total.p90Minutes, total.maxMinutes) == (5, 30, 200, 200))
        #expect(total.withinBudgetShare == 0.8)
        #expect(report.groups.map(\.group) == ["online", "window"])
        #expect(report.groups.map(\.maxMinutes) == [20, 200])
    }
}

@Suite struct ScheduleTests {
    let clock: SLAClock

    init() throws {
        clock = SLAClock(calendar: try Fixtures.calendar())
    }

    @Test func aRunningCaseIsDueWhenItsBudgetRunsOutAndABreachedOneWhenItRanOut() {
        let open = [ClockSegment(stage: "received", effect: .running, start: Fixtures.local("2026-11-26 09:00"))]
        let due = clock.schedule(open, budgetMinutes: 192)
        #expect(due.dueAt == Fixtures.local("2026-11-26 13:42"))
        #expect(due.governmentMinutes == 0)
        // Measured long after: breached, and the deadline shown is when the budget ran out, not now.
        let figures = clock.measure(
            open, budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-11-27 10:00"))
        #expect(figures.state == .breached)
        #expect(figures.deadline == Fixtures.local("2026-11-26 13:42"))
        // Ran out in an earlier stretch: due then, whatever the current stretch.
        let earlier = [
            ClockSegment(
                stage: "received", effect: .running, start: Fixtures.local("2026-11-26 09:00"),
                end: Fixtures.local("2026-11-26 15:00")),
            ClockSegment(stage: "accepted", effect: .running, start: Fixtures.local("2026-11-26 15:00")),
        ]
        #expect(clock.schedule(earlier, budgetMinutes: 192).dueAt == Fixtures.local("2026-11-26 13:42"))
        // 09:00-12:00 and 13:30-15:00 on winter hours: 270 minutes.
        #expect(clock.schedule(earlier, budgetMinutes: 192).remainingMinutes == 192 - 270)
    }

    @Test func aPausedCaseHasNoDueInstantAndKeepsWhatIsLeft() {
        let paused = [
            ClockSegment(
                stage: "received", effect: .running, start: Fixtures.local("2026-11-26 09:00"),
                end: Fixtures.local("2026-11-26 09:30")),
            ClockSegment(stage: "correction", effect: .paused, start: Fixtures.local("2026-11-26 09:30")),
        ]
        let schedule = clock.schedule(paused, budgetMinutes: 192)
        #expect(schedule.dueAt == nil)
        #expect(schedule.governmentMinutes == 30)
        #expect(schedule.remainingMinutes == 162)
    }
}
