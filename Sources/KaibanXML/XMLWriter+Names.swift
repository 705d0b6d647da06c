import Foundation

extension XMLWriter {
    /// The deepest nesting written; libxml2 (without XML_PARSE_HUGE, never used) reads 257 levels.
    public static let maximumDepth = 256

    /// The prefix of every namespace a document uses, all declared on its document element.
    struct Bindings {
        /// Prefix by namespace URI for elements ("" is the default namespace).
        var elementPrefixes: [String: String] = [:]
        /// Prefix by namespace URI for attributes (never "": unprefixed attributes are in no namespace).
        var attributePrefixes: [String: String] = [:]
        /// In order of first use.
        var declarations: [(prefix: String, uri: String)] = []

        init(root: Element, wanted: [String: String], source: String) throws(XMLProblem) {
            for (uri, prefix) in wanted {
                guard uri != XMLWriter.xmlNamespace else { continue }
                guard !uri.isEmpty else { throw XMLProblem(source: source, "an empty namespace cannot have a prefix") }
                guard prefix.isEmpty || (XMLWriter.isNCName(prefix) && !prefix.lowercased().hasPrefix("xml")) else {
                    throw XMLProblem(source: source, "\"\(prefix)\" cannot be a namespace prefix")
                }
            }
            let wantedPrefixes = wanted.filter { $0.key != XMLWriter.xmlNamespace }.map(\.value)
            guard Set(wantedPrefixes).count == wantedPrefixes.count else {
                throw XMLProblem(source: source, "two namespaces are given the same prefix")
            }
            var elementURIs: [String] = []
            var attributeURIs: [String] = []
            var anyUnqualified = false
            try Self.collect(
                root, depth: 1, elementURIs: &elementURIs, attributeURIs: &attributeURIs,
                anyUnqualified: &anyUnqualified, source: source)
            if anyUnqualified, wanted.values.contains("") {
                throw XMLProblem(
                    source: source, "an element outside any namespace cannot be written under a default namespace")
            }
            var taken = Set(wantedPrefixes)
            var counter = 0
            func fresh() -> String {
                while true {
                    counter += 1
                    let candidate = "ns\(counter)"
                    if !taken.contains(candidate) {
                        taken.insert(candidate)
                        return candidate
                    }
                }
            }
            for uri in elementURIs {
                let prefix: String
                if let wantedPrefix = wanted[uri] {
                    prefix = wantedPrefix
                } else if uri == root.name.namespace && !anyUnqualified && !wanted.values.contains("") {
                    prefix = ""
                    taken.insert("")
                } else {
                    prefix = fresh()
                }
                elementPrefixes[uri] = prefix
                declarations.append((prefix, uri))
            }
            for uri in attributeURIs {
                if let prefix = elementPrefixes[uri], !prefix.isEmpty {
                    attributePrefixes[uri] = prefix
                } else if let prefix = wanted[uri], !prefix.isEmpty {
                    attributePrefixes[uri] = prefix
                    declarations.append((prefix, uri))
                } else {
                    let prefix = fresh()
                    attributePrefixes[uri] = prefix
                    declarations.append((prefix, uri))
                }
            }
        }

        static func collect(
            _ element: Element, depth: Int, elementURIs: inout [String], attributeURIs: inout [String],
            anyUnqualified: inout Bool, source: String
        ) throws(XMLProblem) {
            guard depth <= XMLWriter.maximumDepth else {
                throw XMLProblem(
                    source: source, "elements nested deeper than \(XMLWriter.maximumDepth) levels cannot be read back")
            }
            try XMLWriter.checkName(element.name, source: source)
            if let uri = element.name.namespace {
                guard uri != XMLWriter.xmlNamespace else {
                    throw XMLProblem(source: source, "the element \(element.name) cannot be in the xml namespace")
                }
                if !elementURIs.contains(uri) { elementURIs.append(uri) }
            } else {
                anyUnqualified = true
            }
            for attribute in element.attributes {
                try XMLWriter.checkName(attribute.name, source: source)
                if let uri = attribute.name.namespace, uri != XMLWriter.xmlNamespace, !attributeURIs.contains(uri) {
                    attributeURIs.append(uri)
                }
            }
            for case .element(let child) in element.children {
                try collect(
                    child, depth: depth + 1, elementURIs: &elementURIs, attributeURIs: &attributeURIs,
                    anyUnqualified: &anyUnqualified, source: source)
            }
        }

        /// `prefix:local` or `local`.
        func qualified(_ name: XMLName, isAttribute: Bool, source: String) throws(XMLProblem) -> String {
            guard let uri = name.namespace else { return name.local }
            if uri == XMLWriter.xmlNamespace { return "xml:" + name.local }
            let prefix = isAttribute ? attributePrefixes[uri] : elementPrefixes[uri]
            guard let prefix else { throw XMLProblem(source: source, "no prefix for the namespace \(uri)") }
            return prefix.isEmpty ? name.local : prefix + ":" + name.local
        }
    }

    /// Refuses a local name that is not an XML NCName, and the reserved `xmlns`.
    static func checkName(_ name: XMLName, source: String) throws(XMLProblem) {
        guard isNCName(name.local), name.local != "xmlns" else {
            throw XMLProblem(source: source, "\"\(name.local)\" is not an XML name")
        }
        if let uri = name.namespace, uri.isEmpty {
            throw XMLProblem(source: source, "the namespace of \(name.local) is empty; use none instead")
        }
    }

    /// An XML 1.0 name without a colon (Namespaces in XML, NCName).
    static func isNCName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isNameStart(first) else { return false }
        return text.unicodeScalars.dropFirst().allSatisfy { isNameStart($0) || isNameChar($0) }
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0x5F: true
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D: true
        case 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD: true
        case 0x10000...0xEFFFF: true
        default: false
        }
    }

    static func isNameChar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: true
        default: false
        }
    }
}
