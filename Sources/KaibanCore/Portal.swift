import Foundation

/// A portal that submits applications over the API: the hall's website (网上办) or its mobile
/// app (掌上办). It authenticates with its own bearer token (kept hashed); the channel of every
/// case it submits is the portal's, never the request's.
public struct Portal: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var channel: Channel
    public var createdAt: Date
    public var createdBy: String
    public var revokedAt: Date?
    public var revokedBy: String?
    public var revokeReason: String?

    public init(
        id: String, name: String, channel: Channel, createdAt: Date, createdBy: String, revokedAt: Date? = nil,
        revokedBy: String? = nil, revokeReason: String? = nil
    ) {
        self.id = id
        self.name = name
        self.channel = channel
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.revokedAt = revokedAt
        self.revokedBy = revokedBy
        self.revokeReason = revokeReason
    }

    public var isActive: Bool { revokedAt == nil }

    /// The channels a portal can be: the online site and the mobile app.
    public static let channels: [Channel] = [.online, .mobile]

    /// What is wrong with `id` as a portal's id: 2 to 32 lower-case letters, digits and dashes,
    /// starting with a letter.
    public static func idProblem(_ id: String) -> LocalizedText? {
        let ok =
            (2...32).contains(id.count) && id.first?.isASCII == true && id.first?.isLowercase == true
            && id.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
        return ok
            ? nil
            : LocalizedText(
                zh: "门户标识须为2至32位小写字母、数字或连字符，以字母开头",
                en: "a portal id is 2 to 32 lower-case letters, digits or dashes, starting with a letter")
    }

    /// The id the history records as the actor of what a portal submits.
    public var actorID: String { "portal:\(id)" }
}
