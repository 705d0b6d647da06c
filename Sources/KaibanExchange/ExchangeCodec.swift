import Foundation
import KaibanCrypto
import KaibanXML

/// Writes signed exchange messages and opens received ones (Forms/exchange/README.md §3–4): the
/// only place that turns messages into octets and back. Holds the compiled schema; may be shared.
public struct ExchangeCodec: Sendable {
    public let schema: XMLSchema

    public init(schema: XMLSchema) {
        self.schema = schema
    }

    static let signaturePath = XMLPath(namespace: ExchangeMessage.namespace, "Envelope", "Signature")
    static let writer = XMLWriter(prefixes: [ExchangeMessage.namespace: ""])

    /// `message` as the octets to send, signed with `key` by the rule of README §3. A message
    /// Kaiban writes validates against the schema: one that would not (text too long for its
    /// element, a character XML cannot hold) is refused here, before anything is sent.
    public func write(_ message: ExchangeMessage, signedWith key: SM2.PrivateKey) throws(ExchangeWriteFailure) -> Data {
        let source = "\(message.header.type.rawValue) \(message.header.messageID)"
        var block = SignatureBlock(keyFingerprint: key.publicKey.fingerprint, value: "AAAAAAAAAAAA")
        do {
            // The signature covers everything but the Signature element, whose content is not yet known:
            // write with a placeholder, sign the canonical form, write again with the value.
            let draft = try Self.writer.document(message.envelope(signature: block), source: source)
            let tree = try XMLTree(draft, source: source, maximumSize: ExchangeMessage.maximumSize)
            try tree.validate(against: schema)
            let canonical = try tree.canonicalForm(excluding: Self.signaturePath)
            block.value = try key.signBase64(canonical)
            return try Self.writer.document(message.envelope(signature: block), source: source)
        } catch let problem as XMLProblem {
            throw ExchangeWriteFailure(message: problem.description)
        } catch {
            throw ExchangeWriteFailure(message: String(describing: error))
        }
    }

    /// Checks 1–3 of README §4 on the octets received (size; UTF-8, well-formed, no DOCTYPE, depth;
    /// the schema), then reads the message and the signature's content. The signature itself is
    /// checked by ``OpenedMessage/verifies(with:)`` once the sender's keys are known.
    public func open(_ data: Data, source: String) throws(OpenFailure) -> OpenedMessage {
        guard data.count <= ExchangeMessage.maximumSize else {
            throw .tooLarge(bytes: data.count, limit: ExchangeMessage.maximumSize)
        }
        let tree: XMLTree
        do {
            tree = try XMLTree(data, source: source, maximumSize: ExchangeMessage.maximumSize)
        } catch {
            throw .unreadable(error)
        }
        let root = tree.root
        guard root.name == "Envelope", root.namespace == ExchangeMessage.namespace else {
            throw .invalid(
                header: nil,
                details: [
                    Rejection.Detail(
                        line: root.line,
                        text:
                            "the document element is {\(root.namespace ?? "")}\(root.name), not {\(ExchangeMessage.namespace)}Envelope"
                    )
                ])
        }
        do {
            try tree.validate(against: schema)
        } catch {
            throw .invalid(
                header: PartialHeader(root),
                details: error.issues.map { Rejection.Detail(line: $0.line, text: $0.message) })
        }
        let canonical: Data
        let message: ExchangeMessage
        let signature: SignatureBlock
        do {
            canonical = try tree.canonicalForm(excluding: Self.signaturePath)
            (message, signature) = try MessageReader.message(root)
        } catch let failure as MessageReader.Failure {
            throw .invalid(
                header: PartialHeader(root), details: [Rejection.Detail(line: failure.line, text: failure.message)])
        } catch {
            throw .invalid(header: PartialHeader(root), details: [Rejection.Detail(text: String(describing: error))])
        }
        return OpenedMessage(
            raw: data, digest: SM3.hex(data), message: message, keyFingerprint: signature.keyFingerprint,
            signatureValue: signature.value, canonical: canonical)
    }
}

