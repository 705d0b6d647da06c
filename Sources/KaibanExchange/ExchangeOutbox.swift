import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk

/// What this hall sends: each message signed once and written to the outbox in the transaction of
/// the change that causes it; ``ExchangeSender`` delivers it.
public struct ExchangeOutbox: Sendable {
    public let desk: Desk
    public let codec: ExchangeCodec
    public let identity: ExchangeIdentity

    public init(desk: Desk, codec: ExchangeCodec, identity: ExchangeIdentity) {
        self.desk = desk
        self.codec = codec
        self.identity = identity
    }

    /// The outbox of `desk`, with its Forms' schema and the hall's identity from its settings.
    public static func open(_ desk: Desk) throws -> ExchangeOutbox {
        ExchangeOutbox(
            desk: desk, codec: ExchangeCodec(schema: try desk.forms().exchangeSchema),
            identity: try ExchangeIdentity.load(desk.settings))
    }

    /// A window clerk (or a supervisor) transfers a case taken in here to the partner that decides
    /// it (异地代收代办, or another mode): the cross-province case with status 1 已接件 and its
    /// signed `CaseTransfer` are written in one transaction, under the next collaboration number.
    public func transfer(_ record: TransferredCase, caseReference: String, files: [Data], by clerkID: String)
        async throws -> ExchangeCase
    {
        let clerk = try await desk.store.clerk(clerkID)
        guard clerk.active, clerk.isSupervisor || clerk.roles.contains("window") else {
            throw Problem(
                .forbidden, "exchange.not-allowed", zh: "转办跨省办件须由在岗的窗口人员或负责人办理",
                en: "a cross-province transfer is made by an active window clerk or supervisor")
        }
        guard let partner = try await desk.store.exchangePartner(record.decidingAuthority.code) else {
            throw StoreError.partnerNotFound(record.decidingAuthority.code)
        }
        // Every file of the manifest is at hand, and kept by SM3 for the partner to fetch.
        var kept: [String: Data] = [:]
        for file in files { kept[SM3.hex(file)] = file }
        let missing = record.documents.filter { kept[$0.sm3]?.count != $0.size }
        guard missing.isEmpty else {
            throw Problem(
                .invalid, "exchange.documents-missing",
                zh: "材料清单中有文件未提供或大小不符：" + missing.map { "\($0.number) \($0.title)" }.joined(separator: "、"),
                en: "files of the manifest are missing or of another size: "
                    + missing.map { "\($0.number) \($0.title)" }.joined(separator: ", "))
        }
        try ExchangeInbox(desk: desk, codec: codec, identity: identity).keep(kept)
        let now = Date(timeIntervalSince1970: desk.clock.now().timeIntervalSince1970.rounded(.down))
        let prefix = desk.collaborationPrefix(at: now)
        let identity = self.identity
        let codec = self.codec
        return try await desk.store.openOutboundCase(prefix: prefix) { number in
            try Self.opening(
                record, number: number, caseReference: caseReference, partner: partner, at: now, identity: identity,
                codec: codec)
        }
    }

