import Foundation
import KaibanCore

/// A clerk as listed: roles sorted.
public struct ClerkView: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var roles: [String]
    public var active: Bool

    init(_ clerk: Clerk) {
        id = clerk.id
        name = clerk.name
        roles = clerk.roles.sorted()
        active = clerk.active
    }
}

extension Desk {
    /// Registers a clerk. The first clerk of a new database is added by no one and must be a
    /// supervisor; every later one is added by a supervisor.
    public func addClerk(id: String, name: String, roles: Set<String>, as actor: DeskActor) async throws -> ClerkView {
        try await run {
            var problems: [FieldProblem] = []
            if !Clerk.isValidID(id) {
                problems.append(
                    FieldProblem(
                        field: "id",
                        reason: LocalizedText(
                            zh: "“\(id)”不可用：工号为1至32个小写字母、数字、“.”“_”或“-”，以字母或数字开头",
                            en:
                                "\"\(id)\": use 1-32 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
                        )))
            }
            if let problem = FreeText.problem(name, limit: FreeText.nameLimit) {
                problems.append(FieldProblem(field: "name", reason: problem))
            } else if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                problems.append(
                    FieldProblem(field: "name", reason: LocalizedText(zh: "须填写姓名", en: "give the clerk's name")))
            }
            problems += try await roleProblems(roles)
            guard problems.isEmpty else {
                throw Problem(
                    .invalid, "clerk.invalid", zh: "工作人员信息有误：", en: "the clerk cannot be registered:", fields: problems)
            }
            let clerk = Clerk(id: id, name: name.trimmingCharacters(in: .whitespacesAndNewlines), roles: roles)
            try await store.addClerk(clerk, by: actor.clerkID, at: clock.now())
            return ClerkView(clerk)
        }
    }

    /// What is wrong with `roles` for a clerk: none, or one the workflows do not know.
    func roleProblems(_ roles: Set<String>) async throws -> [FieldProblem] {
        let known = Set(try await definitions().flatMap { $0.roles.map(\.id) })
        let unknown = roles.subtracting(known)
        if roles.isEmpty {
            return [FieldProblem(field: "roles", reason: LocalizedText(zh: "至少给一个角色", en: "give at least one role"))]
        } else if !unknown.isEmpty {
            let list = known.sorted().joined(separator: ", ")
            return [
                FieldProblem(
                    field: "roles",
                    reason: LocalizedText(
                        zh: "未知角色\(unknown.sorted().joined(separator: "、"))（可选：\(list)）",
                        en: "unknown \(unknown.sorted().joined(separator: ", ")) (known: \(list))"))
            ]
        }
        return []
    }

    /// Every clerk, by id.
    public func clerks() async throws -> [ClerkView] {
        try await run { try await store.clerks().map(ClerkView.init) }
    }
}
