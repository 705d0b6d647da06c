import Foundation

/// One 川渝通办 exchange message (Forms/exchange/README.md) as plain values: its header and its one
/// body. The signature is not part of the value: ``ExchangeCodec`` adds it when writing and checks
/// it when reading. Codes the schema enumerates stay strings where Kaiban only carries them, and
/// are Swift enums where Kaiban decides by them.
public struct ExchangeMessage: Sendable, Equatable {
    public var header: MessageHeader
    public var body: MessageBody

    public init(header: MessageHeader, body: MessageBody) {
        self.header = header
        self.body = body
    }

    /// The namespace of major version 1; every element is in it.
    public static let namespace = "urn:kaiban:exchange:1"
    /// The only `SchemaVersion` this implementation writes and reads.
    public static let schemaVersion = "1.0"
    /// The largest message, in octets (README §1).
    public static let maximumSize = 1_048_576
}

/// An authority: its unified social credit code and its name.
public struct Authority: Sendable, Equatable, Codable, Hashable {
    public var code: String
    public var name: String

    public init(code: String, name: String) {
        self.code = code
        self.name = name
    }
}

/// An authority with its division, as a case names the receiving, deciding and cooperating ones.
public struct CaseAuthority: Sendable, Equatable, Codable {
    public var code: String
    public var name: String
    public var division: String

    public init(code: String, name: String, division: String) {
        self.code = code
        self.name = name
        self.division = division
    }

    public var authority: Authority { Authority(code: code, name: name) }
}

/// The five message types, spelt as `MessageType` and the body element.
public enum MessageType: String, Sendable, Codable, CaseIterable {
    case caseTransfer = "CaseTransfer"
    case receipt = "Receipt"
    case statusUpdate = "StatusUpdate"
    case result = "Result"
    case withdrawal = "Withdrawal"
}

public struct MessageHeader: Sendable, Equatable {
    public var schemaVersion: String
    /// A lower-case UUID, new for every message written.
    public var messageID: String
    public var type: MessageType
    public var sender: Authority
    public var receiver: Authority
    public var collaborationNumber: String
    /// The sender's own case number; absent only in a receipt refusing a transfer.
    public var caseReference: String?
    public var sendTime: Date
    public var test: Bool

    public init(
        schemaVersion: String = ExchangeMessage.schemaVersion, messageID: String, type: MessageType,
        sender: Authority, receiver: Authority, collaborationNumber: String, caseReference: String?,
        sendTime: Date, test: Bool
    ) {
        self.schemaVersion = schemaVersion
        self.messageID = messageID
        self.type = type
        self.sender = sender
        self.receiver = receiver
        self.collaborationNumber = collaborationNumber
        self.caseReference = caseReference
        self.sendTime = sendTime
        self.test = test
    }
}

/// The one element inside `Body`.
public enum MessageBody: Sendable, Equatable {
    case caseTransfer(TransferredCase)
    case receipt(Receipt)
    case statusUpdate([StatusChange])
    case result(LicenceResult)
    case withdrawal(WithdrawalRequest)

    public var type: MessageType {
        switch self {
        case .caseTransfer: .caseTransfer
        case .receipt: .receipt
        case .statusUpdate: .statusUpdate
        case .result: .result
        case .withdrawal: .withdrawal
        }
    }

    /// The records a receipt answers, by `recordId`, in message order (none for a receipt).
    public var recordIDs: [String] {
        switch self {
        case .caseTransfer(let transfer): [transfer.recordID]
        case .receipt: []
        case .statusUpdate(let changes): changes.map(\.recordID)
        case .result(let result): [result.recordID]
        case .withdrawal(let request): [request.recordID]
        }
    }
}

// MARK: CaseTransfer

/// The three national modes of cross-province service (国办发〔2020〕35号).
public enum ExchangeMode: String, Sendable, Codable, CaseIterable {
    /// 全程网办
    case fullOnline = "full-online"
    /// 异地代收代办
    case remoteIntake = "remote-intake"
    /// 多地联办
    case joint
}

