import AsyncHTTPClient
import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import NIOCore

/// How a message reaches a partner (README §9): an HTTP POST, or a file in its spool folder.
public protocol ExchangeTransport: Sendable {
    /// Delivers `raw` to `partner`; returns the receipt's octets when the partner answered with
    /// one at once. Throws ``DeliveryFailure``.
    func deliver(_ raw: Data, messageID: String, to partner: ExchangePartner) async throws(DeliveryFailure) -> Data?
}

/// Why a delivery failed, and whether trying again may help.
public struct DeliveryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// False when the partner refused the octets themselves (400, 413): the same octets will never pass.
    public var retryable: Bool

    public init(_ message: String, retryable: Bool = true) {
        self.message = message
        self.retryable = retryable
    }

    public var description: String { message }
}

/// Delivers by the partner's endpoint: `http(s)://…` → POST `{endpoint}/exchange/messages`;
/// an absolute folder → `{folder}/{MessageId}.xml`, written whole (a temporary file renamed).
public struct EndpointTransport: ExchangeTransport {
    public var timeout: TimeInterval
    /// This hall's files by SM3: a transfer written to a spool folder takes the files of its
    /// manifest with it, each beside the message under its SM3 (over HTTP the partner fetches them).
    public var filesFolder: URL?

    public init(timeout: TimeInterval = 15, filesFolder: URL? = nil) {
        self.timeout = timeout
        self.filesFolder = filesFolder
    }

    /// The SM3 digests a message written here names in its manifest.
    static func manifestDigests(_ raw: Data) -> [String] {
        let text = String(decoding: raw, as: UTF8.self)
        var found: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<SM3>") {
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "</SM3>") else { break }
            let digest = String(after[..<close.lowerBound])
            if isDigestName(digest) { found.append(digest) }
            rest = after[close.upperBound...]
        }
        return found
    }

    public func deliver(_ raw: Data, messageID: String, to partner: ExchangePartner) async throws(DeliveryFailure)
        -> Data?
    {
        guard let endpoint = partner.endpoint else {
            throw DeliveryFailure("协同机构\(partner.code)未登记投递地址（partner add --endpoint）")
        }
        if endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://") {
            return try await post(raw, to: endpoint)
        }
        let folder = URL(fileURLWithPath: endpoint)
        let target = folder.appendingPathComponent("\(messageID).xml")
        let temporary = folder.appendingPathComponent(".\(messageID).xml.part")
        do {
            // The files first: the message is never in the folder before what it names.
            if let filesFolder {
                for digest in Self.manifestDigests(raw) {
                    let copy = folder.appendingPathComponent(digest)
                    if FileManager.default.fileExists(atPath: copy.path) { continue }
                    let part = folder.appendingPathComponent(".\(digest).part")
                    try? FileManager.default.removeItem(at: part)
                    try FileManager.default.copyItem(at: filesFolder.appendingPathComponent(digest), to: part)
                    try FileManager.default.moveItem(at: part, to: copy)
                }
            }
            try raw.write(to: temporary)
            if FileManager.default.fileExists(atPath: target.path) {
                try FileManager.default.removeItem(at: target)
            }
            try FileManager.default.moveItem(at: temporary, to: target)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DeliveryFailure("无法写入收件目录 \(folder.path)：\(error.localizedDescription)")
        }
        return nil
    }

    func post(_ raw: Data, to endpoint: String) async throws(DeliveryFailure) -> Data? {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        let url = base + "/exchange/messages"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/xml")
        request.body = .bytes(ByteBuffer(bytes: raw))
        let status: Int
        let data: Data
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout)))
            status = Int(response.status.code)
            data = Data(try await response.body.collect(upTo: ExchangeMessage.maximumSize + 65_536).readableBytesView)
        } catch {
            throw DeliveryFailure("无法投递至 \(url)：\(error)")
        }
        switch status {
        case 200: return data
        case 204: return nil
        case 400, 413, 415:
            throw DeliveryFailure(
                "对方拒收（HTTP \(status)）：\(String(decoding: data.prefix(500), as: UTF8.self))", retryable: false)
        default:
            throw DeliveryFailure("对方暂不可用（HTTP \(status)）")
        }
    }
}

/// Delivers the outbox: each due message sent, the same octets every time, with backoff between
/// attempts; a receipt that comes with the answer is checked (the partner's signature, the id and
/// digest of what was sent) and bound in the same write.
public struct ExchangeSender: Sendable {
    public let desk: Desk
    public let codec: ExchangeCodec
    public let transport: any ExchangeTransport

    public init(desk: Desk, codec: ExchangeCodec, transport: any ExchangeTransport = EndpointTransport()) {
        self.desk = desk
        self.codec = codec
        self.transport = transport
    }

    /// Attempts before a message is given up (and a supervisor alerted): with the backoff below,
    /// about a working day and a half of trying.
    public static let maximumAttempts = 20

