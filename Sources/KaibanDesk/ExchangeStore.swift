import Foundation
import KaibanCore

/// A partner authority of the 川渝通办 exchange: its credit code and name, where its messages go,
/// and the public keys its signatures are checked with (several while it changes keys).
public struct ExchangePartner: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    /// Where messages to it are delivered: an `http(s)://` base address or a spool folder; nil
    /// while none is configured.
    public var endpoint: String?
    public var addedAt: Date
    public var addedBy: String
    public var keys: [PartnerKey]

    public init(code: String, name: String, endpoint: String?, addedAt: Date, addedBy: String, keys: [PartnerKey]) {
        self.code = code
        self.name = name
        self.endpoint = endpoint
        self.addedAt = addedAt
        self.addedBy = addedBy
        self.keys = keys
    }
}

/// A supervisor's change to a registered partner after it was added.
public enum PartnerChange: Sendable, Equatable {
    /// The key with this fingerprint no longer verifies the partner's messages (a key retired or
    /// compromised).
    case removeKey(fingerprint: String)
    /// Where its messages go from now on: an http(s):// address or a spool folder; nil for none.
    case endpoint(String?)

    /// The change as recorded: its kind and what it names.
    public var recorded: (change: String, detail: String?) {
        switch self {
        case .removeKey(let fingerprint): ("key-removed", fingerprint)
        case .endpoint(let endpoint): ("endpoint-changed", endpoint)
        }
    }
}

/// A change to a partner as recorded: when, by whom, what (`key-removed` with the key's
/// fingerprint, `endpoint-changed` with the new endpoint or none) and why.
public struct PartnerChangeRecord: Sendable, Equatable, Codable {
    public var at: Date
    public var by: String
    public var change: String
    public var detail: String?
    public var reason: String

    public init(at: Date, by: String, change: String, detail: String?, reason: String) {
        self.at = at
        self.by = by
        self.change = change
        self.detail = detail
        self.reason = reason
    }
}

/// One public key of a partner: SubjectPublicKeyInfo DER, named by its SM3 fingerprint.
public struct PartnerKey: Sendable, Equatable, Codable {
    public var fingerprint: String
    public var der: Data
    public var addedAt: Date
    public var addedBy: String

    public init(fingerprint: String, der: Data, addedAt: Date, addedBy: String) {
        self.fingerprint = fingerprint
        self.der = der
        self.addedAt = addedAt
        self.addedBy = addedBy
    }
}

/// Which side sent the case transfer: this hall to the partner (it decides), or the partner to
/// this hall.
public enum ExchangeDirection: String, Sendable, Codable {
    /// This hall took the case in and transferred it (收件地).
    case outbound
    /// The partner transferred the case to this hall (办理地).
    case inbound
}

/// A cross-province case as this side knows it, by its collaboration number (业务协同编号).
public struct ExchangeCase: Sendable, Equatable, Codable {
    public var collaborationNumber: String
    public var partnerCode: String
    public var direction: ExchangeDirection
    /// `full-online`, `remote-intake` or `joint`.
    public var mode: String
    /// This hall's case number, when it has a case for it.
    public var localCase: String?
    /// The partner's case number (its `CaseReference`).
    public var partnerReference: String?
    public var enterpriseName: String
    public var openedAt: Date
    /// The current national status (1–15): the change with the latest time.
    public var status: Int?
    public var statusAt: Date?
    /// The licence, once a `Result` came or went.
    public var licence: ExchangeLicence?
    /// For a case transferred to this hall: how many events of its local case were told to the
    /// partner (the next status update starts after them).
    public var reportedEvents: Int = 0

