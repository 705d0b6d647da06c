import Foundation
import KaibanCore
import KaibanDesk

/// Clerks on PostgreSQL: the register with its append-only history, clerks' API tokens and the
/// portals' tokens.
extension PostgresStore {
    public func addClerk(_ clerk: Clerk, by actor: String?, at now: Date) async throws {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员", en: "clerks"))
    }

    public func changeClerk(_ id: String, _ change: ClerkChange, reason: String, by actor: String, at now: Date)
        async throws -> Clerk
    {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员", en: "clerks"))
    }

    public func clerkHistory(_ id: String) async throws -> [ClerkEvent] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员", en: "clerks"))
    }

    public func clerk(_ id: String) async throws -> Clerk {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员", en: "clerks"))
    }

    public func clerks() async throws -> [Clerk] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员", en: "clerks"))
    }

    public func issueClerkToken(_ token: ClerkToken, tokenHash: String, replacedReason: String) async throws -> Bool {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员令牌", en: "clerk tokens"))
    }

    public func revokeClerkToken(of clerk: String, by actor: String, reason: String, at now: Date) async throws
        -> ClerkToken
    {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员令牌", en: "clerk tokens"))
    }

    public func clerkTokens(of clerk: String?) async throws -> [ClerkToken] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员令牌", en: "clerk tokens"))
    }

    public func clerkToken(tokenHash: String) async throws -> (token: ClerkToken, clerk: Clerk)? {
        throw PostgresStoreError.notYet(LocalizedText(zh: "工作人员令牌", en: "clerk tokens"))
    }

    public func addPortal(_ portal: Portal, tokenHash: String) async throws {
        throw PostgresStoreError.notYet(LocalizedText(zh: "门户", en: "portals"))
    }

    public func portals() async throws -> [Portal] {
        throw PostgresStoreError.notYet(LocalizedText(zh: "门户", en: "portals"))
    }

    public func revokePortal(_ id: String, by actor: String, reason: String, at now: Date) async throws -> Portal {
        throw PostgresStoreError.notYet(LocalizedText(zh: "门户", en: "portals"))
    }

    public func portal(tokenHash: String) async throws -> Portal? {
        throw PostgresStoreError.notYet(LocalizedText(zh: "门户", en: "portals"))
    }
}
