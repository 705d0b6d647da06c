import Foundation
import KaibanCore

/// A clerk and everything recorded about them.
public struct ClerkHistory: Sendable, Equatable, Codable {
    public var clerk: ClerkView
    /// Oldest first.
    public var events: [ClerkEvent]
}

extension Desk {
    /// Gives clerk `id` exactly `roles`, with a reason kept in the clerk's history; a supervisor's
    /// act. The last active supervisor keeps the supervisor role.
    public func changeRoles(of id: String, to roles: Set<String>, reason: String?, as actor: DeskActor) async throws
        -> ClerkView
    {
        try await run {
            let supervisor = try await requireSupervisor(actor, for: Self.clerkChanges)
            let reason = try clerkChangeReason(reason)
            let problems = try await roleProblems(roles)
            guard problems.isEmpty else {
                throw Problem(
                    .invalid, "clerk.invalid", zh: "工作人员信息有误：", en: "the clerk cannot be changed:", fields: problems)
            }
            return ClerkView(
                try await store.changeClerk(id, .roles(roles), reason: reason, by: supervisor.id, at: clock.now()))
        }
    }

    /// Deactivates clerk `id` (they can no longer act), with a reason kept in the clerk's history;
    /// a supervisor's act. A clerk is deactivated once; the last active supervisor cannot be.
    public func deactivateClerk(_ id: String, reason: String?, as actor: DeskActor) async throws -> ClerkView {
        try await run {
            let supervisor = try await requireSupervisor(actor, for: Self.clerkChanges)
            let reason = try clerkChangeReason(reason)
            return ClerkView(
                try await store.changeClerk(id, .deactivate, reason: reason, by: supervisor.id, at: clock.now()))
        }
    }

    /// Clerk `id` as they stand, and their history.
    public func clerkHistory(_ id: String) async throws -> ClerkHistory {
        try await run {
            ClerkHistory(clerk: ClerkView(try await store.clerk(id)), events: try await store.clerkHistory(id))
        }
    }

    /// What only a supervisor may do to clerks already registered, for messages.
    public static let clerkChanges = LocalizedText(
        zh: "变更工作人员的角色或停用工作人员", en: "change clerks' roles or deactivate clerks")

    /// The reason for a change to a clerk: required, one line of free text.
    func clerkChangeReason(_ reason: String?) throws -> String {
        let trimmed = reason?.trimmingCharacters(in: .whitespaces) ?? ""
        if let problem = FreeText.problem(trimmed, limit: FreeText.reasonLimit) {
            throw Problem(
                .refused, "text.not-accepted", zh: "理由\(problem.zh)", en: "the reason \(problem.en)",
                fields: [FieldProblem(field: "reason", reason: problem)])
        }
        guard !trimmed.isEmpty else {
            throw Problem(
                .invalid, "clerk.reason-required", zh: "变更或停用工作人员须说明理由",
                en: "a change to a clerk needs a reason")
        }
        return trimmed
    }
}
