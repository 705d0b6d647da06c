import Foundation
import KaibanTestSupport
import KaibanXML
import Testing

@Suite struct XMLDocumentParserTests {
    func parse(_ text: String, schema: XMLSchema? = nil) throws(XMLProblem) -> ParsedElement {
        try XMLDocumentParser.parse(Data(text.utf8), source: "test.xml", schema: schema)
    }

    @Test func readsElementsAttributesTextAndLines() throws {
        let root = try parse(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <a xmlns="urn:x" k="v &amp; w">
              <b>一<![CDATA[<二>]]></b>
              <b n="2"/>
            </a>
            """)
        #expect(root.name == "a")
        #expect(root.namespace == "urn:x")
        #expect(root["k"] == "v & w")
        #expect(root.children("b").count == 2)
        #expect(root.childText("b") == "一<二>")
        #expect(root.children("b").map(\.line) == [3, 4])
    }

    @Test func malformedInputNamesTheLine() {
        #expect {
            _ = try parse("<a>\n<b>\n</a>")
        } throws: { error in
            guard let problem = error as? XMLProblem else { return false }
            return problem.issues.contains { $0.line == 3 } && problem.description.hasPrefix("test.xml:")
        }
    }

    @Test func anExternalEntityNeverReadsALocalFile() throws {
        let secret = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-secret-\(UUID()).txt")
        try "TOP-SECRET".write(to: secret, atomically: true, encoding: .utf8)
        let attack = """
            <?xml version="1.0"?>
            <!DOCTYPE a [<!ENTITY xxe SYSTEM "file://\(secret.path)">]>
            <a>&xxe;</a>
            """
        let problem = #expect(throws: Self.doctypeRefused(line: 2)) { try parse(attack) }
        #expect(problem?.description.contains("TOP-SECRET") == false)
    }

    @Test func billionLaughsIsRefusedBeforeExpansion() {
        var entities = "<!ENTITY l0 \"lol\">"
        for level in 1...9 {
            entities += "<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">"
        }
        #expect(throws: Self.doctypeRefused(line: 1)) {
            try parse("<?xml version=\"1.0\"?><!DOCTYPE a [\(entities)]><a>&l9;</a>")
        }
    }

    /// The refusal of a DOCTYPE: at its line when found in the raw bytes, at line 0 when only
    /// libxml2's parse revealed it.
    static func doctypeRefused(line: Int, source: String = "test.xml") -> XMLProblem {
        XMLProblem(source: source, line: line, "DOCTYPE declarations are not accepted")
    }

    /// The document in UTF-16 with its byte order mark, as a partner system might send it.
    static func utf16(_ text: String, bigEndian: Bool) -> Data {
        let units = Array(text.utf16)
        var bytes: [UInt8] = bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]
        for unit in units {
            let (high, low) = (UInt8(unit >> 8), UInt8(unit & 0xFF))
            bytes += bigEndian ? [high, low] : [low, high]
        }
        return Data(bytes)
    }

    @Test func aDoctypeIsRefusedFromTheRawBytesBeforeLibxml2ReadsIt() {
        // Found by the byte scan, hence with its line (the check after parsing knows none).
        #expect(throws: Self.doctypeRefused(line: 2)) {
            try parse("<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>")
        }
        #expect(throws: Self.doctypeRefused(line: 3)) {
            try parse("<?xml version=\"1.0\"?>\n<!-- a note -->\n<!DOCTYPE a SYSTEM \"a.dtd\"><a/>")
        }
    }

    /// UTF-16 hides the ASCII bytes of "<!DOCTYPE" from the byte scan: the check on the parsed
    /// document must refuse it.
    @Test(arguments: [false, true])
    func aDoctypeInUTF16IsRefusedAfterParsing(bigEndian: Bool) throws {
        let internalSubset = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>"
        let external = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<!DOCTYPE a SYSTEM \"a.dtd\">\n<a>b</a>"
        // Without a DOCTYPE the same encoding is read: the refusal is for the DOCTYPE alone.
        let plain = try XMLDocumentParser.parse(
            Self.utf16("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<a>青禾</a>", bigEndian: bigEndian),
            source: "utf16.xml")
        #expect(plain.name == "a")
        #expect(plain.text == "青禾")
        for text in [internalSubset, external] {
            #expect(throws: Self.doctypeRefused(line: 0, source: "utf16.xml"), "\(text)") {
                try XMLDocumentParser.parse(Self.utf16(text, bigEndian: bigEndian), source: "utf16.xml")
            }
        }
    }

    @Test func oversizedInputIsRefused() {
        let big = Data(("<a>" + String(repeating: "x", count: 2048) + "</a>").utf8)
        #expect {
            _ = try XMLDocumentParser.parse(big, source: "big.xml", maximumSize: 1024)
        } throws: { error in
            (error as? XMLProblem)?.description.contains("more than the 1024 allowed") == true
        }
    }

    @Test func emptyAndBinaryInputAreRefused() {
        #expect(throws: XMLProblem(source: "empty.xml", "the document is empty")) {
            try XMLDocumentParser.parse(Data(), source: "empty.xml")
        }
        let binary = #expect(throws: XMLProblem.self) {
            try XMLDocumentParser.parse(Data([0, 159, 146, 150]), source: "bin.xml")
        }
        #expect(binary?.source == "bin.xml")
        #expect(binary?.issues.isEmpty == false)
    }

    @Test func schemaViolationsAreReportedWithLines() throws {
        let schema = try XMLSchema(
            Data(
                """
                <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
                  <xs:element name="a">
                    <xs:complexType>
                      <xs:sequence><xs:element name="n" type="xs:positiveInteger" maxOccurs="unbounded"/></xs:sequence>
                    </xs:complexType>
                  </xs:element>
                </xs:schema>
                """.utf8), source: "a.xsd")
        #expect(try parse("<a><n>1</n></a>", schema: schema).children.count == 1)
        #expect {
            _ = try parse("<a>\n<n>1</n>\n<n>-4</n>\n</a>", schema: schema)
        } throws: { error in
            guard let problem = error as? XMLProblem else { return false }
            return problem.issues.count == 1 && problem.issues[0].line == 3 && problem.issues[0].message.contains("-4")
        }
    }

    @Test func aBrokenSchemaIsRefused() {
        #expect(throws: XMLProblem.self) {
            try XMLSchema(
                Data("<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"><xs:bogus/></xs:schema>".utf8),
                source: "b.xsd")
        }
    }

    @Test func mangledDefinitionsAreRefusedOrReadNeverCrash() throws {
        let original = [UInt8](try Data(contentsOf: Fixtures.workflowFile))
        let schema = try XMLSchema(contentsOf: Fixtures.formsRoot.appendingPathComponent("schemas/workflow-1.xsd"))
        var state: UInt64 = 7
        var refused = 0
        for _ in 0..<500 {
            var bytes = original
            for _ in 0..<3 {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                let position = Int((state >> 33) % UInt64(bytes.count))
                bytes[position] = UInt8(truncatingIfNeeded: state >> 17)
            }
            do {
                _ = try XMLDocumentParser.parse(Data(bytes), source: "mangled.xml", schema: schema)
            } catch {
                refused += 1
                #expect(!error.issues.isEmpty)
            }
        }
        #expect(refused > 0)
    }
}
