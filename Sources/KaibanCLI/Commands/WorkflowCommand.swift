import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban workflow`: the workflow definition versions registered in the database.
struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow", abstract: "List the workflow definition versions in use (流程定义).",
        discussion:
            "Definitions are read from Forms/workflows/ on every command; a file with a raised version is registered as a new version and new cases use it, while open cases keep theirs."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let definitions = try await session.desk.definitions()
            if output.json {
                try Console.json(definitions)
                return
            }
            var table = TextTable(
                session.zh ? ["流程", "版本", "名称", "环节数", "步骤数"] : ["workflow", "version", "title", "stages", "steps"])
            for definition in definitions {
                table.add([
                    definition.key.id, "\(definition.key.version)", definition.title.text(session.language),
                    "\(definition.stages.count)", "\(definition.transitions.count)",
                ])
            }
            Console.print(table.rendered)
        }
    }
}
