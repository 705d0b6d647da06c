import Foundation
import KaibanCore
import KaibanXML

/// The message as an element tree in the exchange namespace, in the schema's order. The
/// `Signature` element comes from the signer (``ExchangeCodec``).
extension ExchangeMessage {
    func envelope(signature: SignatureBlock) -> XMLWriter.Element {
        var envelope = Node.element("Envelope")
        envelope.append(header.element)
        var body = Node.element("Body")
        body.append(self.body.element)
        envelope.append(body)
        envelope.append(signature.element)
        return envelope
    }
}

/// The content of a `Signature` element.
struct SignatureBlock: Sendable, Equatable {
    static let algorithm = "SM2-SM3"
    var algorithm = SignatureBlock.algorithm
    var keyFingerprint: String
    var value: String

    var element: XMLWriter.Element {
        var element = Node.element("Signature")
        element.text("Algorithm", algorithm)
        element.text("KeyFingerprint", keyFingerprint)
        element.text("Value", value)
        return element
    }
}

/// Shorthands for elements in the exchange namespace.
enum Node {
    static func name(_ local: String) -> XMLName { XMLName(local, namespace: ExchangeMessage.namespace) }

    static func element(_ local: String, attributes: [XMLWriter.Attribute] = []) -> XMLWriter.Element {
        XMLWriter.Element(name(local), attributes: attributes)
    }
}

extension XMLWriter.Element {
    /// Appends `<local>text</local>` in the exchange namespace.
    mutating func text(_ local: String, _ value: String, attributes: [XMLWriter.Attribute] = []) {
        append(XMLWriter.Element(Node.name(local), attributes: attributes, text: value))
    }

    /// Appends `<local>text</local>` when `value` is there.
    mutating func optional(_ local: String, _ value: String?) {
        if let value { text(local, value) }
    }

    mutating func instant(_ local: String, _ value: Date) {
        text(local, ExchangeTime.text(of: value))
    }
}

/// Instants as the exchange writes and reads them: `xs:dateTime` with an offset, seconds required.
public enum ExchangeTime {
    /// In hall time with its offset, whole seconds: `2026-11-26T10:41:00+08:00`.
    public static func text(of instant: Date) -> String { HallTime.isoText(of: instant) }

    /// An instant as the schema allows it (`…T10:41:00.25+08:00`, `…Z`): nil for anything else.
    public static func parse(_ text: String) -> Date? {
        // The schema's pattern: \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+\-]\d{2}:\d{2})
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes[10] == UInt8(ascii: "T") else { return nil }
        var fraction = 0.0
        var withoutFraction = bytes
        if bytes[19] == UInt8(ascii: ".") {
            var end = 20
            while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
            guard end > 20, end - 20 <= 6, let value = Double("0." + String(decoding: bytes[20..<end], as: UTF8.self))
            else { return nil }
            fraction = value
            withoutFraction = Array(bytes[..<19]) + Array(bytes[end...])
        }
        let rest = withoutFraction[19...]
        guard
            rest == [UInt8(ascii: "Z")]
                || (rest.count == 6 && (rest.first == UInt8(ascii: "+") || rest.first == UInt8(ascii: "-")))
        else { return nil }
        // 24:00:00 (the end of a day, which xs:dateTime allows) is the next day's midnight.
        let clock = String(decoding: withoutFraction[11..<19], as: UTF8.self)
        if clock == "24:00:00" {
            var midnight = withoutFraction
            midnight.replaceSubrange(11..<13, with: Array("00".utf8))
            guard fraction == 0, let instant = HallTime.parse(String(decoding: midnight, as: UTF8.self)) else {
                return nil
            }
            return instant.addingTimeInterval(86_400)
        }
        guard let whole = HallTime.parse(String(decoding: withoutFraction, as: UTF8.self)) else { return nil }
        return whole.addingTimeInterval(fraction)
    }
}

extension MessageHeader {
    var element: XMLWriter.Element {
        var header = Node.element("Header")
        header.text("SchemaVersion", schemaVersion)
        header.text("MessageId", messageID)
        header.text("MessageType", type.rawValue)
        header.append(sender.element("Sender"))
        header.append(receiver.element("Receiver"))
        header.text("CollaborationNumber", collaborationNumber)
        header.optional("CaseReference", caseReference)
        header.instant("SendTime", sendTime)
        header.text("Test", test ? "true" : "false")
        return header
    }
}

extension Authority {
    func element(_ local: String) -> XMLWriter.Element {
        var element = Node.element(local)
        element.text("Code", code)
        element.text("Name", name)
        return element
    }
}

extension CaseAuthority {
    func element(_ local: String) -> XMLWriter.Element {
        var element = authority.element(local)
        element.text("Division", division)
        return element
    }
}

extension MessageBody {
    var element: XMLWriter.Element {
        switch self {
        case .caseTransfer(let transfer):
            var element = Node.element("CaseTransfer")
            element.append(transfer.element)
            return element
        case .receipt(let receipt):
            return receipt.element
        case .statusUpdate(let changes):
            var element = Node.element("StatusUpdate")
            for change in changes { element.append(change.element) }
            return element
        case .result(let result):
            var element = Node.element("Result")
            element.append(result.element)
            return element
        case .withdrawal(let request):
            var element = Node.element("Withdrawal")
            element.append(request.element)
            return element
        }
    }
}