    /// A new outbound case `number` at `now`: its state (status 1, the local case `caseReference`),
    /// its first status and the signed `CaseTransfer` of `record`.
    static func opening(
        _ record: TransferredCase, number: String, caseReference: String, partner: ExchangePartner, at now: Date,
        identity: ExchangeIdentity, codec: ExchangeCodec
    ) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage) {
        let message = ExchangeMessage(
            header: MessageHeader(
                messageID: ExchangeInbox.newMessageID(), type: .caseTransfer, sender: identity.authority,
                receiver: Authority(code: partner.code, name: partner.name), collaborationNumber: number,
                caseReference: caseReference, sendTime: now, test: identity.test),
            body: .caseTransfer(record))
        let raw = try codec.write(message, signedWith: identity.key)
        let state = ExchangeCase(
            collaborationNumber: number, partnerCode: partner.code, direction: .outbound,
            mode: record.mode.rawValue, localCase: caseReference, partnerReference: nil,
            enterpriseName: record.application.proposedName, openedAt: now, status: 1, statusAt: now)
        let status = ExchangeStatusEntry(
            status: 1, time: now, reason: nil, source: "out:\(message.header.messageID):\(record.recordID)",
            madeCurrent: true)
        let outbound = OutboundMessage(
            messageID: message.header.messageID, partnerCode: partner.code, type: MessageType.caseTransfer.rawValue,
            collaborationNumber: number, raw: raw, digest: SM3.hex(raw), createdAt: now)
        return (state, [status], outbound)
    }

    /// The window transfers case `number`, taken in here for the partner that decides it (川渝通办,
    /// 异地代收代办), as `actor`: the case's application and every document received, each with
    /// its file — the scan the clerk gives (`scans`, by document code) or the file that came
    /// through a portal — go in one signed `CaseTransfer`, written with the workflow's transfer
    /// step and the cross-province case (status 1) in one transaction.
    public func transferCase(
        _ number: CaseNumber, scans: [String: Data] = [:], mode: ExchangeMode = .remoteIntake, as actor: DeskActor
    ) async throws -> (step: StepOutcome, exchange: ExchangeCase) {
        let source = try await desk.transferSource(number)
        let record = try Self.record(source, scans: scans, mode: mode, receiving: identity, hall: desk.settings.hall)
        var kept: [String: Data] = [:]
        for content in record.files.values { kept[SM3.hex(content)] = content }
        try ExchangeInbox(desk: desk, codec: codec, identity: identity).keep(kept)
        let identity = self.identity
        let codec = self.codec
        let partner = source.partner
        let transfer = record.transfer
        return try await desk.transferCase(
            number, expectedVersion: source.state.version, reason: "转\(partner.name)（\(mode.name)）", as: actor
        ) { collaborationNumber, now in
            var transfer = transfer
            transfer.receivedTime = min(transfer.receivedTime, now)
            return try Self.opening(
                transfer, number: collaborationNumber, caseReference: number.description, partner: partner, at: now,
                identity: identity, codec: codec)
        }
    }

    /// The transfer of a case as the window sends it, and the files of its manifest by document
    /// code; a document received without a file (paper not scanned) is refused, naming it.
    static func record(
        _ source: TransferSource, scans: [String: Data], mode: ExchangeMode, receiving identity: ExchangeIdentity,
        hall: String
    ) throws -> (transfer: TransferredCase, files: [String: Data]) {
        let state = source.state
        let application = state.application
        var manifest: [ManifestDocument] = []
        var files: [String: Data] = [:]
        var unscanned: [String] = []
        var problems: [FieldProblem] = []
        let needed = Set(source.documents.documents.map(\.requirement.code))
        for code in scans.keys.sorted() where !needed.contains(code) {
            problems.append(
                FieldProblem(
                    field: "scan.\(code)",
                    reason: LocalizedText(zh: "不是本件材料清单中的材料", en: "is not a document of the case's checklist")))
        }
        for document in source.documents.documents where document.receipt != nil {
            let code = document.requirement.code
            guard let content = scans[code] ?? source.attachedFiles[code] else {
                unscanned.append("\(code)（\(document.requirement.name.zh)）")
                continue
            }
            guard let type = DocumentFileType.sniff(content) else {
                problems.append(
                    FieldProblem(
                        field: "scan.\(code)",
                        reason: LocalizedText(
                            zh: "不是PDF、JPEG、PNG或OFD文件", en: "is not a PDF, JPEG, PNG or OFD file")))
                continue
            }
            files[code] = content
            manifest.append(
                ManifestDocument(
                    number: manifest.count + 1, title: document.requirement.name.zh, checklistCode: code,
                    fileName: "\(manifest.count + 1)-\(code).\(type.fileExtension)", mediaType: type.mediaType,
                    size: content.count, sm3: SM3.hex(content)))
        }
        if !unscanned.isEmpty {
            problems.append(
                FieldProblem(
                    field: "scan",
                    reason: LocalizedText(
                        zh: "以下已收材料没有扫描件，请用 --scan 代码=文件 提供：" + unscanned.joined(separator: "、"),
                        en: "these documents received have no scan; give each with --scan CODE=FILE: "
                            + unscanned.joined(separator: ", "))))
        }
        guard problems.isEmpty else {
            throw Problem(
                .invalid, "exchange.documents-missing", zh: "转办材料不齐：", en: "the transfer's files are incomplete:",
                fields: problems)
        }
        let partner = source.partner
        let transfer = TransferredCase(
            mode: mode, itemCode: "\(partner.code)04000110000001",
            itemName: "\(application.enterpriseType.name.zh)设立登记",
            receivingAuthority: CaseAuthority(
                code: identity.authority.code, name: identity.authority.name, division: hall),
            decidingAuthority: CaseAuthority(
                code: partner.code, name: partner.name, division: application.domicileDivision),
            receivedTime: state.openedAt, promisedLimit: String(source.definition.deferral?.promisedDays ?? 3),
            resultDelivery: application.mailingAddress == nil ? "post-to-receiving-window" : "post-to-applicant",
            application: TransferredApplication(application), documents: manifest)
        return (transfer, files)
    }

    /// Tells the partner of case `collaborationNumber` of national status changes this hall made
    /// (as the deciding authority), or sends the result or a withdrawal: the case's new state and
    /// the signed messages are written in one transaction. With `advancing`, the case's count of
    /// reported local events moves from `from` to `to` in the same transaction, and nothing is
    /// written when another sender moved it first (``ExchangeOutbox/Superseded``).
    @discardableResult
    public func send(_ bodies: [MessageBody], about collaborationNumber: String, advancing: (from: Int, to: Int)? = nil)
        async throws -> ExchangeCase
    {
        let now = Date(timeIntervalSince1970: desk.clock.now().timeIntervalSince1970.rounded(.down))
        let identity = self.identity
        let codec = self.codec
        let partners = Dictionary(
            try await desk.store.exchangePartners().map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        return try await desk.store.changeExchangeCase(collaborationNumber) { stored in
            guard var state = stored, let partner = partners[state.partnerCode] else {
                throw Problem(
                    .notFound, "exchange.case-not-found", zh: "没有业务协同编号为\(collaborationNumber)的跨省办件",
                    en: "no cross-province case \(collaborationNumber)")
            }
            if let advancing {
                guard state.reportedEvents == advancing.from else { throw Superseded() }
                state.reportedEvents = advancing.to
            }
            var statuses: [ExchangeStatusEntry] = []
            var messages: [OutboundMessage] = []
            for body in bodies {
                let message = ExchangeMessage(
                    header: MessageHeader(
                        messageID: ExchangeInbox.newMessageID(), type: body.type, sender: identity.authority,
                        receiver: Authority(code: partner.code, name: partner.name),
                        collaborationNumber: collaborationNumber,
                        caseReference: state.localCase ?? collaborationNumber,
                        sendTime: now, test: identity.test),
                    body: body)
                let raw = try codec.write(message, signedWith: identity.key)
                func record(_ status: Int, _ time: Date, _ reason: String?, _ recordID: String) {
                    let current = state.statusAt.map { time >= $0 } ?? true
                    if current {
                        state.status = status
                        state.statusAt = time
                    }
                    statuses.append(
                        ExchangeStatusEntry(
                            status: status, time: time, reason: reason,
                            source: "out:\(message.header.messageID):\(recordID)", madeCurrent: current))
                }
                switch body {
                case .statusUpdate(let changes):
                    for change in changes { record(change.status, change.time, change.reason, change.recordID) }
                case .result(let result):
                    record(result.status, result.completedTime, nil, result.recordID)
                    state.licence = ExchangeLicence(result)
                case .withdrawal(let request):
                    record((state.status ?? 1) >= 3 ? 14 : 2, request.requestedTime, request.reason, request.recordID)
                case .caseTransfer, .receipt:
                    break
                }
                messages.append(
                    OutboundMessage(
                        messageID: message.header.messageID, partnerCode: partner.code, type: body.type.rawValue,
                        collaborationNumber: collaborationNumber, raw: raw, digest: SM3.hex(raw), createdAt: now))
            }
            return (state, statuses, messages)
        }
    }

    /// Another sender reported the same local events first; nothing was written.
    public struct Superseded: Error, Sendable {}
}
