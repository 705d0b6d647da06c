import Foundation

/// A clerk's bearer token for the staff's HTTP pages (the supervisors' dashboard): issued by a
/// supervisor, shown once, kept only hashed, valid until it expires or is revoked (never deleted
/// or re-keyed). A clerk holds at most one valid token: issuing a new one revokes the old.
public struct ClerkToken: Sendable, Equatable, Codable {
    public var clerk: String
    public var issuedAt: Date
    public var issuedBy: String
    public var expiresAt: Date
    public var revokedAt: Date?
    public var revokedBy: String?
    public var revokeReason: String?

    public init(
        clerk: String, issuedAt: Date, issuedBy: String, expiresAt: Date, revokedAt: Date? = nil,
        revokedBy: String? = nil, revokeReason: String? = nil
    ) {
        self.clerk = clerk
        self.issuedAt = issuedAt
        self.issuedBy = issuedBy
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
        self.revokeReason = revokeReason
    }

    /// Whether the token opens anything at `now`: not revoked, not expired.
    public func isValid(at now: Date) -> Bool { revokedAt == nil && now < expiresAt }

    /// Days a token lasts unless the supervisor says otherwise, and at most.
    public static let defaultDays = 90
    public static let maximumDays = 365
}
