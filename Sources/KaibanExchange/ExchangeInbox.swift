import AsyncHTTPClient
import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import NIOCore
import Synchronization

/// Who this hall is in the exchange: its authority, its signing key, production or test.
public struct ExchangeIdentity: Sendable {
    public var authority: Authority
    public var key: SM2.PrivateKey
    public var test: Bool

    public init(authority: Authority, key: SM2.PrivateKey, test: Bool) {
        self.authority = authority
        self.key = key
        self.test = test
    }
}

/// Where the files of a transferred case's documents manifest are found, by SM3 (README §9):
/// beside the message in a spool folder, or from the sender over HTTP.
public protocol DocumentSource: Sendable {
    /// The file with digest `sm3`, nil when there is none; at most `limit` + 1 octets are read,
    /// into a private file in `staging` and mapped from there (``StagedFile``), never held in the
    /// process's own memory.
    func file(sm3: String, limit: Int, staging: URL) async -> Data?
}

/// Whether `text` is an SM3 digest as the schema writes it (64 lower-case hex digits): the only
/// names a document file may have, never a path.
func isDigestName(_ text: String) -> Bool {
    text.utf8.count == 64 && text.utf8.allSatisfy(PartialHeader.isLowerHex)
}

/// The files in a folder, each named by its SM3 (`{sm3}`): a spool folder, or this hall's own
/// exchange files.
public struct SpoolDocuments: DocumentSource {
    public var folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    /// Only a regular file of the spool's own: a link is not followed, and a FIFO or a device is
    /// not read (a FIFO named by a digest had held the import for ever).
    public func file(sm3: String, limit: Int, staging: URL) async -> Data? {
        guard isDigestName(sm3) else { return nil }
        let descriptor = open(
            folder.appendingPathComponent(sm3).path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        // A small file is read into memory while the budget lasts (it is read whole: a file that
        // changes size meanwhile then fails the manifest's size or SM3); any other is staged.
        if let content = DocumentMemory.shared.read(descriptor, count: min(Int(status.st_size), limit + 1)) {
            return content
        }
        guard let staged = StagedFile(in: staging, named: sm3, limit: limit), staged.append(readingFrom: descriptor)
        else { return nil }
        return staged.content()
    }
}

/// The files of a partner's transfer fetched from it: `GET {endpoint}/exchange/files/{sm3}`.
public struct PartnerDocuments: DocumentSource {
    public var endpoint: String
    public var timeout: TimeInterval

    public init(endpoint: String, timeout: TimeInterval = 60) {
        self.endpoint = endpoint
        self.timeout = timeout
    }

    public func file(sm3: String, limit: Int, staging: URL) async -> Data? {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        guard isDigestName(sm3), base.hasPrefix("http://") || base.hasPrefix("https://") else { return nil }
        let request = HTTPClientRequest(url: base + "/exchange/files/" + sm3)
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout))),
            response.status == .ok, let staged = StagedFile(in: staging, named: sm3, limit: limit)
        else { return nil }
        // Written to disk as it arrives; past the limit the rest is not read (the file is refused
        // by its size).
        do {
            for try await buffer in response.body {
                guard buffer.withUnsafeReadableBytes({ staged.append($0) }) else { break }
            }
        } catch {
            return nil
        }
        return staged.content()
    }
}

/// What the receiver answers to octets received (README §4, §9).
public struct InboundAnswer: Sendable, Equatable {
    public enum Outcome: String, Sendable, Codable {
        /// Every record applied.
        case applied
        /// Answered with a rejecting receipt; nothing applied.
        case rejected
        /// The same message again: the first receipt, nothing applied again.
        case duplicate
        /// Refused without a receipt (too large, unreadable, no header to answer).
        case refused
    }

    public var outcome: Outcome
    /// 200 with a receipt (or nothing, for a receipt received), 400 or 413 without.
    public var httpStatus: Int
    /// The signed receipt to send back, octet for octet.
    public var receipt: Data?
    public var messageID: String?
    public var senderCode: String?
    public var type: String?
    /// The refusal's result code (README §7).
    public var code: String?
    /// Why, in words, for the log and the command line.
    public var reason: String?
}

/// Takes in messages from partners: checks 1–11 of README §4 in order, idempotent by sender and
/// message id, each message kept raw and applied in one transaction or not at all; refusals
/// answered by a signed receipt and listed as dead letters.
public struct ExchangeInbox: Sendable {
    public let desk: Desk
    public let codec: ExchangeCodec
    public let identity: ExchangeIdentity

