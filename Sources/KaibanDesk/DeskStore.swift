import Foundation
import KaibanCore

/// The desk's storage, as one asynchronous contract. An implementation keeps the history
/// append-only and runs every write as one transaction: load, let the core decide, append the
/// events, update what is derived from them, commit; a refusal writes nothing. It throws
/// ``StoreError``, ``WorkflowError``, ``ApplicationRejected`` or ``HistoryError``. Nothing here
/// depends on how or where the data is kept.
public protocol DeskStore: AppointmentStore, ExchangeStore {
    /// Where the data lives, for messages.
    var location: String { get }
    /// Throws when the store can no longer be trusted to write where it reads (a database file
    /// replaced under the running process); `/healthz` asks it.
    func checkInPlace() async throws

    // MARK: Reference data (brought in step by ``Desk``)

    /// Whether `source` was already taken in with exactly this text.
    func isReferenceCurrent(_ source: ReferenceSource) async throws -> Bool
    /// Registers a workflow definition version read from `source`; false when that exact version
    /// is already registered. A changed definition that kept its version is refused.
    @discardableResult
    func register(_ definition: WorkflowDefinition, source: ReferenceSource, at now: Date) async throws -> Bool
    /// The newest registered version of workflow `id`.
    func latestDefinition(_ id: String) async throws -> WorkflowDefinition
    /// Every registered version, newest first within each workflow.
    func definitions() async throws -> [WorkflowDefinition]
    /// One exact version.
    func definition(_ key: WorkflowDefinition.Key) async throws -> WorkflowDefinition
    /// Replaces the stored divisions with those of `source`.
    func loadDivisions(_ divisions: [Division], source: ReferenceSource) async throws
    /// What is known of a division code on `date`: its names over time and its parents' names.
    func division(_ code: String, on date: CivilDate) async throws -> DivisionStatus
    /// Records the years of a holiday-notice file (unchanged years are left alone); each change
    /// is kept with `reason`.
    func loadHolidayYears(_ years: [HolidayYear], source: ReferenceSource, reason: String, at now: Date)
        async throws
    /// Takes in a hall's office hours from its seed file as the version in force from the start,
    /// when the hall has none yet; hours already kept are never replaced from a file.
    func loadOfficeHours(_ hours: OfficeHours, source: ReferenceSource, reason: String, at now: Date) async throws
    /// Adds a version of a hall's office hours in force from its date on; a version for a date
    /// already kept is refused.
    func addOfficeHours(_ version: OfficeHoursVersion, source: String, reason: String, by clerk: String, at now: Date)
        async throws -> CalendarChange
    /// Every version of a hall's office hours, oldest first.
    func officeHoursHistory(hall: String) async throws -> [OfficeHoursRecord]
    /// Adds years a supervisor imports; a year known with other dates is refused unless `replace`.
    func importCalendar(
        _ years: [HolidayYear], source: String, replace: Bool, reason: String, by clerk: String, at now: Date
    ) async throws -> [CalendarChange]
    /// The hall's working calendar from the years and office hours stored.
    func workingCalendar(hall: String) async throws -> WorkingCalendar
    /// The stored calendar's revision (the number of changes made to it): what a calendar read
    /// earlier is compared with, to see whether another process changed the calendar since.
    func calendarRevision() async throws -> Int
    func calendarYears() async throws -> [CalendarYearInfo]
    /// Every change to the calendar, oldest first.
    func calendarChanges() async throws -> [CalendarChange]

    // MARK: Clerks

    /// Registers a clerk, with an `added` entry in the clerk's history at `now`. The first clerk
    /// needs no one's authority and must be a supervisor; after that `actor` must be an active
    /// supervisor (checked in the same transaction).
    func addClerk(_ clerk: Clerk, by actor: String?, at now: Date) async throws
    /// A supervisor's change to a clerk, with its reason and its entry in the clerk's
    /// (append-only) history, in one transaction: `actor` must be an active supervisor; a
    /// deactivated clerk is not changed; the last active supervisor keeps the role and stays active.
    func changeClerk(_ id: String, _ change: ClerkChange, reason: String, by actor: String, at now: Date)
        async throws -> Clerk
    /// A clerk's history, oldest first.
    func clerkHistory(_ id: String) async throws -> [ClerkEvent]
    func clerk(_ id: String) async throws -> Clerk
    func clerks() async throws -> [Clerk]