/// A message that passed checks 1–3, with what the later checks need.
public struct OpenedMessage: Sendable {
    /// The octets as received.
    public let raw: Data
    /// SM3 of ``raw``, 64 lower-case hex digits: what a receipt binds.
    public let digest: String
    public let message: ExchangeMessage
    public let keyFingerprint: String
    public let signatureValue: String
    /// The signed content: the canonical form without the Signature element.
    let canonical: Data

    /// Whether the signature verifies with the one of `keys` whose fingerprint it names.
    public func verifies(with keys: [SM2.PublicKey]) -> Bool {
        guard let key = keys.first(where: { $0.fingerprint == keyFingerprint }) else { return false }
        return verifies(with: key)
    }

    /// Whether the signature verifies with `key` (the caller matched its fingerprint).
    public func verifies(with key: SM2.PublicKey) -> Bool {
        (try? key.verify(base64Signature: signatureValue, of: canonical)) ?? false
    }
}

/// What could be read of a header that failed the schema: enough to address a rejecting receipt
/// (README §4, check 3) when `MessageId`, `Sender/Code` and `CollaborationNumber` have their shapes.
public struct PartialHeader: Sendable, Equatable {
    public var messageID: String
    public var sender: Authority
    public var collaborationNumber: String
    public var test: Bool?
    /// The message says it is a receipt (by its type or its body): never answered with a receipt.
    public var claimsReceipt: Bool

    init?(_ envelope: ParsedElement) {
        guard let header = envelope.child("Header"), let id = header.child("MessageId")?.text,
            let senderElement = header.child("Sender"), let code = senderElement.child("Code")?.text,
            let collaboration = header.child("CollaborationNumber")?.text,
            Self.isUUID(id), Self.isCreditCodeShape(code), Self.isCollaborationNumber(collaboration)
        else { return nil }
        let name = senderElement.child("Name")?.text ?? ""
        let nameUsable = (1...200).contains(name.count) && !name.contains("\n") && name.contains { !$0.isWhitespace }
        self.messageID = id
        self.sender = Authority(code: code, name: nameUsable ? name : code)
        self.collaborationNumber = collaboration
        self.claimsReceipt =
            header.child("MessageType")?.text == "Receipt" || envelope.child("Body")?.child("Receipt") != nil
        switch header.child("Test")?.collapsedText {
        case "true": self.test = true
        case "false": self.test = false
        default: self.test = nil
        }
    }

    /// A lower-case UUID of versions 1–8, variant 10xx (the schema's `UUID`).
    static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            switch index {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return false }
            case 14: guard (UInt8(ascii: "1")...UInt8(ascii: "8")).contains(byte) else { return false }
            case 19: guard Array("89ab".utf8).contains(byte) else { return false }
            default: guard isLowerHex(byte) else { return false }
            }
        }
        return true
    }

    /// 18 characters of the credit-code alphabet, the 3rd to 8th digits (the schema's `CreditCode`).
    static func isCreditCodeShape(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
        return bytes.count == 18
            && bytes.enumerated().allSatisfy { index, byte in
                (2..<8).contains(index) ? isDigit(byte) : alphabet.contains(byte)
            }
    }

    /// `CY` and 18 digits (the schema's `CollaborationNumber`).
    static func isCollaborationNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 20 && text.hasPrefix("CY") && bytes.dropFirst(2).allSatisfy(isDigit)
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    static func isLowerHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}

/// Why received octets could not be opened (README §4, checks 1–3).
public enum OpenFailure: Error, Sendable, Equatable {
    /// Check 1: over 1 MiB. HTTP 413, no receipt.
    case tooLarge(bytes: Int, limit: Int)
    /// Check 2: not UTF-8, not well-formed, a DOCTYPE, nested too deep. HTTP 400, no receipt.
    case unreadable(XMLProblem)
    /// Check 3: not valid against the schema; answered by a receipt when `header` could be read.
    case invalid(header: PartialHeader?, details: [Rejection.Detail])
}

/// A message Kaiban was about to write is not one the schema allows; nothing was sent.
public struct ExchangeWriteFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { "the exchange message cannot be written: \(message)" }
}
