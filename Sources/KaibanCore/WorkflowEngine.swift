import Foundation

/// What a clerk asks to do to a case.
public enum CaseCommand: Sendable, Equatable {
    /// Take a transition of the workflow, e.g. `accept`, with a reason where one is needed.
    case transition(String, reason: String?)
    /// Mark one start-up task done.
    case completeTask(String, note: String?)
    /// Record a document received (the code is checked against the case's checklist by the desk).
    case receiveDocument(ReceivedDocument)
}

/// Interprets one version of a workflow definition. Pure: takes the state, the clerk and the
/// time, and returns the events that happen, or throws a refusal. It never reads a clock.
public struct WorkflowEngine: Sendable {
    public let definition: WorkflowDefinition

    /// Automatic steps chained after one command, at most (a guard against a looping definition).
    static let automaticStepLimit = 16

    public init(definition: WorkflowDefinition) {
        self.definition = definition
    }

    /// The opening event of a new case; validation of the application is the caller's job.
    public func open(application: CaseApplication, by clerk: Clerk, at now: Date) throws(WorkflowError) -> CaseEvent {
        guard clerk.active else { throw .clerkInactive(clerk: clerk.id) }
        let role = try requireRole(
            definition.intakeRoles, held: definition.effectiveRoles(clerk.roles), clerk: clerk,
            step: LocalizedText(zh: "收件", en: "intake"))
        return CaseEvent(
            sequence: 1, at: now, kind: .opened, actor: clerk.id, role: role,
            toStage: definition.initialStage(for: application.channel),
            application: application, definition: definition.key)
    }

    /// Decides `command` on `state`: the events to append, in order, or a refusal.
    /// `expectedVersion`, when given, is the version the clerk saw; a newer state refuses.
    public func decide(
        _ command: CaseCommand, on state: RegistrationCase, by clerk: Clerk, at now: Date, expectedVersion: Int? = nil
    ) throws(WorkflowError) -> [CaseEvent] {
        guard clerk.active else { throw .clerkInactive(clerk: clerk.id) }
        if let expectedVersion, expectedVersion != state.version {
            throw .stale(case: state.number, expected: expectedVersion, actual: state.version)
        }
        guard state.isOpen else { throw .caseClosed(case: state.number, stage: definition.stageName(state.stage)) }
        guard now >= state.updatedAt else { throw .beforeLastEvent(case: state.number, at: now, last: state.updatedAt) }
        let held = definition.effectiveRoles(clerk.roles)
        var first: CaseEvent
        switch command {
        case .transition(let id, let reason):
            guard let transition = definition.transition(id), !transition.automatic else {
                throw .unknownTransition(
                    case: state.number, transition: id, allowed: manualTransitions(from: state.stage).map(\.id))
            }
            guard definition.transition(transition, leavesFrom: state.stage) else {
                throw .notAllowedFromStage(
                    case: state.number, stage: definition.stageName(state.stage), transition: transition.name,
                    allowed: manualTransitions(from: state.stage).map(\.name))
            }
            let role = try requireRole(transition.roles, held: held, clerk: clerk, step: transition.name)
            let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
            let givenReason = (trimmed?.isEmpty ?? true) ? nil : trimmed
            if let givenReason, let problem = FreeText.problem(givenReason, limit: FreeText.reasonLimit) {
                throw .textNotAccepted(field: "reason", problem: problem)
            }
            if transition.requiresReason && givenReason == nil { throw .reasonRequired(step: transition.name) }
            try check(transition.guardCondition, on: state)
            first = CaseEvent(
                sequence: state.version + 1, at: now, kind: .transitioned, actor: clerk.id, role: role,
                transition: transition.id, fromStage: state.stage, toStage: transition.to, reason: givenReason)
        case .completeTask(let id, let note):
            guard let task = definition.task(id), state.application.requestedTasks.contains(id) else {
                throw .unknownTask(case: state.number, task: id, known: state.application.requestedTasks)
            }
            guard let progress = state.tasks.first(where: { $0.task == id }) else {
                throw .taskNotOpen(case: state.number, task: task.name, stage: definition.stageName(state.stage))
            }
            if let doneBy = progress.doneBy {
                throw .taskAlreadyDone(case: state.number, task: task.name, doneBy: doneBy)
            }
            let role = try requireRole(task.roles, held: held, clerk: clerk, step: task.name)
            if let note, let problem = FreeText.problem(note, limit: FreeText.reasonLimit) {
                throw .textNotAccepted(field: "note", problem: problem)
            }
            first = CaseEvent(
                sequence: state.version + 1, at: now, kind: .taskCompleted, actor: clerk.id, role: role, task: id,
                reason: note)
        case .receiveDocument(let document):
            if let problem = document.problem { throw .textNotAccepted(field: "document", problem: problem) }
            let role = try requireRole(
                definition.intakeRoles, held: held, clerk: clerk,
                step: LocalizedText(zh: "材料签收", en: "receive a document"))
            var event = CaseEvent(
                sequence: state.version + 1, at: now, kind: .documentReceived, actor: clerk.id, role: role)
            event.document = document
            // A document received moves no stage: no automatic step follows it.
            return [event]
        }
        return follow(first, from: state, by: clerk, at: now)
    }

    /// The manual transitions a clerk could take from `stage`.
    public func manualTransitions(from stage: String) -> [WorkflowDefinition.Transition] {
        definition.transitions(from: stage).filter { !$0.automatic }
    }

    /// `event` followed by every automatic transition whose guard then holds.
    func follow(_ event: CaseEvent, from state: RegistrationCase, by clerk: Clerk, at now: Date) -> [CaseEvent] {
        var events = [event]
        var current = state
        guard (try? current.apply(event, definition: definition)) != nil else { return events }
        for _ in 0..<Self.automaticStepLimit {
            guard current.isOpen,
                let next = definition.transitions(from: current.stage).first(where: {
                    $0.automatic && (try? check($0.guardCondition, on: current)) != nil
                })
            else { break }
            let auto = CaseEvent(
                sequence: current.version + 1, at: now, kind: .transitioned, actor: clerk.id, transition: next.id,
                fromStage: current.stage, toStage: next.to, automatic: true)
            guard (try? current.apply(auto, definition: definition)) != nil else { break }
            events.append(auto)
        }
        return events
    }

    func requireRole(_ needed: [String], held: Set<String>, clerk: Clerk, step: LocalizedText) throws(WorkflowError)
        -> String
    {
        if let role = needed.first(where: { clerk.roles.contains($0) }) ?? needed.first(where: held.contains) {
            return role
        }
        throw .roleRequired(
            clerk: clerk.id, step: step, required: needed.map(definition.roleName),
            held: clerk.roles.sorted().map(definition.roleName))
    }

    func check(_ condition: TransitionGuard?, on state: RegistrationCase) throws(WorkflowError) {
        switch condition {
        case nil:
            return
        case .allTasksDone:
            let pending = state.pendingTasks
            if !pending.isEmpty {
                throw .tasksPending(
                    case: state.number,
                    pending: pending.map { definition.task($0)?.name ?? LocalizedText(zh: $0, en: $0) })
            }
        }
    }
}