    // MARK: Cases

    /// Takes in an application under the newest version of `workflowID`: the next case number of
    /// `hall` for the local date of `now`, and the opening event. `clock` places the case in the
    /// worklist (``SLAClock/schedule(_:budgetMinutes:)``). `documents` handed in with the
    /// application are received in the same transaction.
    func intake(
        _ application: CaseApplication, workflowID: String, hall: String, by clerk: String, at now: Date,
        nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, documents: [ReceivedDocument],
        clock: SLAClock
    ) async throws -> RegistrationCase
    /// Applies `command` as `clerk` at `now` (when it happened), its events written as
    /// `recording` says; with `expectedVersion`, refuses as stale if the case moved on since.
    func apply(
        _ command: CaseCommand, to number: CaseNumber, by clerk: String, at now: Date, expectedVersion: Int?,
        recording: Recording, clock: SLAClock
    ) async throws -> StepOutcome
    /// Applies `commands` in order, all in one transaction: if any is refused, none is written.
    func apply(
        all commands: [CaseCommand], to number: CaseNumber, by clerk: String, at now: Date, recording: Recording,
        clock: SLAClock
    ) async throws -> StepOutcome
    func registrationCase(_ number: CaseNumber) async throws -> RegistrationCase
    /// The case's full history, oldest first.
    func history(_ number: CaseNumber) async throws -> [CaseEvent]
    /// One page of open cases in worklist order, optionally only in `stages`: with `running`, the
    /// cases whose clock runs, by when their budget runs (ran) out; otherwise those waiting on the
    /// applicant, by what is left of their budget. Read in order, without measuring other cases.
    func worklistPage(stages: [String]?, running: Bool, offset: Int, limit: Int) async throws -> [QueueEntry]
    /// Open cases whose clock runs and whose budget runs out after `after` and at or before
    /// `through`, by that instant, at most `limit` (through the index on open running cases).
    func runningCases(dueAfter after: Date, through: Date, limit: Int) async throws -> [QueueEntry]
    /// The open cases flagged for special service (特殊办), optionally only in `stages`, in worklist
    /// order, at most `limit`: read without touching the other open cases.
    func openSpecialCases(stages: [String]?, limit: Int) async throws -> [QueueEntry]
    /// The histories of the cases open at `instant` (taken in by then, not closed by then), for
    /// reads in the past; at most `limit`, nil when there are more.
    func histories(openAt instant: Date, limit: Int) async throws -> [CaseHistory]?
    /// Recomputes the worklist order of open cases with `clock` if the calendar changed since it
    /// was last computed; returns how many cases were rescheduled.
    func refreshSchedules(clock: SLAClock) async throws -> Int
    /// Folds the cases closed in `stages` between two instants (the SLA report's population),
    /// streamed: the whole population is never held at once.
    func closedCases<Accumulator: Sendable>(
        from: Date, to: Date, stages: [String], groupedBy grouping: SLAGrouping, thenBy second: SLAGrouping?,
        into initial: Accumulator,
        _ fold: @escaping @Sendable (inout Accumulator, ClosedCaseRow) -> Void
    ) async throws -> Accumulator
    /// The first and last closing instants of the cases closed in `stages` between two instants.
    func closedSpan(from: Date, to: Date, stages: [String]) async throws -> (first: Date, last: Date)?
    /// Names registered in `division` with `tradeName` or in `industry`, for conflict checks.
    func registeredNames(division: String, tradeName: String, industry: String) async throws -> [RegisteredName]
    /// Open applications of the hall with the same trade name and industry.
    func openApplications(hall: String, tradeName: String, industry: String) async throws -> [String]
    /// Both of the above for one division (the hall's), read together: what an intake checks a
    /// name against. A store answers it in one round trip where that saves one.
    func nameRecords(division: String, tradeName: String, industry: String) async throws -> NameRecords
    /// Cases filed under `key` as one of `kinds` (``CaseLookup/entries(of:tradeName:creditCode:)``,
    /// kept in the transaction of every intake and licence), or under a key starting with it when
    /// `prefix`; newest first, `limit` from `offset`. Read through an index, never by scanning cases.
    func findCases(kinds: [CaseLookup.Kind], key: String, prefix: Bool, offset: Int, limit: Int) async throws
        -> FindPage
    func caseCount() async throws -> Int
    func summary() async throws -> DeskSummary
    /// Replays every case's history, rewrites every derived column that differs (the worklist
    /// order with `clock`), and reports it.
    func rebuild(clock: SLAClock) async throws -> RebuildReport
    /// The open deferrals whose next deadline lies between `dueFrom` and `dueBy` (either may be
    /// open-ended), earliest first, at most `limit`; read through the deadline index.
    func deferrals(dueFrom: Date?, dueBy: Date?, limit: Int) async throws -> [CaseNumber]
    /// Each person's standing for a deferral at `now` (flag, broken commitments).
    func applicantStanding(_ ids: [String], at now: Date) async throws -> [ApplicantStanding]
    /// Every flag and clearing of a person, oldest first.
    func applicantFlags(_ id: String) async throws -> [ApplicantFlag]
    /// Records a supervisor's flag or clearing (the actor is checked in the same transaction).
    func recordApplicantFlag(_ flag: ApplicantFlag) async throws
    /// The 容缺 figures of a period (``DeferralFigures``) at `now`.
    func deferralFigures(from: Date, to: Date, stages: [String], acceptedStages: [String], at now: Date)
        async throws -> DeferralRecords
    /// The rows of the hall's figures between two instants (the local days `firstDay`...`lastDay`),
    /// with the bookings of those days (``HallFigureRecords``): a case counts as accepted on its
    /// first step of the transition `accept`; `correction` names the one that returns a case for
    /// correction.
    func hallFigureRecords(
        from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate, correction: String
    ) async throws -> HallFigureRecords
    /// The cases closed in `stages` between two instants, with their closing instant, stored
    /// minutes and clock segments (the dashboard's pictures); read through the index on closing time.
    func closedCaseTimes(from: Date, to: Date, stages: [String]) async throws -> [ClosedCaseTime]
    /// What came in and went out through each channel between two instants (cases by intake and
    /// closing instant, posts by theirs) and the bookings for the local days `firstDay`…`lastDay`.
    func channelActivity(from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate) async throws
        -> ChannelActivityRecords
    /// Mail cases whose documents have not arrived, and mail cases' licences not yet posted, each
    /// longest waiting first, at most `limit` of each; read through indexes kept with every step.
    func mailPending(limit: Int) async throws -> MailPendingRecords
    // MARK: Portals