/// A `Case` record: the whole case the receiving authority hands to the deciding one.
public struct TransferredCase: Sendable, Equatable {
    public var recordID: String
    public var mode: ExchangeMode
    public var itemCode: String
    public var itemName: String
    public var receivingAuthority: CaseAuthority
    public var decidingAuthority: CaseAuthority
    public var cooperatingAuthorities: [CaseAuthority]
    public var receivedTime: Date
    public var acceptedTime: Date?
    /// Working days from acceptance, as written (`3`, `0.5`).
    public var promisedLimit: String
    /// `post-to-applicant`, `post-to-receiving-window`, `collect-at-deciding` or `electronic`.
    public var resultDelivery: String
    public var application: TransferredApplication
    public var documents: [ManifestDocument]
    public var paperFilePost: PostRecord?

    public init(
        recordID: String = "case", mode: ExchangeMode, itemCode: String, itemName: String,
        receivingAuthority: CaseAuthority, decidingAuthority: CaseAuthority,
        cooperatingAuthorities: [CaseAuthority] = [],
        receivedTime: Date, acceptedTime: Date? = nil, promisedLimit: String, resultDelivery: String,
        application: TransferredApplication, documents: [ManifestDocument], paperFilePost: PostRecord? = nil
    ) {
        self.recordID = recordID
        self.mode = mode
        self.itemCode = itemCode
        self.itemName = itemName
        self.receivingAuthority = receivingAuthority
        self.decidingAuthority = decidingAuthority
        self.cooperatingAuthorities = cooperatingAuthorities
        self.receivedTime = receivedTime
        self.acceptedTime = acceptedTime
        self.promisedLimit = promisedLimit
        self.resultDelivery = resultDelivery
        self.application = application
        self.documents = documents
        self.paperFilePost = paperFilePost
    }
}

public struct TransferredApplication: Sendable, Equatable {
    /// `llc`, `one-person-llc`, `sole-proprietorship`, `partnership`, `individual-business`,
    /// `farmers-cooperative`.
    public var enterpriseType: String
    public var proposedName: String
    /// Yuan with at most two decimals; none for types without registered capital.
    public var registeredCapital: String?
    public var domicile: TransferredDomicile
    public var businessScope: String
    public var legalRepresentative: Party
    public var investors: [TransferredInvestor]
    public var agent: Party?
    public var contact: TransferredContact
    public var mailingAddress: String?

    public init(
        enterpriseType: String, proposedName: String, registeredCapital: String?, domicile: TransferredDomicile,
        businessScope: String, legalRepresentative: Party, investors: [TransferredInvestor], agent: Party? = nil,
        contact: TransferredContact, mailingAddress: String? = nil
    ) {
        self.enterpriseType = enterpriseType
        self.proposedName = proposedName
        self.registeredCapital = registeredCapital
        self.domicile = domicile
        self.businessScope = businessScope
        self.legalRepresentative = legalRepresentative
        self.investors = investors
        self.agent = agent
        self.contact = contact
        self.mailingAddress = mailingAddress
    }
}

public struct TransferredDomicile: Sendable, Equatable {
    public var address: String
    public var division: String
    /// `owned`, `leased` or `declared`.
    public var tenure: String

    public init(address: String, division: String, tenure: String) {
        self.address = address
        self.division = division
        self.tenure = tenure
    }
}

/// A person or organisation named in an application.
public struct Party: Sendable, Equatable {
    public var name: String
    /// `resident-id`, `passport`, … `credit-code` (README §6).
    public var idType: String
    public var idNumber: String
    public var phone: String?

    public init(name: String, idType: String, idNumber: String, phone: String? = nil) {
        self.name = name
        self.idType = idType
        self.idNumber = idNumber
        self.phone = phone
    }
}

public struct TransferredInvestor: Sendable, Equatable {
    public var party: Party
    /// `person`, `company` or `institution`.
    public var kind: String
    public var contribution: String
    public var contributionForm: String
    /// YYYY-MM-DD.
    public var contributionDate: String?

    public init(party: Party, kind: String, contribution: String, contributionForm: String, contributionDate: String?) {
        self.party = party
        self.kind = kind
        self.contribution = contribution
        self.contributionForm = contributionForm
        self.contributionDate = contributionDate
    }
}

public struct TransferredContact: Sendable, Equatable {
    public var name: String
    public var phone: String

    public init(name: String, phone: String) {
        self.name = name
        self.phone = phone
    }
}

/// One file of the documents manifest: the file travels beside the message, found by its SM3.
public struct ManifestDocument: Sendable, Equatable {
    public var number: Int
    public var title: String
    public var checklistCode: String?
    public var fileName: String
    public var mediaType: String
    public var size: Int
    public var sm3: String

