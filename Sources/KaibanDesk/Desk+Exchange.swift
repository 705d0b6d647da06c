import Foundation
import KaibanCore
import KaibanCrypto

/// A cross-province case with its status history, for `kaiban exchange cases`.
public struct ExchangeCaseView: Sendable, Equatable, Codable {
    public var `case`: ExchangeCase
    public var partnerName: String?
    public var statuses: [ExchangeStatusEntry]
}

extension Desk {
    /// A supervisor registers a partner authority of the exchange with its public key (PEM).
    public func addExchangePartner(
        code: String, name: String, endpoint: String?, publicKeyPEM: Data, as actor: DeskActor
    ) async throws -> ExchangePartner {
        try await run {
            let supervisor = try await requireSupervisor(
                actor, for: LocalizedText(zh: "登记协同机构", en: "register an exchange partner"))
            var fields: [FieldProblem] = []
            if (try? CreditCode(code))?.value != code {
                fields.append(
                    FieldProblem(
                        field: "code",
                        reason: LocalizedText(
                            zh: "不是有效的统一社会信用代码（18位大写，校验码正确）",
                            en: "is not a valid unified social credit code (18 capitals, right check characters)")))
            }
            let trimmed = name.trimmingWhitespace()
            if let problem = trimmed.isEmpty
                ? LocalizedText(zh: "不能为空", en: "is empty") : FreeText.problem(trimmed, limit: 200)
            {
                fields.append(FieldProblem(field: "name", reason: problem))
            }
            if let endpoint, let problem = Self.endpointProblem(endpoint) {
                fields.append(FieldProblem(field: "endpoint", reason: problem))
            }
            if code == settings.authorityCode {
                fields.append(
                    FieldProblem(
                        field: "code",
                        reason: LocalizedText(zh: "是本机构自己的代码", en: "is this hall's own authority")))
            }
            let (key, keyProblem) = partnerKey(publicKeyPEM, by: supervisor.id)
            if let keyProblem { fields.append(keyProblem) }
            guard fields.isEmpty, let key else {
                throw Problem(
                    .invalid, "partner.invalid", zh: "协同机构登记有误：", en: "the partner cannot be registered:",
                    fields: fields)
            }
            let partner = ExchangePartner(
                code: code, name: trimmed, endpoint: endpoint, addedAt: key.addedAt, addedBy: supervisor.id, keys: [key]
            )
            try await store.addExchangePartner(partner)
            return partner
        }
    }

    /// A supervisor adds another public key to a partner (when it changes keys; the old one keeps
    /// verifying what it signed).
    public func addExchangePartnerKey(code: String, publicKeyPEM: Data, as actor: DeskActor) async throws
        -> ExchangePartner
    {
        try await run {
            let supervisor = try await requireSupervisor(
                actor, for: LocalizedText(zh: "登记协同机构公钥", en: "register a partner's key"))
            let (key, problem) = partnerKey(publicKeyPEM, by: supervisor.id)
            guard let key else {
                throw Problem(
                    .invalid, "partner.invalid", zh: "协同机构公钥有误：", en: "the partner's key cannot be registered:",
                    fields: problem.map { [$0] } ?? [])
            }
            return try await store.addExchangePartnerKey(key, to: code)
        }
    }

    /// A supervisor removes a partner's key (retired, or compromised): messages signed with it are
    /// refused from then on (`message.sender-unknown`). `fingerprint` is the key's SM3
    /// fingerprint, or its first 16 characters or more (as `partner list` shows them) when they
    /// name one key of the partner. Recorded with the reason.
    public func removeExchangePartnerKey(code: String, fingerprint: String, reason: String?, as actor: DeskActor)
        async throws -> ExchangePartner
    {
        try await run {
            let (supervisor, why) = try await partnerChangeAuthority(actor, reason: reason)
            guard let partner = try await store.exchangePartner(code) else { throw StoreError.partnerNotFound(code) }
            let given = fingerprint.trimmingWhitespace().lowercased().replacingOccurrences(of: "…", with: "")
            let matching = given.count >= 16 ? partner.keys.filter { $0.fingerprint.hasPrefix(given) } : []
            guard matching.count == 1, let key = matching.first else {
                throw Problem(
                    .invalid, "partner.key-unknown",
                    zh: "指纹\(fingerprint)不能确定协同机构\(code)的某一把公钥（至少给出前16位，见 kaiban partner list）",
                    en:
                        "\(fingerprint) names no single key of partner \(code) (give at least its first 16 characters, see kaiban partner list)",
                    fields: [
                        FieldProblem(
                            field: "fingerprint",
                            reason: LocalizedText(zh: "不能确定某一把公钥", en: "names no single key"))
                    ])
            }
            return try await store.changeExchangePartner(
                code, .removeKey(fingerprint: key.fingerprint), reason: why, by: supervisor.id,
                at: instant(nowRounded: clock.now()))
        }
    }

