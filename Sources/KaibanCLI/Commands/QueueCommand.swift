import ArgumentParser
import Foundation
import KaibanCore
import KaibanStore

/// `kaiban queue`: the worklist of open cases, most urgent first.
struct QueueCommand: ParsableCommand {
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

    func run() throws {
        try withDesk(global) { desk in
            let definitions = try desk.store.definitions()
            var stages: [String]?
            if let role {
                guard definitions.contains(where: { $0.role(role) != nil }) else {
                    let known = Set(definitions.flatMap { $0.roles.map(\.id) }).sorted().joined(separator: ", ")
                    throw ValidationError("--role: unknown role \"\(role)\" (known: \(known))")
                }
                stages = Array(Set(definitions.flatMap { $0.stages(actionableBy: role) })).sorted()
            }
            if let stage {
                guard definitions.contains(where: { $0.stage(stage) != nil }) else {
                    let known = Set(definitions.flatMap { $0.stages.map(\.id) }).sorted().joined(separator: ", ")
                    throw ValidationError("--stage: unknown stage \"\(stage)\" (known: \(known))")
                }
                stages = stages.map { $0.filter { $0 == stage } } ?? [stage]
            }
            let items = Array(
                try desk.worklist(stages: stages, now: time.instant(), clock: desk.slaClock()).prefix(limit))
            if output.json {
                try Console.json(items)
                return
            }
            guard let newest = definitions.first else { return }
            if items.isEmpty {
                Console.print(desk.language == .zh ? "没有待办的办件" : "no open cases")
                return
            }
            Console.print(CasePresenter(definition: newest, language: desk.language).worklist(items))
        }
    }
}