    /// The wait after the `attempts`-th failed attempt: 30 s, doubling, at most an hour.
    public static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(3600, 30 * pow(2, Double(max(0, attempts - 1))))
    }

    public struct Pass: Sendable, Equatable, Codable {
        public var delivered = 0
        public var acknowledged = 0
        public var rejected = 0
        public var retrying = 0
        public var failed = 0
        /// Messages delivered with an answer that was not their receipt (unsigned, another
        /// sender's, or naming other records): they stay delivered, awaiting a receipt.
        public var unboundAnswers = 0
    }

    /// How long a message taken for delivery is held from other senders: far longer than one
    /// delivery (its HTTP timeout), so that a sender that died gives it back within minutes.
    public static let hold: TimeInterval = 300

    /// One pass over the messages due at `now` (at most `limit`). Each message is taken (held
    /// from other senders: the server's, `kaiban exchange send` in another process) just before
    /// it is tried, so that no two senders deliver the same message.
    public func pass(at now: Date, limit: Int = 100) async throws -> Pass {
        var pass = Pass()
        let partners = Dictionary(
            try await desk.store.exchangePartners().map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        for _ in 0..<max(0, limit) {
            // Held from the later of the pass's instant and the desk's clock: a long pass runs
            // past its instant.
            let holdUntil = max(now, desk.clock.now()).addingTimeInterval(Self.hold)
            guard let message = try await desk.store.claimDueOutbound(at: now, limit: 1, holdUntil: holdUntil).first
            else { break }
            // A partner registered since the pass began is read now (the outbox names only
            // registered partners).
            var known = partners[message.partnerCode]
            if known == nil { known = try await desk.store.exchangePartner(message.partnerCode) }
            guard let partner = known else { continue }
            let result: DeliveryResult
            do {
                let answer = try await transport.deliver(message.raw, messageID: message.messageID, to: partner)
                let binding = answer.flatMap { bind($0, to: message, partner: partner, at: now) }
                result = .delivered(at: now, receipt: binding)
                pass.delivered += 1
                if let binding {
                    if binding.accepted { pass.acknowledged += 1 } else { pass.rejected += 1 }
                } else if let answer, !answer.isEmpty {
                    pass.unboundAnswers += 1
                }
            } catch {
                let attempts = message.attempts + 1
                let retry = error.retryable && attempts < Self.maximumAttempts
                result = .notDelivered(
                    at: now, error: error.message,
                    retryAt: retry ? now.addingTimeInterval(Self.backoff(afterAttempts: attempts)) : nil)
                if retry { pass.retrying += 1 } else { pass.failed += 1 }
            }
            try await desk.store.recordDelivery(message.messageID, result)
        }
        return pass
    }

    /// The receipt in `octets` when it is the partner's, signed, and about `message`; nil (the
    /// message stays sent, awaiting a receipt) for anything else.
    func bind(_ octets: Data, to message: OutboundMessage, partner: ExchangePartner, at now: Date) -> ReceiptBinding? {
        guard let opened = try? codec.open(octets, source: "receipt from \(partner.code)"),
            opened.message.header.sender.code == partner.code,
            opened.verifies(with: partner.keys.compactMap { try? SM2.PublicKey(der: Array($0.der)) }),
            case .receipt(let receipt) = opened.message.body,
            receipt.requestMessageID == message.messageID, receipt.requestDigest == message.digest,
            codec.receiptMismatch(receipt, header: opened.message.header, answering: message) == nil
        else { return nil }
        return ReceiptBinding(
            requestMessageID: message.messageID, requestDigest: message.digest, partnerCode: partner.code,
            accepted: receipt.isAcceptance, code: receipt.firstCode, raw: octets, at: now)
    }
}

extension ExchangeCodec {
    /// Why `receipt`, sent with `header`, does not answer `outbound` although it names its id and
    /// digest, or nil when it does: it must carry the message's collaboration number and, unless it
    /// rejects the whole message, answer each of its records once and no other (README §4,
    /// Receipt). A receipt that does not is not about the message: never bound, kept among the
    /// refused.
    func receiptMismatch(_ receipt: Receipt, header: MessageHeader, answering outbound: OutboundMessage) -> String? {
        if header.collaborationNumber != outbound.collaborationNumber {
            return "回执的业务协同编号\(header.collaborationNumber)不是所答报文的\(outbound.collaborationNumber)"
        }
        guard case .records(let results) = receipt.outcome,
            let sent = try? open(outbound.raw, source: "outbox \(outbound.messageID)")
        else { return nil }
        let expected = sent.message.body.recordIDs.sorted()
        let answered = results.map(\.recordID).sorted()
        guard answered != expected else { return nil }
        return "回执答复的记录（\(answered.joined(separator: "、"))）不是所答报文的记录（\(expected.joined(separator: "、"))）"
    }
}
