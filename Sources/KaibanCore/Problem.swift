import Foundation

/// What kind of problem stopped a request: each edge maps kinds to its own signals (the CLI to
/// exit codes, the HTTP server to statuses). Kinds never depend on the transport.
public enum ProblemKind: String, Sendable, Codable, CaseIterable {
    /// The request itself is malformed or incomplete (who is acting is missing, a value is unreadable).
    case invalid
    /// The rules refuse it (an application with problems, a step the stage does not allow).
    case refused
    /// The actor may not do it (a missing role, a deactivated clerk).
    case forbidden
    /// It clashes with the current state (a stale version, a name already registered).
    case conflict
    /// The case, clerk, file or definition named does not exist.
    case notFound = "not-found"
    /// The database failed or holds something inconsistent.
    case storage
    /// A definition, schema or reference data file is broken.
    case brokenData = "broken-data"
}

/// A problem with a stable code (`case.not-found`, `step.not-allowed`, `application.invalid`…),
/// its text in both languages, and the fields it concerns. Texts never name a flag or a command:
/// each edge adds its own hint.
public struct Problem: ClerkReadable, Sendable, Equatable, Codable, CustomStringConvertible {
    public var kind: ProblemKind
    /// Stable, dotted, lower-case: what scripts and portals switch on.
    public var code: String
    public var text: LocalizedText
    /// Field problems, for a request with several things wrong (一次性告知).
    public var fields: [FieldProblem]
    /// For a refusal that lifts by itself (too many wrong passwords): in how many seconds.
    public var retryAfterSeconds: Int?

    public init(_ kind: ProblemKind, _ code: String, _ text: LocalizedText, fields: [FieldProblem] = []) {
        self.kind = kind
        self.code = code
        self.text = text
        self.fields = fields
    }

    public init(_ kind: ProblemKind, _ code: String, zh: String, en: String, fields: [FieldProblem] = []) {
        self.init(kind, code, LocalizedText(zh: zh, en: en), fields: fields)
    }

    /// The text, then one line per field problem.
    public func message(_ language: Language) -> String {
        ([text.text(language)] + fields.map { "  - \($0.field): \($0.reason.text(language))" })
            .joined(separator: "\n")
    }

    public var description: String { "\(code): \(message(.en))" }
}

/// An error that is one of the desk's problems.
public protocol ProblemConvertible: Error {
    var problem: Problem { get }
}

extension Problem: ProblemConvertible {
    public var problem: Problem { self }
}

extension Problem {
    /// Any error as a problem: the domain's own as they are, anything else as a storage failure.
    public static func from(_ error: any Error) -> Problem {
        if let convertible = error as? any ProblemConvertible { return convertible.problem }
        return Problem(
            .storage, "storage.failed", zh: "内部错误：\(error)", en: "internal failure: \(error)")
    }
}
