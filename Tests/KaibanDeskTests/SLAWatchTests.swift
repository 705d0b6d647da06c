import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

/// Issue 13 (alerts): `kaiban sla watch`'s crossings, on a hand-made day (Thursday 2026-11-26,
/// winter hours 09:00–12:00 and 13:30–17:30, budget 192 working minutes, at risk from 144).
@Suite struct SLAWatchTests {
    let window = DeskActor.clerk("wangfang")

    func application(_ tradeName: String) -> CaseApplication {
        var application = Fixtures.application(tasks: [])
        application.proposedName = "广元市昭化区\(tradeName)农业科技有限公司"
        return application
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func casesCrossTheirLinesAtTheInstantsWorkedOutByHand(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(8, 0), store: store)
        let early = try await desk.playing(Fixtures.at(9, 0)).intake(
            application("青禾"), documents: .all, as: window
        ).case.number
        let paused = try await desk.playing(Fixtures.at(9, 30)).intake(
            application("青木"), documents: .all, as: window
        ).case.number
        _ = try await desk.playing(Fixtures.at(10, 0)).step(
            paused, "request-correction", reason: "章程缺少签字页", as: window)
        let afternoon = try await desk.playing(Fixtures.at(13, 40)).intake(
            application("青松"), documents: .all, as: window
        ).case.number
        let later = desk.playing(Fixtures.at(17, 30))

        // 09:00 + 144 working minutes = 11:24; + 192 = 12:00 (180) then 13:30 + 12 = 13:42.
        let morning = try await later.slaCrossings(after: Fixtures.at(11, 0), through: Fixtures.at(14, 0))
        #expect(morning.map(\.number) == [early, early])
        #expect(morning.map(\.state) == [.atRisk, .breached])
        #expect(morning.map(\.at) == [Fixtures.at(11, 24), Fixtures.at(13, 42)])
        #expect(morning.map(\.minutes) == [144, 192])
        // 13:40 + 144 = 16:04, + 192 = 16:52; a window's start is not in it, its end is.
        let rest = try await later.slaCrossings(after: Fixtures.at(13, 42), through: Fixtures.at(16, 52))
        #expect(rest.map(\.number) == [afternoon, afternoon])
        #expect(rest.map(\.at) == [Fixtures.at(16, 4), Fixtures.at(16, 52)])
        // The case waiting for its correction (30 minutes used) crosses nothing all day.
        let day = try await later.slaCrossings(after: Fixtures.at(8, 0), through: Fixtures.at(17, 30))
        #expect(day.count == 4 && !day.contains { $0.number == paused })
        #expect(try await later.slaCrossings(after: Fixtures.at(14, 0), through: Fixtures.at(14, 0)).isEmpty)
        // The worklist says why the paused case waits, as `show` does (the stored clock keeps no reasons).
        let waiting = try await later.worklist().first { $0.number == paused }
        #expect(waiting?.sla.pauses.map(\.reason) == ["章程缺少签字页"])
        #expect(try await later.caseView(paused).sla.pauses.map(\.reason) == ["章程缺少签字页"])
    }

    @Test func theCasesDueInAWindowAreReadThroughTheIndexOfOpenRunningCases() throws {
        let plan = try Fixtures.store().runningDuePlan()
        #expect(plan.contains("USING INDEX registration_case_due") && !plan.contains("SCAN"), "\(plan)")
    }
}
