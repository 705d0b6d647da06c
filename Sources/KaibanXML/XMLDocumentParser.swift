import CLibXML2
import Foundation

/// Hardened XML parsing over libxml2 (STANDARDS.md §6): no entity substitution, no DTD loading,
/// no network, no XInclude, no huge-document mode; any DOCTYPE is refused and the input size is
/// capped. Optionally validates against an XSD and reports every problem with its line.
public enum XMLDocumentParser {
    /// Largest document accepted, in bytes.
    public static let defaultMaximumSize = 8 * 1024 * 1024

    /// The libxml2 options used for every document and schema.
    static let safeOptions = Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOCDATA.rawValue)

    /// Parses `data` (labelled `source` in messages), validating it against `schema` when given.
    public static func parse(
        _ data: Data, source: String, schema: XMLSchema? = nil, maximumSize: Int = defaultMaximumSize
    ) throws(XMLProblem) -> ParsedElement {
        guard let doc = try readDocument(data, source: source, maximumSize: maximumSize) else {
            throw XMLProblem(source: source, "empty document")
        }
        defer { xmlFreeDoc(doc) }
        if let schema {
            try schema.validate(doc, source: source)
        }
        guard let root = xmlDocGetRootElement(doc) else { throw XMLProblem(source: source, "no root element") }
        return convert(root)
    }

    /// Reads a file and parses it; a missing file is an `XMLProblem` too.
    public static func parseFile(_ url: URL, schema: XMLSchema? = nil) throws(XMLProblem) -> ParsedElement {
        try parse(try read(url), source: url.path, schema: schema)
    }

    /// The bytes of a data file, or an `XMLProblem` naming it.
    public static func read(_ url: URL) throws(XMLProblem) -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw XMLProblem(source: url.path, "cannot read the file: \(error.localizedDescription)")
        }
    }

    /// libxml2 must initialise its globals once before threads use it; Swift runs this exactly once.
    static let libraryInitialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses into a libxml2 document the caller must free, refusing unsafe input. With
    /// `utf8Only`, anything but UTF-8 (a UTF-16 or UTF-32 byte order mark, a NUL byte, another
    /// declared encoding) is refused too.
    static func readDocument(
        _ data: Data, source: String, maximumSize: Int, utf8Only: Bool = false
    ) throws(XMLProblem) -> xmlDocPtr? {
        precondition(libraryInitialized)
        guard !data.isEmpty else { throw XMLProblem(source: source, "the document is empty") }
        guard data.count <= maximumSize else {
            throw XMLProblem(
                source: source, "the document is \(data.count) bytes, more than the \(maximumSize) allowed")
        }
        if utf8Only {
            try checkUTF8Bytes(data, source: source)
        }
        if let line = doctypeLine(in: data) {
            throw XMLProblem(source: source, line: line, "DOCTYPE declarations are not accepted")
        }
        let collector = ErrorCollector()
        let doc: xmlDocPtr? = collector.collecting {
            data.withUnsafeBytes { raw -> xmlDocPtr? in
                guard let base = raw.baseAddress?.assumingMemoryBound(to: CChar.self) else { return nil }
                return xmlReadMemory(base, Int32(raw.count), nil, nil, safeOptions)
            }
        }
        guard let doc, collector.issues.isEmpty else {
            if let doc { xmlFreeDoc(doc) }
            let issues =
                collector.issues.isEmpty
                ? [XMLProblem.Issue(line: 0, message: "not well-formed XML")] : collector.issues.map(explained)
            throw XMLProblem(source: source, issues: issues)
        }
        if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil {
            xmlFreeDoc(doc)
            throw XMLProblem(source: source, "DOCTYPE declarations are not accepted")
        }
        if utf8Only, let declared = string(doc.pointee.encoding),
            declared.uppercased() != "UTF-8" && declared.uppercased() != "UTF8"
        {
            xmlFreeDoc(doc)
            throw XMLProblem(
                source: source, line: 1, "the document declares the encoding \(declared); only UTF-8 is accepted")
        }
        return doc
    }

    /// Refuses a UTF-16 or UTF-32 byte order mark and any NUL byte (which UTF-8 XML never holds
    /// and UTF-16 or UTF-32 text always does), naming the line of the first NUL.
    static func checkUTF8Bytes(_ data: Data, source: String) throws(XMLProblem) {
        let head = [UInt8](data.prefix(4))
        if head.starts(with: [0xFE, 0xFF]) || head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0, 0, 0xFE, 0xFF]) {
            throw XMLProblem(
                source: source, line: 1,
                "the document starts with a UTF-16 or UTF-32 byte order mark; only UTF-8 is accepted")
        }
        guard let nul = data.firstIndex(of: 0) else { return }
        let line = 1 + data[data.startIndex..<nul].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        throw XMLProblem(
            source: source, line: line,
            "the document holds a NUL byte (at byte \(nul - data.startIndex)); XML text never does, and UTF-16 is not accepted"
        )
    }

    /// libxml2's issue in words that fit Kaiban's refusal: its depth message advises the very
    /// option (XML_PARSE_HUGE) that STANDARDS.md §6 forbids.
    static func explained(_ issue: XMLProblem.Issue) -> XMLProblem.Issue {
        guard issue.message.hasPrefix("Excessive depth in document") else { return issue }
        return XMLProblem.Issue(
            line: issue.line,
            message: "Excessive depth in document: elements nested deeper than 257 levels are not accepted")
    }

    /// The line of a `<!DOCTYPE` in the raw bytes, if any.
    static func doctypeLine(in data: Data) -> Int? {
        let marker = Array("<!DOCTYPE".utf8)
        let bytes = [UInt8](data)
        guard bytes.count >= marker.count else { return nil }
        var line = 1
        for index in 0...(bytes.count - marker.count) {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            if bytes[index] == marker[0] && Array(bytes[index..<(index + marker.count)]) == marker { return line }
        }
        return nil
    }

    static func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    static func convert(_ node: xmlNodePtr) -> ParsedElement {
        var element = ParsedElement(
            name: string(node.pointee.name) ?? "", namespace: string(node.pointee.ns?.pointee.href),
            line: Int(xmlGetLineNo(node)))
        var attribute = node.pointee.properties
        while let current = attribute {
            if let name = string(current.pointee.name) {
                let value = xmlNodeListGetString(node.pointee.doc, current.pointee.children, 1)
                element.attributes[name] = string(value) ?? ""
                if let value { kaiban_xml_free(value) }
            }
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        var text = ""
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                element.children.append(convert(current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                text += string(current.pointee.content) ?? ""
            default:
                break
            }
            child = current.pointee.next
        }
        element.text = text
        return element
    }
}
