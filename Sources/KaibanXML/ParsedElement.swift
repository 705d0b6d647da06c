import Foundation

/// An element of a parsed document as a plain Swift value: no libxml2 pointer outlives parsing.
public struct ParsedElement: Sendable, Equatable {
    /// Local name, without prefix.
    public var name: String
    /// Namespace URI, if any.
    public var namespace: String?
    /// Attributes by local name.
    public var attributes: [String: String]
    public var children: [ParsedElement]
    /// The element's own text (its direct text and CDATA children, concatenated).
    public var text: String
    /// Line of the start tag in the source.
    public var line: Int

    public init(
        name: String, namespace: String? = nil, attributes: [String: String] = [:], children: [ParsedElement] = [],
        text: String = "", line: Int = 0
    ) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// Children named `name`.
    public func children(_ name: String) -> [ParsedElement] {
        children.filter { $0.name == name }
    }

    /// The first child named `name`.
    public func child(_ name: String) -> ParsedElement? {
        children.first { $0.name == name }
    }

    /// The trimmed text of the first child named `name`.
    public func childText(_ name: String) -> String? {
        child(name)?.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public subscript(attribute: String) -> String? {
        attributes[attribute]
    }

    /// The text without the XML blanks (space, tab, CR, LF) around it: the value a schema type
    /// whose whitespace facet is `collapse` (boolean, numbers, dates, base64) reads, so that a
    /// value the schema accepts is read as the schema reads it (` true ` is true).
    public var collapsedText: String { Self.collapsed(text) }

    /// `value` without the XML blanks around it (see ``collapsedText``).
    public static func collapsed(_ value: String) -> String {
        let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        let bytes = value.utf8
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(value[first...last])
    }
}
