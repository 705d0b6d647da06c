import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban workflow`: the workflow definition versions registered in the database.
struct WorkflowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workflow",
        abstract: localized(zh: "列出在用的流程定义版本。", en: "List the workflow definition versions in use (流程定义)."),
        discussion: localized(
            zh: "每条命令运行时都读取 Forms/workflows/ 中的流程定义；文件的版本号提高后即登记为新版本，新收件的办件使用新版本，未办结的办件仍沿用原版本。",
            en:
                "Definitions are read from Forms/workflows/ on every command; a file with a raised version is registered as a new version and new cases use it, while open cases keep theirs."
        )
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
