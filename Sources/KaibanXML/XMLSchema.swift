import CLibXML2
import Foundation

/// A compiled XSD. Read-only once compiled, so one instance validates from any thread.
public final class XMLSchema: @unchecked Sendable {
    let schema: xmlSchemaPtr
    /// Label used in messages (the XSD's file name).
    public let source: String

    /// Compiles the schema text in `data`. Schemas may not import or include other files.
    public init(_ data: Data, source: String) throws(XMLProblem) {
        let doc = try XMLDocumentParser.readDocument(
            data, source: source, maximumSize: XMLDocumentParser.defaultMaximumSize)
        guard let doc else { throw XMLProblem(source: source, "empty schema") }
        defer { xmlFreeDoc(doc) }
        let collector = ErrorCollector()
        guard let context = xmlSchemaNewDocParserCtxt(doc) else {
            throw XMLProblem(source: source, "cannot compile the schema")
        }
        defer { xmlSchemaFreeParserCtxt(context) }
        xmlSchemaSetParserStructuredErrors(context, ErrorCollector.handler, collector.context)
        let compiled = collector.collecting { xmlSchemaParse(context) }
        guard let compiled, collector.issues.isEmpty else {
            if let compiled { xmlSchemaFree(compiled) }
            throw XMLProblem(
                source: source,
                issues: collector.issues.isEmpty ? [.init(line: 0, message: "invalid schema")] : collector.issues)
        }
        self.schema = compiled
        self.source = source
    }

    /// Compiles the XSD file at `url`.
    public convenience init(contentsOf url: URL) throws(XMLProblem) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw XMLProblem(source: url.path, "cannot read the schema: \(error.localizedDescription)")
        }
        try self.init(data, source: url.path)
    }

    deinit {
        xmlSchemaFree(schema)
    }

    /// Validates a parsed libxml2 document, throwing every violation with its line.
    func validate(_ doc: xmlDocPtr, source: String) throws(XMLProblem) {
        guard let context = xmlSchemaNewValidCtxt(schema) else { throw XMLProblem(source: source, "cannot validate") }
        defer { xmlSchemaFreeValidCtxt(context) }
        let collector = ErrorCollector()
        xmlSchemaSetValidStructuredErrors(context, ErrorCollector.handler, collector.context)
        let result = collector.collecting { xmlSchemaValidateDoc(context, doc) }
        if result != 0 || !collector.issues.isEmpty {
            let issues =
                collector.issues.isEmpty
                ? [XMLProblem.Issue(line: 0, message: "does not match the schema \(self.source)")] : collector.issues
            throw XMLProblem(source: source, issues: issues)
        }
    }
}
