import Foundation
import KaibanCore
import KaibanCrypto

/// A clerk's token just issued: shown once, kept only hashed.
public struct ClerkTokenIssue: Sendable, Equatable, Codable {
    public var token: ClerkToken
    public var secret: String
    /// Whether it replaced (revoked) a token the clerk held.
    public var replaced: Bool
}

extension Desk {
    /// A supervisor issues a bearer token to an active clerk, valid for `days` working or not
    /// (1 to ``ClerkToken/maximumDays``); a token the clerk held is revoked with it.
    public func issueClerkToken(for clerk: String, days: Int = ClerkToken.defaultDays, as actor: DeskActor)
        async throws -> ClerkTokenIssue
    {
        try await run {
            let supervisor = try await requireSupervisor(
                actor, for: LocalizedText(zh: "签发工作人员令牌", en: "issue a clerk's token"))
            guard (1...ClerkToken.maximumDays).contains(days) else {
                throw Problem(
                    .invalid, "clerk-token.days-out-of-range",
                    zh: "令牌有效天数\(days)应在1至\(ClerkToken.maximumDays)之间",
                    en: "a token's \(days) days are not between 1 and \(ClerkToken.maximumDays)",
                    fields: [
                        FieldProblem(
                            field: "days",
                            reason: LocalizedText(
                                zh: "应在1至\(ClerkToken.maximumDays)之间", en: "not between 1 and \(ClerkToken.maximumDays)"
                            ))
                    ])
            }
            let secret = try Self.secret { try Secrets.token() }
            let now = instant(nowRounded: clock.now())
            let token = ClerkToken(
                clerk: clerk, issuedAt: now, issuedBy: supervisor.id,
                expiresAt: now.addingTimeInterval(TimeInterval(days) * 86_400))
            let replaced = try await store.issueClerkToken(
                token, tokenHash: Secrets.sha256Hex(secret), replacedReason: "签发新令牌 (replaced by a new token)")
            return ClerkTokenIssue(token: token, secret: secret, replaced: replaced)
        }
    }

    /// A supervisor revokes a clerk's valid token, with a reason: it stops working at once.
    public func revokeClerkToken(for clerk: String, reason: String?, as actor: DeskActor) async throws -> ClerkToken {
        try await run {
            let supervisor = try await requireSupervisor(
                actor, for: LocalizedText(zh: "停用工作人员令牌", en: "revoke a clerk's token"))
            let text = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "理由", en: "the reason"), required: true)
            return try await store.revokeClerkToken(
                of: clerk, by: supervisor.id, reason: text, at: instant(nowRounded: clock.now()))
        }
    }

    /// Every clerk token, or one clerk's, newest first (never the secrets: only their hashes are
    /// kept), for a supervisor (`actor`): who holds a dashboard token, since when and until when, is
    /// the supervisors' to see (any clerk could list them; from a re-trial).
    public func clerkTokens(of clerk: String? = nil, as actor: DeskActor) async throws -> [ClerkToken] {
        try await run {
            _ = try await requireSupervisor(actor, for: LocalizedText(zh: "查看令牌", en: "list the tokens"))
            return try await store.clerkTokens(of: clerk)
        }
    }

    /// The active supervisor whose bearer token `secret` is, for the supervisors' pages. A missing,
    /// unknown, revoked or expired token is `staff.unauthorized`; a valid token of a clerk who is not
    /// an active supervisor is `staff.supervisor-required`, and a portal's token
    /// `staff.portal-token` (both forbidden: who it is is known, and it may not).
    public func supervisor(bearer secret: String) async throws -> Clerk {
        try await run {
            guard !secret.isEmpty, secret.count <= 200 else { throw Self.staffUnauthorized }
            let hash = Secrets.sha256Hex(secret)
            guard let (token, clerk) = try await store.clerkToken(tokenHash: hash) else {
                if try await store.portal(tokenHash: hash) != nil {
                    throw Problem(
                        .forbidden, "staff.portal-token", zh: "门户令牌不能用于工作人员页面",
                        en: "a portal's token does not open the staff's pages")
                }
                throw Self.staffUnauthorized
            }
            guard token.isValid(at: clock.now()) else { throw Self.staffUnauthorized }
            guard clerk.isSupervisor else {
                throw Problem(
                    .forbidden, "staff.supervisor-required", zh: "只有在职的负责人可以查看监控看板（\(clerk.id)不是）",
                    en: "only an active supervisor may see the dashboard (\(clerk.id) is not one)")
            }
            return clerk
        }
    }

    /// No valid staff token.
    static let staffUnauthorized = Problem(
        .forbidden, "staff.unauthorized", zh: "缺少工作人员令牌，或令牌无效、已过期、已停用",
        en: "the clerk's token is missing, unknown, expired or revoked")
}
