import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban show N`: one case in full, with the steps allowed next.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: localized(zh: "查看办件。", en: "Show a case (查看办件)."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var ids: IDOptions

    @Argument(help: .localized(zh: "办件编号，如 510811-20261126-0007。", en: "Case number, e.g. 510811-20261126-0007."))
    var number: CaseNumber

    @OptionGroup var time: InstantOption

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let whole = try await session.desk.caseView(number, at: time.instant)
            let view = ids.disclosure.apply(whole)
            if output.json {
                try Console.json(view)
            } else {
                let presenter = CasePresenter(
                    definition: try await session.desk.definition(view.case.definition), language: session.language)
                // Read before the ID numbers are masked (a masked one has no birth date).
                let openedOn = HallTime.localDate(of: whole.case.openedAt)
                let notes = whole.case.application.minorInvestors(on: openedOn).map {
                    CaseApplication.guardianNote($0.investor, age: $0.age, on: openedOn)
                }
                Console.print(presenter.detail(view, notes: notes) + "\n\n" + presenter.slaDetail(view.sla))
            }
        }
    }
}

/// `kaiban history N`: every step ever taken on a case.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: localized(zh: "查看办件的全部办理记录。", en: "Show a case's full history (办理记录)."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var ids: IDOptions

    @Argument(help: .localized(zh: "办件编号，如 510811-20261126-0007。", en: "Case number, e.g. 510811-20261126-0007."))
    var number: CaseNumber

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let events = ids.disclosure.apply(try await session.desk.history(number))
            if output.json {
                try Console.json(events)
            } else if let key = events.first?.definition {
                let presenter = CasePresenter(
                    definition: try await session.desk.definition(key), language: session.language)
                Console.print(presenter.history(events))
            }
        }
    }
}
