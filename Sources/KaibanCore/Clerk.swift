import Foundation

/// A named member of the hall's staff and the roles they hold.
public struct Clerk: Sendable, Equatable, Codable {
    /// Login-like id, e.g. `wangfang`.
    public var id: String
    public var name: String
    public var roles: Set<String>
    public var active: Bool

    /// The role that administers the hall: clerks, the calendar, maintenance.
    public static let supervisorRole = "supervisor"

    /// Whether the clerk is an active supervisor.
    public var isSupervisor: Bool { active && roles.contains(Self.supervisorRole) }

    public init(id: String, name: String, roles: Set<String>, active: Bool = true) {
        self.id = id
        self.name = name
        self.roles = roles
        self.active = active
    }

    /// Whether `id` is acceptable as a clerk id: 1–32 of a-z, 0-9, '.', '_' and '-'.
    public static func isValidID(_ id: String) -> Bool {
        // Starting with a letter or digit: "-x9" read as an option on the command line, and "."
        // or ".." as folders (from a trial of clerk administration).
        (1...32).contains(id.count)
            && id.first.map { $0.isASCII && ($0.isLowercase || $0.isNumber) } == true
            && id.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "_" || $0 == "-" }
    }
}
