import CLibXML2
import Foundation

/// The canonicalization algorithms libxml2 implements (W3C Canonical XML).
public enum CanonicalizationMethod: Sendable, Hashable {
    /// Exclusive XML Canonicalization 1.0 (http://www.w3.org/2001/10/xml-exc-c14n#): a namespace
    /// declaration is written on the first element that uses its prefix, wherever the source
    /// declared it. What signed exchange messages use.
    case exclusive
    /// Canonical XML 1.0 (http://www.w3.org/TR/2001/REC-xml-c14n-20010315): namespace
    /// declarations stay where the source put them.
    case inclusive

    var mode: Int32 {
        switch self {
        case .exclusive: Int32(XML_C14N_EXCLUSIVE_1_0.rawValue)
        case .inclusive: Int32(XML_C14N_1_0.rawValue)
        }
    }
}

extension XMLTree {
    /// The canonical form (UTF-8) of the whole document, or of the element at `subtree`, leaving
    /// out the element at `excluding` with everything inside it. Only that element goes: the
    /// text around it (line breaks, indentation) stays, exactly as if the element had been cut
    /// out of the source. Comments are left out unless `withComments`.
    ///
    /// A `subtree` path that finds no element is a problem; an `excluding` path that finds none
    /// excludes nothing (a message not signed yet). A path that finds more than one element at
    /// any step is a problem.
    ///
    /// With the defaults — exclusive C14N 1.0 without comments — this is the form a signed
    /// exchange message's signature covers (Forms/exchange/README.md, "Signing").
    public func canonicalForm(
        of subtree: XMLPath? = nil, excluding: XMLPath? = nil, method: CanonicalizationMethod = .exclusive,
        withComments: Bool = false
    ) throws(XMLProblem) -> Data {
        var root: xmlNodePtr? = nil
        if let subtree {
            guard let found = try node(at: subtree) else {
                throw XMLProblem(source: source, "no element at \(subtree) to canonicalize")
            }
            root = found
        }
        var excluded: xmlNodePtr? = nil
        if let excluding {
            excluded = try node(at: excluding)
        }
        let collector = ErrorCollector()
        var output: UnsafeMutablePointer<xmlChar>? = nil
        let size = collector.collecting {
            kaiban_c14n_dump(doc, root, excluded, method.mode, withComments ? 1 : 0, &output)
        }
        defer { if let output { kaiban_xml_free(output) } }
        guard size >= 0, let output else {
            throw XMLProblem(
                source: source,
                issues: collector.issues.isEmpty
                    ? [XMLProblem.Issue(line: 0, message: "libxml2 could not canonicalize the document")]
                    : collector.issues)
        }
        return Data(bytes: output, count: Int(size))
    }
}
