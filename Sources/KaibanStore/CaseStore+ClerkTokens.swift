import Foundation
import GRDB
import KaibanCore
import KaibanDesk

extension CaseStore {
    static func clerkToken(_ row: Row) -> ClerkToken {
        func date(_ column: String) -> Date? {
            (row[column] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
        return ClerkToken(
            clerk: row["clerk_id"], issuedAt: date("issued_at") ?? .distantPast, issuedBy: row["issued_by"],
            expiresAt: date("expires_at") ?? .distantPast, revokedAt: date("revoked_at"), revokedBy: row["revoked_by"],
            revokeReason: row["revoke_reason"])
    }

    /// Revokes the clerk's unrevoked token, if any; whether there was one.
    func revokeValidToken(of clerk: String, by actor: String, reason: String, at now: Date, _ db: Database) throws
        -> Bool
    {
        try db.execute(
            sql: """
                UPDATE clerk_token SET revoked_at = ?, revoked_by = ?, revoke_reason = ?
                WHERE clerk_id = ? AND revoked_at IS NULL
                """, arguments: [Self.seconds(now), actor, reason, clerk])
        return db.changesCount > 0
    }

    /// See ``DeskStore/issueClerkToken(_:tokenHash:replacedReason:)``.
    package func issueClerkToken(_ token: ClerkToken, tokenHash: String, replacedReason: String) throws -> Bool {
        try write { db in
            try requireSupervisor(
                token.issuedBy, act: LocalizedText(zh: "签发工作人员令牌", en: "issue a clerk's token"), db)
            let clerk = try fetchClerk(token.clerk, db)
            guard clerk.active else { throw WorkflowError.clerkInactive(clerk: clerk.id) }
            let replaced = try revokeValidToken(
                of: token.clerk, by: token.issuedBy, reason: replacedReason, at: token.issuedAt, db)
            try db.execute(
                sql: """
                    INSERT INTO clerk_token (clerk_id, token_hash, issued_at, issued_by, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.clerk, tokenHash, Self.seconds(token.issuedAt), token.issuedBy, Self.seconds(token.expiresAt),
                ])
            return replaced
        }
    }

    /// See ``DeskStore/revokeClerkToken(of:by:reason:at:)``.
    package func revokeClerkToken(of clerk: String, by actor: String, reason: String, at now: Date) throws
        -> ClerkToken
    {
        try write { db in
            try requireSupervisor(actor, act: LocalizedText(zh: "停用工作人员令牌", en: "revoke a clerk's token"), db)
            _ = try fetchClerk(clerk, db)
            guard
                let id = try Int64.fetchOne(
                    db, sql: "SELECT id FROM clerk_token WHERE clerk_id = ? AND revoked_at IS NULL", arguments: [clerk])
            else { throw StoreError.clerkTokenNotFound(clerk) }
            _ = try revokeValidToken(of: clerk, by: actor, reason: reason, at: now, db)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM clerk_token WHERE id = ?", arguments: [id]) else {
                throw StoreError.clerkTokenNotFound(clerk)
            }
            return Self.clerkToken(row)
        }
    }

    /// Every token, or the clerk's, newest first.
    package func clerkTokens(of clerk: String?) throws -> [ClerkToken] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM clerk_token WHERE ?1 IS NULL OR clerk_id = ?1 ORDER BY issued_at DESC, id DESC",
                arguments: [clerk]
            ).map(Self.clerkToken)
        }
    }

    /// The token whose hash is `tokenHash` and its clerk as they stand, in one read.
    package func fetchClerkToken(tokenHash: String) throws -> (token: ClerkToken, clerk: Clerk)? {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM clerk_token WHERE token_hash = ?"), arguments: [tokenHash])
            else { return nil }
            let token = Self.clerkToken(row)
            return (token, try fetchClerk(token.clerk, db))
        }
    }
}
