import Foundation
import KaibanXML
import Testing

/// Hostile inputs to the tree a signed message is read into: each is refused with an
/// `XMLProblem` that says why, and nothing crashes or reads a file.
@Suite struct XMLTreeHostileInputTests {
    func refusal(_ data: Data, maximumSize: Int = XMLDocumentParser.defaultMaximumSize) -> XMLProblem? {
        do {
            _ = try XMLTree(data, source: "hostile.xml", maximumSize: maximumSize)
            return nil
        } catch {
            return error
        }
    }

    func refusal(_ text: String) -> XMLProblem? { refusal(Data(text.utf8)) }

    @Test func anExternalEntityWithAFileURLIsRefusedAndReadsNothing() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-secret-\(UUID()).txt")
        try "TOP-SECRET-\(UUID())".write(to: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secret) }
        for attack in [
            "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file://\(secret.path)\">]>\n<a>&xxe;</a>",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE a SYSTEM \"file://\(secret.path)\">\n<a/>",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY % p SYSTEM \"file://\(secret.path)\"> %p;]>\n<a/>",
        ] {
            let problem = try #require(refusal(attack), "\(attack)")
            #expect(problem.issues == [XMLProblem.Issue(line: 2, message: "DOCTYPE declarations are not accepted")])
            #expect(!problem.description.contains("TOP-SECRET"))
        }
    }

    @Test func billionLaughsIsRefusedBeforeAnyExpansion() {
        var entities = "<!ENTITY l0 \"lol\">"
        for level in 1...9 {
            entities += "<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">"
        }
        let problem = refusal("<?xml version=\"1.0\"?><!DOCTYPE a [\(entities)]><a>&l9;</a>")
        #expect(problem?.description == "hostile.xml:1: DOCTYPE declarations are not accepted")
    }

    @Test func anEntityReferenceWithoutADeclarationIsNotWellFormed() {
        let problem = refusal("<a>&undeclared;</a>")
        #expect(problem?.issues.contains { $0.message.contains("undeclared") } == true)
    }

    @Test func moreThanTenMegabytesIsRefusedBeforeParsing() {
        var bytes = Data("<a>".utf8)
        bytes.append(Data(repeating: UInt8(ascii: "x"), count: 10 * 1024 * 1024 + 1))
        bytes.append(Data("</a>".utf8))
        #expect(
            refusal(bytes)?.description
                == "hostile.xml:0: the document is \(bytes.count) bytes, more than the \(8 * 1024 * 1024) allowed")
        #expect(
            refusal(Data("<a>12345</a>".utf8), maximumSize: 8)?.description.contains("more than the 8 allowed") == true)
    }

    @Test(arguments: [258, 10_000, 100_000])
    func deepNestingIsRefused(depth: Int) throws {
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let problem = try #require(refusal(text))
        #expect(
            problem.issues.contains {
                $0.message == "Excessive depth in document: elements nested deeper than 257 levels are not accepted"
            }, "\(problem)")
        #expect(!problem.description.contains("XML_PARSE_HUGE"))
    }

    @Test func nestingUpToTheLimitIsRead() throws {
        let text = String(repeating: "<a>", count: 257) + String(repeating: "</a>", count: 257)
        let tree = try XMLTree(Data(text.utf8), source: "deep.xml")
        #expect(try tree.canonicalForm() == Data(text.utf8))
    }

    @Test func invalidUTF8IsRefusedWithItsLine() throws {
        for bytes: [UInt8] in [
            Array("<a>\n<b>".utf8) + [0xC3, 0x28] + Array("</b></a>".utf8),  // a broken two-byte sequence
            Array("<a>\n<b>".utf8) + [0xED, 0xA0, 0x80] + Array("</b></a>".utf8),  // an encoded surrogate
            Array("<a>\n<b>".utf8) + [0xFF] + Array("</b></a>".utf8),
        ] {
            let problem = try #require(refusal(Data(bytes)), "\(bytes)")
            #expect(problem.issues.contains { $0.line == 2 }, "\(problem)")
        }
    }

    @Test func utf16IsRefusedWithOrWithoutItsByteOrderMark() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>青禾</a>"
        var littleEndian: [UInt8] = []
        for unit in text.utf16 { littleEndian += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        #expect(
            refusal(Data([0xFF, 0xFE] + littleEndian))?.description
                == "hostile.xml:1: the document starts with a UTF-16 or UTF-32 byte order mark; only UTF-8 is accepted")
        #expect(refusal(Data([0xFE, 0xFF] + littleEndian))?.issues.first?.message.contains("byte order mark") == true)
        #expect(refusal(Data(littleEndian))?.issues.first?.message.contains("NUL byte") == true)
        // The general parser still reads UTF-16 (Forms files may be in it); the tree for messages does not.
        let tree = try XMLTree(Data([0xFF, 0xFE] + littleEndian), source: "utf16.xml", utf8Only: false)
        #expect(tree.root.text == "青禾")
    }

    @Test func anotherDeclaredEncodingIsRefused() throws {
        // GB18030 is what a partner's system might well declare: refused even when the bytes are ASCII.
        let problem = refusal("<?xml version=\"1.0\" encoding=\"GB18030\"?><a>x</a>")
        #expect(
            problem?.description == "hostile.xml:1: the document declares the encoding GB18030; only UTF-8 is accepted")
        #expect(
            try XMLTree(Data("<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>".utf8), source: "ok.xml").root.name == "a")
        // A UTF-8 byte order mark is fine.
        #expect(try XMLTree(Data([0xEF, 0xBB, 0xBF] + Array("<a/>".utf8)), source: "bom.xml").root.name == "a")
    }

    @Test func nulBytesAreRefusedWithTheirLine() {
        let problem = refusal(Data(Array("<a>\n\n<b>x".utf8) + [0] + Array("</b></a>".utf8)))
        #expect(problem?.issues.first?.line == 3)
        #expect(problem?.issues.first?.message.contains("NUL byte (at byte 9)") == true)
        #expect(refusal(Data([0])) != nil)
    }

    @Test func emptyAndJunkInputIsRefused() {
        #expect(refusal(Data())?.description == "hostile.xml:0: the document is empty")
        #expect(refusal("   ") != nil)
        #expect(refusal("not xml") != nil)
        #expect(refusal("<a></b>") != nil)
        #expect(refusal("<a/><b/>") != nil)
        #expect(refusal("<?xml version=\"1.0\"?>") != nil)
    }

    @Test func randomBytesNeverCrash() {
        var state: UInt64 = 0x5EED
        for length in [1, 2, 3, 7, 64, 1000] {
            for _ in 0..<50 {
                var bytes: [UInt8] = []
                for _ in 0..<length {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    bytes.append(UInt8(truncatingIfNeeded: state >> 33))
                }
                if let tree = try? XMLTree(Data(bytes), source: "random.xml") {
                    _ = try? tree.canonicalForm()
                }
            }
        }
    }
}
