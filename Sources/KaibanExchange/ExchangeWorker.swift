import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk

/// The exchange's background work, one pass at a time (`kaiban exchange send`, and the server
/// every few seconds): cases transferred to this hall are taken into its own workflow; what
/// happens to them there is told to the partner as national status changes and the result; then
/// the outbox is delivered. Every step is idempotent: a pass interrupted anywhere is finished by
/// the next, and two passes at once never tell the same event twice.
public struct ExchangeWorker: Sendable {
    public let outbox: ExchangeOutbox
    public let sender: ExchangeSender
    /// The most cases of each direction one pass works on; the next pass takes the next ones.
    public var casesPerPass = 500

    public init(outbox: ExchangeOutbox, transport: any ExchangeTransport = EndpointTransport()) {
        self.outbox = outbox
        self.sender = ExchangeSender(desk: outbox.desk, codec: outbox.codec, transport: transport)
    }

    public static func open(_ desk: Desk, transport: (any ExchangeTransport)? = nil) throws -> ExchangeWorker {
        ExchangeWorker(
            outbox: try ExchangeOutbox.open(desk),
            transport: transport ?? EndpointTransport(filesFolder: ExchangeInbox.filesFolder(desk.settings)))
    }

    var desk: Desk { outbox.desk }

    public struct Report: Sendable, Equatable, Codable {
        /// Cases taken in here from transfers: collaboration number and local case number.
        public var takenIn: [String: String] = [:]
        /// Transfers this hall could not take in (answered with status 5 不予受理), with why.
        public var refused: [String: String] = [:]
        /// Cases whose messages could not be written this pass, with why (the others go on, and
        /// the outbox is still delivered): each is tried again on the next pass.
        public var failed: [String: String] = [:]
        /// Status and result messages written for the partners.
        public var told = 0
        /// Cases this hall transferred whose transfer the partner refused, returned to the window
        /// (status 4 不受理), with why.
        public var returned: [String: String] = [:]
        /// Cases this hall transferred whose transfer the partner refused, closed without going
        /// back to the window, with why: the local case had ended (withdrawn at the window
        /// meanwhile), or its workflow version has no way back (version 3: ended as 办理地不予受理).
        public var closed: [String: String] = [:]
        public var delivery = ExchangeSender.Pass()
    }

    /// One pass at `now`.
    public func run(at now: Date) async throws -> Report {
        var report = Report()
        for found in try await desk.store.openInboundCases(limit: casesPerPass) {
            do {
                if found.localCase == nil {
                    try await takeIn(found, into: &report)
                } else {
                    report.told += try await tell(found)
                }
            } catch is ExchangeOutbox.Superseded {
                continue
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                // One case's message that cannot be written must not hold every other case's.
                report.failed[found.collaborationNumber] = String(describing: error)
            }
        }
        for found in try await desk.store.openOutboundCases(limit: casesPerPass) where found.localCase != nil {
            do {
                report.told += try await tellWithdrawal(found)
            } catch is ExchangeOutbox.Superseded {
                continue
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                report.failed[found.collaborationNumber] = String(describing: error)
            }
        }
        report.delivery = try await sender.pass(at: now)
        try await returnRefusedTransfers(at: now, into: &report)
        return report
    }