    public init(desk: Desk, codec: ExchangeCodec, identity: ExchangeIdentity) {
        self.desk = desk
        self.codec = codec
        self.identity = identity
    }

    /// At most this many octets of a message refused as too large or unreadable are kept.
    static let keptPrefix = 4096
    /// At most this many octets of any other refused message are kept (with the SM3 of all of
    /// it): a message is about 4 KB, and anyone may post refusals (1 MiB each had been kept
    /// whole, 20 of them 21 MB of the database).
    static let keptDeadLetter = 65_536

    public func receive(_ data: Data, origin: String, documents: (any DocumentSource)?) async throws -> InboundAnswer {
        try await receiveAll([(data, origin)], documents: documents)[0]
    }

    /// Messages received together (a spool folder): checks 1–10 and the stateless part of 11 for
    /// several at once, the files of the accepted transfers kept with one flush, then every message
    /// applied in one transaction, in the order given (each sees the cases as those before it left
    /// them); the answers in that order. The same answers as receiving them one by one.
    public func receiveAll(_ messages: [(data: Data, origin: String)], documents: (any DocumentSource)?)
        async throws -> [InboundAnswer]
    {
        try await apply(try await check(messages, documents: documents))
    }

    /// Messages checked together, not yet applied (see ``check(_:documents:)``).
    public struct CheckedBatch: Sendable {
        var steps: [Step?]
    }

    /// The first half of ``receiveAll(_:documents:)``: checks 1–10 and the stateless part of 11
    /// for several messages at once. Nothing is applied yet, so a batch can be checked while the
    /// one before it is applied: everything that depends on what is stored is decided again in
    /// the transaction of ``apply(_:)``.
    public func check(_ messages: [(data: Data, origin: String)], documents: (any DocumentSource)?)
        async throws -> CheckedBatch
    {
        var steps: [Step?] = Array(repeating: nil, count: messages.count)
        try await withThrowingTaskGroup(of: (Int, Step).self) { group in
            var next = 0
            func start() {
                let index = next
                next += 1
                group.addTask {
                    (
                        index,
                        try await self.prepare(
                            messages[index].data, origin: messages[index].origin, documents: documents)
                    )
                }
            }
            while next < min(Self.width, messages.count) { start() }
            while let (index, step) = try await group.next() {
                steps[index] = step
                if next < messages.count { start() }
            }
        }
        return CheckedBatch(steps: steps)
    }

    /// The second half of ``receiveAll(_:documents:)``: the files of the accepted transfers kept
    /// with one flush, then every message applied in one transaction, in the order given; the
    /// answers in that order.
    public func apply(_ batch: CheckedBatch) async throws -> [InboundAnswer] {
        let steps = batch.steps
        var files: [String: Data] = [:]
        var pending: [(index: Int, ready: Ready)] = []
        for (index, step) in steps.enumerated() {
            if case .ready(let ready)? = step {
                pending.append((index, ready))
                files.merge(ready.files) { first, _ in first }
            }
        }
        // The files of an accepted transfer are kept before the transfer is recorded.
        try keep(files)
        let clock = try? await desk.slaClock()
        let outcomes =
            pending.isEmpty
            ? [] : try await desk.store.receiveExchangeMessages(pending.map { item(for: $0.ready) }, clock: clock)
        var answers: [InboundAnswer] = []
        var applied = zip(pending.map(\.index), outcomes).makeIterator()
        var upcoming = applied.next()
        for (index, step) in steps.enumerated() {
            switch step {
            case .answered(let answer)?:
                answers.append(answer)
            case .ready(let ready)?:
                guard let (at, outcome) = upcoming, at == index else {
                    throw StoreError.storage("inbox: outcome missing")
                }
                upcoming = applied.next()
                answers.append(try await finish(ready, outcome))
            case nil:
                throw StoreError.storage("inbox: a message was not checked")
            }
        }
        return answers
    }

    /// How many messages are checked at once: the cores of the machine, at least two.
    static var width: Int { max(2, ProcessInfo.processInfo.activeProcessorCount) }

    /// A message checked: answered already (refused, or a repeat), or ready to apply.
    enum Step: Sendable {
        case answered(InboundAnswer)
        case ready(Ready)
    }

    /// What applying a checked message needs.
    struct Ready: Sendable {
        var answer: InboundAnswer
        var opened: OpenedMessage
        var data: Data
        var origin: String
        var now: Date
        var wholeRefusal: Rejection?
        var stateless: [String: Rejection]
        var files: [String: Data]
        var rules: RecordRules
        var partnerName: String
        var presigned: Presigned?
    }