extension TransferredCase {
    var element: XMLWriter.Element {
        var element = Node.element("Case", attributes: [XMLWriter.Attribute("recordId", recordID)])
        element.text("Mode", mode.rawValue)
        element.text("ItemCode", itemCode)
        element.text("ItemName", itemName)
        element.append(receivingAuthority.element("ReceivingAuthority"))
        element.append(decidingAuthority.element("DecidingAuthority"))
        for authority in cooperatingAuthorities { element.append(authority.element("CooperatingAuthority")) }
        element.instant("ReceivedTime", receivedTime)
        if let acceptedTime { element.instant("AcceptedTime", acceptedTime) }
        element.text("PromisedLimit", promisedLimit, attributes: [XMLWriter.Attribute("unit", "working-days")])
        element.text("ResultDelivery", resultDelivery)
        element.append(application.element)
        var documents = Node.element("Documents")
        for document in self.documents { documents.append(document.element) }
        element.append(documents)
        if let paperFilePost { element.append(paperFilePost.element("PaperFilePost")) }
        return element
    }
}

extension TransferredApplication {
    var element: XMLWriter.Element {
        var element = Node.element("Application")
        element.text("EnterpriseType", enterpriseType)
        element.text("ProposedName", proposedName)
        element.optional("RegisteredCapital", registeredCapital)
        element.text(
            "Domicile", domicile.address,
            attributes: [
                XMLWriter.Attribute("division", domicile.division), XMLWriter.Attribute("tenure", domicile.tenure),
            ])
        element.text("BusinessScope", businessScope)
        element.append(legalRepresentative.element("LegalRepresentative"))
        for investor in investors {
            var investorElement = investor.party.element("Investor")
            investorElement.text("Kind", investor.kind)
            investorElement.text("Contribution", investor.contribution)
            investorElement.text("ContributionForm", investor.contributionForm)
            investorElement.optional("ContributionDate", investor.contributionDate)
            element.append(investorElement)
        }
        if let agent { element.append(agent.element("Agent")) }
        var contactElement = Node.element("Contact")
        contactElement.text("Name", contact.name)
        contactElement.text("Phone", contact.phone)
        element.append(contactElement)
        element.optional("MailingAddress", mailingAddress)
        return element
    }
}

extension Party {
    func element(_ local: String) -> XMLWriter.Element {
        var element = Node.element(local)
        element.text("Name", name)
        element.text("IdType", idType)
        element.text("IdNumber", idNumber)
        element.optional("Phone", phone)
        return element
    }
}

extension ManifestDocument {
    var element: XMLWriter.Element {
        var element = Node.element("Document", attributes: [XMLWriter.Attribute("number", String(number))])
        element.text("Title", title)
        element.optional("ChecklistCode", checklistCode)
        element.text("FileName", fileName)
        element.text("MediaType", mediaType)
        element.text("Size", String(size))
        element.text("SM3", sm3)
        return element
    }
}

extension PostRecord {
    func element(_ local: String) -> XMLWriter.Element {
        var element = Node.element(local)
        element.text("Carrier", carrier)
        element.text("TrackingNumber", trackingNumber)
        element.text("Recipient", recipient)
        return element
    }
}

extension Receipt {
    var element: XMLWriter.Element {
        var element = Node.element("Receipt")
        element.text("RequestMessageId", requestMessageID)
        element.text("RequestDigest", requestDigest)
        element.instant("ReceivedTime", receivedTime)
        switch outcome {
        case .messageRejected(let rejection):
            element.append(rejection.element("MessageRejected"))
        case .records(let results):
            for result in results {
                var record = Node.element(
                    "RecordResult", attributes: [XMLWriter.Attribute("recordId", result.recordID)])
                if let rejection = result.rejection {
                    record.append(rejection.element("Rejected"))
                } else {
                    record.append(Node.element("Accepted"))
                }
                element.append(record)
            }
        }
        return element
    }
}

extension Rejection {
    func element(_ local: String) -> XMLWriter.Element {
        var element = Node.element(local)
        element.text("Code", code)
        element.text("Message", Self.clipped(message))
        for detail in details.prefix(Self.maximumDetails) {
            element.text(
                "Detail", Self.clipped(detail.text),
                attributes: detail.line.map { [XMLWriter.Attribute("line", String($0))] } ?? [])
        }
        return element
    }

    /// At most this many `Detail` elements (README §8).
    static let maximumDetails = 50

    /// The most characters (code points, as XSD counts them) of a `Message` or a `Detail`: the
    /// schema's `LongText`.
    static let maximumText = 2000

    /// `text` cut to ``maximumText`` code points, ending with "…" when cut: a detail may echo the
    /// refused value, which a sender can make as long as the message allows (a receipt that could
    /// not be written would refuse nothing and stop the spool).
    static func clipped(_ text: String) -> String {
        guard text.unicodeScalars.count > maximumText else { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: text.unicodeScalars.prefix(maximumText - 1))
        scalars.append("…")
        return String(scalars)
    }
}

extension StatusChange {
    var element: XMLWriter.Element {
        var element = Node.element("StatusChange", attributes: [XMLWriter.Attribute("recordId", recordID)])
        element.text("Status", String(status))
        element.instant("Time", time)
        element.optional("Reason", reason)
        return element
    }
}

extension LicenceResult {
    var element: XMLWriter.Element {
        var element = Node.element("Licence", attributes: [XMLWriter.Attribute("recordId", recordID)])
        element.text("Status", String(status))
        element.instant("CompletedTime", completedTime)
        element.text("EnterpriseName", enterpriseName)
        element.text("CreditCode", creditCode)
        element.text("LicenceNumber", licenceNumber)
        element.text("IssueDate", issueDate)
        if let post { element.append(post.element("Post")) }
        return element
    }
}

extension WithdrawalRequest {
    var element: XMLWriter.Element {
        var element = Node.element("Request", attributes: [XMLWriter.Attribute("recordId", recordID)])
        element.text("WithdrawnBy", withdrawnBy)
        element.instant("RequestedTime", requestedTime)
        element.text("Reason", reason)
        return element
    }
}
