import Foundation

/// What a clerk asks to do to a case.
public enum CaseCommand: Sendable, Equatable {
    /// Take a transition of the workflow, e.g. `accept`, with a reason where one is needed.
    case transition(String, reason: String?)
    /// Take a step of the 川渝通办 exchange (``ExchangeStep``): only the exchange issues it, in
    /// the transaction that writes its message or applies the partner's.
    case exchangeStep(String, reason: String?)
    /// Mark one start-up task done.
    case completeTask(String, note: String?)
    /// Record a document received (the code is checked against the case's checklist by the desk).
    /// A deferred document received is supplied; the last one closes the deferral.
    case receiveDocument(ReceivedDocument)
    /// Record the applicant's commitment to supply missing secondary documents by their
    /// deadlines (容缺受理承诺书), before acceptance.
    case commitDeferral(DeferralCommitment)
    /// Extend an open deferral once, with a reason.
    case extendDeferral(DeferralExtension, reason: String?)
    /// Record a deferred document supplied (补交): refused unless it is still outstanding.
    case supplyDeferred(ReceivedDocument)
    /// Flag the case for special service (特殊办) with its kind and reason: a supervisor's act.
    case flagSpecial(SpecialRequest)
    /// Remove the special-service flag, with a reason: a supervisor's act.
    case unflagSpecial(reason: String)
    /// Record a visit to the applicant (上门服务) at the command's instant.
    case recordVisit(VisitDetails)
    /// The application's documents arrived by post (寄递办): the post is recorded and the case
    /// leaves its stage for documents in the post (``WorkflowEngine/mailArrivalTransition``).
    case receiveMail(PostalItem)
    /// The hall posted items back to the application's mailing address.
    case sendMail(PostalItem)
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
        guard state.isOpen || allowedOnClosedCase(command, state) else {
            throw .caseClosed(case: state.number, stage: definition.stageName(state.stage))
        }
        guard now >= state.updatedAt else { throw .beforeLastEvent(case: state.number, at: now, last: state.updatedAt) }
        let held = definition.effectiveRoles(clerk.roles)
        var first: CaseEvent
        switch command {
        case .transition(let id, let reason), .exchangeStep(let id, let reason):
            guard let transition = definition.transition(id), !transition.automatic else {
                throw .unknownTransition(
                    case: state.number, transition: id, allowed: openTransitions(for: state, at: now).map(\.id))
            }
            if case .exchangeStep = command, transition.exchange == nil {
                throw .exchangeRefused(
                    case: state.number, code: "not-an-exchange-step",
                    reason: LocalizedText(
                        zh: "“\(transition.name.zh)”不是跨省协同的环节", en: "\(transition.name.en) is no step of the exchange"))
            }
            if case .transition = command, let exchange = transition.exchange {
                throw .exchangeRefused(
                    case: state.number, code: exchange == .transfer ? "use-transfer" : "partner-step",
                    reason: exchange == .transfer
                        ? LocalizedText(
                            zh: "“\(transition.name.zh)”须用 kaiban transfer 办理（同时生成并签发转办报文）",
                            en:
                                "\(transition.name.en) is taken with kaiban transfer (which writes and signs the transfer)"
                        )
                        : LocalizedText(
                            zh: "“\(transition.name.zh)”由办理地机关的回传报文触发，不能手工办理",
                            en:
                                "\(transition.name.en) follows the deciding authority's message; it is not taken by hand"
                        ))
            }
            guard definition.transition(transition, leavesFrom: state.stage) else {
                throw .notAllowedFromStage(
                    case: state.number, stage: definition.stageName(state.stage), transition: transition.name,
                    allowed: openTransitions(for: state, at: now).map(\.name))
            }
            let role = try requireRole(transition.roles, held: held, clerk: clerk, step: transition.name)
            try refuseArrivalWithoutPost(transition.id, on: state)
            let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
            let givenReason = (trimmed?.isEmpty ?? true) ? nil : trimmed
            if let givenReason, let problem = FreeText.problem(givenReason, limit: FreeText.reasonLimit) {
                throw .textNotAccepted(field: "reason", problem: problem)
            }
            if transition.requiresReason && givenReason == nil { throw .reasonRequired(step: transition.name) }
            try check(transition.guards, on: state, at: now, step: transition.name)
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
        case .receiveDocument(let document), .supplyDeferred(let document):
            if let problem = document.problem { throw .textNotAccepted(field: "document", problem: problem) }
            if case .supplyDeferred = command,
                state.deferral?.isOpen != true
                    || state.deferral?.outstanding.contains(where: { $0.code == document.code }) != true
            {
                throw .deferralRefused(
                    case: state.number, code: "not-outstanding",
                    reason: LocalizedText(
                        zh: "“\(document.code)”不是待补交的容缺材料",
                        en: "\"\(document.code)\" is not a deferred document outstanding"))
            }
            if let receipt = state.documents[document.code] {
                throw .documentAlreadyReceived(case: state.number, code: document.code, at: receipt.at)
            }
            // By post only with the post recorded (carrier, tracking number): a mail case whose
            // post never was (still in it, or taken out of it by hand) gets none "by post".
            if document.form == .post, state.application.channel == .mail, state.mail?.received == nil {
                throw .mailRefused(
                    case: state.number, code: "use-mail-receive",
                    reason: awaitsPost(state)
                        ? LocalizedText(
                            zh: "本件的材料仍在寄递中：寄来的材料随邮件签收登记（kaiban mail receive，记下承运商和运单号），邮件到达时计时开始",
                            en:
                                "this case's documents are still in the post: posted documents are recorded with the post's arrival (kaiban mail receive, with the carrier and tracking number), which starts the clock"
                        )
                        : LocalizedText(
                            zh: "本件尚未登记邮件签收：寄来的材料随邮件签收登记（kaiban mail receive，记下承运商和运单号），当面递交的按纸质（paper）登记",
                            en:
                                "no post is recorded on this case: posted documents are recorded with the post's arrival (kaiban mail receive, with the carrier and tracking number), those handed in as paper"
                        ))
            }
            let role = try requireRole(
                definition.intakeRoles, held: held, clerk: clerk,
                step: LocalizedText(zh: "材料签收", en: "receive a document"))
            var event = CaseEvent(
                sequence: state.version + 1, at: now, kind: .documentReceived, actor: clerk.id, role: role)
            event.document = document
            first = event
        case .commitDeferral(let commitment):
            first = try commit(commitment, on: state, by: clerk, held: held, at: now)
        case .extendDeferral(let granted, let reason):
            first = try extend(state, to: granted, reason: reason, by: clerk, held: held, at: now)
        case .flagSpecial, .unflagSpecial, .recordVisit:
            first = try special(command, on: state, by: clerk, held: held, at: now)
        case .receiveMail(let post):
            let events = try receiveMail(post, on: state, by: clerk, held: held, at: now)
            guard events.count > 1 else { return events }
            var current = state
            guard (try? current.apply(events[0], definition: definition)) != nil else { return events }
            return [events[0]] + follow(events[1], from: current, by: clerk, at: now)
        case .sendMail(let post):
            first = try sendMail(post, on: state, by: clerk, held: held, at: now)
        }
        return follow(first, from: state, by: clerk, at: now)
    }

    /// Whether `guards` hold for `state` at `now` (for showing what can be done, not deciding).
    public func holds(_ guards: [TransitionGuard], on state: RegistrationCase, at now: Date) -> Bool {
        (try? check(guards, on: state, at: now, step: LocalizedText(zh: "", en: ""))) != nil
    }

    /// The manual transitions a clerk could take on `state`: those from its stage, less the ones
    /// for the other kind of case (transferred to a partner, or decided here).
    public func manualTransitions(for state: RegistrationCase) -> [WorkflowDefinition.Transition] {
        let transfer = state.application.transferTo != nil
        return manualTransitions(from: state.stage).filter {
            !$0.guards.contains(transfer ? .localCase : .transferCase)
        }
    }

    /// The guards that say whether a step is open to the case at all (ending it for an overdue
    /// deferral, withdrawing before the licence), not what it still lacks (a document).
    public static let conditionalGuards: Set<TransitionGuard> = [.deferralOverdue, .beforeLicence]

    /// The manual transitions open to `state` at `now`: ``manualTransitions(for:)`` whose
    /// conditions (``conditionalGuards``) hold; for a closed case only those that leave its stage
    /// by name (撤销). What `show` offers and a refusal names as possible.
    public func openTransitions(for state: RegistrationCase, at now: Date) -> [WorkflowDefinition.Transition] {
        manualTransitions(for: state).filter { transition in
            (state.isOpen || transition.from.contains(state.stage))
                && holds(transition.guards.filter(Self.conditionalGuards.contains), on: state, at: now)
                && !closedByOverdueDeferral(transition, state, at: now)
        }
    }

    /// Whether `transition` is shut to `state` at `now` by its overdue commitment: acceptance
    /// while the deferred documents are overdue (until they come, or a supervisor extends the
    /// deadline or ends the case). From a hostile trial: `show` offered `accept`, which was then
    /// refused.
    func closedByOverdueDeferral(_ transition: WorkflowDefinition.Transition, _ state: RegistrationCase, at now: Date)
        -> Bool
    {
        guard transition.guards.contains(.acceptanceDocuments), state.deferral?.isOpen == true else { return false }
        do {
            try check(.acceptanceDocuments, on: state, at: now, step: transition.name)
            return false
        } catch {
            if case .deferralRefused(_, "overdue", _) = error { return true }
            return false
        }
    }

    /// The manual transitions a clerk could take from `stage`.
    public func manualTransitions(from stage: String) -> [WorkflowDefinition.Transition] {
        definition.transitions(from: stage).filter { !$0.automatic && $0.exchange != .partner }
    }

    /// `event` followed by the deferral's closing when it brought the last deferred document, then
    /// every automatic transition whose guard then holds.
    func follow(_ event: CaseEvent, from state: RegistrationCase, by clerk: Clerk, at now: Date) -> [CaseEvent] {
        var events = [event]
        var current = state
        guard (try? current.apply(event, definition: definition)) != nil else { return events }
        // A document handed in at the window or sent electronically on a mail case still waiting
        // for its post: the applicant came instead, so the wait for the post ends then and the
        // clock starts (a step typed hours later had made the hall's hours the applicant's, and
        // left the case to be closed as "never arrived").
        if event.kind == .documentReceived, event.document?.form != .post, awaitsPost(state),
            let arrival = definition.transition(Self.mailArrivalTransition),
            definition.transition(arrival, leavesFrom: current.stage)
        {
            let leaving = CaseEvent(
                sequence: current.version + 1, at: now, kind: .transitioned, actor: clerk.id, transition: arrival.id,
                fromStage: current.stage, toStage: arrival.to, automatic: true)
            if (try? current.apply(leaving, definition: definition)) != nil { events.append(leaving) }
        }
        if event.kind == .documentReceived, let deferral = current.deferral, deferral.isOpen,
            deferral.outstanding.isEmpty
        {
            let closing = CaseEvent(
                sequence: current.version + 1, at: now, kind: .deferralFulfilled, actor: clerk.id, automatic: true)
            guard (try? current.apply(closing, definition: definition)) != nil else { return events }
            events.append(closing)
        }
        for _ in 0..<Self.automaticStepLimit {
            guard current.isOpen,
                let next = definition.transitions(from: current.stage).first(where: {
                    $0.automatic && (try? check($0.guards, on: current, at: now, step: $0.name)) != nil
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

    /// Whether `command` may be taken on a closed case: a transition that leaves its terminal
    /// stage by name (撤销), or the supply or extension of a deferral still open.
    func allowedOnClosedCase(_ command: CaseCommand, _ state: RegistrationCase) -> Bool {
        switch command {
        case .transition(let id, _), .exchangeStep(let id, _):
            return definition.transition(id)?.from.contains(state.stage) == true
        case .receiveDocument(let document), .supplyDeferred(let document):
            return state.deferral?.isOpen == true
                && state.deferral?.outstanding.contains { $0.code == document.code } == true
        case .extendDeferral:
            return state.deferral?.isOpen == true
        case .sendMail:
            // The licence and notices go out after the case ended too (completed, refused).
            return true
        case .completeTask, .commitDeferral, .flagSpecial, .unflagSpecial, .recordVisit, .receiveMail:
            return false
        }
    }

    func check(_ guards: [TransitionGuard], on state: RegistrationCase, at now: Date, step: LocalizedText)
        throws(WorkflowError)
    {
        for condition in guards {
            try check(condition, on: state, at: now, step: step)
        }
    }

    func check(_ condition: TransitionGuard, on state: RegistrationCase, at now: Date, step: LocalizedText)
        throws(WorkflowError)
    {
        let missing = state.missingDocuments
        switch condition {
        case .allTasksDone:
            let pending = state.pendingTasks
            if !pending.isEmpty {
                throw .tasksPending(
                    case: state.number,
                    pending: pending.map { definition.task($0)?.name ?? LocalizedText(zh: $0, en: $0) })
            }
        case .acceptanceDocuments:
            // What cannot be deferred must be in: everything that blocks acceptance, and what
            // blocks the licence but may not be deferred (the licence would wait with no deadline).
            let blocking = missing.filter { $0.blocks == .acceptance || ($0.blocks == .licence && !$0.deferrable) }
            if !blocking.isEmpty {
                throw .documentsMissing(case: state.number, step: step, missing: blocking.map(\.name))
            }
            let deferred = Set(state.deferral?.isOpen == true ? state.deferral?.codes ?? [] : [])
            let undeferred = missing.filter { $0.deferrable && !deferred.contains($0.code) }
            if !undeferred.isEmpty {
                // With a commitment signed already (one a case), no other can cover them: they
                // are needed (a re-trial was told to have the applicant sign, which was refused).
                if state.deferral != nil {
                    throw .documentsMissing(case: state.number, step: step, missing: undeferred.map(\.name))
                }
                throw .deferralRequired(case: state.number, missing: undeferred.map(\.name))
            }
            // A commitment already broken accepts nothing: the documents are needed now.
            if state.deferral?.isOverdue(at: now) == true {
                throw .deferralRefused(
                    case: state.number, code: "overdue",
                    reason: LocalizedText(
                        zh: "容缺材料的补交期限已过，不能“\(step.zh)”：须补齐材料",
                        en: "the deferred documents are overdue, so it cannot \(step.en): they are needed first"))
            }
        case .licenceDocuments:
            let blocking = missing.filter { $0.blocks != .nothing }
            if !blocking.isEmpty {
                throw .documentsMissing(case: state.number, step: step, missing: blocking.map(\.name))
            }
        case .licenceDocumentsMissing:
            if !missing.contains(where: { $0.blocks != .nothing }) {
                throw .deferralRefused(
                    case: state.number, code: "nothing-missing",
                    reason: LocalizedText(zh: "发照所需材料已齐", en: "the licence lacks no document"))
            }
        case .deferralOpen:
            if state.deferral?.isOpen != true {
                throw .deferralRefused(
                    case: state.number, code: "none", reason: LocalizedText(zh: "没有未补齐的容缺材料", en: "no deferral is open")
                )
            }
        case .noDeferralOpen:
            if state.deferral?.isOpen == true {
                throw .deferralRefused(
                    case: state.number, code: "open",
                    reason: LocalizedText(zh: "尚有容缺材料未补齐", en: "a deferral is still open"))
            }
        case .deferralNotOverdue:
            if state.deferral?.isOverdue(at: now) == true {
                throw .deferralRefused(
                    case: state.number, code: "overdue",
                    reason: LocalizedText(
                        zh: "容缺材料已逾期未补，不能“\(step.zh)”：待补齐或由负责人处理",
                        en:
                            "deferred documents are overdue, so it cannot \(step.en): they come first, or a supervisor decides"
                    ))
            }
        case .beforeLicence:
            if state.creditCode != nil {
                throw .afterLicence(case: state.number, step: step)
            }
        case .transferCase:
            guard state.application.transferTo != nil else {
                throw .exchangeRefused(
                    case: state.number, code: "not-a-transfer",
                    reason: LocalizedText(
                        zh: "本件由本厅办理，不是代收转办的办件，不能“\(step.zh)”",
                        en: "the case is decided here, not taken in for another authority, so it cannot \(step.en)"))
            }
        case .localCase:
            if let partner = state.application.transferTo {
                throw .exchangeRefused(
                    case: state.number, code: "transfer-case",
                    reason: LocalizedText(
                        zh: "本件为代收件，由办理地机关（\(partner)）受理和审批：核对材料后用 kaiban transfer 转办，不能“\(step.zh)”",
                        en:
                            "the case was taken in for the deciding authority (\(partner)), which accepts and decides it: check the documents and transfer it with kaiban transfer; it cannot \(step.en)"
                    ))
            }
        case .deferralOverdue:
            guard let deferral = state.deferral, deferral.isOverdue(at: now) else {
                throw .deferralRefused(
                    case: state.number, code: "not-overdue",
                    reason: LocalizedText(
                        zh: "没有逾期未补的容缺材料，不能“\(step.zh)”",
                        en: "no deferred document is overdue, so it cannot \(step.en)"))
            }
        }
    }

    /// The commitment's event, when the case may take it: the workflow takes deferrals, the case
    /// waits for acceptance and has none yet, and every item is a missing deferrable document
    /// with a deadline after now.
    func commit(
        _ commitment: DeferralCommitment, on state: RegistrationCase, by clerk: Clerk, held: Set<String>, at now: Date
    )
        throws(WorkflowError) -> CaseEvent
    {
        func refuse(_ code: String, _ zh: String, _ en: String) -> WorkflowError {
            .deferralRefused(case: state.number, code: code, reason: LocalizedText(zh: zh, en: en))
        }
        guard let policy = definition.deferral, state.checklist != nil else {
            throw refuse("not-offered", "本流程不办理容缺受理", "this workflow takes no deferrals")
        }
        let role = try requireRole(
            policy.roles, held: held, clerk: clerk, step: LocalizedText(zh: "容缺承诺", en: "record a commitment"))
        // One commitment a case: said first, whatever the stage (a re-trial was told to resubmit
        // a correction first, then refused for the commitment it had).
        if state.deferral != nil {
            throw refuse("exists", "已签署过容缺受理承诺书", "a commitment was already signed")
        }
        guard definition.stagesBeforeAcceptance.contains(state.stage) else {
            // Not accepted yet, but in a stage that leads back to acceptance (补正中: the
            // correction resubmitted first): say which step (a hostile trial read "before
            // acceptance" for a case that was before it).
            let stage = definition.stageName(state.stage)
            if awaitsPost(state) {
                throw refuse(
                    "stage", "当前为“\(stage.zh)”：材料到达（kaiban mail receive 签收邮件，或申请人当面递交）后再签署容缺承诺",
                    "the case is at \(stage.en): the commitment is signed once its documents arrive (kaiban mail receive, or handed in)"
                )
            }
            if state.isOpen,
                let back = manualTransitions(from: state.stage).first(where: {
                    definition.stagesBeforeAcceptance.contains($0.to)
                })
            {
                throw refuse(
                    "stage", "当前为“\(stage.zh)”：先办理“\(back.name.zh)”（\(back.id)），回到可受理的阶段后再签署容缺承诺",
                    "the case is at \(stage.en): take \(back.name.en) (\(back.id)) first; the commitment is signed where the case can be accepted"
                )
            }
            throw refuse(
                "stage", "当前为“\(stage.zh)”，容缺承诺须在受理前签署",
                "the case is at \(stage.en); a commitment is signed before acceptance")
        }
        if commitment.items.isEmpty { throw refuse("no-items", "承诺书未列明容缺材料", "the commitment lists no document") }
        // The applicant signs: the legal representative, by the name and ID of the application.
        let representative = state.application.legalRepresentative
        guard commitment.signerID.uppercased() == representative.idNumber.uppercased(),
            PersonName.canonical(commitment.signer).lowercased()
                == PersonName.canonical(representative.name).lowercased()
        else {
            let role = state.application.enterpriseType.representativeRole
            throw refuse(
                "signer", "承诺书须由本件的\(role.zh)本人签署（姓名、身份证号与申请一致）",
                "the commitment is signed by the case's \(role.en) in person (name and ID number as in the application)"
            )
        }
        if commitment.signedAt > now {
            throw refuse("signed-later", "承诺书的签署时间晚于现在", "the commitment is dated after now")
        }
        // 容缺 only when the main documents are complete (STANDARDS §4): otherwise 补正.
        let blocking = state.missingDocuments.filter { $0.importance == .main || $0.blocks == .acceptance }
        if !blocking.isEmpty {
            throw refuse(
                "main-missing", "主要材料不齐（\(blocking.map(\.name.zh).joined(separator: "、"))），不适用容缺受理，应一次性告知补正",
                "main documents are missing (\(blocking.map(\.name.en).joined(separator: ", "))): no deferral, the case is returned for correction"
            )
        }
        let missing = Dictionary(
            state.missingDocuments.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: Set<String> = []
        for item in commitment.items {
            guard seen.insert(item.code).inserted else {
                throw refuse("duplicate", "“\(item.code)”重复", "\"\(item.code)\" is given twice")
            }
            guard let requirement = missing[item.code] else {
                throw refuse(
                    "not-missing", "“\(item.code)”不是本件尚缺的材料", "\"\(item.code)\" is not a document the case lacks")
            }
            guard requirement.deferrable, requirement.blocks != .acceptance else {
                throw refuse(
                    "not-deferrable", "“\(requirement.name.zh)”不可容缺", "\(requirement.name.en) may not be deferred")
            }
            guard item.deadline > now else {
                throw refuse(
                    "deadline", "“\(requirement.name.zh)”的补交期限已过", "the deadline of \(requirement.name.en) is past")
            }
        }
        var event = CaseEvent(
            sequence: state.version + 1, at: now, kind: .deferralCommitted, actor: clerk.id, role: role)
        event.commitment = commitment
        return event
    }

    /// The extension's event: once per deferral, with a reason, to a later deadline.
    func extend(
        _ state: RegistrationCase, to granted: DeferralExtension, reason: String?, by clerk: Clerk, held: Set<String>,
        at now: Date
    ) throws(WorkflowError) -> CaseEvent {
        func refuse(_ code: String, _ zh: String, _ en: String) -> WorkflowError {
            .deferralRefused(case: state.number, code: code, reason: LocalizedText(zh: zh, en: en))
        }
        let step = LocalizedText(zh: "延长容缺期限", en: "extend a deferral")
        guard let policy = definition.deferral else {
            throw refuse("not-offered", "本流程不办理容缺受理", "this workflow takes no deferrals")
        }
        let role = try requireRole(policy.extendRoles, held: held, clerk: clerk, step: step)
        guard let deferral = state.deferral, deferral.isOpen else {
            throw refuse("none", "没有未补齐的容缺材料", "no deferral is open")
        }
        // Once; again only when the calendar closed the hall on the latest deadline's day.
        if deferral.extensionGranted != nil, granted.calendarMoved != true {
            throw refuse("already-extended", "容缺期限只能延长一次", "a deferral is extended only once")
        }
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !trimmed.isEmpty else { throw .reasonRequired(step: step) }
        if let problem = FreeText.problem(trimmed, limit: FreeText.reasonLimit) {
            throw .textNotAccepted(field: "reason", problem: problem)
        }
        guard granted.deadline > deferral.lastDeadline, granted.deadline > now else {
            throw refuse("deadline", "延长后的期限须晚于原期限和现在", "the new deadline must be after the old one and after now")
        }
        var event = CaseEvent(
            sequence: state.version + 1, at: now, kind: .deferralExtended, actor: clerk.id, role: role, reason: trimmed)
        // It covers what is still outstanding; what came in already keeps its deadline.
        event.deferralExtension = DeferralExtension(
            deadline: granted.deadline, codes: deferral.outstanding.map(\.code),
            calendarMoved: deferral.extensionGranted != nil ? true : nil)
        return event
    }
}