    public init(
        collaborationNumber: String, partnerCode: String, direction: ExchangeDirection, mode: String,
        localCase: String?, partnerReference: String?, enterpriseName: String, openedAt: Date, status: Int? = nil,
        statusAt: Date? = nil, licence: ExchangeLicence? = nil
    ) {
        self.collaborationNumber = collaborationNumber
        self.partnerCode = partnerCode
        self.direction = direction
        self.mode = mode
        self.localCase = localCase
        self.partnerReference = partnerReference
        self.enterpriseName = enterpriseName
        self.openedAt = openedAt
        self.status = status
        self.statusAt = statusAt
        self.licence = licence
    }

    /// Statuses after which nothing follows: 2 withdrawn before acceptance, 4 and 5 not taken or
    /// refused, 11–15 completed, withdrawn or revoked.
    public static let finalStatuses: Set<Int> = [2, 4, 5, 11, 12, 13, 14, 15]

    public var isClosed: Bool { status.map { Self.finalStatuses.contains($0) } ?? false }
}

/// The licence of a completed cross-province case.
public struct ExchangeLicence: Sendable, Equatable, Codable {
    public var enterpriseName: String
    public var creditCode: String
    public var licenceNumber: String
    public var issueDate: String
    public var completedAt: Date
    public var carrier: String?
    public var trackingNumber: String?
    public var recipient: String?

    public init(
        enterpriseName: String, creditCode: String, licenceNumber: String, issueDate: String, completedAt: Date,
        carrier: String? = nil, trackingNumber: String? = nil, recipient: String? = nil
    ) {
        self.enterpriseName = enterpriseName
        self.creditCode = creditCode
        self.licenceNumber = licenceNumber
        self.issueDate = issueDate
        self.completedAt = completedAt
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.recipient = recipient
    }
}

/// One national status change of a cross-province case, in the order it was recorded.
public struct ExchangeStatusEntry: Sendable, Equatable, Codable {
    public var status: Int
    public var time: Date
    public var reason: String?
    /// Where it came from: `in:<sender code>:<message id>:<record id>`, or `out:…` when this hall sent it.
    public var source: String
    /// Whether it was current when recorded (a change older than the current one is history only).
    public var madeCurrent: Bool

    public init(status: Int, time: Date, reason: String?, source: String, madeCurrent: Bool) {
        self.status = status
        self.time = time
        self.reason = reason
        self.source = source
        self.madeCurrent = madeCurrent
    }
}

/// A message received and processed (from the signature check on): its octets, its receipt,
/// and whether it was applied. The key of idempotency is (sender, message id).
public struct InboundMessage: Sendable, Equatable, Codable {
    public var senderCode: String
    public var messageID: String
    /// SM3 of ``raw``.
    public var digest: String
    public var type: String
    public var collaborationNumber: String
    public var receivedAt: Date
    /// Whether every record was applied.
    public var accepted: Bool
    /// The refusal's code when it was not.
    public var code: String?
    /// The refusal in words (the first rejected record's message).
    public var reason: String?
    /// Where it came from: the spool file or the HTTP peer.
    public var origin: String
    public var raw: Data
    /// The signed receipt sent back, octet for octet (none for a receipt, which is not answered).
    public var receipt: Data?

    public init(
        senderCode: String, messageID: String, digest: String, type: String, collaborationNumber: String,
        receivedAt: Date, accepted: Bool, code: String?, reason: String? = nil, origin: String, raw: Data,
        receipt: Data?
    ) {
        self.senderCode = senderCode
        self.messageID = messageID
        self.digest = digest
        self.type = type
        self.collaborationNumber = collaborationNumber
        self.receivedAt = receivedAt
        self.accepted = accepted
        self.code = code
        self.reason = reason
        self.origin = origin
        self.raw = raw
        self.receipt = receipt
    }
}

/// A message refused before anything was applied (the dead-letter list, `kaiban exchange failed`).
public struct DeadLetter: Sendable, Equatable, Codable {
    public var id: Int64?
    public var receivedAt: Date
    /// Where it came from: the spool file or the HTTP peer.
    public var origin: String
    public var senderCode: String?
    public var messageID: String?
    public var digest: String
    public var code: String
    public var reason: String
    public var raw: Data
    public var receipt: Data?

