import Foundation
import KaibanCore
import KaibanDesk

/// The desk's asynchronous contract on SQLite. Each operation runs the store's synchronous
/// transaction on a dispatch queue, never on Swift concurrency's few cooperative threads.
extension CaseStore: DeskStore {
    static let workQueue = DispatchQueue(label: "kaiban.store", qos: .userInitiated, attributes: .concurrent)

    /// Runs `body` off the cooperative pool and resumes with its result.
    func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.workQueue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    public func addPortal(_ portal: Portal, tokenHash: String) async throws {
        try await offPool { try self.addPortal(portal, tokenHash: tokenHash) }
    }

    public func portals() async throws -> [Portal] {
        try await offPool { try self.portals() }
    }

    public func revokePortal(_ id: String, by actor: String, reason: String, at now: Date) async throws -> Portal {
        try await offPool { try self.revokePortal(id, by: actor, reason: reason, at: now) }
    }

    // The two reads of every portal request run in place: each is one indexed row, shorter than
    // the hop to the work queue and back, and a read never waits for a writer (WAL).
    public func portal(tokenHash: String) async throws -> Portal? {
        try fetchPortal(tokenHash: tokenHash)
    }

    public func earlierSubmission(portalID: String, keySHA256: String) async throws -> EarlierSubmission? {
        try await offPool { try self.earlierSubmission(portalID: portalID, keySHA256: keySHA256) }
    }

    public func intake(
        _ application: CaseApplication, submission: PortalSubmission, workflowID: String, hall: String, as clerk: Clerk,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, clock: SLAClock
    ) async throws -> RegistrationCase {
        try await groupedIntake(
            application, submission: submission, workflowID: workflowID, hall: hall, as: clerk, at: now,
            nameParts: nameParts, recording: recording, checklist: checklist, clock: clock)
    }

    public func caseAccess(_ number: CaseNumber, failuresSince: Date) async throws -> CaseAccess? {
        try fetchCaseAccess(number, failuresSince: failuresSince)
    }

    public func recordAccessFailure(_ number: CaseNumber, at now: Date, countingSince since: Date) async throws -> Int {
        try await offPool { try self.recordAccessFailure(number, at: now, countingSince: since) }
    }

    public func accessFailure(_ number: CaseNumber, since: Date, skipping: Int) async throws -> Date? {
        try await offPool { try self.accessFailure(number, since: since, skipping: skipping) }
    }

    public func deferrals(dueFrom: Date?, dueBy: Date?, limit: Int) async throws -> [CaseNumber] {
        try await offPool { try self.deferrals(dueFrom: dueFrom, dueBy: dueBy, limit: limit) }
    }

    public func mailPending(limit: Int) async throws -> MailPendingRecords {
        try await offPool { try self.mailPending(limit: limit) }
    }

    public func applicantStanding(_ ids: [String], at now: Date) async throws -> [ApplicantStanding] {
        try await offPool { try self.applicantStanding(ids, at: now) }
    }

    public func applicantFlags(_ id: String) async throws -> [ApplicantFlag] {
        try await offPool { try self.applicantFlags(id) }
    }

    public func recordApplicantFlag(_ flag: ApplicantFlag) async throws {
        try await offPool { try self.recordApplicantFlag(flag) }
    }

    public func hallFigureRecords(
        from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate, correction: String
    ) async throws -> HallFigureRecords {
        try await offPool {
            try self.hallFigureRecords(from: from, to: to, firstDay: firstDay, lastDay: lastDay, correction: correction)
        }
    }

    public func closedCaseTimes(from: Date, to: Date, stages: [String]) async throws -> [ClosedCaseTime] {
        try await offPool { try self.closedCaseTimes(from: from, to: to, stages: stages) }
    }

    public func issueClerkToken(_ token: ClerkToken, tokenHash: String, replacedReason: String) async throws -> Bool {
        try await offPool { try self.issueClerkToken(token, tokenHash: tokenHash, replacedReason: replacedReason) }
    }

    public func revokeClerkToken(of clerk: String, by actor: String, reason: String, at now: Date) async throws
        -> ClerkToken
    {
        try await offPool { try self.revokeClerkToken(of: clerk, by: actor, reason: reason, at: now) }
    }

    public func clerkTokens(of clerk: String?) async throws -> [ClerkToken] {
        try await offPool { try self.clerkTokens(of: clerk) }
    }

    // One indexed row, read in place (as a portal's token).
    public func clerkToken(tokenHash: String) async throws -> (token: ClerkToken, clerk: Clerk)? {
        try fetchClerkToken(tokenHash: tokenHash)
    }

