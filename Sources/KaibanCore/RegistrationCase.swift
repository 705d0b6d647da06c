import Foundation

/// A company-formation case (办件) as it stands now: the fold of its history.
public struct RegistrationCase: Sendable, Equatable, Codable {
    public var number: CaseNumber
    public var definition: WorkflowDefinition.Key
    public var application: CaseApplication
    public var stage: String
    /// Start-up tasks opened for the case (only those the applicant asked for), in request order.
    public var tasks: [TaskProgress]
    /// Sequence number of the last event; a step decided on an older version is stale.
    public var version: Int
    public var openedAt: Date
    public var updatedAt: Date
    /// Set when the case reached a terminal stage.
    public var closedAt: Date?
    /// The reason given with the last step that needed one (补正、不予受理、驳回、撤回).
    public var lastReason: String?
    public var openedBy: String
    /// The case's time in each stage, for the SLA clock.
    public var segments: [ClockSegment]
    /// The unified social credit code issued with the licence.
    public var creditCode: String?
    /// The documents received so far, by checklist code: the latest receipt of each.
    public var documents: [String: DocumentReceipt] = [:]
    /// The documents the case needs, fixed at intake (nil for cases taken in before checklists).
    public var checklist: CaseChecklist?
    /// The applicant's commitment to supply deferred documents (容缺), as it stands.
    public var deferral: Deferral?
    /// The special-service flag (特殊办) as it stands: set at intake or by a supervisor.
    public var special: SpecialFlag?
    /// The visits to the applicant (上门服务), oldest first.
    public var visits: [Visit] = []
    /// When the licence was issued (the step that issued the credit code).
    public var licensedAt: Date?
    /// The posts of the case (寄递办), once there is one.
    public var mail: CaseMail?
    /// The extended hours (延时服务) the case was taken in during, if it was.
    public var extendedHours: ExtendedHoursIntake?

    /// Stretches outside office time that count on the case's clock: from intake to the close of
    /// the extended hours it was taken in during.
    public var extraWorkingTime: [DateInterval] {
        guard let extendedHours, extendedHours.closesAt > openedAt else { return [] }
        return [DateInterval(start: openedAt, end: extendedHours.closesAt)]
    }

    /// The case's clock segments with its extra working stretches.
    public var timeline: (segments: [ClockSegment], extra: [DateInterval]) { (segments, extraWorkingTime) }

    public var isOpen: Bool { closedAt == nil }

    /// The documents of the case's checklist not received, in checklist order.
    public var missingDocuments: [DocumentRequirement] {
        (checklist?.documents ?? []).filter { documents[$0.code] == nil }
    }

    /// Tasks not yet done.
    public var pendingTasks: [String] { tasks.filter { !$0.isDone }.map(\.task) }

    /// Rebuilds a case from its full history, checking that the history is well formed.
    public static func replay(_ events: [CaseEvent], number: CaseNumber, definition: WorkflowDefinition)
        throws(HistoryError)
        -> RegistrationCase
    {
        guard let first = events.first, first.kind == .opened, let application = first.application,
            let key = first.definition, let stage = first.toStage
        else {
            throw HistoryError(
                number: number, sequence: events.first?.sequence ?? 0,
                issue: "the first event is not a well-formed opening")
        }
        let opening = ClockSegment(
            stage: stage, effect: definition.stage(stage)?.clock ?? .running, start: first.at, reason: first.reason)
        var state = RegistrationCase(
            number: number, definition: key, application: application, stage: stage, tasks: [], version: first.sequence,
            openedAt: first.at, updatedAt: first.at, closedAt: nil, lastReason: nil, openedBy: first.actor,
            segments: [opening], creditCode: nil)
        state.checklist = first.checklist
        state.extendedHours = first.extendedHours
        for document in first.documentsReceived ?? [] {
            state.documents[document.code] = DocumentReceipt(document: document, at: first.at, by: first.actor)
        }
        if let request = application.special {
            state.special = SpecialFlag(
                kind: request.kind, reason: request.reason, flaggedBy: first.actor, flaggedAt: first.at)
            if request.kind == .doorToDoor { state.pauseForVisit(at: first.at) }
        }
        guard first.sequence == 1 else {
            throw HistoryError(number: number, sequence: first.sequence, issue: "history does not start at 1")
        }
        for event in events.dropFirst() {
            try state.apply(event, definition: definition)
        }
        return state
    }

