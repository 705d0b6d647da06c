import Foundation
import KaibanCore

/// A reference data file as the store remembers it: its key (`workflow:company-formation.xml`,
/// `calendar:holidays-2026.xml`, `divisions:divisions.xml`) and its exact text.
public struct ReferenceSource: Sendable, Equatable {
    public var key: String
    public var text: String

    public init(key: String, text: String) {
        self.key = key
        self.text = text
    }
}

/// The result of a step: the case as it now stands and the events appended.
public struct StepOutcome: Sendable, Equatable, Codable {
    public var state: RegistrationCase
    public var events: [CaseEvent]

    public init(state: RegistrationCase, events: [CaseEvent]) {
        self.state = state
        self.events = events
    }

    enum CodingKeys: String, CodingKey {
        case state = "case"
        case events
    }
}

/// One step of an imported case: what, by whom, when.
public struct BatchStep: Sendable {
    public var command: CaseCommand
    public var clerk: String
    public var at: Date
    /// How the step's events are written; nil for generated data (no system clock involved).
    public var recording: Recording?

    public init(_ command: CaseCommand, by clerk: String, at: Date, recording: Recording? = nil) {
        self.command = command
        self.clerk = clerk
        self.at = at
        self.recording = recording
    }

    /// When the step happens on `state` as its transaction found it: ``at``, or for a step dated
    /// now (``Recording/datedNow``) no earlier than the case's last event, when that is not later
    /// than this process's clock allows a step to be (``Desk/futureTolerance``: a process whose
    /// clock runs hours fast must not date this step hours ahead; it stays refused as before the
    /// last event).
    public func instant(on state: RegistrationCase) -> Date {
        guard let recording, recording.datedNow, state.updatedAt > at,
            state.updatedAt <= recording.at.addingTimeInterval(Desk.futureTolerance)
        else { return at }
        return state.updatedAt
    }
}

/// A case to import: its intake and the steps taken on it since.
public struct CaseImport: Sendable {
    public var application: CaseApplication
    public var workflowID: String
    public var hall: String
    public var clerk: String
    public var at: Date
    public var steps: [BatchStep]

    public init(
        application: CaseApplication, workflowID: String, hall: String, clerk: String, at: Date, steps: [BatchStep]
    ) {
        self.application = application
        self.workflowID = workflowID
        self.hall = hall
        self.clerk = clerk
        self.at = at
        self.steps = steps
    }
}

/// One line of the worklist as stored.
public struct QueueEntry: Sendable, Equatable, Codable {
    public var number: CaseNumber
    public var stage: String
    public var channel: Channel
    public var enterpriseType: EnterpriseType
    public var proposedName: String
    public var openedAt: Date
    public var updatedAt: Date
    public var version: Int
    public var workflow: WorkflowDefinition.Key
    /// The case's clock segments, for its SLA figures.
    public var segments: [ClockSegment]
    /// Extended hours the case was taken in during (see ``CaseTimeline``).
    public var extra: [DateInterval]
    /// While the clock runs: when the budget runs (ran) out; the worklist's order.
    public var dueAt: Date?
    /// While waiting on the applicant: what is left of the budget; the order after running cases.
    public var remainingMinutes: Int?
    /// The special-service flag's kind (特殊办), when the case is flagged: first in its stage.
    public var special: SpecialKind?
    /// A mail case's licence not yet posted: since when it waits (its issue).
    public var licenceAwaitingPostSince: Date?

    public init(
        number: CaseNumber, stage: String, channel: Channel, enterpriseType: EnterpriseType, proposedName: String,
        openedAt: Date, updatedAt: Date, version: Int, workflow: WorkflowDefinition.Key, segments: [ClockSegment],
        extra: [DateInterval] = [], dueAt: Date? = nil, remainingMinutes: Int? = nil, special: SpecialKind? = nil,
        licenceAwaitingPostSince: Date? = nil
    ) {
        self.extra = extra
        self.special = special
        self.licenceAwaitingPostSince = licenceAwaitingPostSince
        self.dueAt = dueAt
        self.remainingMinutes = remainingMinutes
        self.number = number
        self.stage = stage
        self.channel = channel
        self.enterpriseType = enterpriseType
        self.proposedName = proposedName
        self.openedAt = openedAt
        self.updatedAt = updatedAt
        self.version = version
        self.workflow = workflow
        self.segments = segments
    }
}