    public func channelActivity(from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate) async throws
        -> ChannelActivityRecords
    {
        try await offPool { try self.channelActivity(from: from, to: to, firstDay: firstDay, lastDay: lastDay) }
    }

    public func deferralFigures(from: Date, to: Date, stages: [String], acceptedStages: [String], at now: Date)
        async throws -> DeferralRecords
    {
        try await offPool {
            try self.deferralFigures(from: from, to: to, stages: stages, acceptedStages: acceptedStages, at: now)
        }
    }

    public func isReferenceCurrent(_ source: ReferenceSource) async throws -> Bool {
        try await offPool { try self.isReferenceCurrent(source) }
    }

    @discardableResult
    public func register(_ definition: WorkflowDefinition, source: ReferenceSource, at now: Date) async throws -> Bool {
        try await offPool { try self.register(definition, source: source, at: now) }
    }

    public func latestDefinition(_ id: String) async throws -> WorkflowDefinition {
        try await offPool { try self.latestDefinition(id) }
    }

    public func definitions() async throws -> [WorkflowDefinition] {
        try await offPool { try self.definitions() }
    }

    public func definition(_ key: WorkflowDefinition.Key) async throws -> WorkflowDefinition {
        if let cached = definitionCache.withLock({ $0[key] }) { return cached }
        return try await offPool { try self.definition(key) }
    }

    public func loadDivisions(_ divisions: [Division], source: ReferenceSource) async throws {
        try await offPool { try self.loadDivisions(divisions, source: source) }
    }

    public func division(_ code: String, on date: CivilDate) async throws -> DivisionStatus {
        try await offPool { try self.division(code, on: date) }
    }

    public func loadHolidayYears(_ years: [HolidayYear], source: ReferenceSource, reason: String, at now: Date)
        async throws
    {
        try await offPool { try self.loadHolidayYears(years, source: source, reason: reason, at: now) }
    }

    public func loadOfficeHours(_ hours: OfficeHours, source: ReferenceSource, reason: String, at now: Date)
        async throws
    {
        try await offPool { try self.loadOfficeHours(hours, source: source, reason: reason, at: now) }
    }

    public func addOfficeHours(
        _ version: OfficeHoursVersion, source: String, reason: String, by clerk: String, at now: Date
    ) async throws -> CalendarChange {
        try await offPool { try self.addOfficeHours(version, source: source, reason: reason, by: clerk, at: now) }
    }

    public func officeHoursHistory(hall: String) async throws -> [OfficeHoursRecord] {
        try await offPool { try self.officeHoursHistory(hall: hall) }
    }

    public func importCalendar(
        _ years: [HolidayYear], source: String, replace: Bool, reason: String, by clerk: String, at now: Date
    ) async throws -> [CalendarChange] {
        try await offPool {
            try self.importCalendar(years, source: source, replace: replace, reason: reason, by: clerk, at: now)
        }
    }

    public func workingCalendar(hall: String) async throws -> WorkingCalendar {
        try await offPool { try self.workingCalendar(hall: hall) }
    }

    public func calendarRevision() async throws -> Int {
        try await offPool { try self.read { db in try Self.calendarRevision(db) } }
    }

    public func calendarYears() async throws -> [CalendarYearInfo] {
        try await offPool { try self.calendarYears() }
    }

    public func calendarChanges() async throws -> [CalendarChange] {
        try await offPool { try self.calendarChanges() }
    }

    public func addClerk(_ clerk: Clerk, by actor: String?, at now: Date) async throws {
        try await offPool { try self.addClerk(clerk, by: actor, at: now) }
    }

    public func changeClerk(_ id: String, _ change: ClerkChange, reason: String, by actor: String, at now: Date)
        async throws -> Clerk
    {
        try await offPool { try self.changeClerk(id, change, reason: reason, by: actor, at: now) }
    }

    public func clerkHistory(_ id: String) async throws -> [ClerkEvent] {
        try await offPool { try self.clerkHistory(id) }
    }

    public func clerk(_ id: String) async throws -> Clerk {
        try await offPool { try self.clerk(id) }
    }

    public func clerks() async throws -> [Clerk] {
        try await offPool { try self.clerks() }
    }

    public func intake(
        _ application: CaseApplication, workflowID: String, hall: String, by clerk: String, at now: Date,
        nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, documents: [ReceivedDocument],
        clock: SLAClock
    ) async throws -> RegistrationCase {
        try await offPool {
            try self.intake(
                application, workflowID: workflowID, hall: hall, by: clerk, at: now, nameParts: nameParts,
                recording: recording, checklist: checklist, documents: documents, clock: clock)
        }
    }

