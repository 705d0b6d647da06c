import Foundation

/// Writes a document from plain values: every text and attribute value is escaped, every name
/// is checked, characters XML cannot hold are refused (never dropped), and each namespace is
/// declared once, on the document element. Nothing is concatenated unescaped.
///
/// Output is UTF-8 with an XML declaration. With `indentation`, an element whose children are
/// all elements puts each on its own indented line; an element holding text is written on one
/// line as it is, so no whitespace is ever added to text. Without it, no whitespace is added
/// at all.
public struct XMLWriter: Sendable {
    /// An element to write.
    public struct Element: Sendable, Equatable {
        public var name: XMLName
        public var attributes: [Attribute]
        public var children: [Node]

        public init(_ name: XMLName, attributes: [Attribute] = [], children: [Node] = []) {
            self.name = name
            self.attributes = attributes
            self.children = children
        }

        /// An element holding only `text`.
        public init(_ name: XMLName, attributes: [Attribute] = [], text: String) {
            self.init(name, attributes: attributes, children: [.text(text)])
        }

        /// Adds a child element.
        public mutating func append(_ element: Element) {
            children.append(.element(element))
        }

        /// Adds a child element named `local` in this element's namespace, holding `text`.
        public mutating func append(_ local: String, text: String, attributes: [Attribute] = []) {
            children.append(
                .element(Element(XMLName(local, namespace: name.namespace), attributes: attributes, text: text)))
        }

        /// Adds text.
        public mutating func append(text: String) {
            children.append(.text(text))
        }
    }

    /// An attribute; unqualified unless it names a namespace.
    public struct Attribute: Sendable, Equatable {
        public var name: XMLName
        public var value: String

        public init(_ local: String, _ value: String, namespace: String? = nil) {
            self.name = XMLName(local, namespace: namespace)
            self.value = value
        }
    }

    /// What an element holds.
    public enum Node: Sendable, Equatable {
        case element(Element)
        case text(String)
    }

    /// The namespace of the `xml:` prefix, which is never declared.
    public static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    /// Prefixes wanted, by namespace URI ("" for the default namespace). A namespace used but not
    /// listed gets the default namespace when it is the document element's and no element is
    /// outside any namespace, otherwise `ns1`, `ns2`, …
    public var prefixes: [String: String]
    /// One level of indentation, or nil to add no whitespace.
    public var indentation: String?

    public init(prefixes: [String: String] = [:], indentation: String? = "  ") {
        self.prefixes = prefixes
        self.indentation = indentation
    }

    /// The document with `root` as its document element; `source` labels problems.
    public func document(_ root: Element, source: String = "written document") throws(XMLProblem) -> Data {
        let bindings = try Bindings(root: root, wanted: prefixes, source: source)
        var output = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        try write(
            root, depth: 0, declarations: bindings.declarations, bindings: bindings, into: &output, source: source)
        output += "\n"
        return Data(output.utf8)
    }

    func write(
        _ element: Element, depth: Int, declarations: [(prefix: String, uri: String)], bindings: Bindings,
        into output: inout String, source: String
    ) throws(XMLProblem) {
        let name = try bindings.qualified(element.name, isAttribute: false, source: source)
        output += "<" + name
        for declaration in declarations {
            output += declaration.prefix.isEmpty ? " xmlns=\"" : " xmlns:\(declaration.prefix)=\""
            output += try Self.escaped(declaration.uri, inAttribute: true, source: source) + "\""
        }
        var seen: Set<XMLName> = []
        for attribute in element.attributes {
            guard seen.insert(attribute.name).inserted else {
                throw XMLProblem(source: source, "the attribute \(attribute.name) is given twice on <\(name)>")
            }
            let attributeName = try bindings.qualified(attribute.name, isAttribute: true, source: source)
            output +=
                " \(attributeName)=\"" + (try Self.escaped(attribute.value, inAttribute: true, source: source)) + "\""
        }
        guard !element.children.isEmpty else {
            output += "/>"
            return
        }
        output += ">"
        let elementsOnly = element.children.allSatisfy { if case .element = $0 { true } else { false } }
        for child in element.children {
            switch child {
            case .text(let text):
                output += try Self.escaped(text, inAttribute: false, source: source)
            case .element(let inner):
                if elementsOnly, let indentation {
                    output += "\n" + String(repeating: indentation, count: depth + 1)
                }
                try write(inner, depth: depth + 1, declarations: [], bindings: bindings, into: &output, source: source)
            }
        }
        if elementsOnly, let indentation {
            output += "\n" + String(repeating: indentation, count: depth)
        }
        output += "</" + name + ">"
    }

    /// `text` with `&`, `<`, `>` (and in attributes `"`, tab, line feed) escaped, and carriage
    /// returns as `&#13;` so that they survive parsing; a character XML 1.0 cannot hold (controls
    /// other than tab, line feed and carriage return; U+FFFE, U+FFFF) is a problem.
    public static func escaped(_ text: String, inAttribute: Bool, source: String = "written document")
        throws(XMLProblem) -> String
    {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"" where inAttribute: result += "&quot;"
            case "\t" where inAttribute: result += "&#9;"
            case "\n" where inAttribute: result += "&#10;"
            case "\r": result += "&#13;"
            case "\t", "\n": result.unicodeScalars.append(scalar)
            default:
                guard scalar.value >= 0x20, scalar.value != 0xFFFE, scalar.value != 0xFFFF else {
                    throw XMLProblem(
                        source: source,
                        "U+\(String(scalar.value, radix: 16, uppercase: true)) cannot be written in XML 1.0")
                }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