/// A closed case as the SLA report needs it.
public struct ClosedCaseRow: Sendable {
    /// The case's value of the report's grouping (its channel, type or intake clerk; empty for
    /// all and by stage).
    public var group: String
    /// Its value of a second grouping read in the same pass (empty when none was asked).
    public var secondGroup = ""
    public var workflow: WorkflowDefinition.Key
    /// Government minutes as computed at its last event (or the last calendar change).
    public var governmentMinutes: Int?
    /// The case's clock segments in their compact form (``ClockSegment/encode(_:)``), when the
    /// report needs them (by stage, or no minutes stored): walked without building segments.
    public var clockSegments: String

    /// The clock segments, decoded.
    public var segments: [ClockSegment] { ClockSegment.decode(clockSegments[...]) ?? [] }

    public init(group: String, workflow: WorkflowDefinition.Key, governmentMinutes: Int?, clockSegments: String) {
        self.group = group
        self.workflow = workflow
        self.governmentMinutes = governmentMinutes
        self.clockSegments = clockSegments
    }
}

/// A case closed in a period as the dashboard's pictures need it (``DashboardTimes``).
public struct ClosedCaseTime: Sendable {
    public var closedAt: Date
    public var workflow: WorkflowDefinition.Key
    /// Government minutes as stored (nil: measured from the segments).
    public var governmentMinutes: Int?
    /// The clock segments in their stored form (``ClockSegment/encode(_:extra:)``).
    public var clockSegments: String

    public init(closedAt: Date, workflow: WorkflowDefinition.Key, governmentMinutes: Int?, clockSegments: String) {
        self.closedAt = closedAt
        self.workflow = workflow
        self.governmentMinutes = governmentMinutes
        self.clockSegments = clockSegments
    }
}

/// Counts for the end-of-day summary.
public struct DeskSummary: Sendable, Equatable, Codable {
    public var total: Int
    public var open: Int
    public var byStage: [String: Int]
    public var byChannel: [String: Int]
    public var events: Int

    public init(total: Int, open: Int, byStage: [String: Int], byChannel: [String: Int], events: Int) {
        self.total = total
        self.open = open
        self.byStage = byStage
        self.byChannel = byChannel
        self.events = events
    }
}

/// What a rebuild found.
public struct RebuildReport: Sendable, Equatable, Codable {
    public var cases: Int
    public var events: Int
    /// Cases whose stored state differed from the replay of their history (and were rewritten).
    public var repaired: [String]
    /// Clerks whose roles or standing differed from their history (and were rewritten).
    public var clerksRepaired: [String]
    /// Lookup and registered-name rows of no existing case, removed.
    public var orphansRemoved: Int
    /// Rows of the hall's counts by day (``HallFigures``) that differed from the cases and their
    /// histories (and were rewritten).
    public var figureDaysRepaired = 0
    /// The documents' files, checked against the attachment records (nil when not checked).
    public var files: DocumentFileCheck?

    public init(cases: Int, events: Int, repaired: [String], clerksRepaired: [String] = [], orphansRemoved: Int = 0) {
        self.cases = cases
        self.events = events
        self.repaired = repaired
        self.clerksRepaired = clerksRepaired
        self.orphansRemoved = orphansRemoved
    }
}

/// The documents' files against the attachment records: files kept before a transaction that
/// never committed (a refusal, a crash) are no record's and go; so do temporary files a crash
/// left behind; a record whose file is missing or of another size is reported.
public struct DocumentFileCheck: Sendable, Equatable, Codable {
    /// Attachment records whose file was found with its size.
    public var verified = 0
    /// Digests of attachment records whose file is missing or not of the recorded size.
    public var missing: [String] = []
    /// Files no attachment record names, moved into the data directory's `orphans` folder (only
    /// those older than the grace, so an upload being committed right now keeps its file); the
    /// name is kept for the JSON's readers.
    public var orphansRemoved = 0
    /// Temporary files of an interrupted write, removed (older than the grace too).
    public var temporaryRemoved = 0

    public init() {}
}

/// One recorded change to the working calendar.
public struct CalendarChange: Sendable, Equatable, Codable {
    public var at: Date
    /// `2027` for a year, `office-hours 510811` for a hall's hours.
    public var subject: String
    /// `added`, `replaced` or (office hours for a day not yet come) `corrected`.
    public var change: String
    public var reason: String
    public var by: String?

