import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban queue`: the worklist of open cases, most urgent first.
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue", abstract: "List open cases, least time left first, with their SLA figures (待办).",
        discussion: "Elapsed and remaining are working minutes of government time against the 0.4-working-day budget.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Only cases where this role has something to do (window, reviewer, supervisor).")
    var role: String?

    @Option(help: "Only cases at this stage (e.g. received, review).")
    var stage: String?

    @Option(help: "At most this many cases.")
    var limit = 50

    @OptionGroup var time: InstantOption

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let items = try await session.desk.worklist(role: role, stage: stage, limit: limit, at: time.instant)
            if output.json {
                try Console.json(items)
            } else if items.isEmpty {
                Console.print(session.zh ? "没有待办的办件" : "no open cases")
            } else {
                Console.print(
                    CasePresenter.worklist(
                        items, definitions: try await session.desk.definitions(), language: session.language))
            }
        }
    }
}
