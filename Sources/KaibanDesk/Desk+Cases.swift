import Foundation
import KaibanCore

/// A step open to a case now: a workflow transition or a start-up task, and who may take it.
public struct NextStep: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case step
        case task
    }

    public var kind: Kind
    public var id: String
    public var name: LocalizedText
    public var roles: [String]
}

/// One case as `show` presents it: the case, its SLA figures as of the instant asked, and what
/// can be done next.
public struct CaseView: Sendable, Equatable, Codable {
    public var `case`: RegistrationCase
    public var sla: SLAFigures
    public var nextSteps: [NextStep]
}

extension Desk {
    /// Takes workflow step `transition` on case `number` (受理, 补正, 审查, 核准, 发照, …). With
    /// `expectedVersion`, refuses as stale if the case moved on since the clerk looked.
    public func step(
        _ number: CaseNumber, _ transition: String, reason: String? = nil, as actor: DeskActor, at instant: Date? = nil,
        expectedVersion: Int? = nil
    ) async throws -> StepOutcome {
        try await perform(.transition(transition, reason: reason), on: number, as: actor, at: instant, expectedVersion)
    }

    /// Marks start-up task `task` of case `number` done; the case completes with the last one.
    public func completeTask(
        _ number: CaseNumber, _ task: String, note: String? = nil, as actor: DeskActor, at instant: Date? = nil
    ) async throws -> StepOutcome {
        try await perform(.completeTask(task, note: note), on: number, as: actor, at: instant, nil)
    }

    /// The applicant withdraws (撤回) from any open stage.
    public func withdraw(_ number: CaseNumber, reason: String, as actor: DeskActor, at instant: Date? = nil)
        async throws -> StepOutcome
    {
        try await perform(.transition("withdraw", reason: reason), on: number, as: actor, at: instant, nil)
    }

    func perform(
        _ command: CaseCommand, on number: CaseNumber, as actor: DeskActor, at instant: Date?, _ expectedVersion: Int?
    ) async throws -> StepOutcome {
        try await run {
            let clerk = try requireClerk(actor)
            try await bringInStep(.workflow)
            return try await store.apply(
                command, to: number, by: clerk, at: try recordingInstant(instant), expectedVersion: expectedVersion,
                clock: try await slaClock())
        }
    }

    /// The case as it stands, its SLA figures as of `instant` (default now) and its next steps.
    public func caseView(_ number: CaseNumber, at instant: Date? = nil) async throws -> CaseView {
        try await run {
            let state = try await store.registrationCase(number)
            let definition = try await definition(state.definition)
            let figures = try await slaClock().measure(state, definition: definition, now: try self.instant(instant))
            return CaseView(case: state, sla: figures, nextSteps: nextSteps(state, definition))
        }
    }

    /// The manual transitions open to the case, then its start-up tasks not yet done.
    func nextSteps(_ state: RegistrationCase, _ definition: WorkflowDefinition) -> [NextStep] {
        guard state.isOpen else { return [] }
        let steps = WorkflowEngine(definition: definition).manualTransitions(from: state.stage).map {
            NextStep(kind: .step, id: $0.id, name: $0.name, roles: $0.roles)
        }
        let tasks = state.pendingTasks.compactMap { id in
            definition.task(id).map { NextStep(kind: .task, id: id, name: $0.name, roles: $0.roles) }
        }
        return steps + tasks
    }

    /// Every event of the case, oldest first.
    public func history(_ number: CaseNumber) async throws -> [CaseEvent] {
        try await run { try await store.history(number) }
    }
}
