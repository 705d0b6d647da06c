import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

/// Issue 13: the hall's figures (`kaiban stats`), on a hand-made history across National Day 2026
/// (holiday 10-01 to 10-07; summer hours to 09-30, 09:00–12:00 and 14:00–18:00; winter hours from
/// 10-08, 09:00–12:00 and 13:30–17:30).
@Suite struct HallFiguresTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")

    func application(_ tradeName: String, channel: Channel = .window) -> CaseApplication {
        var application = Fixtures.application(channel: channel, tasks: [])
        application.proposedName = "广元市昭化区\(tradeName)农业科技有限公司"
        return application
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports, .appointments, .exchange, .rebuild))
    func aMonthsFiguresFollowTheirDefinitions(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.local("2026-09-30 08:00"), store: store)
        // A: taken in on 09-30 at 17:00, steps until 17:50, licensed after the holiday on 10-08 at
        // 09:30: completed in October.
        let a = try await desk.playing(Fixtures.local("2026-09-30 17:00")).intake(
            application("青禾"), documents: .all, as: window
        ).case.number
        for (step, actor, time) in [
            ("accept", window, "2026-09-30 17:30"), ("review", reviewer, "2026-09-30 17:40"),
            ("approve", reviewer, "2026-09-30 17:50"), ("issue-licence", window, "2026-10-08 09:30"),
        ] {
            _ = try await desk.playing(Fixtures.local(time)).step(a, step, as: actor)
        }
        // B (online): returned for correction, then refused. C (mobile): withdrawn.
        let b = try await desk.playing(Fixtures.local("2026-10-09 09:00")).intake(
            application("青木", channel: .online), documents: .all, as: window
        ).case.number
        _ = try await desk.playing(Fixtures.local("2026-10-09 09:10")).step(
            b, "request-correction", reason: "章程缺少签字页", as: window)
        _ = try await desk.playing(Fixtures.local("2026-10-09 10:00")).step(b, "resubmit", as: window)
        _ = try await desk.playing(Fixtures.local("2026-10-09 10:05")).step(
            b, "refuse", reason: "经营范围不符", as: window)
        let c = try await desk.playing(Fixtures.local("2026-10-09 10:00")).intake(
            application("青松", channel: .mobile), documents: .all, as: window
        ).case.number
        _ = try await desk.playing(Fixtures.local("2026-10-09 10:30")).withdraw(c, reason: "申请人撤回", as: window)

        let later = desk.playing(Fixtures.local("2026-10-31 12:00"))
        let october = try await later.hallFigures(
            from: CivilDate(uncheckedYear: 2026, month: 10, day: 1),
            to: CivilDate(uncheckedYear: 2026, month: 10, day: 31))
        #expect(october.total.received == 2 && october.total.accepted == 0, "\(october.total)")
        #expect(october.total.completed == 1 && october.total.refused == 1 && october.total.withdrawn == 1)
        #expect(october.byChannel.first { $0.group == "window" }?.completed == 1)
        #expect(october.byChannel.first { $0.group == "online" }?.refused == 1)
        #expect(october.byChannel.first { $0.group == "mobile" }?.withdrawn == 1)
        #expect(october.byType.first { $0.group == "llc" }?.received == 2)
        // 09-30 17:00–18:00 (60; the clock ran from intake) + 10-08 09:00–09:30 (30) = 90.
        #expect(october.time?.count == 1 && october.time?.medianMinutes == 90 && october.time?.maxMinutes == 90)
        // Of the two received in October, B was returned for correction: 50%.
        #expect(october.returnedForCorrection == 1 && october.correctionRate == 0.5)
        // No case came from or went to the partner province.
        #expect(october.crossProvince == HallFigures.CrossProvince(inbound: 0, outbound: 0))
        let september = try await later.hallFigures(
            from: CivilDate(uncheckedYear: 2026, month: 9, day: 1),
            to: CivilDate(uncheckedYear: 2026, month: 9, day: 30))
        #expect(september.total.received == 1 && september.total.accepted == 1 && september.total.completed == 0)
        #expect(september.time == nil && september.correctionRate == 0)
        // A rebuild from the history changes none of it.
        _ = try await later.rebuild(as: .clerk("zhouqiang"))
        #expect(try await later.hallFigures(from: october.from, to: october.to) == october)
    }

    @Test func everyReadOfTheFiguresGoesThroughAnIndex() throws {
        let plans = try Fixtures.store().hallFigurePlans()
        #expect(plans.count == 3)
        for plan in plans {
            #expect(
                !plan.contains("SCAN registration_case\n") && !plan.hasSuffix("SCAN registration_case")
                    && !plan.contains("SCAN case_event") && !plan.contains("SCAN case_figure_day"), "\(plan)")
        }
        // The counts received, accepted and closed from the rows of the period's days alone.
        #expect(
            plans[0].contains("SEARCH case_figure_day USING PRIMARY KEY (measure=? AND day>? AND day<?)"),
            "\(plans[0])")
        // The returns for correction from the period's start on, never every return ever made.
        #expect(plans[1].contains("case_event_by_transition (transition=? AND at>?)"), "\(plans[1])")
        // The outbound cross-province cases through the index on direction and opening instant.
        #expect(
            plans[2].contains(
                "COVERING INDEX exchange_case_direction_opened (direction=? AND opened_at>? AND opened_at<?)"),
            "\(plans[2])")
    }
}