    /// A receipt signed before the transaction, for the outcome decided on the case as read then.
    struct Presigned: Sendable {
        var outcome: Receipt.Outcome
        var reference: String?
        var receipt: Data
    }

    /// Checks 1–10 and the stateless part of 11; refusals before the signature is checked are
    /// answered here.
    func prepare(_ data: Data, origin: String, documents: (any DocumentSource)?) async throws -> Step {
        let now = Date(timeIntervalSince1970: desk.clock.now().timeIntervalSince1970.rounded(.down))
        let digest = SM3.hex(data)
        let opened: OpenedMessage
        do {
            opened = try codec.open(data, source: origin)
        } catch {
            return .answered(try await refuseUnopened(error, data: data, digest: digest, origin: origin, at: now))
        }
        let message = opened.message
        let header = message.header
        let answer = InboundAnswer(
            outcome: .rejected, httpStatus: 200, messageID: header.messageID, senderCode: header.sender.code,
            type: header.type.rawValue)
        // Checks 4–6: refused, answered, not recorded against the id (a forgery must not block it).
        if header.schemaVersion != ExchangeMessage.schemaVersion {
            return .answered(
                try await reject(
                    answer,
                    Rejection(
                        code: "message.version-unsupported",
                        message: "报文版本\(header.schemaVersion)不受支持，仅支持\(ExchangeMessage.schemaVersion)"),
                    opened: opened, origin: origin, at: now))
        }
        let partner = try await desk.store.exchangePartner(header.sender.code)
        let key = (partner?.keys ?? []).lazy.compactMap { PartnerKeys.shared.key(der: $0.der) }
            .first { $0.fingerprint == opened.keyFingerprint }
        guard partner != nil, let key else {
            return .answered(
                try await reject(
                    answer,
                    Rejection(
                        code: "message.sender-unknown",
                        message: partner == nil
                            ? "发送方\(header.sender.code)不是已登记的协同机构" : "签名公钥\(opened.keyFingerprint)不是发送方已登记的公钥"),
                    opened: opened, origin: origin, at: now))
        }
        guard opened.verifies(with: key.key) else {
            return .answered(
                try await reject(
                    answer, Rejection(code: "message.signature-invalid", message: "签名验证失败（SM2-SM3，规范化形式见交换规范§3）"),
                    opened: opened, origin: origin, at: now))
        }
        // Check 9 first among the recorded ones: a message already processed is answered as it was.
        if let earlier = try await desk.store.inboundMessage(sender: header.sender.code, messageID: header.messageID) {
            return .answered(try await repeated(earlier, answer: answer, opened: opened, origin: origin, at: now))
        }
        // Checks 7, 8, 10: refused and recorded.
        var refusal: Rejection?
        if header.receiver.code != identity.authority.code {
            refusal = Rejection(
                code: "message.receiver-mismatch",
                message: "接收方\(header.receiver.code)不是本机构（\(identity.authority.code)）")
        } else if header.test != identity.test {
            refusal = Rejection(
                code: "message.test-mismatch",
                message: identity.test ? "本系统为测试系统，只接收测试报文" : "本系统为生产系统，不接收测试报文")
        } else if header.sendTime > now.addingTimeInterval(RecordRules.clockTolerance) {
            // Sent "later" than it came: a spool is read in SendTime order, so such a message had
            // been held back behind every other (2099 was taken; from a hostile trial).
            refusal = Rejection(
                code: "message.send-time",
                message: "发送时间\(HallTime.localText(of: header.sendTime))晚于本机构收到报文的时间\(HallTime.localText(of: now))",
                details: [Rejection.Detail(text: "Header/SendTime")])
        } else if header.type != message.body.type {
            refusal = Rejection(
                code: "message.type-mismatch", message: "报文类型\(header.type.rawValue)与报文体\(message.body.type.rawValue)不符"
            )
        } else if header.caseReference == nil, header.type != .receipt {
            refusal = Rejection(code: "message.schema-invalid", message: "缺少本方办件编号（CaseReference）")
        } else if case .receipt(let answered) = message.body,
            let outbound = try await desk.store.outboundMessage(answered.requestMessageID),
            outbound.partnerCode == header.sender.code, outbound.digest == answered.requestDigest,
            let mismatch = codec.receiptMismatch(answered, header: header, answering: outbound)
        {
            refusal = Rejection(code: "receipt.mismatch", message: mismatch)
        }
        let jurisdiction = desk.settings.jurisdiction ?? [desk.settings.hall]
        var rules = RecordRules(
            identity: identity, jurisdiction: jurisdiction, ownDivisions: Set(jurisdiction + [desk.settings.hall]),
            now: now, staging: Self.filesFolder(desk.settings))
        func division(_ code: String) -> String? { (try? CreditCode(code))?.divisionCode }
        var numbering = false
        switch message.body {
        case .caseTransfer, .result: numbering = refusal == nil
        default: break
        }
        if numbering {
            // The divisions another registered partner numbers in (the division in its credit
            // code): not the sender's to number a transfer in, nor to issue a licence's code in.
            rules.otherPartnersDivisions = Set(
                try await desk.store.exchangePartners().filter { $0.code != header.sender.code }
                    .compactMap { division($0.code) }
            ).subtracting(division(header.sender.code).map { [$0] } ?? [])
        }
        if refusal == nil, case .caseTransfer = message.body {
            // A transfer takes a collaboration number of a real division.
            rules.numberedDivisionKnown =
                try await desk.division(RecordRules.numberedDivision(header), on: HallTime.localDate(of: now)).state
                != .unknown
        }
        // Check 11, the part that needs no stored state: identity numbers, codes, documents.
        var stateless: [String: Rejection] = [:]
        var files: [String: Data] = [:]
        if refusal == nil {
            let source = documents ?? partner?.endpoint.map { PartnerDocuments(endpoint: $0) as any DocumentSource }
            let checked = await rules.statelessProblems(message, documents: source)
            stateless = checked.problems
            if checked.problems.isEmpty { files = checked.files }
        }
        var ready = Ready(
            answer: answer, opened: opened, data: data, origin: origin, now: now, wholeRefusal: refusal,
            stateless: stateless, files: files, rules: rules, partnerName: partner?.name ?? header.sender.name)
        // The receipt, signed here where messages are checked side by side, for the case as it is
        // stored now; the transaction decides again and uses it only if it decides the same.
        if header.type != .receipt {
            let stored = try await desk.store.exchangeCase(header.collaborationNumber)
            if Self.readsLocalCase(opened.message.body, stored?.direction),
                let local = stored?.localCase.flatMap(CaseNumber.init)
            {
                // Read here for the receipt signed beside the check; the transaction reads it again
                // and decides on that (``item(for:)``), re-signing when it decides otherwise.
                do {
                    let state = try await desk.store.registrationCase(local)
                    // Licensed here is as good as ended: the registration is not withdrawn (the
                    // step's guard refuses it), and its result is told on the next pass.
                    ready.rules.localCase = (state.stage, state.closedAt != nil || state.creditCode != nil)
                } catch  where Problem.from(error).kind == .notFound {
                    // Transferred here without a case of this hall's workflow behind it.
                }
            }
            if case .statusUpdate = opened.message.body, stored?.direction == .outbound {
                ready.rules.reachedRank = Self.reachedRank(
                    try await desk.store.exchangeStatuses(header.collaborationNumber))
            }
            let decision = decision(ready, stored: stored)
            ready.presigned = Presigned(
                outcome: decision.outcome, reference: stored?.localCase,
                receipt: try signedReceipt(
                    answering: opened, decision.outcome, reference: stored?.localCase, at: now))
        }
        return .ready(ready)
    }

