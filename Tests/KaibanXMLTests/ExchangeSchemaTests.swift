import Foundation
import KaibanTestSupport
import KaibanXML
import Testing

/// Forms/exchange: the exchange schema accepts every committed example, refuses broken ones at
/// their line, and xmllint agrees.
@Suite struct ExchangeSchemaTests {
    static let ns = "urn:kaiban:exchange:1"
    static let folder = Fixtures.formsRoot.appendingPathComponent("exchange")
    static let schemaFile = folder.appendingPathComponent("exchange-1.xsd")
    static let examplesFolder = folder.appendingPathComponent("examples")

    /// The committed examples, in reading order.
    static let examples = [
        "01-case-transfer.xml", "02-receipt.xml", "03-status-update.xml", "04-result.xml", "05-withdrawal.xml",
        "06-receipt-rejecting.xml", "07-case-transfer-to-zhaohua.xml",
    ]

    static func schema() throws -> XMLSchema { try XMLSchema(contentsOf: schemaFile) }

    static func example(_ name: String) throws -> String {
        try String(contentsOf: examplesFolder.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func theExamplesFolderHoldsExactlyTheListedExamples() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.examplesFolder.path)
        #expect(names.filter { $0.hasSuffix(".xml") }.sorted() == Self.examples)
    }

    @Test(arguments: ExchangeSchemaTests.examples)
    func everyExampleValidates(name: String) throws {
        let tree = try XMLTree(Data(try Self.example(name).utf8), source: name, maximumSize: 1 << 20)
        try tree.validate(against: try Self.schema())
        // The rule XML Schema 1.0 cannot state: the body is the element MessageType names.
        let root = tree.root
        let type = try #require(root.child("Header")?.childText("MessageType"))
        #expect(root.child("Body")?.children.map(\.name) == [type])
        // Every example is signed, so its canonical form leaves something out.
        let signature = XMLPath(namespace: Self.ns, "Envelope", "Signature")
        #expect(try tree.element(at: signature) != nil)
        #expect(try tree.canonicalForm(excluding: signature) != tree.canonicalForm())
    }

    @Test func thereIsAnExampleOfEveryMessageType() throws {
        var types: Set<String> = []
        for name in Self.examples {
            let root = try XMLDocumentParser.parse(Data(try Self.example(name).utf8), source: name)
            types.insert(root.child("Header")?.childText("MessageType") ?? "")
        }
        #expect(types == ["CaseTransfer", "Receipt", "StatusUpdate", "Result", "Withdrawal"])
    }

    /// A change to an example, and the element the refusal must name at its line.
    struct Breakage: Sendable, CustomTestStringConvertible {
        var label: String
        var example: String
        var from: String
        var to: String
        /// Text on the line the problem must name (its first occurrence after the change).
        var lineText: String
        /// Text the problem's message must contain.
        var message: String

        var testDescription: String { label }
    }

    static let breakages = [
        Breakage(
            label: "missing ItemName", example: "01-case-transfer.xml",
            from: "        <ItemName>有限责任公司设立登记</ItemName>\n", to: "", lineText: "<ReceivingAuthority>",
            message: "Expected is ( {urn:kaiban:exchange:1}ItemName )"),
        Breakage(
            label: "mode in words", example: "01-case-transfer.xml", from: "<Mode>remote-intake</Mode>",
            to: "<Mode>异地代收代办</Mode>", lineText: "<Mode>", message: "异地代收代办"),
        Breakage(
            label: "status code 16", example: "03-status-update.xml", from: "<Status>8</Status>",
            to: "<Status>16</Status>", lineText: "<Status>16", message: "16"),
        Breakage(
            label: "status code 0", example: "03-status-update.xml", from: "<Status>3</Status>",
            to: "<Status>0</Status>",
            lineText: "<Status>0", message: "'0'"),
        Breakage(
            label: "upper-case UUID", example: "02-receipt.xml", from: "a81d4fae-7dec-41d0-a765-00a0c91e6bf6",
            to: "A81D4FAE-7DEC-41D0-A765-00A0C91E6BF6", lineText: "<MessageId>", message: "MessageId"),
        Breakage(
            label: "short UUID", example: "04-result.xml", from: "c4e2d8a1-96b3-4f57-8d20-3e1a5b7c9f64",
            to: "c4e2d8a1-96b3-4f57-8d20-3e1a5b7c9f6", lineText: "<MessageId>", message: "MessageId"),
        Breakage(
            label: "send time without offset", example: "05-withdrawal.xml",
            from: "<SendTime>2026-11-26T16:15:00+08:00</SendTime>", to: "<SendTime>2026-11-26T16:15:00</SendTime>",
            lineText: "<SendTime>", message: "SendTime"),
        Breakage(
            label: "credit code with I", example: "04-result.xml", from: "<CreditCode>91500103MAC8WQ4D3B</CreditCode>",
            to: "<CreditCode>91500103MAC8WQ4DIB</CreditCode>", lineText: "<CreditCode>", message: "CreditCode"),
        Breakage(
            label: "SM3 digest of 63 digits", example: "01-case-transfer.xml",
            from: "<SM3>8d3043625690a8a23d8423c178f8c69b2d2f9e849d4f9bd7c33d59a07accf403</SM3>",
            to: "<SM3>8d3043625690a8a23d8423c178f8c69b2d2f9e849d4f9bd7c33d59a07accf40</SM3>",
            lineText: "<SM3>8d30436", message: "SM3"),
        Breakage(
            label: "unsigned", example: "04-result.xml", from: "  <Signature>", to: "  <Unsigned/>\n  <Signature>",
            lineText: "<Unsigned/>", message: "Unsigned"),
        Breakage(
            label: "two bodies", example: "05-withdrawal.xml", from: "    </Withdrawal>\n",
            to: "    </Withdrawal>\n    <Withdrawal/>\n", lineText: "<Withdrawal/>", message: "Withdrawal"),
        Breakage(
            label: "record id used twice", example: "03-status-update.xml", from: "recordId=\"s2\"",
            to: "recordId=\"s1\"",
            lineText: "recordId=\"s1\"", message: "Duplicate key-sequence"),
        Breakage(
            label: "test flag as 1", example: "02-receipt.xml", from: "<Test>false</Test>", to: "<Test>0</Test>",
            lineText: "<Test>", message: "Test"),
        Breakage(
            label: "signature algorithm", example: "02-receipt.xml", from: "<Algorithm>SM2-SM3</Algorithm>",
            to: "<Algorithm>RSA-SHA256</Algorithm>", lineText: "<Algorithm>", message: "RSA-SHA256"),
        Breakage(
            label: "time limit in days", example: "07-case-transfer-to-zhaohua.xml", from: "unit=\"working-days\"",
            to: "unit=\"days\"", lineText: "<PromisedLimit", message: "days"),
        Breakage(
            label: "file over 50 MiB", example: "07-case-transfer-to-zhaohua.xml", from: "<Size>530114</Size>",
            to: "<Size>52428801</Size>", lineText: "<Size>52428801", message: "52428801"),
    ]

