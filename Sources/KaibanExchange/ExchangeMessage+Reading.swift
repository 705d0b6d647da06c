import Foundation
import KaibanXML

/// A message's elements as values. Runs after schema validation, so every required element is
/// there and every value has its shape; what still fails (an instant the calendar has not, a
/// foreign element in a hand-made tree) is a problem naming the element and its line, never a crash.
struct MessageReader {
    struct Failure: Error, Sendable, Equatable {
        var line: Int
        var message: String
    }

    static func message(_ envelope: ParsedElement) throws(Failure) -> (ExchangeMessage, SignatureBlock) {
        let header = try Self.header(try envelope.required("Header"))
        let bodyElement = try envelope.required("Body")
        guard let inner = bodyElement.children.first, bodyElement.children.count == 1 else {
            throw Failure(line: bodyElement.line, message: "Body holds exactly one element")
        }
        let body = try Self.body(inner)
        let signature = try envelope.required("Signature")
        let block = SignatureBlock(
            algorithm: try signature.value("Algorithm"), keyFingerprint: try signature.value("KeyFingerprint"),
            value: try signature.required("Value").collapsedText)
        return (ExchangeMessage(header: header, body: body), block)
    }

    static func header(_ element: ParsedElement) throws(Failure) -> MessageHeader {
        let typeText = try element.value("MessageType")
        guard let type = MessageType(rawValue: typeText) else {
            throw Failure(line: element.line, message: "MessageType \(typeText) is unknown")
        }
        return MessageHeader(
            schemaVersion: try element.value("SchemaVersion"), messageID: try element.value("MessageId"), type: type,
            sender: try authority(try element.required("Sender")),
            receiver: try authority(try element.required("Receiver")),
            collaborationNumber: try element.value("CollaborationNumber"),
            caseReference: element.child("CaseReference")?.text, sendTime: try element.instant("SendTime"),
            test: try element.required("Test").collapsedText == "true")
    }

    static func authority(_ element: ParsedElement) throws(Failure) -> Authority {
        Authority(code: try element.value("Code"), name: try element.value("Name"))
    }

    static func caseAuthority(_ element: ParsedElement) throws(Failure) -> CaseAuthority {
        CaseAuthority(
            code: try element.value("Code"), name: try element.value("Name"), division: try element.value("Division"))
    }

    static func body(_ element: ParsedElement) throws(Failure) -> MessageBody {
        switch element.name {
        case "CaseTransfer":
            return .caseTransfer(try transferredCase(try element.required("Case")))
        case "Receipt":
            return .receipt(try receipt(element))
        case "StatusUpdate":
            var changes: [StatusChange] = []
            for change in element.children("StatusChange") {
                changes.append(
                    StatusChange(
                        recordID: try change.attribute("recordId"), status: try change.integer("Status"),
                        time: try change.instant("Time"), reason: change.child("Reason")?.text))
            }
            return .statusUpdate(changes)
        case "Result":
            let licence = try element.required("Licence")
            return .result(
                LicenceResult(
                    recordID: try licence.attribute("recordId"), status: try licence.integer("Status"),
                    completedTime: try licence.instant("CompletedTime"),
                    enterpriseName: try licence.value("EnterpriseName"), creditCode: try licence.value("CreditCode"),
                    licenceNumber: try licence.value("LicenceNumber"),
                    issueDate: try licence.required("IssueDate").collapsedText,
                    post: try licence.child("Post").map { (post) throws(Failure) in try Self.post(post) }))
        case "Withdrawal":
            let request = try element.required("Request")
            return .withdrawal(
                WithdrawalRequest(
                    recordID: try request.attribute("recordId"), withdrawnBy: try request.value("WithdrawnBy"),
                    requestedTime: try request.instant("RequestedTime"), reason: try request.value("Reason")))
        default:
            throw Failure(line: element.line, message: "\(element.name) is no message body")
        }
    }

    static func transferredCase(_ element: ParsedElement) throws(Failure) -> TransferredCase {
        let modeText = try element.value("Mode")
        guard let mode = ExchangeMode(rawValue: modeText) else {
            throw Failure(line: element.line, message: "Mode \(modeText) is unknown")
        }
        var cooperating: [CaseAuthority] = []
        for authority in element.children("CooperatingAuthority") { cooperating.append(try caseAuthority(authority)) }
        var documents: [ManifestDocument] = []
        for document in try element.required("Documents").children("Document") {
            guard let number = Int(ParsedElement.collapsed(try document.attribute("number"))) else {
                throw Failure(line: document.line, message: "Document's number is not a number")
            }
            documents.append(
                ManifestDocument(
                    number: number, title: try document.value("Title"),
                    checklistCode: document.child("ChecklistCode")?.text, fileName: try document.value("FileName"),
                    mediaType: try document.value("MediaType"), size: try document.integer("Size"),
                    sm3: try document.value("SM3")))
        }
        return TransferredCase(
            recordID: try element.attribute("recordId"), mode: mode, itemCode: try element.value("ItemCode"),
            itemName: try element.value("ItemName"),
            receivingAuthority: try caseAuthority(try element.required("ReceivingAuthority")),
            decidingAuthority: try caseAuthority(try element.required("DecidingAuthority")),
            cooperatingAuthorities: cooperating, receivedTime: try element.instant("ReceivedTime"),
            acceptedTime: try element.child("AcceptedTime").map { (child) throws(Failure) in try child.asInstant() },
            promisedLimit: try element.required("PromisedLimit").collapsedText,
            resultDelivery: try element.value("ResultDelivery"),
            application: try application(try element.required("Application")), documents: documents,
            paperFilePost: try element.child("PaperFilePost").map { (post) throws(Failure) in try Self.post(post) })
    }

