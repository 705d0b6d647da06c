import Foundation
import KaibanTestSupport
import KaibanXML
import Testing

@Suite struct XMLCanonicalFormTests {
    static let ns = "urn:kaiban:exchange:1"
    static let signature = XMLPath(namespace: ns, "Envelope", "Signature")

    func canonical(
        _ text: String, of subtree: XMLPath? = nil, excluding: XMLPath? = nil,
        method: CanonicalizationMethod = .exclusive
    ) throws -> String {
        let tree = try XMLTree(Data(text.utf8), source: "test.xml")
        let bytes = try tree.canonicalForm(of: subtree, excluding: excluding, method: method)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func theCanonicalFormIsExactlyTheW3CForm() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- dropped -->
            <a xmlns="urn:x" z='1' b="&#x4E00;&amp;&lt;&gt;&quot;"><e/><t>x&#13;<![CDATA[<y>]]></t></a>
            """
        #expect(
            try canonical(text)
                == "<a xmlns=\"urn:x\" b=\"一&amp;&lt;>&quot;\" z=\"1\"><e></e><t>x&#xD;&lt;y&gt;</t></a>")
    }

    @Test func equalDocumentsWrittenDifferentlyHaveTheSameBytes() throws {
        let plain = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Envelope xmlns="urn:kaiban:exchange:1" xmlns:k="urn:k"><Header a="1" b="2"><Id>7</Id><k:Note/></Header></Envelope>
            """
        let variants = [
            // attribute order, whitespace inside tags, single quotes
            "<Envelope   xmlns:k='urn:k' xmlns=\"urn:kaiban:exchange:1\"\n><Header\tb='2'  a=\"1\" ><Id >7</Id\n><k:Note/></Header></Envelope>",
            // the prefix declared where it is used instead of on the root
            "<Envelope xmlns=\"urn:kaiban:exchange:1\"><Header a=\"1\" b=\"2\"><Id>7</Id><k:Note xmlns:k=\"urn:k\"/></Header></Envelope>",
            // a prefix declared but never used, and declared twice
            "<Envelope xmlns=\"urn:kaiban:exchange:1\" xmlns:unused=\"urn:u\"><Header xmlns:k=\"urn:k\" a=\"1\" b=\"2\"><Id>7</Id><k:Note xmlns:k=\"urn:k\"/></Header></Envelope>",
            // empty-element forms, no XML declaration, a comment, character references
            "<Envelope xmlns=\"urn:kaiban:exchange:1\"><!-- note --><Header a=\"&#49;\" b=\"2\"><Id>&#x37;</Id><k:Note xmlns:k=\"urn:k\"></k:Note></Header></Envelope>",
            // the default namespace declared again on an inner element
            "<Envelope xmlns=\"urn:kaiban:exchange:1\"><Header xmlns=\"urn:kaiban:exchange:1\" a=\"1\" b=\"2\"><Id>7</Id><k:Note xmlns:k=\"urn:k\"/></Header></Envelope>",
        ]
        let expected = try canonical(plain)
        #expect(
            expected
                == "<Envelope xmlns=\"urn:kaiban:exchange:1\"><Header a=\"1\" b=\"2\"><Id>7</Id><k:Note xmlns:k=\"urn:k\"></k:Note></Header></Envelope>"
        )
        for variant in variants {
            #expect(try canonical(variant) == expected, "\(variant)")
        }
    }

    @Test func inclusiveCanonicalizationKeepsWhereNamespacesWereDeclared() throws {
        let onRoot = "<r xmlns:p=\"urn:p\"><p:x/></r>"
        let onUse = "<r><p:x xmlns:p=\"urn:p\"/></r>"
        #expect(try canonical(onRoot) == canonical(onUse))
        #expect(try canonical(onRoot, method: .inclusive) != canonical(onUse, method: .inclusive))
    }

    @Test func anyChangeOfContentChangesTheBytes() throws {
        let base = "<a xmlns=\"urn:x\" k=\"v\"><b>text</b>\n<c/></a>"
        let changed = [
            "<a xmlns=\"urn:x\" k=\"w\"><b>text</b>\n<c/></a>",  // attribute value
            "<a xmlns=\"urn:x\" k=\"v\"><b>texT</b>\n<c/></a>",  // text
            "<a xmlns=\"urn:x\" k=\"v\"><b>text</b><c/></a>",  // whitespace between elements is content
            "<a xmlns=\"urn:x\" k=\"v\"><b>text </b>\n<c/></a>",  // trailing blank in text
            "<a xmlns=\"urn:y\" k=\"v\"><b>text</b>\n<c/></a>",  // namespace
            "<a xmlns=\"urn:x\" k=\"v\"><b>text</b>\n<d/></a>",  // element name
            "<p:a xmlns:p=\"urn:x\" k=\"v\"><p:b>text</p:b>\n<p:c/></p:a>",  // prefix (C14N keeps prefixes)
            "<a xmlns=\"urn:x\" k=\"v\" l=\"\"><b>text</b>\n<c/></a>",  // an extra empty attribute
        ]
        let expected = try canonical(base)
        for text in changed {
            #expect(try canonical(text) != expected, "\(text)")
        }
    }

    static let signed = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Envelope xmlns="urn:kaiban:exchange:1">
          <Header><MessageId>1</MessageId></Header>
          <Body><Receipt>ok</Receipt></Body>
          <Signature>
            <Algorithm>SM2-SM3</Algorithm>
            <Value>QUJD</Value>
          </Signature>
        </Envelope>
        """

    /// The signed text with the Signature element cut out of the source and nothing else.
    static let cutOut = """
        <?xml version="1.0" encoding="UTF-8"?>
        <Envelope xmlns="urn:kaiban:exchange:1">
          <Header><MessageId>1</MessageId></Header>
          <Body><Receipt>ok</Receipt></Body>
          \("")
        </Envelope>
        """

    @Test func excludingTheSignatureIsCuttingItOutOfTheSource() throws {
        let withoutSignature = try canonical(Self.signed, excluding: Self.signature)
        #expect(withoutSignature == (try canonical(Self.cutOut)))
        #expect(!withoutSignature.contains("Signature"))
        #expect(!withoutSignature.contains("QUJD"))
        #expect(withoutSignature != (try canonical(Self.signed)))
        // The text around the element stays: the line break and indentation before it, the line break after it.
        #expect(withoutSignature.hasSuffix("</Body>\n  \n</Envelope>"))
        // A message not signed yet has the same canonical form.
        #expect(try canonical(Self.cutOut, excluding: Self.signature) == withoutSignature)
    }

    @Test func theSignatureValueIsOutsideButEverythingElseIsInside() throws {
        let base = try canonical(Self.signed, excluding: Self.signature)
        let otherValue = Self.signed.replacingOccurrences(of: "QUJD", with: "WFla")
        #expect(try canonical(otherValue, excluding: Self.signature) == base)
        for (from, to) in [("<MessageId>1<", "<MessageId>2<"), (">ok<", ">OK<"), ("SM2-SM3", "SM2-SM3 ")] {
            let changed = Self.signed.replacingOccurrences(of: from, with: to)
            #expect(changed != Self.signed)
            let expectSame = from == "SM2-SM3"
            #expect((try canonical(changed, excluding: Self.signature) == base) == expectSame, "\(from)")
        }
    }

    @Test func onlyTheEnvelopesOwnSignatureChildIsExcluded() throws {
        // A Signature deeper down, or in another namespace, is content like any other.
        let text = """
            <Envelope xmlns="urn:kaiban:exchange:1"><Body><Signature>inner</Signature></Body><s:Signature xmlns:s="urn:s">other</s:Signature><Signature>outer</Signature></Envelope>
            """
        let result = try canonical(text, excluding: Self.signature)
        #expect(result.contains("inner"))
        #expect(result.contains("other"))
        #expect(!result.contains("outer"))
    }

    @Test func twoSignaturesAreAProblemNotAGuess() throws {
        let text =
            "<Envelope xmlns=\"urn:kaiban:exchange:1\"><Body/><Signature>a</Signature>\n<Signature>b</Signature></Envelope>"
        let problem = #expect(throws: XMLProblem.self) { try canonical(text, excluding: Self.signature) }
        #expect(problem?.issues.first?.line == 2)
        #expect(problem?.description.contains("2 elements match") == true)
    }

    @Test func aSubtreeCarriesTheNamespacesItUses() throws {
        let text = """
            <Envelope xmlns="urn:kaiban:exchange:1" xmlns:k="urn:k"><Header/><Body k:a="1"><Receipt>ok</Receipt></Body><Signature/></Envelope>
            """
        let body = try canonical(text, of: XMLPath(namespace: Self.ns, "Envelope", "Body"))
        #expect(
            body == "<Body xmlns=\"urn:kaiban:exchange:1\" xmlns:k=\"urn:k\" k:a=\"1\"><Receipt>ok</Receipt></Body>")
        let missing = #expect(throws: XMLProblem.self) {
            try canonical(text, of: XMLPath(namespace: Self.ns, "Envelope", "Nothing"))
        }
        #expect(missing?.description.contains("no element at") == true)
        // A subtree with an excluded element inside it.
        let header = try canonical(
            "<E xmlns=\"urn:e\"><H><A>1</A><B>2</B></H></E>", of: XMLPath(namespace: "urn:e", "E", "H"),
            excluding: XMLPath(namespace: "urn:e", "E", "H", "B"))
        #expect(header == "<H xmlns=\"urn:e\"><A>1</A></H>")
    }

    @Test func commentsAreKeptOnlyWhenAsked() throws {
        let tree = try XMLTree(Data("<a><!--c--><b/></a>".utf8), source: "c.xml")
        #expect(String(decoding: try tree.canonicalForm(), as: UTF8.self) == "<a><b></b></a>")
        #expect(String(decoding: try tree.canonicalForm(withComments: true), as: UTF8.self) == "<a><!--c--><b></b></a>")
    }

    /// xmllint's --exc-c14n keeps comments: compared without comments on a document that has
    /// none, and with comments on one that has some.
    @Test func xmllintMakesTheSameCanonicalForm() throws {
        let xmllint = try CommandLineTool("xmllint")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-c14n-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func xmllintForm(_ text: String) throws -> String {
            let file = folder.appendingPathComponent("\(UUID()).xml")
            try Data(text.utf8).write(to: file)
            let output = try xmllint.run(["--exc-c14n", file.path])
            #expect(output.status == 0, "\(output.stderr)")
            return String(decoding: output.stdout, as: UTF8.self)
        }
        #expect(try xmllintForm(Self.cutOut) == canonical(Self.signed, excluding: Self.signature))
        func commented(_ text: String) -> String {
            text.replacingOccurrences(of: "<Envelope", with: "<!-- before -->\n<Envelope")
                .replacingOccurrences(of: "<Body>", with: "<!-- a b --><Body>")
        }
        let tree = try XMLTree(Data(commented(Self.signed).utf8), source: "commented.xml")
        let withComments = try tree.canonicalForm(excluding: Self.signature, withComments: true)
        #expect(try xmllintForm(commented(Self.cutOut)) == String(decoding: withComments, as: UTF8.self))
        #expect(String(decoding: withComments, as: UTF8.self).contains("<!-- a b -->"))
        #expect(
            try tree.canonicalForm(excluding: Self.signature)
                == Data(try canonical(Self.signed, excluding: Self.signature).utf8))
    }
}