    /// Who changes a partner (an active supervisor) and why (a reason is required).
    func partnerChangeAuthority(_ actor: DeskActor, reason: String?) async throws -> (Clerk, String) {
        let supervisor = try await requireSupervisor(
            actor, for: LocalizedText(zh: "变更协同机构", en: "change an exchange partner"))
        let why = try self.reason(
            reason, field: "reason", label: LocalizedText(zh: "理由", en: "the reason"), required: true)
        return (supervisor, why)
    }

    /// The changes made to partner `code` since it was added, oldest first.
    public func exchangePartnerChanges(code: String) async throws -> [PartnerChangeRecord] {
        try await run {
            guard try await store.exchangePartner(code) != nil else { throw StoreError.partnerNotFound(code) }
            return try await store.exchangePartnerChanges(code)
        }
    }

    /// A supervisor changes where a partner's messages go (an http(s):// address or a spool
    /// folder; nil for nowhere: its messages wait in the outbox). Recorded with the reason.
    public func changeExchangePartnerEndpoint(code: String, endpoint: String?, reason: String?, as actor: DeskActor)
        async throws -> ExchangePartner
    {
        try await run {
            let (supervisor, why) = try await partnerChangeAuthority(actor, reason: reason)
            let endpoint = endpoint?.trimmingWhitespace()
            if let endpoint, let problem = Self.endpointProblem(endpoint) {
                throw Problem(
                    .invalid, "partner.invalid", zh: "协同机构的投递地址有误：", en: "the partner's endpoint cannot be used:",
                    fields: [FieldProblem(field: "endpoint", reason: problem)])
            }
            return try await store.changeExchangePartner(
                code, .endpoint(endpoint), reason: why, by: supervisor.id, at: instant(nowRounded: clock.now()))
        }
    }

    /// The key a PEM text holds, or what is wrong with it.
    func partnerKey(_ pem: Data, by clerk: String) -> (key: PartnerKey?, problem: FieldProblem?) {
        do {
            let key = try SM2.PublicKey(pem: pem)
            let record = PartnerKey(
                fingerprint: key.fingerprint, der: Data(key.der), addedAt: instant(nowRounded: clock.now()),
                addedBy: clerk)
            return (record, nil)
        } catch {
            return (
                nil,
                FieldProblem(
                    field: "key",
                    reason: LocalizedText(
                        zh: "不是SM2公钥（PEM格式，openssl pkey -pubout 所输出）：\(error)",
                        en: "is not an SM2 public key in PEM (as openssl pkey -pubout writes it): \(error)"))
            )
        }
    }

    /// What is wrong with a partner's endpoint: an http(s) base address or an absolute folder.
    static func endpointProblem(_ endpoint: String) -> LocalizedText? {
        if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") {
            guard let url = URL(string: endpoint), url.host != nil, !endpoint.contains(where: \.isWhitespace) else {
                return LocalizedText(zh: "不是有效的网址", en: "is not a valid address")
            }
            return nil
        }
        guard endpoint.hasPrefix("/"), FreeText.problem(endpoint, limit: 1000) == nil else {
            return LocalizedText(
                zh: "应为 http(s):// 地址或绝对路径的收件目录", en: "is neither an http(s):// address nor an absolute spool folder")
        }
        return nil
    }

    public func exchangePartners() async throws -> [ExchangePartner] {
        try await run { try await store.exchangePartners() }
    }

    /// The dead letters, newest first.
    public func exchangeDeadLetters(limit: Int = 100) async throws -> [DeadLetter] {
        try await run { try await store.deadLetters(limit: max(1, min(limit, 1000))) }
    }

    /// The cross-province cases, newest first, each with its status history.
    public func exchangeCases(limit: Int = 50) async throws -> [ExchangeCaseView] {
        try await run {
            let partners = Dictionary(
                try await store.exchangePartners().map { ($0.code, $0.name) }, uniquingKeysWith: { first, _ in first })
            var views: [ExchangeCaseView] = []
            for found in try await store.exchangeCases(limit: max(1, min(limit, 1000))) {
                views.append(
                    ExchangeCaseView(
                        case: found, partnerName: partners[found.partnerCode],
                        statuses: try await store.exchangeStatuses(found.collaborationNumber)))
            }
            return views
        }
    }
}

