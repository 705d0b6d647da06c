import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban clerk`: the hall's staff and their roles.
struct ClerkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clerk", abstract: localized(zh: "管理工作人员及其角色。", en: "Manage clerks and their roles (工作人员)."),
        subcommands: [Add.self, List.self, Roles.self, Deactivate.self, History.self, Token.self],
        defaultSubcommand: List.self)

    /// `kaiban clerk add ID --name NAME --role window,reviewer`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: localized(
                zh: "登记工作人员。新数据库登记的第一名工作人员必须是负责人；此后由负责人（--as）登记。",
                en:
                    "Register a clerk. The first clerk of a new database must be a supervisor; later ones are added by a supervisor (--as)."
            )
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(
            help: .localized(
                zh: "工号：小写字母、数字、“.”、“_”或“-”。", en: "Clerk id: lower-case letters, digits, '.', '_' or '-'."))
        var id: String

        @Option(help: .localized(zh: "姓名。", en: "Full name."))
        var name: String

        @Option(
            help: .localized(
                zh: "角色，以逗号分隔：window（窗口人员）、reviewer（审查人员）、supervisor（负责人）。",
                en: "Roles, comma-separated: window, reviewer, supervisor."))
        var role: String

        var roles: Set<String> {
            Set(role.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let clerk = try await session.desk.addClerk(id: id, name: name, roles: roles, as: session.actor)
                if output.json {
                    try Console.json(clerk)
                } else {
                    Console.print(
                        session.zh
                            ? "已登记工作人员\(clerk.id)（\(clerk.name)）" : "clerk \(clerk.id) (\(clerk.name)) registered")
                }
            }
        }
    }

    /// `kaiban clerk list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: localized(zh: "列出工作人员。", en: "List clerks."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let clerks = try await session.desk.clerks()
                if output.json {
                    try Console.json(clerks)
                    return
                }
                let definition = try await session.desk.latestDefinition()
                let zh = session.zh
                var table = TextTable(zh ? ["工号", "姓名", "角色", "状态"] : ["id", "name", "roles", "status"])
                for clerk in clerks {
                    table.add([
                        clerk.id, clerk.name,
                        clerk.roles.map { definition.roleName($0).text(session.language) }.joined(
                            separator: zh ? "、" : ", "),
                        clerk.active ? (zh ? "在岗" : "active") : (zh ? "停用" : "inactive"),
                    ])
                }
                Console.print(table.rendered)
            }
        }
    }
}