    /// Whether a message of this kind is decided on the local case as well: a withdrawal of a case
    /// transferred here, a status update or result of one transferred from here.
    static func readsLocalCase(_ body: MessageBody, _ direction: ExchangeDirection?) -> Bool {
        switch body {
        case .withdrawal: direction == .inbound
        case .statusUpdate, .result: direction == .outbound
        default: false
        }
    }

    /// The furthest a case's course has reached among `statuses` made current (``RecordRules/courseRank``).
    static func reachedRank(_ statuses: [ExchangeStatusEntry]) -> Int? {
        statuses.filter(\.madeCurrent).compactMap { RecordRules.courseRank[$0.status] }.max()
    }

    /// What applying `ready` to the case as `stored` decides.
    func decision(_ ready: Ready, stored: ExchangeCase?) -> RecordRules.Decision {
        ready.wholeRefusal.map { RecordRules.Decision(rejection: $0) }
            ?? ready.rules.decide(ready.opened.message, stored: stored, stateless: ready.stateless)
    }

    /// The store's part of applying a checked message: what it changes, decided inside the
    /// transaction from the case as stored, with the signed receipt.
    func item(for ready: Ready) -> InboundItem {
        let opened = ready.opened
        let message = opened.message
        let header = message.header
        // A withdrawal is decided on the local case, a status update on the statuses before it,
        // both as they are in the message's own transaction (they were read at the check, and a
        // step taken between the two could slip through).
        let needs: InboundContext.Needs =
            switch message.body {
            case .withdrawal, .result: .localCase
            case .statusUpdate: [.statuses, .localCase]
            default: []
            }
        return InboundItem(
            sender: header.sender.code, messageID: header.messageID, collaborationNumber: header.collaborationNumber,
            needs: needs
        ) { stored, context in
            var ready = ready
            if needs.contains(.localCase) {
                ready.rules.localCase =
                    Self.readsLocalCase(message.body, stored?.direction) ? context.localCase : nil
            }
            if needs.contains(.statuses) {
                ready.rules.reachedRank =
                    stored?.direction == .outbound
                    ? Self.reachedRank(context.statuses ?? []) : nil
            }
            let decision = self.decision(ready, stored: stored)
            let receipt: Data?
            if header.type == .receipt {
                receipt = nil
            } else if let presigned = ready.presigned, presigned.outcome == decision.outcome,
                presigned.reference == stored?.localCase
            {
                receipt = presigned.receipt
            } else {
                receipt = try self.signedReceipt(
                    answering: opened, decision.outcome, reference: stored?.localCase, at: ready.now)
            }
            var binding: ReceiptBinding?
            if ready.wholeRefusal == nil, case .receipt(let answered) = message.body {
                binding = ReceiptBinding(
                    requestMessageID: answered.requestMessageID, requestDigest: answered.requestDigest,
                    partnerCode: header.sender.code, accepted: answered.isAcceptance, code: answered.firstCode,
                    raw: ready.data, at: ready.now)
            }
            return InboundDecision(
                caseState: decision.accepted ? decision.caseState : nil,
                statuses: decision.accepted ? decision.statuses : [],
                message: InboundMessage(
                    senderCode: header.sender.code, messageID: header.messageID, digest: opened.digest,
                    type: header.type.rawValue, collaborationNumber: header.collaborationNumber,
                    receivedAt: ready.now, accepted: decision.accepted, code: decision.code, reason: decision.reason,
                    origin: ready.origin, raw: ready.data, receipt: receipt),
                binding: binding,
                localSteps: decision.accepted
                    ? Self.localSteps(
                        message.body, statuses: decision.statuses, earlier: context.statuses ?? [],
                        stored: decision.caseState ?? stored, partner: (header.sender.code, ready.partnerName)) : [])
        }
    }