    public func apply(
        _ command: CaseCommand, to number: CaseNumber, by clerk: String, at now: Date, expectedVersion: Int?,
        recording: Recording, clock: SLAClock
    ) async throws -> StepOutcome {
        try await offPool {
            try self.apply(
                command, to: number, by: clerk, at: now, expectedVersion: expectedVersion, recording: recording,
                clock: clock)
        }
    }

    public func histories(openAt instant: Date, limit: Int) async throws -> [CaseHistory]? {
        try await offPool { try self.histories(openAt: instant, limit: limit) }
    }

    public func apply(
        all commands: [CaseCommand], to number: CaseNumber, by clerk: String, at now: Date, recording: Recording,
        clock: SLAClock
    ) async throws -> StepOutcome {
        try await offPool {
            try self.batch(clock: clock) {
                try $0.apply(
                    commands.map { BatchStep($0, by: clerk, at: now, recording: recording) }, to: number)
            }
        }
    }

    public func registrationCase(_ number: CaseNumber) async throws -> RegistrationCase {
        try await offPool { try self.registrationCase(number) }
    }

    public func history(_ number: CaseNumber) async throws -> [CaseEvent] {
        try await offPool { try self.history(number) }
    }

    public func worklistPage(stages: [String]?, running: Bool, offset: Int, limit: Int) async throws -> [QueueEntry] {
        try await offPool { try self.worklistPage(stages: stages, running: running, offset: offset, limit: limit) }
    }

    public func openSpecialCases(stages: [String]?, limit: Int) async throws -> [QueueEntry] {
        try await offPool { try self.openSpecialCases(stages: stages, limit: limit) }
    }

    public func refreshSchedules(clock: SLAClock) async throws -> Int {
        try await offPool { try self.refreshSchedules(clock: clock) }
    }

    public func closedCases<Accumulator: Sendable>(
        from: Date, to: Date, stages: [String], groupedBy grouping: SLAGrouping, thenBy second: SLAGrouping?,
        into initial: Accumulator,
        _ fold: @escaping @Sendable (inout Accumulator, ClosedCaseRow) -> Void
    ) async throws -> Accumulator {
        try await offPool {
            var accumulator = initial
            try self.forEachClosedCase(from: from, to: to, stages: stages, groupedBy: grouping, thenBy: second) {
                fold(&accumulator, $0)
            }
            return accumulator
        }
    }

    public func runningCases(dueAfter after: Date, through: Date, limit: Int) async throws -> [QueueEntry] {
        try await offPool { try self.runningCases(dueAfter: after, through: through, limit: limit) }
    }

    public func closedSpan(from: Date, to: Date, stages: [String]) async throws -> (first: Date, last: Date)? {
        try await offPool { try self.closedSpan(from: from, to: to, stages: stages).map { SendableSpan(span: $0) } }?
            .span
    }

    public func registeredNames(division: String, tradeName: String, industry: String) async throws
        -> [RegisteredName]
    {
        try await offPool { try self.registeredNames(division: division, tradeName: tradeName, industry: industry) }
    }

    public func openApplications(hall: String, tradeName: String, industry: String) async throws -> [String] {
        try await offPool { try self.openApplications(hall: hall, tradeName: tradeName, industry: industry) }
    }

    public func findCases(kinds: [CaseLookup.Kind], key: String, prefix: Bool, offset: Int, limit: Int) async throws
        -> FindPage
    {
        try await offPool { try self.findCases(kinds: kinds, key: key, prefix: prefix, offset: offset, limit: limit) }
    }

    public func caseCount() async throws -> Int {
        try await offPool { try self.caseCount() }
    }

    public func summary() async throws -> DeskSummary {
        try await offPool { try self.summary() }
    }

    public func rebuild(clock: SLAClock) async throws -> RebuildReport {
        try await offPool { try self.rebuild(clock: clock) }
    }

    public func importCases(_ cases: [CaseImport], clock: SLAClock) async throws {
        try await offPool {
            try self.batch(clock: clock) { batch in
                for item in cases {
                    let opened = try batch.intake(
                        item.application, workflowID: item.workflowID, hall: item.hall, by: item.clerk, at: item.at)
                    if !item.steps.isEmpty { _ = try batch.apply(item.steps, to: opened.number) }
                }
            }
        }
    }
}

/// A pair of instants that crosses the pool.
struct SendableSpan: Sendable {
    var span: (first: Date, last: Date)
}