    public init(
        id: Int64? = nil, receivedAt: Date, origin: String, senderCode: String?, messageID: String?, digest: String,
        code: String, reason: String, raw: Data, receipt: Data?
    ) {
        self.id = id
        self.receivedAt = receivedAt
        self.origin = origin
        self.senderCode = senderCode
        self.messageID = messageID
        self.digest = digest
        self.code = code
        self.reason = reason
        self.raw = raw
        self.receipt = receipt
    }
}

/// Where a message this hall sends stands.
public enum OutboundState: String, Sendable, Codable, CaseIterable {
    /// Written, not yet delivered (or to be tried again at `nextAttemptAt`).
    case pending
    /// Delivered (to the partner's spool folder, or over HTTP without a receipt yet): awaiting its receipt.
    case sent
    /// The partner's receipt accepted every record.
    case acknowledged
    /// The partner's receipt refused the message or a record.
    case rejected
    /// Given up after too many attempts, or refused unread by the partner: a supervisor looks.
    case failed
}

/// A message this hall sends: written (signed) once in the transaction of the change that causes
/// it, and delivered by the sender, the same octets on every attempt.
public struct OutboundMessage: Sendable, Equatable, Codable {
    public var messageID: String
    public var partnerCode: String
    public var type: String
    public var collaborationNumber: String
    public var raw: Data
    /// SM3 of ``raw``: what the partner's receipt must bind.
    public var digest: String
    public var createdAt: Date
    public var state: OutboundState
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var sentAt: Date?
    public var receipt: Data?
    public var receiptCode: String?
    public var answeredAt: Date?

    public init(
        messageID: String, partnerCode: String, type: String, collaborationNumber: String, raw: Data, digest: String,
        createdAt: Date, state: OutboundState = .pending, attempts: Int = 0, nextAttemptAt: Date? = nil,
        lastError: String? = nil, sentAt: Date? = nil, receipt: Data? = nil, receiptCode: String? = nil,
        answeredAt: Date? = nil
    ) {
        self.messageID = messageID
        self.partnerCode = partnerCode
        self.type = type
        self.collaborationNumber = collaborationNumber
        self.raw = raw
        self.digest = digest
        self.createdAt = createdAt
        self.state = state
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt ?? createdAt
        self.lastError = lastError
        self.sentAt = sentAt
        self.receipt = receipt
        self.receiptCode = receiptCode
        self.answeredAt = answeredAt
    }
}

/// What one delivery attempt came to.
public enum DeliveryResult: Sendable, Equatable {
    /// Delivered; with the partner's receipt when it answered with one (HTTP).
    case delivered(at: Date, receipt: ReceiptBinding?)
    /// Not delivered: tried again at `retryAt`, or given up when nil.
    case notDelivered(at: Date, error: String, retryAt: Date?)
}

/// A receipt that binds a message this hall sent (its id and the SM3 of its octets).
public struct ReceiptBinding: Sendable, Equatable, Codable {
    public var requestMessageID: String
    public var requestDigest: String
    public var partnerCode: String
    public var accepted: Bool
    public var code: String?
    public var raw: Data
    public var at: Date

    public init(
        requestMessageID: String, requestDigest: String, partnerCode: String, accepted: Bool, code: String?, raw: Data,
        at: Date
    ) {
        self.requestMessageID = requestMessageID
        self.requestDigest = requestDigest
        self.partnerCode = partnerCode
        self.accepted = accepted
        self.code = code
        self.raw = raw
        self.at = at
    }
}

