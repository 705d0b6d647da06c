import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

extension ClerkCommand {
    /// `kaiban clerk roles ID --role window,reviewer --reason R`
    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Give a clerk exactly these roles, with a reason kept in the clerk's history (supervisors; the last active supervisor keeps the role)."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "Clerk id.")
        var id: String

        @Option(help: "The clerk's roles from now on, comma-separated: window, reviewer, supervisor.")
        var role: String

        @Option(help: "Why (kept in the clerk's history).")
        var reason: String?

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let roles = Set(
                    role.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
                let clerk = try await session.desk.changeRoles(
                    of: id, to: roles, reason: reason, as: session.actor)
                if output.json {
                    try Console.json(clerk)
                    return
                }
                let definition = try await session.desk.latestDefinition()
                let names = clerk.roles.map { definition.roleName($0).text(session.language) }
                Console.print(
                    session.zh
                        ? "工作人员\(clerk.id)（\(clerk.name)）的角色现为：\(names.joined(separator: "、"))"
                        : "clerk \(clerk.id) (\(clerk.name)) now holds: \(names.joined(separator: ", "))")
            }
        }
    }

    /// `kaiban clerk deactivate ID --reason R`
    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Deactivate a clerk: they can no longer act. With a reason kept in the clerk's history (supervisors; not the last active supervisor)."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "Clerk id.")
        var id: String

        @Option(help: "Why (kept in the clerk's history).")
        var reason: String?

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let clerk = try await session.desk.deactivateClerk(id, reason: reason, as: session.actor)
                if output.json {
                    try Console.json(clerk)
                } else {
                    Console.print(
                        session.zh
                            ? "已停用工作人员\(clerk.id)（\(clerk.name)）" : "clerk \(clerk.id) (\(clerk.name)) deactivated")
                }
            }
        }
    }

    /// `kaiban clerk history ID`
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A clerk's history: registered, roles changed, deactivated; by whom, when and why.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "Clerk id.")
        var id: String

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let history = try await session.desk.clerkHistory(id)
                if output.json {
                    try Console.json(history)
                    return
                }
                let zh = session.zh
                let definition = try await session.desk.latestDefinition()
                func roles(_ ids: [String]?) -> String {
                    (ids ?? []).map { definition.roleName($0).text(session.language) }.joined(
                        separator: zh ? "、" : ", ")
                }
                let clerk = history.clerk
                Console.print(
                    clerk.id + (zh ? "（\(clerk.name)）：" : " (\(clerk.name)): ") + roles(clerk.roles) + (zh ? "，" : ", ")
                        + (clerk.active ? (zh ? "在岗" : "active") : (zh ? "停用" : "inactive")))
                var table = TextTable(
                    zh
                        ? ["序号", "时间", "操作", "办理人", "原角色", "角色", "理由"]
                        : ["#", "time", "change", "by", "roles before", "roles", "reason"])
                for event in history.events {
                    let change: String
                    switch event.kind {
                    case .added: change = zh ? "登记" : "registered"
                    case .rolesChanged: change = zh ? "变更角色" : "roles changed"
                    case .deactivated: change = zh ? "停用" : "deactivated"
                    }
                    table.add([
                        "\(event.sequence)", HallTime.localText(of: event.at), change, event.actor ?? "",
                        roles(event.previousRoles), roles(event.roles), event.reason ?? "",
                    ])
                }
                Console.print(table.rendered)
                if history.events.isEmpty {
                    Console.print(
                        zh ? "（登记早于工作人员记录的启用，无记录）" : "(registered before clerk history was kept: nothing recorded)")
                }
            }
        }
    }
}