    /// Applies one event to the state; the event must follow the current version.
    public mutating func apply(_ event: CaseEvent, definition: WorkflowDefinition) throws(HistoryError) {
        guard event.sequence == version + 1 else {
            throw HistoryError(number: number, sequence: event.sequence, issue: "expected event \(version + 1)")
        }
        switch event.kind {
        case .opened:
            throw HistoryError(number: number, sequence: event.sequence, issue: "a case is opened only once")
        case .transitioned:
            guard event.fromStage == stage, let target = event.toStage, definition.stage(target) != nil else {
                throw HistoryError(
                    number: number, sequence: event.sequence,
                    issue: "transition from \(event.fromStage ?? "?") while the case is in \(stage)")
            }
            // A closed case that is acted on again (a registration revoked after completion) keeps
            // its clock as it stopped and its closing time: the time it took stays as it was.
            let wasClosed = closedAt != nil
            // A step of the hall taken while a door-to-door case still waits for its visit: it went
            // on without the visit, so the wait was its own time, not the applicant's (a window
            // clerk's flag at intake had made any morning's delay the applicant's). The
            // applicant's own withdrawal leaves the wait theirs.
            if isAwaitingVisit, definition.stage(target)?.outcome != .withdrawn {
                segments[segments.count - 1].effect = .running
                segments[segments.count - 1].reason = nil
            }
            stage = target
            if !wasClosed {
                if !segments.isEmpty { segments[segments.count - 1].end = event.at }
                let effect = definition.stage(target)?.clock ?? .running
                if effect != .stopped {
                    segments.append(ClockSegment(stage: target, effect: effect, start: event.at, reason: event.reason))
                }
            }
            if let group = definition.taskGroup(inStage: target), tasks.isEmpty {
                let offered = Set(group.tasks.map(\.id))
                tasks = application.requestedTasks.filter(offered.contains).map { TaskProgress(task: $0) }
            }
            if let terminal = definition.stage(target), terminal.terminal {
                if !wasClosed { closedAt = event.at }
                // Ended otherwise than completed: a deferral still open ends with the case.
                if terminal.outcome?.isCompletion != true, deferral?.isOpen == true { deferral?.endedAt = event.at }
            }
            if let reason = event.reason { lastReason = reason }
            if let code = event.creditCode {
                creditCode = code
                licensedAt = event.at
            }
        case .taskCompleted:
            guard let task = event.task, let index = tasks.firstIndex(where: { $0.task == task }), !tasks[index].isDone
            else {
                throw HistoryError(
                    number: number, sequence: event.sequence, issue: "task \(event.task ?? "?") is not open")
            }
            tasks[index].doneAt = event.at
            tasks[index].doneBy = event.actor
        case .documentReceived:
            let supplies =
                deferral.map { $0.isOpen && $0.outstanding.contains { $0.code == event.document?.code } } ?? false
            guard let document = event.document, isOpen || supplies else {
                throw HistoryError(
                    number: number, sequence: event.sequence,
                    issue: "a document receipt without a document, or after closing")
            }
            documents[document.code] = DocumentReceipt(document: document, at: event.at, by: event.actor)
            if supplies { deferral?.supplied[document.code] = event.at }
        case .deferralCommitted:
            guard let commitment = event.commitment, deferral == nil else {
                throw HistoryError(
                    number: number, sequence: event.sequence, issue: "a commitment without items, or a second one")
            }
            deferral = Deferral(commitment: commitment, recordedBy: event.actor, recordedAt: event.at)
        case .deferralExtended:
            guard let granted = event.deferralExtension, deferral?.isOpen == true else {
                throw HistoryError(
                    number: number, sequence: event.sequence, issue: "an extension without an open deferral")
            }
            deferral?.extensionGranted = granted
            deferral?.extendedBy = event.actor
            deferral?.extendedAt = event.at
            deferral?.extensionReason = event.reason
        case .deferralFulfilled:
            guard deferral?.isOpen == true, deferral?.outstanding.isEmpty == true else {
                throw HistoryError(
                    number: number, sequence: event.sequence, issue: "a deferral closed with documents outstanding")
            }
            deferral?.fulfilledAt = event.at
        case .specialFlagged, .specialUnflagged, .visitRecorded:
            try applySpecial(event)
        case .mailReceived:
            guard let post = event.post, mail?.received == nil, isOpen else {
                throw HistoryError(
                    number: number, sequence: event.sequence,
                    issue: "a post received without its tracking, twice, or after closing")
            }
            var posts = mail ?? CaseMail()
            posts.received = PostRecord(post: post, at: event.at, by: event.actor)
            mail = posts
        case .mailSent:
            guard let post = event.post else {
                throw HistoryError(number: number, sequence: event.sequence, issue: "a post sent without its tracking")
            }
            var posts = mail ?? CaseMail()
            posts.sent.append(PostRecord(post: post, at: event.at, by: event.actor))
            mail = posts
        }
        version = event.sequence
        updatedAt = event.at
    }
}

/// A document's receipt as the case keeps it.
public struct DocumentReceipt: Sendable, Equatable, Codable {
    public var document: ReceivedDocument
    public var at: Date
    public var by: String

    public init(document: ReceivedDocument, at: Date, by: String) {
        self.document = document
        self.at = at
        self.by = by
    }
}

/// A history that cannot be folded: a corrupted or hand-edited event log.
public struct HistoryError: ClerkReadable, ProblemConvertible, Sendable, Equatable {
    public var number: CaseNumber
    public var sequence: Int
    /// What is wrong at that event.
    public var issue: String

    public init(number: CaseNumber, sequence: Int, issue: String) {
        self.number = number
        self.sequence = sequence
        self.issue = issue
    }

    public var problem: Problem {
        Problem(.storage, "history.inconsistent", LocalizedText(zh: message(.zh), en: message(.en)))
    }

    public func message(_ language: Language) -> String {
        switch language {
        case .zh: "办件\(number)的历史记录第\(sequence)条不一致：\(issue)"
        case .en: "the history of case \(number) is inconsistent at event \(sequence): \(issue)"
        }
    }
}