    /// The answer to a message once the store applied it, or found it recorded already.
    func finish(_ ready: Ready, _ outcome: (message: InboundMessage, applied: Bool)) async throws -> InboundAnswer {
        if !outcome.applied {
            // Recorded before: by another process since the check, or earlier in the same batch.
            return try await repeated(
                outcome.message, answer: ready.answer, opened: ready.opened, origin: ready.origin, at: ready.now)
        }
        var answer = ready.answer
        answer.receipt = outcome.message.receipt
        answer.outcome = outcome.message.accepted ? .applied : .rejected
        answer.code = outcome.message.code
        answer.reason = outcome.message.reason
        return answer
    }

    /// This hall's copy of the exchange's files, by SM3: what it received and what it sends.
    public static func filesFolder(_ settings: KaibanSettings) -> URL {
        settings.dataDirectory.appendingPathComponent("exchange/files")
    }

    /// Writes each file under its SM3, durably, unless it is there already: all of them with one
    /// flush of the disk (``DurableFiles``), so that a file under its SM3 is always whole.
    func keep(_ files: [String: Data]) throws {
        let folder = Self.filesFolder(desk.settings)
        let missing = files.filter { sm3, _ in
            isDigestName(sm3) && !FileManager.default.fileExists(atPath: folder.appendingPathComponent(sm3).path)
        }
        if !missing.isEmpty { try desk.settings.claimDataDirectory() }
        // Sorted: the same files are written in the same order from run to run.
        try DurableFiles.write(
            missing.sorted { $0.key < $1.key }.map { (folder.appendingPathComponent($0.key), $0.value) }, mode: 0o644)
    }