    /// Registers a portal with its token's hash; `portal.createdBy` must be an active supervisor
    /// (checked in the same transaction); an id already used is refused.
    func addPortal(_ portal: Portal, tokenHash: String) async throws
    /// Every portal, active and revoked, by id.
    func portals() async throws -> [Portal]
    /// Revokes a portal once, by an active supervisor, with a reason.
    func revokePortal(_ id: String, by actor: String, reason: String, at now: Date) async throws -> Portal
    /// The portal whose token hashes to `tokenHash`, if any.
    func portal(tokenHash: String) async throws -> Portal?
    /// The submission an active portal made earlier under the same idempotency key, if any.
    func earlierSubmission(portalID: String, keySHA256: String) async throws -> EarlierSubmission?
    /// What a portal's submission reads before its checks: the earlier submission under its key,
    /// or, when there is none, the name records of `names` (as ``nameRecords(division:tradeName:industry:)``).
    /// A store answers it in one round trip where that saves one.
    func submissionLookup(portalID: String, keySHA256: String, names: NameQuery) async throws -> SubmissionLookup
    /// Takes in an application submitted through a portal (as ``intake(_:workflowID:hall:by:at:nameParts:recording:checklist:documents:clock:)``,
    /// the engine acting as `clerk`), with its idempotency record and access, in one transaction;
    /// a concurrent submission under the same key loses to the first (``StoreError/submissionExists``).
    func intake(
        _ application: CaseApplication, submission: PortalSubmission, workflowID: String, hall: String, as clerk: Clerk,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, clock: SLAClock
    ) async throws -> RegistrationCase
    /// Which portal submitted case `number`, its password hash, the failed passwords since
    /// `failuresSince` and the case's version, in one read; nil for a case taken in at the window.
    func caseAccess(_ number: CaseNumber, failuresSince: Date) async throws -> CaseAccess?
    /// Records a failed password for case `number` and returns the failures since `since`.
    func recordAccessFailure(_ number: CaseNumber, at now: Date, countingSince since: Date) async throws -> Int
    /// The instant of a wrong query password for case `number` at or after `since`: the earliest
    /// when `skipping` is 0, else the one after the first `skipping` of them; nil when there are
    /// not that many.
    func accessFailure(_ number: CaseNumber, since: Date, skipping: Int) async throws -> Date?