    public init(at: Date, subject: String, change: String, reason: String, by: String?) {
        self.at = at
        self.subject = subject
        self.change = change
        self.reason = reason
        self.by = by
    }
}

/// One version of a hall's office hours and who brought it in, when and why.
public struct OfficeHoursRecord: Sendable, Equatable, Codable {
    public var version: OfficeHoursVersion
    public var source: String
    public var recordedAt: Date
    /// The supervisor who added it; nil for the hours taken from the seed file.
    public var recordedBy: String?
    public var reason: String
    /// Corrected before its date came by a later version for the same date, which stands instead
    /// (set by the desk's ``Desk/calendarStatus()``).
    public var corrected = false

    public init(version: OfficeHoursVersion, source: String, recordedAt: Date, recordedBy: String?, reason: String) {
        self.version = version
        self.source = source
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
        self.reason = reason
    }
}

/// A year the calendar knows, and where it came from.
public struct CalendarYearInfo: Sendable, Equatable, Codable {
    public var year: Int
    public var notice: String
    public var source: String
    public var loadedAt: Date
    public var loadedBy: String?

    public init(year: Int, notice: String, source: String, loadedAt: Date, loadedBy: String?) {
        self.year = year
        self.notice = notice
        self.source = source
        self.loadedAt = loadedAt
        self.loadedBy = loadedBy
    }
}

/// The parts of a proposed name that conflicts are judged on.
public struct NameParts: Sendable, Equatable, Codable {
    public var tradeName: String
    public var industry: String

    public init(tradeName: String, industry: String) {
        self.tradeName = tradeName
        self.industry = industry
    }
}

/// A name registered in a division, for conflict checks.
/// What an intake checks a name against (``DeskStore/nameRecords(division:tradeName:industry:)``).
public struct NameRecords: Sendable, Equatable {
    /// The names registered in the division with the trade name or in the industry.
    public var registered: [RegisteredName]
    /// The open applications of the division's hall with the trade name and industry, in order.
    public var open: [String]

    public init(registered: [RegisteredName], open: [String]) {
        self.registered = registered
        self.open = open
    }
}

public struct RegisteredName: Sendable, Equatable {
    public var caseNumber: String
    public var name: String
    public var tradeName: String
    public var industry: String
    /// When the registration was revoked (撤销): the name is held three years from then
    /// (``NameRules/isHeld(releasedAt:on:)``); nil while it stands.
    public var releasedAt: Date?

    public init(caseNumber: String, name: String, tradeName: String, industry: String, releasedAt: Date? = nil) {
        self.caseNumber = caseNumber
        self.name = name
        self.tradeName = tradeName
        self.industry = industry
        self.releasedAt = releasedAt
    }
}

/// A case's whole history, oldest first.
public struct CaseHistory: Sendable, Equatable {
    public var number: CaseNumber
    public var events: [CaseEvent]

    public init(number: CaseNumber, events: [CaseEvent]) {
        self.number = number
        self.events = events
    }
}

/// A supervisor's dishonesty flag (失信) on a person, or its clearing, by ID number.
public struct ApplicantFlag: Sendable, Equatable, Codable {
    public var idNumber: String
    /// True for a flag, false for a clearing (which also forgives earlier broken commitments).
    public var flagged: Bool
    public var at: Date
    public var actor: String
    public var reason: String

    public init(idNumber: String, flagged: Bool, at: Date, actor: String, reason: String) {
        self.idNumber = idNumber
        self.flagged = flagged
        self.at = at
        self.actor = actor
        self.reason = reason
    }
}

/// Whether a person may commit to a deferral: not while flagged, nor with a commitment broken
/// since a supervisor last cleared them.
public struct ApplicantStanding: Sendable, Equatable, Codable {
    public var idNumber: String
    /// The flag in force, if any.
    public var flag: ApplicantFlag?
    /// Cases whose deferral this person broke (supplied late, or outstanding past its deadline).
    public var brokenCommitments: [CaseNumber]

    public init(idNumber: String, flag: ApplicantFlag?, brokenCommitments: [CaseNumber]) {
        self.idNumber = idNumber
        self.flag = flag
        self.brokenCommitments = brokenCommitments
    }

