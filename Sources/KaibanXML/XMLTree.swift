import CLibXML2
import Foundation

/// A document parsed the hardened way (STANDARDS.md §6, as `XMLDocumentParser`) and kept as
/// libxml2's tree, for what needs the tree itself: validation followed by a canonical form of
/// the very same tree, as a signed message needs. Parse once, validate, canonicalize, convert.
///
/// Not `Sendable`: libxml2 may touch a document's ID table while validating it, so use a tree on
/// the task that made it (parsing another tree elsewhere is fine).
public final class XMLTree {
    let doc: xmlDocPtr
    /// The file name or other label used in problems.
    public let source: String

    /// Parses `data`, refusing a DOCTYPE, entity expansion, network access, more than
    /// `maximumSize` bytes and elements nested deeper than 257 levels (libxml2's limit); with `utf8Only` (the
    /// default) anything but UTF-8 too: a UTF-16 or UTF-32 byte order mark, a NUL byte, another
    /// declared encoding.
    public init(
        _ data: Data, source: String, maximumSize: Int = XMLDocumentParser.defaultMaximumSize, utf8Only: Bool = true
    ) throws(XMLProblem) {
        guard
            let doc = try XMLDocumentParser.readDocument(
                data, source: source, maximumSize: maximumSize, utf8Only: utf8Only)
        else {
            throw XMLProblem(source: source, "empty document")
        }
        guard xmlDocGetRootElement(doc) != nil else {
            xmlFreeDoc(doc)
            throw XMLProblem(source: source, "no root element")
        }
        self.doc = doc
        self.source = source
    }

    deinit {
        xmlFreeDoc(doc)
    }

    /// Throws every violation of `schema`, each with its line.
    public func validate(against schema: XMLSchema) throws(XMLProblem) {
        try schema.validate(doc, source: source)
    }

    /// The document element as a plain value.
    public var root: ParsedElement {
        // A tree is only made with a root element (see init).
        guard let element = xmlDocGetRootElement(doc) else { return ParsedElement(name: "") }
        return XMLDocumentParser.convert(element)
    }

    /// The element at `path`: nil when a step finds none; a problem when a step finds more than
    /// one (which of them would be meant is unclear).
    public func element(at path: XMLPath) throws(XMLProblem) -> ParsedElement? {
        try node(at: path).map(XMLDocumentParser.convert)
    }

    func node(at path: XMLPath) throws(XMLProblem) -> xmlNodePtr? {
        guard let first = path.steps.first, let root = xmlDocGetRootElement(doc) else { return nil }
        guard Self.matches(root, first) else { return nil }
        var current = root
        for step in path.steps.dropFirst() {
            var found: [xmlNodePtr] = []
            var child = current.pointee.children
            while let node = child {
                if node.pointee.type == XML_ELEMENT_NODE && Self.matches(node, step) { found.append(node) }
                child = node.pointee.next
            }
            guard let only = found.first else { return nil }
            guard found.count == 1 else {
                throw XMLProblem(
                    source: source, line: Int(xmlGetLineNo(found[1])),
                    "\(found.count) elements match \(path); exactly one is expected")
            }
            current = only
        }
        return current
    }

    static func matches(_ node: xmlNodePtr, _ name: XMLName) -> Bool {
        XMLDocumentParser.string(node.pointee.name) == name.local
            && XMLDocumentParser.string(node.pointee.ns?.pointee.href) == name.namespace
    }
}
