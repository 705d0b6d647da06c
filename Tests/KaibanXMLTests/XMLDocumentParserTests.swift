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
        #expect {
            _ = try parse(attack)
        } throws: { error in
            (error as? XMLProblem)?.description.contains("DOCTYPE") == true
                && !((error as? XMLProblem)?.description.contains("TOP-SECRET") ?? true)
        }
    }

    @Test func billionLaughsIsRefusedBeforeExpansion() {
        var entities = "<!ENTITY l0 \"lol\">"
        for level in 1...9 {
            entities += "<!ENTITY l\(level) \"" + String(repeating: "&l\(level - 1);", count: 10) + "\">"
        }
        #expect(throws: XMLProblem.self) { try parse("<?xml version=\"1.0\"?><!DOCTYPE a [\(entities)]><a>&l9;</a>") }
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
        #expect(throws: XMLProblem.self) { try XMLDocumentParser.parse(Data(), source: "empty.xml") }
        #expect(throws: XMLProblem.self) { try XMLDocumentParser.parse(Data([0, 159, 146, 150]), source: "bin.xml") }
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