    public var excluded: Bool { flag != nil || !brokenCommitments.isEmpty }
}

/// The 容缺 figures of a period as stored, with the clock segments of the completed cases that
/// had a deferral (for the time they waited, measured by the desk on its calendar).
public struct DeferralRecords: Sendable, Equatable {
    /// The commitments' figures (``DeferralFigures/completedWithDeferral`` is the desk's, from
    /// ``fulfilledBeforeAcceptance``).
    public var figures = DeferralFigures()
    /// ``ClockSegment/encode(_:)`` text of each case closed in the period with a commitment.
    public var segments: [String] = []
    /// Whether each of those cases' commitments was fulfilled (its last deferred document came)
    /// before the case was accepted, by the order of its history (not by time: one second may
    /// hold both), in the same order.
    public var fulfilledBeforeAcceptance: [Bool] = []

    public init() {}
}

/// A submission through a portal as the store takes it in, in one transaction with its
/// idempotency record and the case's access: the portal, the SHA-256 of the idempotency key and
/// of the request, the hashed and the sealed query password, and the warnings its answer gave (as
/// JSON), so that a retry is answered with them too.
public struct PortalSubmission: Sendable, Equatable {
    public var portal: Portal
    public var keySHA256: String
    public var requestSHA256: String
    public var passwordHash: String
    public var sealedPassword: String
    public var warningsJSON: String

    public init(
        portal: Portal, keySHA256: String, requestSHA256: String, passwordHash: String, sealedPassword: String,
        warningsJSON: String = "[]"
    ) {
        self.portal = portal
        self.keySHA256 = keySHA256
        self.requestSHA256 = requestSHA256
        self.passwordHash = passwordHash
        self.sealedPassword = sealedPassword
        self.warningsJSON = warningsJSON
    }
}

/// The names an intake checks a proposed name against: a division's, under a trade name and in
/// an industry.
public struct NameQuery: Sendable, Hashable {
    public var division: String
    public var tradeName: String
    public var industry: String

    public init(division: String, tradeName: String, industry: String) {
        self.division = division
        self.tradeName = tradeName
        self.industry = industry
    }
}

/// What a portal's submission finds before its checks: the submission made earlier under its
/// idempotency key (to answer again), or, for a new one, the records its name is checked against.
public enum SubmissionLookup: Sendable, Equatable {
    case earlier(EarlierSubmission)
    case new(NameRecords)
}

/// A submission already taken in under the same portal and idempotency key, with the warnings
/// its answer gave (JSON; nil for a submission recorded before they were kept).
public struct EarlierSubmission: Sendable, Equatable {
    public var number: CaseNumber
    public var requestSHA256: String
    public var sealedPassword: String
    public var warningsJSON: String?

    public init(number: CaseNumber, requestSHA256: String, sealedPassword: String, warningsJSON: String? = nil) {
        self.number = number
        self.requestSHA256 = requestSHA256
        self.sealedPassword = sealedPassword
        self.warningsJSON = warningsJSON
    }
}

/// Which portal submitted a case, its hashed query password, the failed passwords counted since
/// the instant asked about, and the case's version (read together, in one read).
public struct CaseAccess: Sendable, Equatable {
    public var portalID: String
    public var passwordHash: String
    public var failures: Int
    public var version: Int

    public init(portalID: String, passwordHash: String, failures: Int = 0, version: Int = 0) {
        self.portalID = portalID
        self.passwordHash = passwordHash
        self.failures = failures
        self.version = version
    }
}

/// A case waiting on the post (寄递办), as stored: its documents to arrive, or its licence to go.
public struct MailPendingRecord: Sendable, Equatable {
    public var number: CaseNumber
    public var proposedName: String
    /// Since when it waits: the intake (documents to arrive) or the licence's issue.
    public var since: Date

    public init(number: CaseNumber, proposedName: String, since: Date) {
        self.number = number
        self.proposedName = proposedName
        self.since = since
    }
}

/// The two lists of ``DeskStore/mailPending(limit:)``, each longest waiting first.
public struct MailPendingRecords: Sendable, Equatable {
    public var inbound: [MailPendingRecord]
    public var licences: [MailPendingRecord]

    public init(inbound: [MailPendingRecord], licences: [MailPendingRecord]) {
        self.inbound = inbound
        self.licences = licences
    }
}
