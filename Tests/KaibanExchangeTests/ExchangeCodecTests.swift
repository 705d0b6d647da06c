import Foundation
import KaibanCrypto
import KaibanTestSupport
import KaibanXML
import Testing

@testable import KaibanExchange

/// The codec: every message type written, signed, validated and read back equal; the committed
/// examples read and verified; what openssl and xmllint say about Kaiban's messages; hostile input.
@Suite struct ExchangeCodecTests {
    static let key: SM2.PrivateKey? = try? SM2.PrivateKey.generate()

    static func signingKey() throws -> SM2.PrivateKey { try #require(key) }

    @Test(arguments: SampleMessages.everyType.indices)
    func everyTypeRoundTripsSignedAndValid(index: Int) throws {
        let message = SampleMessages.everyType[index]
        let codec = try SampleMessages.codec()
        let key = try Self.signingKey()
        let data = try codec.write(message, signedWith: key)
        let opened = try codec.open(data, source: "round trip")
        #expect(opened.message == message)
        #expect(opened.keyFingerprint == key.publicKey.fingerprint)
        #expect(opened.verifies(with: [key.publicKey]))
        #expect(opened.digest == SM3.hex(data))
        // Another key with the same fingerprint cannot exist; another key does not verify.
        let other = try SM2.PrivateKey.generate()
        #expect(!opened.verifies(with: [other.publicKey]))
    }

    @Test func xmllintAcceptsEveryMessageKaibanWritesAndOpensslVerifiesItsSignature() throws {
        let codec = try SampleMessages.codec()
        let key = try Self.signingKey()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-exchange-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let publicKey = folder.appendingPathComponent("pub.pem")
        try Data(key.publicKey.pem.utf8).write(to: publicKey)
        var files: [String] = []
        for (index, message) in SampleMessages.everyType.enumerated() {
            let file = folder.appendingPathComponent("\(index).xml")
            let data = try codec.write(message, signedWith: key)
            try data.write(to: file)
            files.append(file.path)
            // The signed content as README §3 computes it with standard tools: cut the Signature
            // element out of the file's text, then xmllint --exc-c14n.
            let text = String(decoding: data, as: UTF8.self)
            let start = try #require(text.range(of: "<Signature>"))
            let end = try #require(text.range(of: "</Signature>"))
            let cut = String(text[..<start.lowerBound]) + String(text[end.upperBound...])
            let canonical = try CommandLineTool("xmllint").run(["--exc-c14n", "-"], input: Data(cut.utf8))
            #expect(canonical.status == 0)
            let signatureText = try #require(
                text.range(of: "<Value>").map { text[$0.upperBound...] }.flatMap { rest in
                    rest.range(of: "</Value>").map { String(rest[..<$0.lowerBound]) }
                })
            let signature = folder.appendingPathComponent("\(index).sig")
            try #require(Data(base64Encoded: signatureText)).write(to: signature)
            let content = folder.appendingPathComponent("\(index).c14n")
            try canonical.stdout.write(to: content)
            let verified = try CommandLineTool("openssl").run([
                "dgst", "-sm3", "-verify", publicKey.path, "-sigopt", "distid:1234567812345678", "-signature",
                signature.path, content.path,
            ])
            #expect(String(decoding: verified.stdout, as: UTF8.self).contains("Verified OK"), "message \(index)")
        }
        let schema = Fixtures.formsRoot.appendingPathComponent("exchange/exchange-1.xsd").path
        let lint = try CommandLineTool("xmllint").run(["--noout", "--schema", schema] + files)
        #expect(lint.status == 0, "\(lint.stderr)")
    }

    @Test(arguments: SampleMessages.examples)
    func everyExampleOpensAndItsSignatureVerifiesWithItsSendersKey(name: String) throws {
        let opened = try SampleMessages.codec().open(try SampleMessages.example(name), source: name)
        let key = try SampleMessages.exampleKey(opened.message.header.sender.code)
        #expect(opened.verifies(with: [key]))
        #expect(opened.message.header.type == opened.message.body.type)
    }