    /// The same sender and id again: the same message gets the first receipt; another is refused.
    /// The same message is the same octets, or the same signed content written otherwise (other
    /// line ends, no XML declaration, comments: the canonical form the signature covers is the
    /// same). Such a copy, arriving first, had made the genuine octets `message.id-reused`.
    func repeated(
        _ earlier: InboundMessage, answer: InboundAnswer, opened: OpenedMessage, origin: String, at now: Date
    ) async throws -> InboundAnswer {
        let sameContent =
            earlier.digest == opened.digest
            || (try? codec.open(earlier.raw, source: "message \(earlier.messageID)")).map {
                $0.canonical == opened.canonical && $0.signatureValue == opened.signatureValue
            } ?? false
        guard sameContent else {
            return try await reject(
                answer,
                Rejection(
                    code: "message.id-reused",
                    message: "报文编号\(earlier.messageID)已于\(HallTime.localText(of: earlier.receivedAt))用于内容不同的报文，以首次报文为准"),
                opened: opened, origin: origin, at: now)
        }
        var repeated = answer
        repeated.outcome = .duplicate
        repeated.receipt = earlier.receipt
        repeated.code = earlier.code
        repeated.reason = earlier.reason
        // Written otherwise: the same outcome, in a receipt that binds these octets (a receipt
        // binds its message by the SM3 of its octets, and the first one's names the other copy).
        if earlier.digest != opened.digest, let first = earlier.receipt,
            let read = try? codec.open(first, source: "receipt of \(earlier.messageID)"),
            case .receipt(let answered) = read.message.body
        {
            repeated.receipt = try signedReceipt(
                answering: opened, answered.outcome, reference: read.message.header.caseReference, at: now)
        }
        return repeated
    }

    /// A whole message refused before it was recorded: a signed receipt, and a dead letter.
    func reject(_ answer: InboundAnswer, _ rejection: Rejection, opened: OpenedMessage, origin: String, at now: Date)
        async throws -> InboundAnswer
    {
        var refused = answer
        refused.code = rejection.code
        refused.reason = rejection.message
        if opened.message.header.type != .receipt {
            refused.receipt = try signedReceipt(
                answering: opened, .messageRejected(rejection), reference: nil, at: now)
        }
        try await desk.store.recordDeadLetter(
            DeadLetter(
                receivedAt: now, origin: origin, senderCode: opened.message.header.sender.code,
                messageID: opened.message.header.messageID, digest: opened.digest, code: rejection.code,
                reason: rejection.message, raw: opened.raw.prefix(Self.keptDeadLetter), receipt: refused.receipt))
        return refused
    }

    /// Checks 1–3 failed: a receipt only when the header can be read (and the message is no receipt).
    func refuseUnopened(_ failure: OpenFailure, data: Data, digest: String, origin: String, at now: Date) async throws
        -> InboundAnswer
    {
        var answer = InboundAnswer(outcome: .refused, httpStatus: 400)
        let code: String
        let reason: String
        switch failure {
        case .tooLarge(let bytes, let limit):
            answer.httpStatus = 413
            code = "message.too-large"
            reason = "报文超过上限\(limit)字节（读到\(bytes)字节即停止）"
        case .unreadable(let problem):
            code = "message.unreadable"
            reason = "报文无法读取（须为UTF-8、格式良好、无DOCTYPE、嵌套不超过257层）：\(problem.description)"
        case .invalid(let header, let details):
            code = "message.schema-invalid"
            reason =
                "报文不符合 exchange-1.xsd："
                + details.prefix(3).map { "第\($0.line ?? 0)行 \($0.text)" }.joined(separator: "；")
            if let header {
                answer.messageID = header.messageID
                answer.senderCode = header.sender.code
            }
            // A receipt is never answered with a receipt (two systems would answer each other).
            if let header, !header.claimsReceipt {
                answer.outcome = .rejected
                answer.httpStatus = 200
                let receipt = Receipt(
                    requestMessageID: header.messageID, requestDigest: digest, receivedTime: now,
                    outcome: .messageRejected(
                        Rejection(code: code, message: "报文不符合 exchange-1.xsd", details: details)))
                let message = ExchangeMessage(
                    header: MessageHeader(
                        messageID: Self.newMessageID(), type: .receipt, sender: identity.authority,
                        receiver: header.sender, collaborationNumber: header.collaborationNumber, caseReference: nil,
                        sendTime: now, test: identity.test),
                    body: .receipt(receipt))
                answer.receipt = try codec.write(message, signedWith: identity.key)
            }
        }
        answer.code = code
        answer.reason = reason
        var kept = data.prefix(Self.keptDeadLetter)
        if case .invalid = failure {} else if kept.count > Self.keptPrefix { kept = kept.prefix(Self.keptPrefix) }
        try await desk.store.recordDeadLetter(
            DeadLetter(
                receivedAt: now, origin: origin, senderCode: answer.senderCode, messageID: answer.messageID,
                digest: digest, code: code, reason: reason, raw: kept, receipt: answer.receipt))
        return answer
    }

