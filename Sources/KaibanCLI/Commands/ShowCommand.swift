import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban show N`: one case in full, with the steps allowed next.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a case (查看办件).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Case number, e.g. 510811-20261126-0007.")
    var number: CaseNumber

    @OptionGroup var time: InstantOption

    /// A case with its SLA figures, as printed in JSON.
    struct View: Encodable {
        var `case`: RegistrationCase
        var sla: SLAFigures
    }

    func run() throws {
        try withDesk(global) { desk in
            let state = try desk.store.registrationCase(number)
            let definition = try desk.store.definition(state.definition)
            let figures = try desk.slaClock().measure(state, definition: definition, now: time.instant())
            if output.json {
                try Console.json(View(case: state, sla: figures))
            } else {
                let presenter = try desk.presenter(for: state.definition)
                Console.print(presenter.detail(state) + "\n\n" + presenter.slaDetail(figures))
            }
        }
    }
}

/// `kaiban history N`: every step ever taken on a case.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show a case's full history (办理记录).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "Case number, e.g. 510811-20261126-0007.")
    var number: CaseNumber

    func run() throws {
        try withDesk(global) { desk in
            let events = try desk.store.history(number)
            if output.json {
                try Console.json(events)
            } else if let key = events.first?.definition {
                Console.print(try desk.presenter(for: key).history(events))
            }
        }
    }
}
