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
    /// True when the view is of an earlier instant than the case's last event: the case as it
    /// stood then, rebuilt from its history (nothing can be done then: no next steps).
    public var asOf: Date
    public var reconstructed: Bool
}

extension Desk {
    /// Takes workflow step `transition` on case `number` (受理, 补正, 审查, 核准, 发照, …). With
    /// `expectedVersion`, refuses as stale if the case moved on since the clerk looked.
    public func step(
        _ number: CaseNumber, _ transition: String, reason: String? = nil, as actor: DeskActor, at instant: Date? = nil,
        expectedVersion: Int? = nil, late: LateEntry? = nil
    ) async throws -> StepOutcome {
        var reason = reason
        if transition == Self.correctionTransition {
            reason = try await run { try await correctionNotice(number, reason: reason) }
        }
        return try await perform(
            .transition(transition, reason: reason), on: number, as: actor, at: instant, expectedVersion, late: late)
    }

    /// The step that returns a case for correction (补正).
    static let correctionTransition = "request-correction"

    /// What a request for correction tells the applicant, all at once (一次性告知): the clerk's
    /// reason, then every document of the case's checklist still missing, main ones first.
    func correctionNotice(_ number: CaseNumber, reason: String?) async throws -> String? {
        let given = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let documents = try documents(of: try await store.registrationCase(number)).documents
        // By name; by code when the names would not fit in a reason.
        for byName in [true, false] {
            let parts = (given.isEmpty ? [] : [given]) + Self.missingDocumentsText(documents, byName: byName)
            let notice = parts.joined(separator: "；")
            if notice.count <= FreeText.reasonLimit { return parts.isEmpty ? nil : notice }
        }
        // The list is never dropped: the clerk's own words make room for it.
        let problem = LocalizedText(
            zh: "与缺少材料清单合计超过\(FreeText.reasonLimit)字，请缩短",
            en: "with the list of missing documents exceeds \(FreeText.reasonLimit) characters; shorten it")
        throw Problem(
            .refused, "text.not-accepted", zh: "补正理由\(problem.zh)", en: "the reason \(problem.en)",
            fields: [FieldProblem(field: "reason", reason: problem)])
    }

    /// The list of missing documents a request for correction appends to the clerk's words
    /// (``correctionNotice(_:reason:)``): main ones, then the others, each part with its heading;
    /// by name, or by code (`byName` false) when the names would not fit.
    static func missingDocumentsText(_ documents: [DocumentStatus], byName: Bool) -> [String] {
        func label(_ status: DocumentStatus) -> String {
            byName ? status.requirement.name.zh : status.requirement.code
        }
        let main = documents.filter { $0.state == .missingMain }.map(label)
        let other = documents.filter {
            $0.state == .missingSecondary || $0.state == .missingDeferrable || $0.state == .deferred
        }.map {
            label($0) + ($0.state == .missingDeferrable ? "（可容缺）" : $0.state == .deferred ? "（容缺，待补交）" : "")
        }
        var parts: [String] = []
        if !main.isEmpty { parts.append("缺少主要材料：" + main.joined(separator: "、")) }
        if !other.isEmpty { parts.append("缺少其他材料：" + other.joined(separator: "、")) }
        return parts
    }

    /// Marks start-up task `task` of case `number` done; the case completes with the last one.
    public func completeTask(
        _ number: CaseNumber, _ task: String, note: String? = nil, as actor: DeskActor, at instant: Date? = nil,
        late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await perform(.completeTask(task, note: note), on: number, as: actor, at: instant, nil, late: late)
    }

    /// The applicant withdraws (撤回) from any open stage.
    public func withdraw(
        _ number: CaseNumber, reason: String, as actor: DeskActor, at instant: Date? = nil, late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await perform(.transition("withdraw", reason: reason), on: number, as: actor, at: instant, nil, late: late)
    }

    func perform(
        _ command: CaseCommand, on number: CaseNumber, as actor: DeskActor, at instant: Date?, _ expectedVersion: Int?,
        late: LateEntry?
    ) async throws -> StepOutcome {
        try await run {
            let (clerk, at, recording) = try await recording(instant, as: actor, late: late)
            try await bringInStep(.workflow)
            return try await store.apply(
                command, to: number, by: clerk, at: at, expectedVersion: expectedVersion, recording: recording,
                clock: try await slaClock())
        }
    }

    /// The case as it stands, its SLA figures as of `instant` (default now) and its next steps; for
    /// an instant before its last event, the case as it stood then, rebuilt from its history.
    public func caseView(_ number: CaseNumber, at instant: Date? = nil) async throws -> CaseView {
        try await run {
            let now = try self.instant(instant)
            var state = try await store.registrationCase(number)
            let definition = try await definition(state.definition)
            let reconstructed = now < state.updatedAt
            if reconstructed {
                let events = try await store.history(number).prefix { $0.at <= now }
                guard !events.isEmpty else {
                    throw Problem(
                        .notFound, "case.not-yet-opened",
                        zh:
                            "办件\(number)于\(HallTime.localText(of: state.openedAt))收件，\(HallTime.localText(of: now))时尚不存在",
                        en:
                            "case \(number) was taken in at \(HallTime.localText(of: state.openedAt)); it did not exist at \(HallTime.localText(of: now))"
                    )
                }
                state = try RegistrationCase.replay(Array(events), number: number, definition: definition)
            }
            let figures = try await slaClock().measure(state, definition: definition, now: now)
            return CaseView(
                case: state, sla: figures, nextSteps: reconstructed ? [] : nextSteps(state, definition, at: now),
                asOf: now,
                reconstructed: reconstructed)
        }
    }

    /// The manual transitions open to the case, then its start-up tasks not yet done. A closed
    /// case shows only the acts that leave its stage by name (撤销); the steps that only a
    /// condition of the case's own allows (ending it for an overdue deferral, withdrawing before
    /// the licence) show only when it holds.
    func nextSteps(_ state: RegistrationCase, _ definition: WorkflowDefinition, at now: Date) -> [NextStep] {
        let steps = WorkflowEngine(definition: definition).openTransitions(for: state, at: now).map {
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
