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
}
