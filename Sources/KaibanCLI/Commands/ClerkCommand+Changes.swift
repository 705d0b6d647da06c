import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

extension ClerkCommand {
    /// `kaiban clerk roles ID --role window,reviewer --reason R`
    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "roles",
            abstract: localized(
                zh: "将工作人员的角色设为所列角色，理由记入其变更记录（限负责人；最后一名在岗负责人须保留负责人角色）。",
                en:
                    "Give a clerk exactly these roles, with a reason kept in the clerk's history (supervisors; the last active supervisor keeps the role)."
            )
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "工号。", en: "Clerk id."))
        var id: String

        @Option(
            help: .localized(
                zh: "此后的角色，以逗号分隔：window（窗口人员）、reviewer（审查人员）、supervisor（负责人）。",
                en: "The clerk's roles from now on, comma-separated: window, reviewer, supervisor."))
        var role: String

        @Option(help: .localized(zh: "理由（记入工作人员的变更记录）。", en: "Why (kept in the clerk's history)."))
        var reason: String?

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let roles = Set(
                    role.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
                let clerk = try await session.desk.changeRoles(
                    of: id, to: roles, reason: reason, as: session.actor)
                try await AppointmentsCommand.warnOfOverbookedSlots(session, json: output.json)
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
            commandName: "deactivate",
            abstract: localized(
                zh: "停用工作人员，停用后不能再办理；理由记入其变更记录（限负责人；不能停用最后一名在岗负责人）。",
                en:
                    "Deactivate a clerk: they can no longer act. With a reason kept in the clerk's history (supervisors; not the last active supervisor)."
            )
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "工号。", en: "Clerk id."))
        var id: String

        @Option(help: .localized(zh: "理由（记入工作人员的变更记录）。", en: "Why (kept in the clerk's history)."))
        var reason: String?

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let clerk = try await session.desk.deactivateClerk(id, reason: reason, as: session.actor)
                try await AppointmentsCommand.warnOfOverbookedSlots(session, json: output.json)
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
            commandName: "history",
            abstract: localized(
                zh: "工作人员的变更记录：登记、角色变更和停用，以及由谁、何时、因何办理。",
                en: "A clerk's history: registered, roles changed, deactivated; by whom, when and why."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "工号。", en: "Clerk id."))
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
