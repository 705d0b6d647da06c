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

    /// Parses into a libxml2 document the caller must free, refusing unsafe input.
    static func readDocument(_ data: Data, source: String, maximumSize: Int) throws(XMLProblem) -> xmlDocPtr? {
        precondition(libraryInitialized)
        guard !data.isEmpty else { throw XMLProblem(source: source, "the document is empty") }
        guard data.count <= maximumSize else {
            throw XMLProblem(
                source: source, "the document is \(data.count) bytes, more than the \(maximumSize) allowed")
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
                ? [XMLProblem.Issue(line: 0, message: "not well-formed XML")] : collector.issues
            throw XMLProblem(source: source, issues: issues)
        }
        if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil {
            xmlFreeDoc(doc)
            throw XMLProblem(source: source, "DOCTYPE declarations are not accepted")
        }
        return doc
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