    /// Returns to the window the cases whose transfer the partner refused (its receipt rejects
    /// the message): the case closed here as 4 不受理 with the reason, and its local case back at
    /// 已收件 (办理地退回转办), to be corrected and transferred again, or withdrawn. A transfer the
    /// sender gave up on is not returned: it may have reached the partner with only its answer
    /// lost (it stays `failed`, with its alert, for a supervisor to look into). A case transferred
    /// under workflow version 3, which has no way back, ends as the partner's refusal (办理地不予受理,
    /// what its status 4 would have done); one whose local case ended meanwhile is only closed.
    /// Either way the case is not tried again on every pass.
    func returnRefusedTransfers(at now: Date, into report: inout Report) async throws {
        let refused = try await desk.store.refusedTransfers(limit: casesPerPass)
        guard !refused.isEmpty else { return }
        // Read once for the pass: the partners' names and the clock the returned cases are measured by.
        let names = Dictionary(
            try await desk.store.exchangePartners().map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
        let clock = try await desk.slaClock()
        for message in refused {
            do {
                guard let found = try await desk.store.exchangeCase(message.collaborationNumber) else { continue }
                let name = names[found.partnerCode] ?? found.partnerCode
                let refusal = "\(name)退回转办报文（\(message.receiptCode ?? "未说明原因")）"
                let why = refusal + "，请更正后重新转办"
                let ended = refusal + "；办件所用流程版本不能退回窗口，按办理地不予受理办结，请申请人重新申请"
                let at = min(message.answeredAt ?? now, now)
                let status = ExchangeStatusEntry(
                    status: 4, time: at, reason: Rejection.clipped(refusal),
                    source: "out:returned:\(message.messageID)",
                    madeCurrent: true)
                let steps = found.localCase.flatMap(CaseNumber.init).map { local in
                    [("partner-returned", why), ("partner-refused", ended)].map { transition, reason in
                        LocalCaseStep(
                            caseNumber: local, transition: transition, reason: ExchangeInbox.visibleLine(reason),
                            at: at,
                            partnerCode: found.partnerCode, partnerName: name)
                    }
                }
                switch try await desk.store.returnTransfer(
                    found.collaborationNumber, status: status, steps: steps ?? [], clock: clock, at: now)
                {
                case .took("partner-returned"): report.returned[found.collaborationNumber] = why
                case .took: report.closed[found.collaborationNumber] = ended
                case .localCaseEnded:
                    report.closed[found.collaborationNumber] =
                        refusal + (steps == nil ? "；没有对应的本地办件，转办案件随之关闭" : "；本地办件已办结，转办案件随之关闭")
                case nil: break
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                report.failed[message.collaborationNumber] = String(describing: error)
            }
        }
    }

    /// Tells the deciding authority that the applicant withdrew, at this hall's window, a case
    /// transferred to it (撤回): the one local event after the transfer it must know of.
    func tellWithdrawal(_ found: ExchangeCase) async throws -> Int {
        guard let local = found.localCase, let number = CaseNumber(local) else { return 0 }
        let history: [CaseEvent]
        do {
            history = try await desk.store.history(number)
        } catch StoreError.caseNotFound {
            // Transferred without a case of this hall's workflow behind it (ExchangeOutbox.transfer).
            return 0
        }
        guard history.count > found.reportedEvents else { return 0 }
        let withdrawal = history.dropFirst(found.reportedEvents).first {
            $0.kind == .transitioned && $0.transition == "withdraw" && !$0.actor.hasPrefix(LocalCaseStep.actorPrefix)
        }
        let bodies: [MessageBody] =
            withdrawal.map {
                [
                    .withdrawal(
                        WithdrawalRequest(
                            withdrawnBy: "applicant", requestedTime: $0.at, reason: $0.reason ?? "申请人撤回申请"))
                ]
            } ?? []
        try await outbox.send(
            bodies, about: found.collaborationNumber, advancing: (found.reportedEvents, history.count))
        return bodies.count
    }

    /// The problem of a transfer another pass took in first (``StoreError/crossProvinceCaseTaken(_:)``).
    static let caseTaken = StoreError.crossProvinceCaseTaken("").problem.code

    /// Takes a transferred case into this hall's workflow, or answers 5 不予受理 with the reasons.
    func takeIn(_ found: ExchangeCase, into report: inout Report) async throws {
        guard let message = try await desk.store.inboundTransfer(found.collaborationNumber) else { return }
        let opened = try outbox.codec.open(message.raw, source: "transfer \(found.collaborationNumber)")
        guard case .caseTransfer(let transfer) = opened.message.body else { return }
        let partner = try await desk.store.exchangePartner(found.partnerCode)
        do {
            let application = try Self.application(transfer)
            let result = try await desk.intakeTransferred(
                application,
                reference: CrossProvinceReference(
                    collaborationNumber: found.collaborationNumber, partnerCode: found.partnerCode),
                partnerName: partner?.name ?? found.partnerCode, documents: documents(of: transfer))
            report.takenIn[found.collaborationNumber] = result.case.number.description
        } catch let problem as Problem where problem.code == Self.caseTaken {
            // Another pass (a second `exchange send`, a server's) took it in meanwhile: its work.
            return
        } catch let problem as Problem where problem.kind == .invalid || problem.kind == .refused {
            let details = problem.fields.map { "\($0.field)：\($0.reason.zh)" }.joined(separator: "；")
            let reason = Rejection.clipped(problem.text.zh + details)
            let now = Date(timeIntervalSince1970: desk.clock.now().timeIntervalSince1970.rounded(.down))
            try await outbox.send(
                [.statusUpdate([StatusChange(recordID: "refused", status: 5, time: now, reason: reason)])],
                about: found.collaborationNumber)
            report.refused[found.collaborationNumber] = reason
            report.told += 1
        }
    }

    /// The documents of a transfer as received here: those with a checklist code whose file is kept.
    func documents(of transfer: TransferredCase) -> [ReceivedDocument] {
        let folder = ExchangeInbox.filesFolder(desk.settings)
        return transfer.documents.compactMap { document in
            guard let code = document.checklistCode,
                let content = FileManager.default.contents(atPath: folder.appendingPathComponent(document.sm3).path)
            else { return nil }
            return ReceivedDocument(code: code, form: .electronic, sha256: Secrets.sha256Hex(Array(content)))
        }
    }

    /// Tells the partner what happened to the local case since the last report; the number of
    /// messages written.
    func tell(_ found: ExchangeCase) async throws -> Int {
        guard let local = found.localCase, let number = CaseNumber(local) else { return 0 }
        let history = try await desk.store.history(number)
        guard history.count > found.reportedEvents else { return 0 }
        let state = try await desk.store.registrationCase(number)
        let bodies = Self.messages(for: history.dropFirst(found.reportedEvents), of: state)
        try await outbox.send(
            bodies, about: found.collaborationNumber, advancing: (found.reportedEvents, history.count))
        return bodies.count
    }

    /// The most changes in one status update (exchange-1.xsd).
    static let changesPerUpdate = 20

    /// The national statuses (STANDARDS.md §5) the local events stand for: status updates with
    /// the changes, 20 at most each, then the result when the licence was issued.
    static func messages(for events: ArraySlice<CaseEvent>, of state: RegistrationCase) -> [MessageBody] {
        var changes: [StatusChange] = []
        var result: LicenceResult?
        // What the partner's own messages did here is not told back to it.
        for event in events where event.kind == .transitioned && !event.actor.hasPrefix(LocalCaseStep.actorPrefix) {
            let reason = event.reason.map(Rejection.clipped)
            let status: Int?
            switch event.transition {
            case "accept": status = 3
            case "request-correction": status = 6
            case "resubmit": status = 7
            case "review": status = 8
            case "refuse": status = 5
            case "reject", "terminate": status = 13
            case "revoke": status = 15
            case "withdraw":
                status = RecordRules.stagesBeforeAcceptance.contains(event.fromStage ?? "") ? 2 : 14
            case "issue-licence":
                status = nil
                if let code = event.creditCode {
                    result = LicenceResult(
                        recordID: "licence", status: 11, completedTime: event.at,
                        enterpriseName: state.application.proposedName, creditCode: code, licenceNumber: code,
                        issueDate: HallTime.localDate(of: event.at).description)
                }
            default: status = nil
            }
            if let status {
                changes.append(
                    StatusChange(recordID: "e\(event.sequence)", status: status, time: event.at, reason: reason))
            }
        }
        // A status update holds at most 20 changes (exchange-1.xsd): more go in the next ones, in
        // order (the changes after the 20th had been dropped for good).
        var bodies: [MessageBody] = stride(from: 0, to: changes.count, by: Self.changesPerUpdate).map {
            .statusUpdate(Array(changes[$0..<min($0 + Self.changesPerUpdate, changes.count)]))
        }
        if let result { bodies.append(.result(result)) }
        return bodies
    }

    /// The application of a transfer in this hall's terms; a value it cannot take is a problem.
    /// A long text of the exchange (line breaks allowed, README §1) as one line for the
    /// application, whose business scope takes none: each line break, with the blanks around it,
    /// becomes one space. A transfer whose scope was written on several lines had been accepted,
    /// then answered 5 不予受理 for its "control characters" (from a hostile trial).
    static func joiningLines(_ text: String) -> String {
        // Every kind of line break (LF, CR, CRLF, NEL, U+2028/2029, VT, FF) and a tab: the long
        // text takes them all, the application none (a re-trial found NEL, U+2028 and TAB still
        // accepted, then refused).
        text.split(omittingEmptySubsequences: true) { $0.isNewline || $0 == "\t" }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    static func application(_ transfer: TransferredCase) throws -> CaseApplication {
        let form = transfer.application
        guard let type = EnterpriseType(rawValue: form.enterpriseType) else {
            throw Problem(
                .invalid, "exchange.application-invalid", zh: "企业类型\(form.enterpriseType)本厅不办理",
                en: "this hall does not register \(form.enterpriseType)")
        }
        var investors: [Investor] = []
        for investor in form.investors {
            guard let kind = InvestorKind(rawValue: investor.kind), let amount = Money(yuan: investor.contribution)
            else {
                throw Problem(
                    .invalid, "exchange.application-invalid", zh: "出资人\(investor.party.name)的类型或出资额有误",
                    en: "investor \(investor.party.name): kind or contribution unusable")
            }
            investors.append(
                Investor(
                    name: investor.party.name, kind: kind, idNumber: investor.party.idNumber, contribution: amount,
                    form: investor.contributionForm))
        }
        return CaseApplication(
            channel: .crossProvince, enterpriseType: type, proposedName: form.proposedName,
            registeredCapital: form.registeredCapital.flatMap { Money(yuan: $0) } ?? .zero,
            domicile: form.domicile.address, domicileDivision: form.domicile.division,
            businessScope: Self.joiningLines(form.businessScope),
            legalRepresentative: Person(
                name: form.legalRepresentative.name, idNumber: form.legalRepresentative.idNumber),
            investors: investors, contact: Contact(name: form.contact.name, phone: form.contact.phone),
            requestedTasks: [], domicileTenure: DomicileTenure(rawValue: form.domicile.tenure),
            agent: form.agent.map { Person(name: $0.name, idNumber: $0.idNumber) },
            mailingAddress: form.mailingAddress)
    }
}
