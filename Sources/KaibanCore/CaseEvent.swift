import Foundation

/// One entry of a case's append-only history. The history is the truth; a case's current state
/// is the fold of its events (``RegistrationCase/replay(_:definition:)``).
public struct CaseEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The case was taken in (收件); carries the application.
        case opened
        /// The case moved from one stage to another.
        case transitioned
        /// A start-up task was done.
        case taskCompleted = "task-completed"
        /// A document of the checklist was received (at the window, electronically or by post).
        case documentReceived = "document-received"
        /// The applicant signed a commitment to supply deferred documents (容缺受理承诺书).
        case deferralCommitted = "deferral-committed"
        /// A supervisor extended a deferral's deadline, once, with a reason.
        case deferralExtended = "deferral-extended"
        /// The last deferred document came in: the deferral closed (taken by the engine).
        case deferralFulfilled = "deferral-fulfilled"
        /// The case was flagged for special service (特殊办) by a supervisor, with its reason.
        case specialFlagged = "special-flagged"
        /// A supervisor removed the special-service flag, with a reason.
        case specialUnflagged = "special-unflagged"
        /// A clerk recorded a visit to the applicant (上门服务): when (the event's instant), where, who went.
        case visitRecorded = "visit-recorded"
        /// The application's documents arrived by post (寄递办): carrier and tracking number.
        case mailReceived = "mail-received"
        /// The hall posted something back (the licence, notices): carrier, tracking, items, address.
        case mailSent = "mail-sent"
    }

    /// 1 for the first event of a case, then consecutive.
    public var sequence: Int
    public var at: Date
    public var kind: Kind
    /// The clerk who acted.
    public var actor: String
    /// The role the clerk acted in; nil for the engine's own automatic steps' triggering clerk role.
    public var role: String?
    public var transition: String?
    public var fromStage: String?
    public var toStage: String?
    public var task: String?
    public var reason: String?
    /// Only on `opened`: what was applied for.
    public var application: CaseApplication?
    /// Only on `opened`: the workflow version the case runs under for life.
    public var definition: WorkflowDefinition.Key?
    /// Set when the engine took the step itself (a join), triggered by the clerk's action.
    public var automatic: Bool
    /// The unified social credit code issued with this step (发照), filled in by the store.
    public var creditCode: String?
    /// When the event was written, by the system clock (never user input); nil for events
    /// written before this was kept.
    public var recordedAt: Date?
    /// Set on a late entry (补录): the supervisor who entered the event after the fact.
    public var recordedBy: String?
    /// Set on a late entry: why it was entered after the fact (a paper case after an outage).
    public var lateReason: String?

    /// Only on `document-received`: which document, in what form.
    public var document: ReceivedDocument?
    /// Only on `opened`: the documents the case needs, from the checklist in force at intake.
    public var checklist: CaseChecklist?
    /// Only on `opened`: the documents handed in with the application (received at intake).
    public var documentsReceived: [ReceivedDocument]?
    /// Only on `deferral-committed`: what the applicant signed.
    public var commitment: DeferralCommitment?
    /// Only on `deferral-extended`: the new deadline.
    public var deferralExtension: DeferralExtension?
    /// Only on `special-flagged`: the kind and reason of the flag.
    public var special: SpecialRequest?
    /// Only on `visit-recorded`: where and who went.
    public var visit: VisitDetails?
    /// Only on `mail-received` and `mail-sent`: the post.
    public var post: PostalItem?
    /// Only on `opened`: the extended hours (延时服务) the case was taken in during.
    public var extendedHours: ExtendedHoursIntake?

    /// Whether the event was entered after the fact by a supervisor.
    public var isLateEntry: Bool { lateReason != nil }

    /// Stamps the event with how it was written.
    public mutating func stamp(_ recording: Recording) {
        recordedAt = recording.at
        recordedBy = recording.lateEntryBy
        lateReason = recording.lateReason
    }

    public init(
        sequence: Int, at: Date, kind: Kind, actor: String, role: String? = nil, transition: String? = nil,
        fromStage: String? = nil, toStage: String? = nil, task: String? = nil, reason: String? = nil,
        application: CaseApplication? = nil, definition: WorkflowDefinition.Key? = nil, automatic: Bool = false,
        creditCode: String? = nil
    ) {
        self.creditCode = creditCode
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.actor = actor
        self.role = role
        self.transition = transition
        self.fromStage = fromStage
        self.toStage = toStage
        self.task = task
        self.reason = reason
        self.application = application
        self.definition = definition
        self.automatic = automatic
    }
}

/// A document as received: its checklist code, how it came and, for an electronic file, its
/// SHA-256 (64 lowercase hex digits).
public struct ReceivedDocument: Sendable, Hashable, Codable {
    public enum Form: String, Sendable, Hashable, Codable, CaseIterable {
        /// Handed in on paper at the window.
        case paper
        /// An electronic file, identified by its digest.
        case electronic
        /// Posted to the hall (寄递).
        case post
    }

    public var code: String
    public var form: Form
    public var sha256: String?

    public init(code: String, form: Form, sha256: String? = nil) {
        self.code = code
        self.form = form
        self.sha256 = sha256
    }

    /// What is wrong with it as given: an electronic document needs its digest, and only an
    /// electronic one has one.
    public var problem: LocalizedText? {
        if let sha256 {
            guard form == .electronic else {
                return LocalizedText(zh: "只有电子材料才有摘要（SHA-256）", en: "only an electronic document has a SHA-256")
            }
            guard sha256.count == 64, sha256.allSatisfy({ $0.isASCII && $0.isHexDigit && !$0.isUppercase }) else {
                return LocalizedText(
                    zh: "SHA-256摘要应为64位小写十六进制数字", en: "the SHA-256 must be 64 lowercase hexadecimal digits")
            }
        } else if form == .electronic {
            return LocalizedText(zh: "电子材料须附SHA-256摘要", en: "an electronic document needs its SHA-256")
        }
        return nil
    }
}

/// How events are written: when (the system clock) and, for a late entry (补录), by which
/// supervisor and why.
public struct Recording: Sendable, Equatable {
    public var at: Date
    public var lateEntryBy: String?
    public var lateReason: String?
    /// For a late entry: the clerk who did the step as they stood when it happened (their roles
    /// and standing then, not now), which the step's rules are checked against.
    public var doneByThen: Clerk?
    /// The step was given no instant: it happens now, which is when its transaction writes it. A
    /// step another process wrote on the case meanwhile (the clock read before the wait for the
    /// database's lock, or in the same second) dates it no earlier than that step: it had been
    /// refused as before the last event, though no one had dated anything back.
    public var datedNow: Bool

    public init(
        at: Date, lateEntryBy: String? = nil, lateReason: String? = nil, doneByThen: Clerk? = nil,
        datedNow: Bool = false
    ) {
        self.at = at
        self.lateEntryBy = lateEntryBy
        self.lateReason = lateReason
        self.doneByThen = doneByThen
        self.datedNow = datedNow
    }
}

/// Progress of one start-up task of a case.
public struct TaskProgress: Sendable, Equatable, Codable {
    public var task: String
    public var doneAt: Date?
    public var doneBy: String?

    public init(task: String, doneAt: Date? = nil, doneBy: String? = nil) {
        self.task = task
        self.doneAt = doneAt
        self.doneBy = doneBy
    }

    public var isDone: Bool { doneAt != nil }
}
