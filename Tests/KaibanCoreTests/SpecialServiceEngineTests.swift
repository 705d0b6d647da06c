import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// The pure side of special service (特殊办): the engine's decisions and the fold's clock stretches.
@Suite struct SpecialServiceEngineTests {
    let harness: EngineHarness

    init() throws {
        harness = try EngineHarness()
    }

    func opened(_ special: SpecialRequest?) throws -> RegistrationCase {
        var application = Fixtures.application(channel: .special)
        application.special = special
        let event = try harness.engine.open(application: application, by: Fixtures.window, at: Fixtures.at(9, 0))
        return try RegistrationCase.replay([event], number: harness.number, definition: harness.definition)
    }

    @Test func aDoorToDoorCaseTakenInWaitsForItsVisitAndRunsFromIt() throws {
        let state = try opened(SpecialRequest(kind: .doorToDoor, reason: "申请人行动不便"))
        #expect(state.isAwaitingVisit && state.special?.flaggedBy == "wangfang")
        #expect(state.segments.map(\.effect) == [.paused])
        #expect(state.segments.first?.reason == RegistrationCase.awaitingVisitReason)
        let (visited, events) = try harness.step(
            state, .recordVisit(VisitDetails(place: "王家店村", clerks: ["wangfang"])), as: Fixtures.window)
        #expect(events.map(\.kind) == [.visitRecorded] && events[0].role == "window")
        let visitAt = Fixtures.at(9, 5)
        #expect(visited.segments.map(\.effect) == [.paused, .running])
        #expect(visited.segments.map(\.start) == [Fixtures.at(9, 0), visitAt] && visited.segments[0].end == visitAt)
        #expect(!visited.isAwaitingVisit && visited.visits.map(\.startedClock) == [true])
    }

    @Test func anElderlyFlagChangesNoClockAndOnlyASupervisorFlags() throws {
        let state = try opened(SpecialRequest(kind: .elderly, reason: "申请人82岁"))
        #expect(state.segments.map(\.effect) == [.running] && !state.isAwaitingVisit)
        let plain = try opened(nil)
        let byWindow = #expect(throws: WorkflowError.self) {
            try harness.step(plain, .flagSpecial(SpecialRequest(kind: .elderly, reason: "82岁")), as: Fixtures.window)
        }
        #expect(byWindow?.problem.code == "role.required")
        let refusal = #expect(throws: WorkflowError.self) {
            try harness.step(state, .flagSpecial(SpecialRequest(kind: .disabled, reason: "残疾")))
        }
        #expect(refusal?.problem.code == "special.already-flagged" && refusal?.problem.kind == .conflict)
        let noClerk = #expect(throws: WorkflowError.self) {
            try harness.step(state, .recordVisit(VisitDetails(place: "王家店村", clerks: [])), as: Fixtures.window)
        }
        #expect(noClerk?.problem.code == "special.no-clerks")
        let noReason = #expect(throws: WorkflowError.self) { try harness.step(state, .unflagSpecial(reason: " ")) }
        #expect(noReason?.problem.code == "step.reason-required")
    }

    @Test func aHistoryThatVisitsAnUnflaggedCaseDoesNotFold() throws {
        let state = try opened(nil)
        var event = CaseEvent(sequence: 2, at: Fixtures.at(9, 10), kind: .visitRecorded, actor: "wangfang")
        event.visit = VisitDetails(place: "王家店村", clerks: ["wangfang"])
        var copy = state
        #expect(throws: HistoryError.self) { try copy.apply(event, definition: harness.definition) }
    }
}