    @Test func theExamplesReadAsTheirTextSays() throws {
        let codec = try SampleMessages.codec()
        let transfer = try codec.open(try SampleMessages.example("01-case-transfer.xml"), source: "01").message
        guard case .caseTransfer(let record) = transfer.body else {
            Issue.record("01 is not a transfer")
            return
        }
        #expect(transfer.header.collaborationNumber == "CY510811202611260007")
        #expect(transfer.header.sendTime == Fixtures.at(10, 41))
        #expect(record.mode == .remoteIntake)
        #expect(record.application.investors.map(\.party.name) == ["张伟", "刘芳"])
        #expect(record.documents.count == 9)
        #expect(record.documents.last?.sm3 == "d934249d9b953c8dc8ee7cc7a0409975ff5fe7bebdfff003fb3c148351c2e2cd")
        #expect(record.paperFilePost?.recipient == "deciding-window")
        #expect(record.application.domicile.tenure == "declared")

        let receipt = try codec.open(try SampleMessages.example("02-receipt.xml"), source: "02").message
        guard case .receipt(let answer) = receipt.body else {
            Issue.record("02 is not a receipt")
            return
        }
        // It binds 01 by the SM3 of 01's octets.
        #expect(answer.requestDigest == SM3.hex(try SampleMessages.example("01-case-transfer.xml")))
        #expect(answer.isAcceptance)

        let status = try codec.open(try SampleMessages.example("03-status-update.xml"), source: "03").message
        #expect(
            status.body
                == .statusUpdate([
                    StatusChange(recordID: "s1", status: 3, time: Fixtures.at(14, 20)),
                    StatusChange(recordID: "s2", status: 8, time: Fixtures.at(14, 35), reason: "转登记科审查"),
                ]))
        let rejecting = try codec.open(try SampleMessages.example("06-receipt-rejecting.xml"), source: "06").message
        guard case .receipt(let refusal) = rejecting.body else {
            Issue.record("06 is not a receipt")
            return
        }
        #expect(refusal.firstCode == "message.schema-invalid")
        #expect(!refusal.isAcceptance)
    }

    @Test func aChangedByteOutsideTheSignatureBreaksItAndInsideTheSignatureBlockDoesNot() throws {
        let codec = try SampleMessages.codec()
        let key = try Self.signingKey()
        let data = try codec.write(SampleMessages.everyType[3], signedWith: key)
        let text = String(decoding: data, as: UTF8.self)
        let altered = text.replacingOccurrences(of: "<Status>8</Status>", with: "<Status>9</Status>")
        #expect(altered != text)
        #expect(!(try codec.open(Data(altered.utf8), source: "altered").verifies(with: [key.publicKey])))
        // Re-indenting is a change too (whitespace between elements is signed).
        let reindented = text.replacingOccurrences(of: "\n      <StatusChange", with: "\n        <StatusChange")
        #expect(reindented != text)
        #expect(!(try codec.open(Data(reindented.utf8), source: "reindented").verifies(with: [key.publicKey])))
        // Comments are not signed content.
        let commented = text.replacingOccurrences(of: "<Body>", with: "<!-- 备注 --><Body>")
        #expect(try codec.open(Data(commented.utf8), source: "commented").verifies(with: [key.publicKey]))
    }

    @Test func instantsReadAsTheSchemaAllowsThem() {
        let base = Fixtures.at(10, 41)
        #expect(ExchangeTime.parse("2026-11-26T10:41:00+08:00") == base)
        #expect(ExchangeTime.parse("2026-11-26T02:41:00Z") == base)
        #expect(ExchangeTime.parse("2026-11-25T21:41:00-05:00") == base)
        #expect(ExchangeTime.parse("2026-11-26T10:41:00.5+08:00") == base.addingTimeInterval(0.5))
        #expect(ExchangeTime.parse("2026-11-25T24:00:00+08:00") == Fixtures.at(0, 0))
        #expect(ExchangeTime.parse("2026-11-26T10:41:00") == nil)
        #expect(ExchangeTime.parse("2026-11-26T10:41:00.1234567Z") == nil)
        #expect(ExchangeTime.parse("2026-11-26T10:41+08:00") == nil)
        #expect(ExchangeTime.text(of: base) == "2026-11-26T10:41:00+08:00")
    }

    @Test func aMessageTheSchemaWouldRefuseIsNeverWritten() throws {
        let codec = try SampleMessages.codec()
        let key = try Self.signingKey()
        var long = SampleMessages.everyType[0]
        guard case .caseTransfer(var record) = long.body else { return }
        record.application.proposedName = String(repeating: "名", count: 201)
        long.body = .caseTransfer(record)
        #expect(throws: ExchangeWriteFailure.self) { try codec.write(long, signedWith: key) }
        var control = SampleMessages.everyType[5]
        control.header.sender.name = "昭化\u{7}区"
        #expect(throws: ExchangeWriteFailure.self) { try codec.write(control, signedWith: key) }
        var badID = SampleMessages.everyType[5]
        badID.header.messageID = "NOT-A-UUID"
        #expect(throws: ExchangeWriteFailure.self) { try codec.write(badID, signedWith: key) }
    }
}

