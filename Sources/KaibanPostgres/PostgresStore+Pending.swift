import Foundation
import KaibanCore
import KaibanDesk

/// The parts of the desk's store not yet kept on PostgreSQL (issue 14 is under way). Each is
/// refused by name before anything is written (``PostgresStoreError/notYet(_:)``: exit 74 at the
/// command line, 503 over HTTP); each part moves to a file of its own when it is built.
extension PostgresStore: DeskStore {
    public func intake(
        _ application: CaseApplication, workflowID: String, hall: String, by clerk: String, at now: Date,
        nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, documents: [ReceivedDocument],
        clock: SLAClock
    ) async throws -> RegistrationCase {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func apply(
        _ command: CaseCommand, to number: CaseNumber, by clerk: String, at now: Date, expectedVersion: Int?,
        recording: Recording, clock: SLAClock
    ) async throws -> StepOutcome {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func apply(
        all commands: [CaseCommand], to number: CaseNumber, by clerk: String, at now: Date, recording: Recording,
        clock: SLAClock
    ) async throws -> StepOutcome {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func registrationCase(_ number: CaseNumber) async throws -> RegistrationCase {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func history(_ number: CaseNumber) async throws -> [CaseEvent] {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func worklistPage(stages: [String]?, running: Bool, offset: Int, limit: Int) async throws -> [QueueEntry] {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func runningCases(dueAfter after: Date, through: Date, limit: Int) async throws -> [QueueEntry] {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func openSpecialCases(stages: [String]?, limit: Int) async throws -> [QueueEntry] {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func histories(openAt instant: Date, limit: Int) async throws -> [CaseHistory]? {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func refreshSchedules(clock: SLAClock) async throws -> Int {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func closedCases<Accumulator: Sendable>(
        from: Date, to: Date, stages: [String], groupedBy grouping: SLAGrouping, thenBy second: SLAGrouping?,
        into initial: Accumulator,
        _ fold: @escaping @Sendable (inout Accumulator, ClosedCaseRow) -> Void
    ) async throws -> Accumulator {
        throw PostgresStoreError.notYet(Self.reportsPart)
    }

    public func closedSpan(from: Date, to: Date, stages: [String]) async throws -> (first: Date, last: Date)? {
        throw PostgresStoreError.notYet(Self.reportsPart)
    }

    public func registeredNames(division: String, tradeName: String, industry: String) async throws -> [RegisteredName]
    {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func openApplications(hall: String, tradeName: String, industry: String) async throws -> [String] {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func findCases(kinds: [CaseLookup.Kind], key: String, prefix: Bool, offset: Int, limit: Int) async throws
        -> FindPage
    {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func caseCount() async throws -> Int {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func summary() async throws -> DeskSummary {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func rebuild(clock: SLAClock) async throws -> RebuildReport {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func deferrals(dueFrom: Date?, dueBy: Date?, limit: Int) async throws -> [CaseNumber] {
        throw PostgresStoreError.notYet(Self.deferralsPart)
    }

    public func applicantStanding(_ ids: [String], at now: Date) async throws -> [ApplicantStanding] {
        throw PostgresStoreError.notYet(Self.deferralsPart)
    }

    public func applicantFlags(_ id: String) async throws -> [ApplicantFlag] {
        throw PostgresStoreError.notYet(Self.deferralsPart)
    }

    public func recordApplicantFlag(_ flag: ApplicantFlag) async throws {
        throw PostgresStoreError.notYet(Self.deferralsPart)
    }

    public func deferralFigures(from: Date, to: Date, stages: [String], at now: Date) async throws -> DeferralRecords {
        throw PostgresStoreError.notYet(Self.reportsPart)
    }

    public func hallFigureRecords(
        from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate, correction: String
    ) async throws -> HallFigureRecords {
        throw PostgresStoreError.notYet(Self.reportsPart)
    }

    public func closedCaseTimes(from: Date, to: Date, stages: [String]) async throws -> [ClosedCaseTime] {
        throw PostgresStoreError.notYet(Self.reportsPart)
    }

    public func channelActivity(from: Date, to: Date, firstDay: CivilDate, lastDay: CivilDate) async throws
        -> ChannelActivityRecords
    {
        throw PostgresStoreError.notYet(Self.reportsPart)
    }

    public func mailPending(limit: Int) async throws -> MailPendingRecords {
        throw PostgresStoreError.notYet(Self.mailPart)
    }

    public func earlierSubmission(portalID: String, keySHA256: String) async throws -> EarlierSubmission? {
        throw PostgresStoreError.notYet(Self.portalPart)
    }

    public func intake(
        _ application: CaseApplication, submission: PortalSubmission, workflowID: String, hall: String, as clerk: Clerk,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?, clock: SLAClock
    ) async throws -> RegistrationCase {
        throw PostgresStoreError.notYet(Self.portalPart)
    }

    public func caseAccess(_ number: CaseNumber, failuresSince: Date) async throws -> CaseAccess? {
        throw PostgresStoreError.notYet(Self.portalPart)
    }

    public func recordAccessFailure(_ number: CaseNumber, at now: Date, countingSince since: Date) async throws -> Int {
        throw PostgresStoreError.notYet(Self.portalPart)
    }

    public func accessFailure(_ number: CaseNumber, since: Date, skipping: Int) async throws -> Date? {
        throw PostgresStoreError.notYet(Self.portalPart)
    }

    public func attach(
        _ attachment: DocumentAttachment, content: Data, in directory: URL, command: CaseCommand,
        to number: CaseNumber, by clerk: String, recording: Recording, clock: SLAClock
    ) async throws -> AttachmentOutcome {
        throw PostgresStoreError.notYet(Self.attachmentsPart)
    }

    public func attachments(_ number: CaseNumber) async throws -> [DocumentAttachment] {
        throw PostgresStoreError.notYet(Self.attachmentsPart)
    }

    public func attachmentContent(sha256: String, in directory: URL) async throws -> Data? {
        throw PostgresStoreError.notYet(Self.attachmentsPart)
    }

    public func checkDocumentFiles(in directory: URL, olderThan: Date) async throws -> DocumentFileCheck {
        throw PostgresStoreError.notYet(Self.attachmentsPart)
    }

    public func importCases(_ cases: [CaseImport], clock: SLAClock) async throws {
        throw PostgresStoreError.notYet(Self.casesPart)
    }

    public func appointmentCapacity(on date: CivilDate) async throws -> AppointmentCapacitySetting? {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func setAppointmentCapacity(_ setting: AppointmentCapacitySetting) async throws {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func openAppointmentExtension(
        date: CivilDate, startMinute: Int, endMinute: Int, capacity: Int, reason: String, by clerk: String,
        at now: Date, calendar: WorkingCalendar
    ) async throws -> AppointmentExtension {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func appointmentExtensions(on date: CivilDate) async throws -> [AppointmentExtension] {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func appointments(on date: CivilDate) async throws -> [Appointment] {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func appointment(_ id: Int64) async throws -> Appointment? {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func book(_ request: BookingRequest, at now: Date) async throws -> (appointment: Appointment, replayed: Bool)
    {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func earlierBooking(portalID: String, keySHA256: String) async throws -> (Appointment, String)? {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func cancelAppointment(_ id: Int64, portalID: String?, reason: String?, by actor: String, at now: Date)
        async throws -> Appointment
    {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func moveAppointment(_ id: Int64, portalID: String?, to request: BookingRequest, at now: Date) async throws
        -> Appointment
    {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func checkInIntake(
        appointmentID: Int64, _ application: CaseApplication, workflowID: String, hall: String, by clerk: String,
        at now: Date, nameParts: NameParts?, recording: Recording, checklist: CaseChecklist?,
        documents: [ReceivedDocument], clock: SLAClock
    ) async throws -> RegistrationCase {
        throw PostgresStoreError.notYet(Self.appointmentsPart)
    }

    public func addExchangePartner(_ partner: ExchangePartner) async throws {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func addExchangePartnerKey(_ key: PartnerKey, to code: String) async throws -> ExchangePartner {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func exchangePartners() async throws -> [ExchangePartner] {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func exchangePartner(_ code: String) async throws -> ExchangePartner? {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func inboundMessage(sender: String, messageID: String) async throws -> InboundMessage? {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func receiveExchangeMessages(_ items: [InboundItem], clock: SLAClock?) async throws
        -> [(message: InboundMessage, applied: Bool)]
    {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func recordDeadLetter(_ letter: DeadLetter) async throws {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func deadLetters(limit: Int) async throws -> [DeadLetter] {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func exchangeCase(_ collaborationNumber: String) async throws -> ExchangeCase? {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func openInboundCases(limit: Int) async throws -> [ExchangeCase] {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func openOutboundCases(limit: Int) async throws -> [ExchangeCase] {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func inboundTransfer(_ collaborationNumber: String) async throws -> InboundMessage? {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func openOutboundCase(
        prefix: String,
        build: @escaping @Sendable (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> ExchangeCase {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func transferCase(
        _ number: CaseNumber, transition: String, reason: String?, by clerkID: String, at now: Date,
        expectedVersion: Int, recording: Recording, clock: SLAClock, prefix: String,
        build: @escaping @Sendable (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> (step: StepOutcome, exchange: ExchangeCase) {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func changeExchangeCase(
        _ collaborationNumber: String,
        build: @escaping @Sendable (ExchangeCase?) throws -> (ExchangeCase, [ExchangeStatusEntry], [OutboundMessage])
    ) async throws -> ExchangeCase {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func outboundMessages(states: [OutboundState]?, limit: Int) async throws -> [OutboundMessage] {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func outboundCounts() async throws -> [OutboundState: Int] {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func oldestUnansweredOutbound() async throws -> Date? {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func exchangeCases(limit: Int) async throws -> [ExchangeCase] {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    public func exchangeStatuses(_ collaborationNumber: String) async throws -> [ExchangeStatusEntry] {
        throw PostgresStoreError.notYet(Self.exchangePart)
    }

    static let casesPart = LocalizedText(zh: "办件", en: "cases")
    static let reportsPart = LocalizedText(zh: "统计报表", en: "reports")
    static let deferralsPart = LocalizedText(zh: "容缺受理", en: "deferrals")
    static let portalPart = LocalizedText(zh: "网上申请", en: "portal submissions")
    static let attachmentsPart = LocalizedText(zh: "材料文件", en: "attachments")
    static let mailPart = LocalizedText(zh: "寄递", en: "mail")
    static let appointmentsPart = LocalizedText(zh: "预约", en: "appointments")
    static let exchangePart = LocalizedText(zh: "川渝通办", en: "the exchange")
}