    static func application(_ element: ParsedElement) throws(Failure) -> TransferredApplication {
        let domicile = try element.required("Domicile")
        var investors: [TransferredInvestor] = []
        for investor in element.children("Investor") {
            investors.append(
                TransferredInvestor(
                    party: try party(investor), kind: try investor.value("Kind"),
                    contribution: try investor.value("Contribution"),
                    contributionForm: try investor.value("ContributionForm"),
                    contributionDate: investor.child("ContributionDate")?.collapsedText))
        }
        let contact = try element.required("Contact")
        return TransferredApplication(
            enterpriseType: try element.value("EnterpriseType"), proposedName: try element.value("ProposedName"),
            registeredCapital: element.child("RegisteredCapital")?.text,
            domicile: TransferredDomicile(
                address: domicile.text, division: try domicile.attribute("division"),
                tenure: try domicile.attribute("tenure")),
            businessScope: try element.value("BusinessScope"),
            legalRepresentative: try party(try element.required("LegalRepresentative")), investors: investors,
            agent: try element.child("Agent").map { (agent) throws(Failure) in try party(agent) },
            contact: TransferredContact(name: try contact.value("Name"), phone: try contact.value("Phone")),
            mailingAddress: element.child("MailingAddress")?.text)
    }

    static func party(_ element: ParsedElement) throws(Failure) -> Party {
        Party(
            name: try element.value("Name"), idType: try element.value("IdType"),
            idNumber: try element.value("IdNumber"), phone: element.child("Phone")?.text)
    }

    static func post(_ element: ParsedElement) throws(Failure) -> PostRecord {
        PostRecord(
            carrier: try element.value("Carrier"), trackingNumber: try element.value("TrackingNumber"),
            recipient: try element.value("Recipient"))
    }

    static func receipt(_ element: ParsedElement) throws(Failure) -> Receipt {
        let outcome: Receipt.Outcome
        if let rejected = element.child("MessageRejected") {
            outcome = .messageRejected(try rejection(rejected))
        } else {
            var results: [RecordResult] = []
            for record in element.children("RecordResult") {
                results.append(
                    RecordResult(
                        recordID: try record.attribute("recordId"),
                        rejection: try record.child("Rejected").map { (child) throws(Failure) in try rejection(child) })
                )
            }
            outcome = .records(results)
        }
        return Receipt(
            requestMessageID: try element.value("RequestMessageId"), requestDigest: try element.value("RequestDigest"),
            receivedTime: try element.instant("ReceivedTime"), outcome: outcome)
    }

    static func rejection(_ element: ParsedElement) throws(Failure) -> Rejection {
        Rejection(
            code: try element.value("Code"), message: try element.value("Message"),
            details: element.children("Detail").map {
                Rejection.Detail(line: $0["line"].flatMap { Int(ParsedElement.collapsed($0)) }, text: $0.text)
            })
    }
}

extension ParsedElement {
    func required(_ local: String) throws(MessageReader.Failure) -> ParsedElement {
        guard let child = child(local) else {
            throw MessageReader.Failure(line: line, message: "\(name) lacks its \(local)")
        }
        return child
    }

    /// The text of the child `local`, as written (Text values keep their blanks: they are signed).
    func value(_ local: String) throws(MessageReader.Failure) -> String {
        try required(local).text
    }

    func attribute(_ local: String) throws(MessageReader.Failure) -> String {
        guard let value = attributes[local] else {
            throw MessageReader.Failure(line: line, message: "\(name) lacks its attribute \(local)")
        }
        return value
    }

    func integer(_ local: String) throws(MessageReader.Failure) -> Int {
        let child = try required(local)
        guard let value = Int(child.collapsedText) else {
            throw MessageReader.Failure(line: child.line, message: "\(local) \(child.text) is not a whole number")
        }
        return value
    }

    func instant(_ local: String) throws(MessageReader.Failure) -> Date {
        try required(local).asInstant()
    }

    func asInstant() throws(MessageReader.Failure) -> Date {
        guard let instant = ExchangeTime.parse(collapsedText) else {
            throw MessageReader.Failure(line: line, message: "\(name) \(text) is not an instant with its offset")
        }
        return instant
    }
}