    // MARK: Clerk tokens

    /// Records a token issued to `token.clerk` (who must be an active clerk) by `token.issuedBy`
    /// (an active supervisor, checked in the same transaction), revoking with `replacedReason` the
    /// token the clerk held; whether there was one.
    func issueClerkToken(_ token: ClerkToken, tokenHash: String, replacedReason: String) async throws -> Bool
    /// Revokes the clerk's valid token, by an active supervisor, with a reason.
    func revokeClerkToken(of clerk: String, by actor: String, reason: String, at now: Date) async throws -> ClerkToken
    /// Every token (or the clerk's), newest first, revoked and expired ones too.
    func clerkTokens(of clerk: String?) async throws -> [ClerkToken]
    /// The token whose hash is `tokenHash`, with its clerk as they stand now.
    func clerkToken(tokenHash: String) async throws -> (token: ClerkToken, clerk: Clerk)?

    // MARK: Attachments

    /// Keeps `content` in `directory` under its SHA-256 (`attachment.sha256`), durably, before
    /// anything refers to it; then applies `command` as `clerk` at `attachment.receivedAt` and
    /// records `attachment` (with the sequence of the event that records the document) in one
    /// transaction. A refusal then records nothing: at most the file stays, referred to by no
    /// record. A record never refers to a file that is not kept.
    func attach(
        _ attachment: DocumentAttachment, content: Data, in directory: URL, command: CaseCommand,
        to number: CaseNumber, by clerk: String, recording: Recording, clock: SLAClock
    ) async throws -> AttachmentOutcome
    /// Case `number`'s attachments, by document code.
    func attachments(_ number: CaseNumber) async throws -> [DocumentAttachment]
    /// The file kept in `directory` under `sha256`; nil when there is none.
    func attachmentContent(sha256: String, in directory: URL) async throws -> Data?
    /// Checks the files under `directory` against the attachment records, removing files no
    /// record names and temporary files, when last modified before `olderThan`.
    func checkDocumentFiles(in directory: URL, olderThan: Date) async throws -> DocumentFileCheck

    /// Takes in cases with their steps, all in one transaction (imports, generated data): the
    /// same rules as one by one; if any is refused, nothing is written.
    func importCases(_ cases: [CaseImport], clock: SLAClock) async throws
}

extension DeskStore {
    public func submissionLookup(portalID: String, keySHA256: String, names: NameQuery) async throws
        -> SubmissionLookup
    {
        if let earlier = try await earlierSubmission(portalID: portalID, keySHA256: keySHA256) {
            return .earlier(earlier)
        }
        return .new(
            try await nameRecords(division: names.division, tradeName: names.tradeName, industry: names.industry))
    }

    public func nameRecords(division: String, tradeName: String, industry: String) async throws -> NameRecords {
        NameRecords(
            registered: try await registeredNames(division: division, tradeName: tradeName, industry: industry),
            open: try await openApplications(hall: division, tradeName: tradeName, industry: industry))
    }
}

extension DeskStore {
    /// A store on a server keeps its place: nothing to check.
    public func checkInPlace() async throws {}
}