/// What applying an inbound message changes, decided inside the store's transaction from the
/// case as stored there: the case's new state (nil: unchanged), the status changes to append,
/// and the message's record with its receipt. A refused message changes no case.
public struct InboundDecision: Sendable {
    public var caseState: ExchangeCase?
    public var statuses: [ExchangeStatusEntry]
    public var message: InboundMessage
    /// A receipt received: the message of this hall's it answers, bound in the same transaction.
    public var binding: ReceiptBinding?
    /// What the message does to the local case, in order, each taken in the same transaction when
    /// the case's stage then allows it (a case that moved on meanwhile is left as it is).
    public var localSteps: [LocalCaseStep]

    public init(
        caseState: ExchangeCase?, statuses: [ExchangeStatusEntry], message: InboundMessage,
        binding: ReceiptBinding? = nil, localSteps: [LocalCaseStep] = []
    ) {
        self.caseState = caseState
        self.statuses = statuses
        self.message = message
        self.binding = binding
        self.localSteps = localSteps
    }
}

/// One inbound message to apply: who sent it, its id, the case it names, and what it changes,
/// decided from that case as stored.
public struct InboundItem: Sendable {
    public var sender: String
    public var messageID: String
    public var collaborationNumber: String
    /// What the decision needs read in the message's transaction besides the exchange case.
    public var needs: InboundContext.Needs = []
    public var decide: @Sendable (ExchangeCase?, InboundContext) throws -> InboundDecision

    public init(
        sender: String, messageID: String, collaborationNumber: String, needs: InboundContext.Needs = [],
        decide: @escaping @Sendable (ExchangeCase?, InboundContext) throws -> InboundDecision
    ) {
        self.sender = sender
        self.messageID = messageID
        self.collaborationNumber = collaborationNumber
        self.needs = needs
        self.decide = decide
    }

    /// An item decided on the exchange case alone.
    public init(
        sender: String, messageID: String, collaborationNumber: String,
        decide: @escaping @Sendable (ExchangeCase?) throws -> InboundDecision
    ) {
        self.init(sender: sender, messageID: messageID, collaborationNumber: collaborationNumber) { stored, _ in
            try decide(stored)
        }
    }
}

/// What an inbound message's decision reads in the message's own transaction besides the exchange
/// case, so that no step taken between the message's check and its transaction slips through: the
/// local case a withdrawal would withdraw, and the statuses a status update must not go back past.
public struct InboundContext: Sendable {
    public struct Needs: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        /// The local case's stage, and whether it ended or was licensed here.
        public static let localCase = Needs(rawValue: 1)
        /// The cross-province case's statuses, in order.
        public static let statuses = Needs(rawValue: 2)
    }

    /// The local case's stage and whether it is closed or licensed (nil: not asked, or none).
    public var localCase: (stage: String, closed: Bool)?
    /// The case's statuses (nil: not asked).
    public var statuses: [ExchangeStatusEntry]?

    public init(localCase: (stage: String, closed: Bool)? = nil, statuses: [ExchangeStatusEntry]? = nil) {
        self.localCase = localCase
        self.statuses = statuses
    }
}

/// What ``ExchangeStore/returnTransfer(_:status:steps:clock:at:)`` did with the local case.
public enum TransferReturn: Sendable, Equatable {
    /// The local case took this transition.
    case took(String)
    /// The local case had ended (or there is none): only the cross-province case was closed.
    case localCaseEnded
}

/// A step a partner's message takes on the local case: the deciding authority's answer moves a
/// case transferred there (办理地已发照, 不予受理…), its withdrawal withdraws a case transferred
/// here. The exchange takes it as the partner (`exchange:` + its code), holding the step's roles.
public struct LocalCaseStep: Sendable, Equatable {
    public var caseNumber: CaseNumber
    public var transition: String
    public var reason: String?
    /// When it happened at the partner; written no earlier than the case's last event.
    public var at: Date
    public var partnerCode: String
    public var partnerName: String

    public init(
        caseNumber: CaseNumber, transition: String, reason: String?, at: Date, partnerCode: String,
        partnerName: String
    ) {
        self.caseNumber = caseNumber
        self.transition = transition
        self.reason = reason
        self.at = at
        self.partnerCode = partnerCode
        self.partnerName = partnerName
    }

