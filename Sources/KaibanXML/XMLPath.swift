import Foundation

/// An element's expanded name: its namespace URI (nil for none) and its local name.
public struct XMLName: Sendable, Hashable, CustomStringConvertible {
    public var namespace: String?
    public var local: String

    public init(_ local: String, namespace: String? = nil) {
        self.local = local
        self.namespace = namespace
    }

    /// `{urn:x}local`, or `local` without a namespace (the notation libxml2's messages use).
    public var description: String {
        namespace.map { "{\($0)}\(local)" } ?? local
    }
}

/// A path of element names from the document element down: `Envelope/Signature` is the
/// `Signature` element that is a child of the document element `Envelope`. Each step names a
/// child of the element the previous step found; the first step names the document element.
public struct XMLPath: Sendable, Hashable, CustomStringConvertible {
    public var steps: [XMLName]

    public init(_ steps: [XMLName]) {
        self.steps = steps
    }

    /// A path whose every step is in one namespace: `XMLPath(namespace: ns, "Envelope", "Signature")`.
    public init(namespace: String?, _ locals: String...) {
        self.steps = locals.map { XMLName($0, namespace: namespace) }
    }

    public var description: String {
        "/" + steps.map(\.description).joined(separator: "/")
    }
}