    public init(
        number: Int, title: String, checklistCode: String?, fileName: String, mediaType: String, size: Int, sm3: String
    ) {
        self.number = number
        self.title = title
        self.checklistCode = checklistCode
        self.fileName = fileName
        self.mediaType = mediaType
        self.size = size
        self.sm3 = sm3
    }
}

/// Something posted: the carrier's code, its tracking number and to whom.
public struct PostRecord: Sendable, Equatable {
    public var carrier: String
    public var trackingNumber: String
    /// `applicant`, `receiving-window` or `deciding-window`.
    public var recipient: String

    public init(carrier: String, trackingNumber: String, recipient: String) {
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.recipient = recipient
    }
}

// MARK: Receipt

public struct Receipt: Sendable, Equatable {
    public var requestMessageID: String
    /// SM3 of the exact octets received.
    public var requestDigest: String
    public var receivedTime: Date
    public var outcome: Outcome

    public enum Outcome: Sendable, Equatable {
        /// The whole message refused (checks 3–10): no record looked at.
        case messageRejected(Rejection)
        /// One result per record of the message answered.
        case records([RecordResult])
    }

    public init(requestMessageID: String, requestDigest: String, receivedTime: Date, outcome: Outcome) {
        self.requestMessageID = requestMessageID
        self.requestDigest = requestDigest
        self.receivedTime = receivedTime
        self.outcome = outcome
    }

    /// Whether every record was accepted (so the message was applied).
    public var isAcceptance: Bool {
        if case .records(let results) = outcome { return results.allSatisfy { $0.rejection == nil } }
        return false
    }

    /// The first refusal's code, for lists: the message's, else the first rejected record's.
    public var firstCode: String? {
        switch outcome {
        case .messageRejected(let rejection): rejection.code
        case .records(let results): results.lazy.compactMap(\.rejection).first?.code
        }
    }
}

public struct RecordResult: Sendable, Equatable {
    public var recordID: String
    /// nil: accepted.
    public var rejection: Rejection?

    public init(recordID: String, rejection: Rejection? = nil) {
        self.recordID = recordID
        self.rejection = rejection
    }
}

/// Why a message or a record was refused: a result code (README §7), words for people, details.
public struct Rejection: Sendable, Equatable, Error {
    public var code: String
    public var message: String
    public var details: [Detail]

    public struct Detail: Sendable, Equatable {
        public var line: Int?
        public var text: String

        public init(line: Int? = nil, text: String) {
            self.line = line
            self.text = text
        }
    }

    public init(code: String, message: String, details: [Detail] = []) {
        self.code = code
        self.message = message
        self.details = details
    }
}

// MARK: StatusUpdate, Result, Withdrawal

/// One national status change (STANDARDS.md §5, codes 1–15).
public struct StatusChange: Sendable, Equatable {
    public var recordID: String
    public var status: Int
    public var time: Date
    public var reason: String?

    public init(recordID: String, status: Int, time: Date, reason: String? = nil) {
        self.recordID = recordID
        self.status = status
        self.time = time
        self.reason = reason
    }
}

/// The `Licence` record of a `Result`.
public struct LicenceResult: Sendable, Equatable {
    public var recordID: String
    /// 11 or 12.
    public var status: Int
    public var completedTime: Date
    public var enterpriseName: String
    public var creditCode: String
    public var licenceNumber: String
    /// YYYY-MM-DD.
    public var issueDate: String
    public var post: PostRecord?

    public init(
        recordID: String = "licence", status: Int, completedTime: Date, enterpriseName: String, creditCode: String,
        licenceNumber: String, issueDate: String, post: PostRecord? = nil
    ) {
        self.recordID = recordID
        self.status = status
        self.completedTime = completedTime
        self.enterpriseName = enterpriseName
        self.creditCode = creditCode
        self.licenceNumber = licenceNumber
        self.issueDate = issueDate
        self.post = post
    }
}

/// The `Request` record of a `Withdrawal`.
public struct WithdrawalRequest: Sendable, Equatable {
    public var recordID: String
    /// `applicant` or `sender`.
    public var withdrawnBy: String
    public var requestedTime: Date
    public var reason: String

    public init(recordID: String = "request", withdrawnBy: String, requestedTime: Date, reason: String) {
        self.recordID = recordID
        self.withdrawnBy = withdrawnBy
        self.requestedTime = requestedTime
        self.reason = reason
    }
}
