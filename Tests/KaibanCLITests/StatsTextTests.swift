import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanCLI

/// The text of `kaiban stats`: the figures as reported upward, estimates said as such.
@Suite struct StatsTextTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")

    /// A case taken in on 2026-12-31 and completed on 2027-01-04, when 2027's holiday notice is not
    /// loaded: its time to completion is an estimate, and the month's text says so (the JSON did,
    /// the text had not).
    @Test func theTextSaysWhenTimesToCompletionAreProvisional() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(16, 0, day: 61))
        let number = try await desk.intake(
            Fixtures.application(tasks: []), documents: .all, as: window, at: Fixtures.at(16, 0, day: 61)
        ).case.number
        for (step, actor, minute) in [
            ("accept", window, 10), ("review", reviewer, 20), ("approve", reviewer, 30), ("issue-licence", window, 45),
        ] {
            _ = try await desk.playing(Fixtures.at(9, minute, day: 65)).step(
                number, step, as: actor, at: Fixtures.at(9, minute, day: 65))
        }
        let definition = try await desk.latestDefinition()
        let january = try await desk.playing(Fixtures.at(12, 0, day: 65)).hallFigures(
            from: CivilDate(uncheckedYear: 2027, month: 1, day: 1),
            to: CivilDate(uncheckedYear: 2027, month: 1, day: 31))
        #expect(january.time?.provisional == true && january.total.completed == 1)
        let zh = CasePresenter(definition: definition, language: .zh).figures(january)
        #expect(zh.contains("以上用时为暂估"), "\(zh)")
        let en = CasePresenter(definition: definition, language: .en).figures(january)
        #expect(en.contains("the times are provisional"), "\(en)")
        // November's times rest on known days only: no such note.
        let november = try await desk.playing(Fixtures.at(12, 0, day: 65)).hallFigures(
            from: CivilDate(uncheckedYear: 2026, month: 11, day: 1),
            to: CivilDate(uncheckedYear: 2026, month: 11, day: 30))
        #expect(!CasePresenter(definition: definition, language: .zh).figures(november).contains("暂估"))
    }
}
