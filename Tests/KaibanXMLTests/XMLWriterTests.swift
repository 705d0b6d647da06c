import Foundation
import KaibanXML
import Testing

@Suite struct XMLWriterTests {
    static let ns = "urn:kaiban:exchange:1"

    func name(_ local: String) -> XMLName { XMLName(local, namespace: Self.ns) }

    func written(_ root: XMLWriter.Element, writer: XMLWriter = XMLWriter()) throws -> String {
        String(decoding: try writer.document(root), as: UTF8.self)
    }

    @Test func writesIndentedElementsAndInlineText() throws {
        var header = XMLWriter.Element(name("Header"))
        header.append("MessageId", text: "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81")
        header.append(XMLWriter.Element(name("Empty")))
        var root = XMLWriter.Element(name("Envelope"), attributes: [.init("version", "1")])
        root.append(header)
        #expect(
            try written(root) == """
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope xmlns="urn:kaiban:exchange:1" version="1">
                  <Header>
                    <MessageId>3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81</MessageId>
                    <Empty/>
                  </Header>
                </Envelope>

                """)
        #expect(
            try written(root, writer: XMLWriter(indentation: nil))
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Envelope xmlns=\"urn:kaiban:exchange:1\" version=\"1\"><Header><MessageId>3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81</MessageId><Empty/></Header></Envelope>\n"
        )
    }

    /// Values that would break or change a document written by concatenation.
    static let awkward = [
        "a & b < c > d", "\"quoted\" and 'single'", "</Name><Injected>x</Injected><Name>", "]]>",
        "&amp; already escaped",
        "line one\nline two\r\nwith CR", "tab\there", "  leading and trailing  ", "青禾农业（重庆）有限公司", "emoji 🏛️",
        "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>&e;", "",
    ]

    @Test(arguments: XMLWriterTests.awkward)
    func everyValueReadsBackExactly(value: String) throws {
        var root = XMLWriter.Element(name("Envelope"), attributes: [.init("note", value)])
        root.append("Name", text: value)
        let tree = try XMLTree(try XMLWriter().document(root), source: "written.xml")
        let parsed = tree.root
        #expect(parsed["note"] == value)
        #expect(parsed.children.count == 1)
        #expect(parsed.child("Name")?.text == value)
        #expect(parsed.child("Injected") == nil)
    }

    @Test func charactersXMLCannotHoldAreRefusedNotDropped() {
        for bad in ["nul \u{0}", "bell \u{7}", "escape \u{1B}", "noncharacter \u{FFFE}", "\u{FFFF}"] {
            var root = XMLWriter.Element(name("Envelope"))
            root.append("Name", text: bad)
            #expect(throws: XMLProblem.self, "\(bad)") { try XMLWriter().document(root) }
            let attribute = XMLWriter.Element(name("Envelope"), attributes: [.init("a", bad)])
            #expect(throws: XMLProblem.self, "\(bad)") { try XMLWriter().document(attribute) }
        }
    }

    @Test func badNamesAreRefused() {
        for bad in ["", "1abc", "a b", "a:b", "a<b", "xmlns", "-a", "a\"b"] {
            #expect(throws: XMLProblem.self, "\(bad)") { try XMLWriter().document(XMLWriter.Element(XMLName(bad))) }
            let attribute = XMLWriter.Element(XMLName("a"), attributes: [.init(bad, "v")])
            #expect(throws: XMLProblem.self, "\(bad)") { try XMLWriter().document(attribute) }
        }
        #expect(throws: XMLProblem.self) {
            try XMLWriter().document(XMLWriter.Element(XMLName("a"), attributes: [.init("b", "1"), .init("b", "2")]))
        }
        #expect(throws: XMLProblem.self) {
            try XMLWriter(prefixes: ["urn:x": "a b"]).document(XMLWriter.Element(XMLName("a")))
        }
        #expect(throws: XMLProblem.self) {
            try XMLWriter(prefixes: ["urn:x": "p", "urn:y": "p"]).document(XMLWriter.Element(XMLName("a")))
        }
        // Chinese names are XML names.
        #expect(throws: Never.self) { try XMLWriter().document(XMLWriter.Element(XMLName("办件"))) }
    }

    @Test func namespacesAreDeclaredOnceOnTheRootWithTheirPrefixes() throws {
        var root = XMLWriter.Element(XMLName("Envelope", namespace: "urn:a"))
        root.append(
            XMLWriter.Element(XMLName("B", namespace: "urn:b"), attributes: [.init("c", "1", namespace: "urn:c")]))
        root.append(XMLWriter.Element(XMLName("B", namespace: "urn:b")))
        root.append(XMLWriter.Element(XMLName("L", namespace: XMLWriter.xmlNamespace), attributes: []))
        let text = try written(
            XMLWriter.Element(
                root.name, attributes: [.init("lang", "zh", namespace: XMLWriter.xmlNamespace)],
                children: [root.children[0], root.children[1]]),
            writer: XMLWriter(prefixes: ["urn:b": "b"]))
        #expect(
            text
                == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Envelope xmlns=\"urn:a\" xmlns:b=\"urn:b\" xmlns:ns1=\"urn:c\" xml:lang=\"zh\">\n  <b:B ns1:c=\"1\"/>\n  <b:B/>\n</Envelope>\n"
        )
        let parsed = try XMLTree(Data(text.utf8), source: "ns.xml").root
        #expect(parsed.namespace == "urn:a")
        #expect(parsed.children.map(\.namespace) == ["urn:b", "urn:b"])
        // An element in the xml namespace is refused.
        #expect(throws: XMLProblem.self) { try XMLWriter().document(root) }
    }

    @Test func anElementOutsideAnyNamespaceKeepsItsParentPrefixed() throws {
        var root = XMLWriter.Element(XMLName("Envelope", namespace: "urn:a"))
        root.append(XMLWriter.Element(XMLName("plain")))
        let text = try written(root)
        let parsed = try XMLTree(Data(text.utf8), source: "mixed.xml").root
        #expect(parsed.namespace == "urn:a")
        #expect(parsed.children.first?.namespace == nil)
        #expect(throws: XMLProblem.self) { try XMLWriter(prefixes: ["urn:a": ""]).document(root) }
    }

    @Test func writingTooDeepIsRefused() {
        var element = XMLWriter.Element(XMLName("a"))
        for _ in 0..<XMLWriter.maximumDepth {
            element = XMLWriter.Element(XMLName("a"), children: [.element(element)])
        }
        #expect(throws: XMLProblem.self) { try XMLWriter().document(element) }
        let shallower = element.children.first.flatMap { if case .element(let inner) = $0 { inner } else { nil } }
        #expect(throws: Never.self) { _ = try shallower.map { try XMLWriter().document($0) } }
    }

    @Test func mixedContentIsWrittenAsItIs() throws {
        let root = XMLWriter.Element(
            XMLName("p"), children: [.text(" a "), .element(XMLWriter.Element(XMLName("b"), text: "x")), .text("c")])
        #expect(try written(root) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p> a <b>x</b>c</p>\n")
    }
}