    @Test(arguments: ExchangeSchemaTests.breakages)
    func aBrokenExampleIsRefusedAtItsLine(breakage: Breakage) throws {
        let original = try Self.example(breakage.example)
        #expect(original.contains(breakage.from), "the example no longer holds the text this test changes")
        let broken = original.replacingOccurrences(of: breakage.from, with: breakage.to)
        // The expected line: the first holding `lineText` from the line where the change begins.
        let firstChangedLine = breakage.from.components(separatedBy: "\n")[0]
        let changeStart = try #require(
            original.components(separatedBy: "\n").firstIndex { $0.contains(firstChangedLine) })
        let lines = broken.components(separatedBy: "\n")
        let line = try #require(lines.indices.first { $0 >= changeStart && lines[$0].contains(breakage.lineText) }) + 1
        let tree = try XMLTree(Data(broken.utf8), source: breakage.example)
        let problem = #expect(throws: XMLProblem.self) { try tree.validate(against: try Self.schema()) }
        let issue = try #require(problem?.issues.first, "no issue reported")
        #expect(issue.line == line, "\(problem?.description ?? "")")
        #expect(issue.message.contains(breakage.message), "\(issue.message)")
        #expect(problem?.description.hasPrefix("\(breakage.example):\(line): ") == true)
    }

    @Test func mangledExamplesAreRefusedOrReadButNeverCrash() throws {
        let schema = try Self.schema()
        var state: UInt64 = 12
        var refused = 0
        for name in Self.examples {
            let original = [UInt8](try Self.example(name).utf8)
            for _ in 0..<60 {
                var bytes = original
                for _ in 0..<2 {
                    state = state &* 6_364_136_223_846_793_005 &+ 1
                    bytes[Int((state >> 33) % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: state >> 17)
                }
                do {
                    let tree = try XMLTree(Data(bytes), source: name)
                    try tree.validate(against: schema)
                    _ = try tree.canonicalForm(excluding: XMLPath(namespace: Self.ns, "Envelope", "Signature"))
                } catch {
                    refused += 1
                    #expect(!error.issues.isEmpty)
                }
            }
        }
        #expect(refused > 0)
    }

    @Test func xmllintAcceptsEveryExample() throws {
        let xmllint = try CommandLineTool("xmllint")
        let paths = Self.examples.map { Self.examplesFolder.appendingPathComponent($0).path }
        let output = try xmllint.run(["--noout", "--nonet", "--schema", Self.schemaFile.path] + paths)
        #expect(output.status == 0, "\(output.stderr)")
        for name in Self.examples {
            #expect(output.stderr.contains("\(name) validates"), "\(output.stderr)")
        }
    }

    @Test func theReceiptBindsTheTransferByTheSM3OfItsBytes() throws {
        let openssl = try CommandLineTool("openssl")
        let transfer = Self.examplesFolder.appendingPathComponent("01-case-transfer.xml")
        let output = try openssl.run(["dgst", "-sm3", "-r", transfer.path])
        #expect(output.status == 0, "\(output.stderr)")
        let digest = String(decoding: output.stdout, as: UTF8.self).prefix(64)
        let receipt = try XMLDocumentParser.parse(
            Data(try Self.example("02-receipt.xml").utf8), source: "02-receipt.xml")
        let body = try #require(receipt.child("Body")?.child("Receipt"))
        #expect(body.childText("RequestDigest") == String(digest))
        let transferRoot = try XMLDocumentParser.parse(try Data(contentsOf: transfer), source: transfer.path)
        #expect(body.childText("RequestMessageId") == transferRoot.child("Header")?.childText("MessageId"))
    }
}
