import Foundation

/// One entry of a clerk's append-only history: registered, roles changed, deactivated; who did it,
/// when (the desk's clock, never typed in) and why.
public struct ClerkEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Registered (by a supervisor; the first clerk of a database by no one).
        case added
        /// Given another set of roles.
        case rolesChanged = "roles-changed"
        /// No longer able to act.
        case deactivated
    }

    public var clerk: String
    /// 1 for the clerk's first event, then consecutive.
    public var sequence: Int
    public var at: Date
    public var kind: Kind
    /// The supervisor who did it; nil for the first clerk of a database.
    public var actor: String?
    /// The clerk's roles after the event, sorted.
    public var roles: [String]
    /// With `roles-changed`: the roles before, sorted.
    public var previousRoles: [String]?
    public var reason: String?

    public init(
        clerk: String, sequence: Int, at: Date, kind: Kind, actor: String?, roles: [String],
        previousRoles: [String]? = nil, reason: String? = nil
    ) {
        self.clerk = clerk
        self.sequence = sequence
        self.at = at
        self.kind = kind
        self.actor = actor
        self.roles = roles
        self.previousRoles = previousRoles
        self.reason = reason
    }
}

/// A supervisor's change to a clerk.
public enum ClerkChange: Sendable, Equatable {
    /// The clerk's roles become exactly these.
    case roles(Set<String>)
    /// The clerk can no longer act.
    case deactivate
}

extension Clerk {
    /// The clerk as they stood at `instant` by their `history` (oldest first): their roles and
    /// whether they were active then; nil when they were not registered yet. A clerk registered
    /// before the history was kept (no events) is taken as they stand now.
    public func asOf(_ instant: Date, history: [ClerkEvent]) -> Clerk? {
        guard let first = history.first else { return self }
        // Registered before the history was kept: active, with the roles held before its first event.
        var then: Clerk? =
            first.kind == .added
            ? nil : Clerk(id: id, name: name, roles: Set(first.previousRoles ?? first.roles), active: true)
        for event in history where event.at <= instant {
            switch event.kind {
            case .added: then = Clerk(id: id, name: name, roles: Set(event.roles), active: true)
            case .rolesChanged: then?.roles = Set(event.roles)
            case .deactivated: then?.active = false
            }
        }
        return then
    }
}