/// README §4 checks 1–3 on hostile octets: each refused with the right kind, none crashes.
@Suite struct ExchangeHostileInputTests {
    static func failure(_ data: Data) throws -> OpenFailure? {
        do {
            _ = try SampleMessages.codec().open(data, source: "hostile")
            return nil
        } catch let failure as OpenFailure {
            return failure
        }
    }

    static func isUnreadable(_ failure: OpenFailure?) -> Bool {
        if case .unreadable = failure { return true }
        return false
    }

    @Test func oversizedMessagesAreRefusedBeforeParsing() throws {
        let big = Data(repeating: 0x20, count: 1_048_577)
        #expect(try Self.failure(big) == .tooLarge(bytes: 1_048_577, limit: 1_048_576))
    }

    @Test func doctypesEntitiesAndBillionLaughsAreRefusedUnread() throws {
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE Envelope [<!ENTITY x SYSTEM "file:///etc/passwd">]>
            <Envelope xmlns="urn:kaiban:exchange:1">&x;</Envelope>
            """
        #expect(Self.isUnreadable(try Self.failure(Data(xxe.utf8))))
        var laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
        for level in 1...9 {
            laughs +=
                "<!ENTITY lol\(level) \""
                + String(repeating: "&lol\(level - 1 == 0 ? "" : String(level - 1));", count: 10) + "\">"
        }
        laughs += "]><Envelope xmlns=\"urn:kaiban:exchange:1\">&lol9;</Envelope>"
        #expect(Self.isUnreadable(try Self.failure(Data(laughs.utf8))))
        let external = "<?xml version=\"1.0\"?><!DOCTYPE Envelope SYSTEM \"http://127.0.0.1:9/x.dtd\"><Envelope/>"
        #expect(Self.isUnreadable(try Self.failure(Data(external.utf8))))
    }

    @Test func deepNestingBadEncodingsAndGarbageAreRefused() throws {
        let deep = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
        #expect(Self.isUnreadable(try Self.failure(Data(deep.utf8))))
        let utf16 = Data([0xFF, 0xFE]) + "<Envelope/>".data(using: .utf16LittleEndian)!
        #expect(Self.isUnreadable(try Self.failure(utf16)))
        let gbk = "<?xml version=\"1.0\" encoding=\"GBK\"?><Envelope xmlns=\"urn:kaiban:exchange:1\"/>"
        #expect(Self.isUnreadable(try Self.failure(Data(gbk.utf8))))
        #expect(Self.isUnreadable(try Self.failure(Data([0x3C, 0x61, 0x00, 0x3E]))))
        #expect(Self.isUnreadable(try Self.failure(Data())))
        #expect(Self.isUnreadable(try Self.failure(Data([0xC3, 0x28]))))
    }

    @Test func anInvalidMessageWithAReadableHeaderCanBeAnsweredAndOneWithoutCannot() throws {
        let text = String(decoding: try SampleMessages.example("01-case-transfer.xml"), as: UTF8.self)
        let wrongMode = text.replacingOccurrences(of: "<Mode>remote-intake</Mode>", with: "<Mode>异地代收代办</Mode>")
        guard case .invalid(let header, let details) = try Self.failure(Data(wrongMode.utf8)) else {
            Issue.record("an invalid mode was not refused by the schema")
            return
        }
        #expect(header?.messageID == "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81")
        #expect(header?.sender.code == "11510811MB1530521R")
        #expect(details.contains { $0.line == 27 })
        let noID = wrongMode.replacingOccurrences(
            of: "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81", with: "not-an-id")
        guard case .invalid(let none, _) = try Self.failure(Data(noID.utf8)) else {
            Issue.record("a bad id was not refused")
            return
        }
        #expect(none == nil)
        let otherRoot = "<?xml version=\"1.0\"?><Envelope xmlns=\"urn:other\"/>"
        guard case .invalid(nil, let rootDetails) = try Self.failure(Data(otherRoot.utf8)) else {
            Issue.record("another namespace was not refused")
            return
        }
        #expect(rootDetails.first?.text.contains("urn:other") == true)
    }
}