    /// This hall's signed receipt answering `opened`, as the octets to send.
    func signedReceipt(answering opened: OpenedMessage, _ outcome: Receipt.Outcome, reference: String?, at now: Date)
        throws -> Data
    {
        try codec.write(
            Self.receipt(answering: opened, outcome: outcome, identity: identity, reference: reference, at: now),
            signedWith: identity.key)
    }

    /// A receipt answering `opened`, from this hall.
    static func receipt(
        answering opened: OpenedMessage, outcome: Receipt.Outcome, identity: ExchangeIdentity, reference: String?,
        at now: Date
    ) -> ExchangeMessage {
        let header = opened.message.header
        return ExchangeMessage(
            header: MessageHeader(
                messageID: newMessageID(), type: .receipt, sender: identity.authority, receiver: header.sender,
                collaborationNumber: header.collaborationNumber, caseReference: reference, sendTime: now,
                test: identity.test),
            body: .receipt(
                Receipt(
                    requestMessageID: header.messageID, requestDigest: opened.digest, receivedTime: now,
                    outcome: outcome)))
    }

    /// A new random (version 4) UUID in lower case.
    public static func newMessageID() -> String { UUID().uuidString.lowercased() }
}

extension ExchangeInbox {
    /// The steps an accepted message takes on the local case, in order: each current status of
    /// the deciding authority moves a case transferred there (correction 6 and 7, and 3 or 8 as
    /// its end when no 7 came; special procedure 9 and 10, and 8 as its end when no 10 came;
    /// licence 11 or 12; 4 or 5 not taken; rejection 13; withdrawal 2 or 14: a correction asked
    /// and answered in one message still pauses the clock between); a withdrawal withdraws a case
    /// transferred here. A step the case's stage (or its workflow version) does not allow is left
    /// out when it is taken. (15, a revocation after the licence, has no step: the case here is
    /// already completed.)
    static func localSteps(
        _ body: MessageBody, statuses: [ExchangeStatusEntry], earlier: [ExchangeStatusEntry] = [],
        stored: ExchangeCase?, partner: (code: String, name: String)
    ) -> [LocalCaseStep] {
        guard let stored, let local = stored.localCase, let number = CaseNumber(local) else { return [] }
        func step(_ transition: String, _ reason: String?, _ at: Date) -> LocalCaseStep {
            LocalCaseStep(
                caseNumber: number, transition: transition, reason: reason.map(Self.visibleLine),
                at: at, partnerCode: partner.code, partnerName: partner.name)
        }
        func reason(_ change: ExchangeStatusEntry, _ transition: String) -> String {
            var reason = "\(partner.name)：\(NationalStatus.name(change.status))"
            if let licence = stored.licence, transition == "partner-licensed" {
                reason += "，统一社会信用代码\(licence.creditCode)，执照编号\(licence.licenceNumber)"
                if let tracking = licence.trackingNumber {
                    reason +=
                        "，\(licence.carrier ?? "")\(tracking)寄\(licence.recipient == "applicant" ? "申请人" : licence.recipient ?? "")"
                }
            } else if let given = change.reason, !given.isEmpty {
                reason += "：\(given)"
            }
            return reason
        }
        switch (stored.direction, body) {
        case (.inbound, .withdrawal(let request)):
            return [step("withdraw", "\(partner.name)转来撤回申请：\(request.reason)", request.requestedTime)]
        case (.outbound, .statusUpdate), (.outbound, .result):
            // Which pauses are under way, by the deciding authority's statuses in the order of
            // their times (one second's as they came), late ones too: a special procedure (9)
            // begun during a correction had no step (the case was in correction), and the end of
            // the correction (7) then let the clock run through the procedure; a correction (6)
            // asked during a special procedure likewise after its end (10); a 7 or a 6 that came
            // late, kept as history, had left the pause as it was. From hostile trials.
            let known = (earlier + statuses).filter { !$0.source.hasPrefix("out:") }
            func pauses(before change: ExchangeStatusEntry?) -> Pauses {
                var pauses = Pauses()
                let cut = change.flatMap { change in known.firstIndex { $0 == change } } ?? known.count
                let ordered = known.prefix(cut).enumerated().filter { index, entry in
                    change.map { entry.time <= $0.time } ?? true
                }.sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }
                for (_, entry) in ordered { pauses.follow(entry.status) }
                return pauses
            }
            var steps = statuses.filter(\.madeCurrent).flatMap { change -> [LocalCaseStep] in
                let before = pauses(before: change)
                let transitions: [String]
                switch change.status {
                case 6: transitions = ["partner-correction"]
                case 3: transitions = ["partner-resubmitted"]
                // The end of one pause with the other begun meanwhile: its pause goes on.
                case 7: transitions = ["partner-resubmitted"] + (before.special ? ["partner-special"] : [])
                case 10: transitions = ["partner-special-ended"] + (before.correction ? ["partner-correction"] : [])
                // Handling again after a correction or a special procedure ends it, when no 7 or
                // 10 came (each a no-op otherwise: the step leaves only from its own stage). 3
                // after a special procedure goes back in the case's course and is refused.
                case 8: transitions = ["partner-resubmitted", "partner-special-ended"]
                case 9: transitions = ["partner-special"]
                case 11, 12: transitions = ["partner-licensed"]
                case 4, 5: transitions = ["partner-refused"]
                case 13: transitions = ["partner-rejected"]
                case 2, 14: transitions = ["partner-withdrawn"]
                default: transitions = []
                }
                return transitions.map { transition in
                    let why =
                        transition == "partner-special" && change.status == 7
                        ? "\(partner.name)：\(NationalStatus.name(9))（补正期间开始，补正结束后继续）"
                        : transition == "partner-correction" && change.status == 10
                            ? "\(partner.name)：\(NationalStatus.name(6))（特别程序期间开始，特别程序结束后继续）"
                            : reason(change, transition)
                    return step(transition, why, change.time)
                }
            }
            // A late change about a pause (kept as history) may end or begin one: the case is
            // brought to where the statuses in time order leave it (each step a no-op when it is
            // there already: it leaves only from its own stage).
            if let late = statuses.last(where: { !$0.madeCurrent && Pauses.changes.contains($0.status) }) {
                let now = pauses(before: nil)
                let transitions: [String] =
                    switch (now.correction, now.special) {
                    case (false, false): ["partner-resubmitted", "partner-special-ended"]
                    case (true, false): ["partner-special-ended", "partner-correction"]
                    case (false, true): ["partner-resubmitted", "partner-special"]
                    case (true, true): ["partner-special"]
                    }
                let why = "\(partner.name)：迟到的状态\(late.status)（\(NationalStatus.name(late.status))），按各状态的时间顺序核对"
                steps += transitions.map { step($0, why, late.time) }
            }
            return steps
        default:
            return []
        }
    }

    /// The deciding authority's pauses under way, by its current statuses in order: a
    /// correction (6, ended by 7, or by 3 or 8) and a special procedure (9, ended by 10 or 8).
    struct Pauses {
        var correction = false
        var special = false
        /// The statuses that begin or end a pause.
        static let changes: Set<Int> = [3, 6, 7, 8, 9, 10]

        mutating func follow(_ status: Int) {
            switch status {
            case 6: correction = true
            case 7, 3: correction = false
            case 9: special = true
            case 10: special = false
            case 8: (correction, special) = (false, false)
            default: break
            }
        }
    }

    /// A partner's text as one line of visible characters a step's reason can keep: hidden
    /// characters become spaces, and it is cut to the reason's limit.
    static func visibleLine(_ text: String) -> String {
        let scalars = text.unicodeScalars.map { FreeText.isHidden($0) ? " " : Character($0) }
        let line = String(scalars).split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        return String(line.prefix(FreeText.reasonLimit))
    }
}

/// Partners' public keys as libcrypto read them, by their DER, for the whole process: reading and
/// checking a key (its point on the curve and of the group's order) costs as much as half a
/// signature check, and every message names one of a few keys. Public data; an entry is the same
/// key for the same octets, so a key removed from a partner is simply no longer asked for.
final class PartnerKeys: Sendable {
    static let shared = PartnerKeys()

    struct Entry: Sendable {
        var fingerprint: String
        var key: SM2.PublicKey
    }

    /// More keys than any hall has partners' keys: past it, the cache starts again.
    static let limit = 256
    private let entries = Mutex<[Data: Entry]>([:])

    /// The key `der` holds with its fingerprint; nil when it is no usable SM2 public key.
    func key(der: Data) -> Entry? {
        if let found = entries.withLock({ $0[der] }) { return found }
        guard let key = try? SM2.PublicKey(der: Array(der)) else { return nil }
        let entry = Entry(fingerprint: key.fingerprint, key: key)
        entries.withLock {
            if $0.count >= Self.limit { $0.removeAll() }
            $0[der] = entry
        }
        return entry
    }
}