extension Desk {
    /// Takes in a case the partner province transferred to this hall (川渝通办, this hall decides):
    /// the same checks as intake at the window, channel 川渝通办, taken in by the exchange as the
    /// partner, with the documents that came with the transfer (those of this hall's checklist);
    /// the cross-province case gets its case number in the same transaction.
    public func intakeTransferred(
        _ application: CaseApplication, reference: CrossProvinceReference, partnerName: String,
        documents: [ReceivedDocument]
    ) async throws -> IntakeResult {
        try await run {
            var application = application
            application.channel = .crossProvince
            application.crossProvince = reference
            let now = instant(nowRounded: clock.now())
            let needed = Set(try caseChecklist(for: application.withCanonicalPeople()).documents.map(\.code))
            var seen: Set<String> = []
            let received = documents.filter { needed.contains($0.code) && seen.insert($0.code).inserted }
            let prepared = try await prepare(application, documents: .some(received), hall: settings.hall, at: now)
            let definition = try await latestDefinition()
            // The exchange takes the case in as the partner, in the workflow's intake role.
            let acting = Clerk(
                id: LocalCaseStep.actorID(partner: reference.partnerCode), name: partnerName,
                roles: Set(definition.intakeRoles))
            let state = try await store.intake(
                prepared.application, workflowID: settings.workflowID, hall: settings.hall, by: acting.id, at: now,
                nameParts: NameParts(
                    tradeName: prepared.review.name.tradeName, industry: prepared.review.name.industry),
                recording: Recording(at: now, doneByThen: acting), checklist: prepared.checklist,
                documents: prepared.received, clock: try await slaClock())
            return IntakeResult(case: state, warnings: prepared.review.warnings)
        }
    }
}

/// What a window transfer is made from: the case, its workflow, its documents with the files
/// that came through a portal (by document code), and the partner that decides it.
public struct TransferSource: Sendable {
    public var state: RegistrationCase
    public var definition: WorkflowDefinition
    public var documents: CaseDocuments
    public var attachedFiles: [String: Data]
    public var partner: ExchangePartner
}

extension Desk {
    /// The collaboration numbers (业务协同编号) this hall opens at `instant`: `CY` + division + date.
    public func collaborationPrefix(at instant: Date) -> String {
        "CY" + settings.hall + HallTime.localDate(of: instant).compact
    }

    /// What case `number`, taken in for a partner (川渝通办, 异地代收代办), is transferred with.
    public func transferSource(_ number: CaseNumber) async throws -> TransferSource {
        try await run {
            let state = try await store.registrationCase(number)
            guard let code = state.application.transferTo else {
                throw WorkflowError.exchangeRefused(
                    case: number, code: "not-a-transfer",
                    reason: LocalizedText(
                        zh: "本件由本厅办理，不是代收转办的办件（收件时未指定 --transfer-to）",
                        en: "the case is decided here; it was not taken in for another authority (no --transfer-to)"))
            }
            guard let partner = try await store.exchangePartner(code) else { throw StoreError.partnerNotFound(code) }
            let definition = try await definition(state.definition)
            // A case that cannot take the step now is told so before its files are asked for.
            let engine = WorkflowEngine(definition: definition)
            guard state.isOpen else {
                throw WorkflowError.caseClosed(case: number, stage: definition.stageName(state.stage))
            }
            if let transfer = definition.transitions.first(where: { $0.exchange == .transfer }),
                !definition.transition(transfer, leavesFrom: state.stage)
            {
                throw WorkflowError.notAllowedFromStage(
                    case: number, stage: definition.stageName(state.stage), transition: transfer.name,
                    allowed: engine.manualTransitions(for: state).map(\.name))
            }
            let attachments = try await store.attachments(number)
            var files: [String: Data] = [:]
            for attachment in attachments {
                if let content = try await store.attachmentContent(
                    sha256: attachment.sha256, in: settings.dataDirectory),
                    Secrets.sha256Hex(content) == attachment.sha256
                {
                    files[attachment.code] = content
                }
            }
            return TransferSource(
                state: state, definition: definition,
                documents: try documents(
                    of: state, promisedDays: definition.deferral?.promisedDays, attachments: attachments),
                attachedFiles: files, partner: partner)
        }
    }

    /// The window transfers case `number` to the partner that decides it, as `actor`: the
    /// workflow's transfer step and the cross-province case `build` makes (with its signed
    /// transfer, given the collaboration number and the step's instant) are written in one
    /// transaction, refused as stale when the case moved on from `expectedVersion`.
    public func transferCase(
        _ number: CaseNumber, expectedVersion: Int, reason: String?, as actor: DeskActor,
        build: @escaping @Sendable (String, Date) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> (step: StepOutcome, exchange: ExchangeCase) {
        try await run {
            let (clerk, at, recording) = try await recording(nil, as: actor, late: nil)
            try await bringInStep(.workflow)
            let state = try await store.registrationCase(number)
            guard
                let transition = try await definition(state.definition).transitions.first(where: {
                    $0.exchange == .transfer
                })
            else {
                throw WorkflowError.exchangeRefused(
                    case: number, code: "no-transfer-step",
                    reason: LocalizedText(
                        zh: "本件所用流程版本没有转办环节", en: "the workflow version of the case has no transfer step"))
            }
            return try await store.transferCase(
                number, transition: transition.id, reason: reason, by: clerk, at: at, expectedVersion: expectedVersion,
                recording: recording, clock: try await slaClock(), prefix: collaborationPrefix(at: at),
                build: { try build($0, at) })
        }
    }
}
