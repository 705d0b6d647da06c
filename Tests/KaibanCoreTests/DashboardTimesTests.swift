import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// The dashboard's pictures of completed cases (``DashboardTimes``), case by case.
@Suite struct DashboardTimesTests {
    @Test func barsAreAnEighthOfTheBudgetWideWithTheBudgetOnAnEdge() throws {
        var builder = DashboardTimes.Builder(calendar: try Fixtures.calendar(), budgetMinutes: 192)
        let closed = Fixtures.local("2026-11-26 17:00")
        for minutes in [0, 24, 25, 192, 193, 480, 481, 2_000] {
            builder.add(closedAt: closed, governmentMinutes: minutes, budget: nil, clockSegments: "")
        }
        let times = builder.times()
        func count(_ lower: Int) -> Int? { times.bins.first { $0.lower == lower }?.count }
        // 0 in the first bar (0–23), 24 and 25 in the second; 192 and 193 in the first bar past the
        // budget (a case whose clock reached 192 minutes is breached), 480 on in the open last one.
        #expect(count(0) == 1 && count(24) == 2 && count(168) == 0 && count(192) == 2)
        #expect(count(456) == 0 && count(480) == 3 && times.bins.last?.upper == nil)
        #expect(times.bins.map(\.count).reduce(0, +) == 8)
        // One day, its nearest-rank median and p90, and the share within each case's budget.
        #expect(times.days.count == 1 && times.days[0].medianMinutes == 192 && times.days[0].p90Minutes == 2_000)
        // Within: 0, 24 and 25 (192 reached the budget).
        #expect(times.days[0].withinBudgetShare == 0.375)
    }

    @Test func aSpecialProcedureCountsAsOneOnlyUnderTheVersionThatSaysSo() throws {
        var builder = DashboardTimes.Builder(calendar: try Fixtures.calendar(), budgetMinutes: 192)
        // Two cases with a hearing 10:00–10:40 on Thursday 2026-11-26: one under a version that
        // calls it a special procedure (6), one under one that does not (5).
        let segments = [
            ClockSegment(
                stage: "transferred", effect: .running, start: Fixtures.local("2026-11-26 09:00"),
                end: Fixtures.local("2026-11-26 10:00")),
            ClockSegment(
                stage: "transferred-special", effect: .paused, start: Fixtures.local("2026-11-26 10:00"),
                end: Fixtures.local("2026-11-26 10:40")),
            ClockSegment(stage: "completed", effect: .stopped, start: Fixtures.local("2026-11-26 10:40")),
        ]
        let text = ClockSegment.encode(segments, extra: [])
        let closed = Fixtures.local("2026-11-26 10:40")
        builder.add(
            closedAt: closed, governmentMinutes: nil, budget: 192, clockSegments: text,
            specialProcedureStages: ["transferred-special"])
        builder.add(closedAt: closed, governmentMinutes: nil, budget: 192, clockSegments: text)
        let times = builder.times()
        #expect(times.governmentMinutes == 120 && times.applicantMinutes == 40 && times.specialProcedureMinutes == 40)
        #expect(times.pauses.map(\.stage) == ["transferred-special", "transferred-special"])
        #expect(times.pauses.map(\.specialProcedure) == [false, true] && times.pauses.map(\.minutes) == [40, 40])
    }

    @Test func pausedStretchesAreTheApplicantsTimeByStage() throws {
        let calendar = try Fixtures.calendar()
        var builder = DashboardTimes.Builder(calendar: calendar, budgetMinutes: 192)
        // Thursday 2026-11-26: received 09:00–09:30, correction 09:30–10:30, accepted 10:30–11:00
        // (on the clock 60 minutes), stopped from 11:00. No minutes stored: measured from segments.
        let segments = [
            ClockSegment(
                stage: "received", effect: .running, start: Fixtures.local("2026-11-26 09:00"),
                end: Fixtures.local("2026-11-26 09:30")),
            ClockSegment(
                stage: "correction", effect: .paused, start: Fixtures.local("2026-11-26 09:30"),
                end: Fixtures.local("2026-11-26 10:30")),
            ClockSegment(
                stage: "accepted", effect: .running, start: Fixtures.local("2026-11-26 10:30"),
                end: Fixtures.local("2026-11-26 11:00")),
            ClockSegment(stage: "completed", effect: .stopped, start: Fixtures.local("2026-11-26 11:00")),
        ]
        builder.add(
            closedAt: Fixtures.local("2026-11-26 11:00"), governmentMinutes: nil, budget: 192,
            clockSegments: ClockSegment.encode(segments))
        let times = builder.times()
        #expect(times.governmentMinutes == 60 && times.applicantMinutes == 60)
        #expect(times.pauses.map(\.stage) == ["correction"] && times.pauses.first?.cases == 1)
        #expect(times.days.map(\.group) == ["2026-11-26"])
    }
}
