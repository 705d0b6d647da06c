import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban clerk`: the hall's staff and their roles.
struct ClerkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clerk", abstract: "Manage clerks and their roles (工作人员).",
        subcommands: [Add.self, List.self, Roles.self, Deactivate.self, History.self], defaultSubcommand: List.self)

    /// `kaiban clerk add ID --name NAME --role window,reviewer`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Register a clerk. The first clerk of a new database must be a supervisor; later ones are added by a supervisor (--as)."
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "Clerk id: lower-case letters, digits, '.', '_' or '-'.")
        var id: String

        @Option(help: "Full name.")
        var name: String

        @Option(help: "Roles, comma-separated: window, reviewer, supervisor.")
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
        static let configuration = CommandConfiguration(abstract: "List clerks.")

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
