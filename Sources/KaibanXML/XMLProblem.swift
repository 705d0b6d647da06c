import Foundation

/// Why an XML document (or schema) was refused, with every issue libxml2 reported and its line.
public struct XMLProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// One issue at one line (0 when libxml2 gave none).
    public struct Issue: Sendable, Equatable {
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }
    }

    /// The file name or other label of the document.
    public var source: String
    public var issues: [Issue]

    public init(source: String, issues: [Issue]) {
        self.source = source
        self.issues = issues
    }

    public init(source: String, line: Int = 0, _ message: String) {
        self.init(source: source, issues: [Issue(line: line, message: message)])
    }

    /// `file:line: message`, one per line.
    public var description: String {
        issues.map { "\(source):\($0.line): \($0.message)" }.joined(separator: "\n")
    }
}