    /// The actor id steps of the exchange are recorded under.
    public static func actorID(partner code: String) -> String { actorPrefix + code }

    /// How the ids of the exchange's actors begin.
    public static let actorPrefix = "exchange:"
}

/// The storage of the exchange, a part of ``DeskStore``: partners and their keys, the inbound
/// messages (kept raw, append-only, one per sender and id), the dead letters, and the
/// cross-province cases with their status history (append-only).
public protocol ExchangeStore: Sendable {
    /// Registers a partner with its first key; `partner.addedBy` must be an active supervisor.
    func addExchangePartner(_ partner: ExchangePartner) async throws
    /// Adds another key to a registered partner (a key change); the same key twice is refused.
    func addExchangePartnerKey(_ key: PartnerKey, to code: String) async throws -> ExchangePartner
    /// A supervisor's change to registered partner `code` (a key removed, its endpoint changed),
    /// recorded with who, when and why in the same transaction (`clerk` must be an active
    /// supervisor): the partner as it is then.
    func changeExchangePartner(_ code: String, _ change: PartnerChange, reason: String, by clerk: String, at now: Date)
        async throws -> ExchangePartner
    /// The changes made to partner `code` since it was added, oldest first.
    func exchangePartnerChanges(_ code: String) async throws -> [PartnerChangeRecord]
    func exchangePartners() async throws -> [ExchangePartner]
    func exchangePartner(_ code: String) async throws -> ExchangePartner?
    /// The message `messageID` from `sender` processed earlier, if any.
    func inboundMessage(sender: String, messageID: String) async throws -> InboundMessage?
    /// Applies inbound messages in one transaction, in order: for each, reads the case its
    /// collaboration number names (as the messages before it left it), lets its `decide` say what
    /// changes, writes it and the message's record, and takes its local step with `clock`. When the
    /// same sender and id were recorded before (another process, or earlier in the batch), nothing
    /// is applied for it and that earlier record is returned instead (`decide` is not consulted).
    /// Any error writes none of them.
    func receiveExchangeMessages(_ items: [InboundItem], clock: SLAClock?) async throws
        -> [(message: InboundMessage, applied: Bool)]
    func recordDeadLetter(_ letter: DeadLetter) async throws
    /// The newest dead letters first, at most `limit`.
    func deadLetters(limit: Int) async throws -> [DeadLetter]
    func exchangeCase(_ collaborationNumber: String) async throws -> ExchangeCase?
    /// Cases transferred to this hall that are not closed and have work for the exchange's pass:
    /// not yet taken in (no local case), or whose local case has events the partner has not been
    /// told of (its version past `reportedEvents`). Oldest first, at most `limit`: the cases done
    /// with drop out, so every pass reaches the next ones (a pass that read the oldest 500 open
    /// cases had never reached the 501st).
    func openInboundCases(limit: Int) async throws -> [ExchangeCase]
    /// Cases this hall transferred to a partner that are not closed and whose local case has
    /// events the partner has not been told of, oldest first, at most `limit`.
    func openOutboundCases(limit: Int) async throws -> [ExchangeCase]
    /// The accepted transfer message of case `collaborationNumber`.
    func inboundTransfer(_ collaborationNumber: String) async throws -> InboundMessage?
    /// Records a case this hall transfers to a partner, in one transaction: assigns the next
    /// collaboration number starting with `prefix` (`CY` + division + yyyyMMdd; 4 digits follow,
    /// dense per prefix), lets `build` make the case, its first statuses and the transfer message
    /// (signed, with that number), and writes all three.
    func openOutboundCase(
        prefix: String,
        build: @escaping @Sendable (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> ExchangeCase
    /// The window transfers local case `number` (step `transition` of the exchange, as
    /// `clerkID`, refused as stale unless the case is at `expectedVersion`) and opens its
    /// cross-province case as ``openOutboundCase(prefix:build:)`` does, in one transaction.
    func transferCase(
        _ number: CaseNumber, transition: String, reason: String?, by clerkID: String, at now: Date,
        expectedVersion: Int, recording: Recording, clock: SLAClock, prefix: String,
        build: @escaping @Sendable (String) throws -> (ExchangeCase, [ExchangeStatusEntry], OutboundMessage)
    ) async throws -> (step: StepOutcome, exchange: ExchangeCase)
    /// Changes a cross-province case this hall holds and writes the messages that tell the
    /// partner, in one transaction: `build` sees the case as stored (nil when unknown) and returns
    /// its new state, the statuses to append and the messages.
    func changeExchangeCase(
        _ collaborationNumber: String,
        build: @escaping @Sendable (ExchangeCase?) throws -> (ExchangeCase, [ExchangeStatusEntry], [OutboundMessage])
    ) async throws -> ExchangeCase
    /// Ends the case `collaborationNumber` this hall transferred, whose transfer the partner
    /// refused: `status` appended and made current, and the first of `steps` the local case can
    /// take, taken (dated no later than `now`), in one transaction. Nil, with nothing written,
    /// when the case is not an open outbound one. When the local case has ended meanwhile (the
    /// applicant withdrew it at the window) or there is none (no steps), the cross-province case
    /// is closed all the same and nothing else changes: it would otherwise be tried on every
    /// pass. ``StoreError/transferNotReturnable(_:)``, with nothing written, when the local case
    /// is open and can take none of the steps.
    func returnTransfer(
        _ collaborationNumber: String, status: ExchangeStatusEntry, steps: [LocalCaseStep], clock: SLAClock,
        at now: Date
    ) async throws -> TransferReturn?
    /// The transfers partners refused (their receipts rejected the message) whose cases still
    /// stand at 1 已接件 here, oldest first, at most `limit`: a rejection that comes after the
    /// partner's own status changes (it accepted the case, asked for a correction…) contradicts
    /// them and sends nothing back to the window (from a hostile trial: a late one had returned
    /// a case the partner was handling, to be transferred again).
    func refusedTransfers(limit: Int) async throws -> [OutboundMessage]
    /// Takes the pending messages due by `now`, oldest due first, at most `limit`, for one sender,
    /// and holds them until `holdUntil` (their next attempt moved there), so that another sender
    /// (another process, another server) does not take them meanwhile; a sender that dies gives
    /// them back when the hold ends. The sender then records each attempt (``recordDelivery(_:_:)``).
    /// A case's messages to a partner go in the order they were written: one is not due while an
    /// earlier one of its case is pending (in its backoff or held), so a withdrawal never reaches
    /// the partner before the transfer it withdraws.
    func claimDueOutbound(at now: Date, limit: Int, holdUntil: Date) async throws -> [OutboundMessage]
    /// Records one delivery attempt of `messageID` (and the receipt bound, when it came with it).
    func recordDelivery(_ messageID: String, _ result: DeliveryResult) async throws
    func outboundMessage(_ messageID: String) async throws -> OutboundMessage?
    /// The outbox, newest first, optionally only in `states`, at most `limit`.
    func outboundMessages(states: [OutboundState]?, limit: Int) async throws -> [OutboundMessage]
    /// How many messages are in each state.
    func outboundCounts() async throws -> [OutboundState: Int]
    /// When the oldest message still without its partner's receipt (pending or sent) was written.
    func oldestUnansweredOutbound() async throws -> Date?
    /// The newest cross-province cases first, at most `limit`.
    func exchangeCases(limit: Int) async throws -> [ExchangeCase]
    /// The status changes of a case in the order they were recorded.
    func exchangeStatuses(_ collaborationNumber: String) async throws -> [ExchangeStatusEntry]
}
