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

    @Test func aSpecialProcedureIsNeitherTheGovernmentsTimeNorTheApplicants() {
        // Thursday 2026-11-26, winter hours: a correction at the deciding authority 09:30-10:00:30,
        // a hearing 10:30-11:15:45 and again 13:30-13:40 (still open at 13:40).
        let segments = [
            segment("transferred", .running, "2026-11-26 09:00", "2026-11-26 09:30"),
            segment("transferred-correction", .paused, "2026-11-26 09:30", "2026-11-26 10:00:30"),
            segment("transferred", .running, "2026-11-26 10:00:30", "2026-11-26 10:30"),
            segment("transferred-special", .paused, "2026-11-26 10:30", "2026-11-26 11:15:45", reason: "组织听证"),
            segment("transferred", .running, "2026-11-26 11:15:45", "2026-11-26 13:30"),
            segment("transferred-special", .paused, "2026-11-26 13:30", nil),
        ]
        let now = Fixtures.local("2026-11-26 13:40")
        let split = clock.measure(
            segments, budgetMinutes: 192, stageBudgets: [:], specialProcedureStages: ["transferred-special"], now: now)
        #expect(split.applicantMinutes == 30)
        // 45:45 + 10:00, rounded once.
        #expect(split.specialProcedureMinutes == 55)
        #expect(split.governmentMinutes == 103)
        #expect(split.pauses.map(\.stage) == ["transferred-correction", "transferred-special", "transferred-special"])
        #expect(!split.running && split.stage == "transferred-special")
        // A version that does not mark the stage keeps it as the applicant's (the figures before).
        let unsplit = clock.measure(segments, budgetMinutes: 192, stageBudgets: [:], now: now)
        #expect(unsplit.applicantMinutes == 86 && unsplit.specialProcedureMinutes == 0)
        #expect(unsplit.governmentMinutes == split.governmentMinutes)
    }

    /// A case through five stages of 40–35 minutes and some seconds each, on Thursday 2026-11-26
    /// (winter hours 09:00–12:00, 13:30–17:30): 09:00:00 to 13:42:55 is 192 minutes 55 seconds of
    /// working time. Rounding each stage down first had made it 188, at risk, within its 0.4 day.
    var secondsCase: [ClockSegment] {
        [
            segment("received", .running, "2026-11-26 09:00:00", "2026-11-26 09:40:59"),
            segment("accepted", .running, "2026-11-26 09:40:59", "2026-11-26 10:21:58"),
            segment("reviewing", .running, "2026-11-26 10:21:58", "2026-11-26 11:02:57"),
            segment("approved", .running, "2026-11-26 11:02:57", "2026-11-26 11:38:56"),
            segment("licensed", .running, "2026-11-26 11:38:56", "2026-11-26 13:42:55"),
            segment("completed", .stopped, "2026-11-26 13:42:55", nil),
        ]
    }

    @Test func secondsAreAddedAcrossStagesAndRoundedOnce() throws {
        let figures = clock.measure(
            secondsCase, budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-11-26 17:00"))
        #expect(figures.governmentMinutes == 192 && figures.remainingMinutes == 0)
        #expect(figures.state == .breached)
        // Each stage is its own seconds rounded down once: 40:59, 40:59, 40:59, 35:59, 33:59.
        #expect(
            figures.minutesByStage == ["received": 40, "accepted": 40, "reviewing": 40, "approved": 35, "licensed": 33])
        #expect(clock.schedule(secondsCase, budgetMinutes: 192).governmentMinutes == 192)
        // The same over the report: 192 minutes, not within the 0.4 day (the budget was reached).
        var builder = SLAReport.Builder(grouping: .stage, calendar: clock.calendar)
        let budgets = SLAReport.Budgets(whole: 192, stages: [:])
        builder.add(group: "", clockSegments: ClockSegment.encode(secondsCase), budgets: budgets)
        let report = builder.report(from: Fixtures.day, to: Fixtures.day, budgetMinutes: 192)
        #expect(report.total?.maxMinutes == 192 && report.total?.withinBudgetShare == 0)
        #expect(report.groups.first { $0.group == "approved" }?.maxMinutes == 35)
        #expect(!SLAClock.isWithin(192, budget: 192) && SLAClock.isWithin(191, budget: 192))
        // Open, in its last stage: the budget runs out at 13:42:00 to the second, and it is at risk
        // (144 minutes) at 11:24:00, not minutes later.
        var open = Array(secondsCase.dropLast())
        open[open.count - 1].end = nil
        #expect(clock.schedule(open, budgetMinutes: 192).dueAt == Fixtures.local("2026-11-26 13:42:00"))
        #expect(clock.instant(reaching: 144, open) == Fixtures.local("2026-11-26 11:24:00"))
        let atDue = clock.measure(
            open, budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-11-26 13:42:00"))
        #expect(atDue.state == .breached && atDue.deadline == Fixtures.local("2026-11-26 13:42:00"))
    }

    @Test func tenCorrectionsOfAMinuteLessASecondAreNotLost() {
        // Ten times: 59 seconds at the desk, then a second waiting on the applicant.
        var segments: [ClockSegment] = []
        var start = Fixtures.local("2026-11-26 09:00:00")
        for _ in 0..<10 {
            segments.append(
                ClockSegment(stage: "received", effect: .running, start: start, end: start.addingTimeInterval(59)))
            segments.append(
                ClockSegment(
                    stage: "correction", effect: .paused, start: start.addingTimeInterval(59),
                    end: start.addingTimeInterval(60)))
            start = start.addingTimeInterval(60)
        }
        let figures = clock.measure(segments, budgetMinutes: 192, stageBudgets: [:], now: start)
        #expect(figures.governmentMinutes == 9 && figures.applicantMinutes == 0)
        #expect(figures.minutesByStage["received"] == 9)
    }

    @Test func theClockStartsAtTheIntakeWhenTheOfficeIsOpenToTheLastSecond() {
        for (taken, started) in [
            ("2026-11-26 11:59:30", "2026-11-26 11:59:30"), ("2026-11-26 12:00:00", "2026-11-26 13:30:00"),
            ("2026-11-26 17:29:59", "2026-11-26 17:29:59"), ("2026-11-26 17:30:00", "2026-11-27 09:00:00"),
            ("2026-09-30 17:59:59", "2026-09-30 17:59:59"), ("2026-11-26 08:59:59", "2026-11-26 09:00:00"),
        ] {
            #expect(clock.clockStart(Fixtures.local(taken)) == Fixtures.local(started), "\(taken)")
        }
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

    /// From a trial of calendars: a case whose whole life fell on a day off (a past day made a
    /// holiday by a correction) showed a clock started the next working day, after it closed.
    @Test func aCaseThatEndedBeforeItsClockCouldStartShowsNoStart() {
        let weekend = [
            segment("received", .running, "2026-11-28 10:00", "2026-11-28 10:30"),
            segment("accepted", .running, "2026-11-28 10:30", "2026-11-28 11:00"),
        ]
        let closed = clock.measure(
            weekend, budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-11-30 10:00"))
        #expect(closed.governmentMinutes == 0 && closed.clockStartedAt == nil)
        // Still open over the weekend, the clock starts on Monday morning as before.
        let open = clock.measure(
            [segment("received", .running, "2026-11-28 10:00", nil)], budgetMinutes: 192, stageBudgets: [:],
            now: Fixtures.local("2026-11-30 10:00"))
        #expect(open.clockStartedAt == Fixtures.local("2026-11-30 09:00"))
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
        // A stretch is named `extended`, closed, not backwards, and comes before the segments.
        #expect(ClockSegment.decode("x,extended,1,2;r,received,1,") != nil)
        #expect(ClockSegment.decode("x,extended,1,;r,received,1,") == nil)
        #expect(ClockSegment.decode("x,extended,5,2") == nil)
        #expect(ClockSegment.decode("r,received,1,;x,extended,1,2") == nil)
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

    // Extended hours (延时服务, issue 11): a case taken in during them counts every minute from its
    // intake to their close; outside them the calendar decides.

    func segment(_ stage: String, _ effect: ClockEffect, _ from: String, _ to: String?) -> ClockSegment {
        ClockSegment(stage: stage, effect: effect, start: Fixtures.local(from), end: to.map(Fixtures.local))
    }

    @Test func aCaseTakenInAtLunchCountsTheExtendedHoursThenTheAfternoon() {
        // Thursday 2026-11-26, winter hours 09:00–12:00 and 13:30–17:30; extended hours 12:00–13:30.
        let extra = [DateInterval(start: Fixtures.local("2026-11-26 12:10"), end: Fixtures.local("2026-11-26 13:30"))]
        let timeline = clock.timeline(extra)
        #expect(
            timeline.elapsed(from: Fixtures.local("2026-11-26 12:10"), to: Fixtures.local("2026-11-26 12:40")).minutes
                == 30)
        // 12:10–13:30 (80) then 13:30–14:00 (30).
        #expect(
            timeline.elapsed(from: Fixtures.local("2026-11-26 12:10"), to: Fixtures.local("2026-11-26 14:00")).minutes
                == 110)
        // Before the intake the lunch break is still no working time, for this case too.
        #expect(
            timeline.elapsed(from: Fixtures.local("2026-11-26 11:50"), to: Fixtures.local("2026-11-26 12:10")).minutes
                == 10)
        // 192 minutes: 80 in the extended hours, 112 from 13:30.
        #expect(
            timeline.adding(minutes: 192, to: Fixtures.local("2026-11-26 12:10")).instant
                == Fixtures.local("2026-11-26 15:22"))
        #expect(
            timeline.adding(minutes: 50, to: Fixtures.local("2026-11-26 12:10")).instant
                == Fixtures.local("2026-11-26 13:00"))
        let segments = [
            segment("received", .running, "2026-11-26 12:10", "2026-11-26 12:40"),
            segment("accepted", .running, "2026-11-26 12:40", nil),
        ]
        let figures = clock.measure(
            segments, extra: extra, budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-11-26 14:00"))
        #expect(figures.governmentMinutes == 110)
        #expect(figures.minutesByStage == ["received": 30, "accepted": 80])
        #expect(figures.clockStartedAt == Fixtures.local("2026-11-26 12:10"))
        #expect(figures.deadline == Fixtures.local("2026-11-26 15:22"))
        #expect(clock.schedule(segments, extra: extra, budgetMinutes: 192).dueAt == Fixtures.local("2026-11-26 15:22"))
        // The same case without the rule: its clock would wait for 13:30.
        let plain = clock.measure(
            segments, budgetMinutes: 192, stageBudgets: [:], now: Fixtures.local("2026-11-26 14:00"))
        #expect(plain.governmentMinutes == 30 && plain.clockStartedAt == Fixtures.local("2026-11-26 13:30"))
    }

    @Test func aCaseTakenInOnASaturdayMorningRunsOnToMonday() {
        // Saturday 2026-11-28, extended hours 09:00–12:00; Monday 11-30 a working day.
        let extra = [DateInterval(start: Fixtures.local("2026-11-28 09:30"), end: Fixtures.local("2026-11-28 12:00"))]
        let timeline = clock.timeline(extra)
        #expect(
            timeline.elapsed(from: Fixtures.local("2026-11-28 09:30"), to: Fixtures.local("2026-11-30 10:00")).minutes
                == 150 + 60)
        #expect(
            timeline.adding(minutes: 192, to: Fixtures.local("2026-11-28 09:30")).instant
                == Fixtures.local("2026-11-30 09:42"))
        // Exactly the extended hours' 150 minutes end at their close, not on Monday.
        #expect(
            timeline.adding(minutes: 150, to: Fixtures.local("2026-11-28 09:30")).instant
                == Fixtures.local("2026-11-28 12:00"))
        // Used up before: inside the stretch.
        #expect(
            timeline.adding(minutes: 1, to: Fixtures.local("2026-11-28 09:30")).instant
                == Fixtures.local("2026-11-28 09:31"))
    }

    @Test func officeTimeInsideAStretchCountsOnceAndNoStretchIsTheCalendar() {
        // A stretch over 11:00–12:30 covers an hour of office time: 90 minutes, not 150.
        let extra = [DateInterval(start: Fixtures.local("2026-11-26 11:00"), end: Fixtures.local("2026-11-26 12:30"))]
        let timeline = clock.timeline(extra)
        #expect(
            timeline.elapsed(from: Fixtures.local("2026-11-26 10:00"), to: Fixtures.local("2026-11-26 14:30")).minutes
                == 60 + 90 + 60)
        #expect(
            timeline.adding(minutes: 120, to: Fixtures.local("2026-11-26 10:00")).instant
                == Fixtures.local("2026-11-26 12:00"))
        // Overlapping stretches are merged.
        let doubled = clock.timeline(
            extra + [DateInterval(start: Fixtures.local("2026-11-26 12:00"), end: Fixtures.local("2026-11-26 12:30"))])
        #expect(doubled.extra.count == 1)
        #expect(
            doubled.elapsed(from: Fixtures.local("2026-11-26 10:00"), to: Fixtures.local("2026-11-26 14:30")).minutes
                == 210)
        let none = clock.timeline([])
        for (from, to) in [("2026-11-26 08:00", "2026-11-30 10:00"), ("2026-09-30 09:30", "2026-10-09 10:00")] {
            #expect(
                none.elapsed(from: Fixtures.local(from), to: Fixtures.local(to))
                    == clock.calendar.elapsed(from: Fixtures.local(from), to: Fixtures.local(to)))
        }
    }

    @Test func theStoredFormKeepsTheStretchesAndOldTextReadsAsBefore() throws {
        let extra = [DateInterval(start: Fixtures.local("2026-11-26 12:10"), end: Fixtures.local("2026-11-26 13:30"))]
        let segments = [segment("received", .running, "2026-11-26 12:10", "2026-11-26 12:40")]
        let text = ClockSegment.encode(segments, extra: extra)
        #expect(text.hasPrefix("x,extended,") && ClockSegment.hasExtra(text))
        let read = try #require(ClockSegment.decodeTimeline(text[...]))
        #expect(
            read.segments
                == segments.map { ClockSegment(stage: $0.stage, effect: $0.effect, start: $0.start, end: $0.end) })
        #expect(read.extra == extra)
        #expect(ClockSegment.decode(text[...])?.count == 1)
        let plain = ClockSegment.encode(segments)
        #expect(!ClockSegment.hasExtra(plain) && ClockSegment.decodeTimeline(plain[...])?.extra == [])
        // The report's fast path measures such a case on its own timeline: 30 minutes, not 0.
        var builder = SLAReport.Builder(grouping: .stage, calendar: clock.calendar)
        builder.add(group: "", clockSegments: text, budgets: SLAReport.Budgets(whole: 192, stages: [:]))
        var without = SLAReport.Builder(grouping: .stage, calendar: clock.calendar)
        without.add(group: "", clockSegments: plain, budgets: SLAReport.Budgets(whole: 192, stages: [:]))
        let report = builder.report(from: Fixtures.day, to: Fixtures.day, budgetMinutes: 192)
        let plainReport = without.report(from: Fixtures.day, to: Fixtures.day, budgetMinutes: 192)
        #expect(report.total?.medianMinutes == 30 && plainReport.total?.medianMinutes == 0)
    }
}
