import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban clerk`: the hall's staff and their roles.
struct ClerkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clerk", abstract: "Manage clerks and their roles (工作人员).",
        subcommands: [Add.self, List.self], defaultSubcommand: List.self)

    /// `kaiban clerk add ID --name NAME --role window,reviewer`
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Register a clerk. The first clerk of a new database should be a supervisor; later ones are added by a supervisor (--as)."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "Clerk id: lower-case letters, digits, '.', '_' or '-'.")
        var id: String

        @Option(help: "Full name.")
        var name: String

        @Option(help: "Roles, comma-separated: window, reviewer, supervisor.")
        var role: String

        var roles: Set<String> {
            Set(role.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }

        func validate() throws {
            guard Clerk.isValidID(id) else {
                throw ValidationError("clerk id \"\(id)\": use 1-32 lower-case letters, digits, '.', '_' or '-'")
            }
            guard !roles.isEmpty else { throw ValidationError("--role: give at least one role") }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--name: give the clerk's name")
            }
        }

        func run() throws {
            try withDesk(global) { desk in
                let known = Set(try desk.store.definitions().flatMap { $0.roles.map(\.id) })
                let unknown = roles.subtracting(known)
                guard unknown.isEmpty else {
                    throw ValidationError(
                        "--role: unknown \(unknown.sorted().joined(separator: ", ")) (known: \(known.sorted().joined(separator: ", ")))"
                    )
                }
                try desk.store.addClerk(Clerk(id: id, name: name, roles: roles), by: desk.configuration.clerk)
                Console.print(desk.language == .zh ? "已登记工作人员\(id)（\(name)）" : "clerk \(id) (\(name)) registered")
            }
        }
    }

    /// `kaiban clerk list`
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List clerks.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try withDesk(global) { desk in
                let clerks = try desk.store.clerks()
                if output.json {
                    try Console.json(
                        clerks.map { ClerkView(id: $0.id, name: $0.name, roles: $0.roles.sorted(), active: $0.active) })
                    return
                }
                let definition = try desk.store.latestDefinition(desk.configuration.workflowID)
                let zh = desk.language == .zh
                var table = TextTable(zh ? ["工号", "姓名", "角色", "状态"] : ["id", "name", "roles", "status"])
                for clerk in clerks {
                    table.add([
                        clerk.id, clerk.name,
                        clerk.roles.sorted().map { definition.roleName($0).text(desk.language) }.joined(
                            separator: zh ? "、" : ", "),
                        clerk.active ? (zh ? "在岗" : "active") : (zh ? "停用" : "inactive"),
                    ])
                }
                Console.print(table.rendered)
            }
        }
    }
}

/// A clerk as printed in JSON.
struct ClerkView: Encodable {
    var id: String
    var name: String
    var roles: [String]
    var active: Bool
}
