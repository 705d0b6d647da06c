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
        let prefix = "CY" + desk.settings.hall + HallTime.localDate(of: now).compact
        let identity = self.identity
        let codec = self.codec
        return try await desk.store.openOutboundCase(prefix: prefix) { number in
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
