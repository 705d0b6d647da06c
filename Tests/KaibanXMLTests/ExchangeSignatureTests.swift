import Foundation
import KaibanTestSupport
import KaibanXML
import Testing

/// The signing rule of Forms/exchange/README.md §3, end to end: KaibanXML's canonical form of
/// each committed example, without its Signature, verifies with `openssl` against the example
/// public key of its sender (Scripts/sign-exchange-examples made them with xmlstarlet and
/// xmllint); and a message written by XMLWriter can be signed the way the README says.
@Suite struct ExchangeSignatureTests {
    static let ns = ExchangeSchemaTests.ns
    static let signature = XMLPath(namespace: ns, "Envelope", "Signature")
    static let keys = ExchangeSchemaTests.examplesFolder.appendingPathComponent("keys")

    struct Signed {
        var canonical: Data
        var sender: String
        var fingerprint: String
        var value: Data
    }

    static func signed(_ text: String, source: String) throws -> Signed {
        let tree = try XMLTree(Data(text.utf8), source: source)
        try tree.validate(against: try ExchangeSchemaTests.schema())
        let root = tree.root
        let signature = try #require(try tree.element(at: Self.signature))
        let value = try #require(Data(base64Encoded: signature.childText("Value") ?? ""))
        return Signed(
            canonical: try tree.canonicalForm(excluding: Self.signature),
            sender: root.child("Header")?.child("Sender")?.childText("Code") ?? "",
            fingerprint: signature.childText("KeyFingerprint") ?? "", value: value)
    }

    /// Whether `openssl` verifies `value` over `content` with the PEM public key at `key`.
    static func opensslVerifies(_ content: Data, _ value: Data, key: URL) throws -> Bool {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-verify-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let contentFile = folder.appendingPathComponent("c14n")
        let signatureFile = folder.appendingPathComponent("sig")
        try content.write(to: contentFile)
        try value.write(to: signatureFile)
        let output = try CommandLineTool("openssl").run([
            "dgst", "-sm3", "-verify", key.path, "-sigopt", "distid:1234567812345678", "-signature",
            signatureFile.path, contentFile.path,
        ])
        return output.status == 0 && String(decoding: output.stdout, as: UTF8.self).contains("Verified OK")
    }

    @Test(arguments: ExchangeSchemaTests.examples)
    func everyExampleSignatureVerifiesOverKaibansCanonicalForm(name: String) throws {
        let message = try Self.signed(try ExchangeSchemaTests.example(name), source: name)
        let key = Self.keys.appendingPathComponent("\(message.sender).pem")
        #expect(try Self.opensslVerifies(message.canonical, message.value, key: key))
        // The fingerprint is the SM3 of the key's DER SubjectPublicKeyInfo.
        let der = try CommandLineTool("openssl").run(["pkey", "-pubin", "-in", key.path, "-outform", "DER"])
        let digest = try CommandLineTool("openssl").run(["dgst", "-sm3", "-r"], input: der.stdout)
        #expect(String(decoding: digest.stdout, as: UTF8.self).prefix(64) == message.fingerprint)
    }

    @Test func aChangedMessageNoLongerVerifiesButAChangedCommentDoes() throws {
        let original = try ExchangeSchemaTests.example("04-result.xml")
        let key = Self.keys.appendingPathComponent("11500103MB164887X0.pem")
        let tampered = original.replacingOccurrences(of: "EA204518736CN", with: "EA204518737CN")
        #expect(tampered != original)
        let changed = try Self.signed(tampered, source: "tampered.xml")
        #expect(try !Self.opensslVerifies(changed.canonical, changed.value, key: key))
        // Comments are not signed.
        let comment = original.replacingOccurrences(of: "posted it to the applicant", with: "sent it")
        #expect(comment != original)
        let recommented = try Self.signed(comment, source: "comment.xml")
        #expect(try Self.opensslVerifies(recommented.canonical, recommented.value, key: key))
    }

    @Test func aMessageWrittenWithAPlaceholderSignatureKeepsItsCanonicalFormWhenSigned() throws {
        func name(_ local: String) -> XMLName { XMLName(local, namespace: Self.ns) }
        func authority(_ element: String, _ code: String, _ text: String) -> XMLWriter.Element {
            var authority = XMLWriter.Element(name(element))
            authority.append("Code", text: code)
            authority.append("Name", text: text)
            return authority
        }
        func envelope(signatureValue: String, indentation: String?) throws -> Data {
            var header = XMLWriter.Element(name("Header"))
            header.append("SchemaVersion", text: "1.0")
            header.append("MessageId", text: "6b1f0e0a-3d5c-4c7e-9a8b-2f4d6e8a0c13")
            header.append("MessageType", text: "StatusUpdate")
            header.append(authority("Sender", "11510811MB1530521R", "广元市昭化区市场监督管理局"))
            header.append(authority("Receiver", "11500113MB1759238R", "重庆市巴南区市场监督管理局"))
            header.append("CollaborationNumber", text: "CY500113202611250003")
            header.append("CaseReference", text: "510811-20261125-0012")
            header.append("SendTime", text: "2026-11-25T16:30:00+08:00")
            header.append("Test", text: "false")
            var change = XMLWriter.Element(name("StatusChange"), attributes: [.init("recordId", "s1")])
            change.append("Status", text: "6")
            change.append("Time", text: "2026-11-25T16:28:00+08:00")
            change.append("Reason", text: "出租人产权证明页面不清晰，请补正 <清晰扫描件> & 原件寄送")
            var update = XMLWriter.Element(name("StatusUpdate"))
            update.append(change)
            var body = XMLWriter.Element(name("Body"))
            body.append(update)
            var signature = XMLWriter.Element(name("Signature"))
            signature.append("Algorithm", text: "SM2-SM3")
            signature.append("KeyFingerprint", text: String(repeating: "0", count: 64))
            signature.append("Value", text: signatureValue)
            var root = XMLWriter.Element(name("Envelope"))
            root.append(header)
            root.append(body)
            root.append(signature)
            return try XMLWriter(indentation: indentation).document(root, source: "status-update")
        }
        let placeholder = Data(repeating: 0, count: 71).base64EncodedString()
        let real = Data((0..<71).map { UInt8($0) }).base64EncodedString()
        for indentation in ["  ", nil] as [String?] {
            let unsigned = try XMLTree(
                try envelope(signatureValue: placeholder, indentation: indentation), source: "a.xml")
            let signed = try XMLTree(try envelope(signatureValue: real, indentation: indentation), source: "b.xml")
            try unsigned.validate(against: try ExchangeSchemaTests.schema())
            try signed.validate(against: try ExchangeSchemaTests.schema())
            #expect(
                try unsigned.canonicalForm(excluding: Self.signature) == signed.canonicalForm(excluding: Self.signature)
            )
            #expect(try unsigned.canonicalForm() != signed.canonicalForm())
            #expect(
                signed.root.child("Body")?.child("StatusUpdate")?.child("StatusChange")?.childText("Reason")
                    == "出租人产权证明页面不清晰，请补正 <清晰扫描件> & 原件寄送")
        }
    }
}
