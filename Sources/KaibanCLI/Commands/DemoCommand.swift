import ArgumentParser
import Foundation
import KaibanCore
import KaibanForms
import KaibanStore

/// `kaiban demo`: plays a scripted day at the Zhaohua hall into a new database.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Play a realistic desk day into a new database (演示).",
        discussion: "Refuses a database that already holds cases. Afterwards, explore it with queue, show and history.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The day to play (default: seeds/demo/desk-day.xml beside Forms/).")
    var day: String?

    @Flag(help: "Print only the worklist and the summary, not every step.")
    var quiet = false

    func run() throws {
        try withDesk(global) { desk in
            let count = try desk.store.caseCount()
            guard count == 0 else { throw StoreError.notEmpty(path: desk.configuration.databasePath, cases: count) }
            let dayURL =
                day.map { URL(fileURLWithPath: $0) }
                ?? desk.formsRoot.deletingLastPathComponent().appendingPathComponent("seeds/demo/desk-day.xml")
            let script = try DeskDay.load(dayURL, forms: try desk.forms())
            try play(script, source: dayURL.path, desk: desk)
        }
    }

    func play(_ script: DeskDay, source: String, desk: Desk) throws {
        let zh = desk.language == .zh
        try addClerks(script.clerks, desk: desk)
        Console.print(
            zh
                ? "== 演示：\(script.date) 昭化区政务服务中心企业开办窗口（\(script.caseCount)件申请）=="
                : "== Demo: \(script.date) at the Zhaohua hall's start-up desk (\(script.caseCount) applications) ==")
        var numbers: [Int: CaseNumber] = [:]
        let definition = try desk.store.latestDefinition(desk.configuration.workflowID)
        let presenter = CasePresenter(definition: definition, language: desk.language)
        for action in script.actions {
            let clock = String(HallTime.localText(of: action.at).suffix(5))
            do {
                switch action.kind {
                case .intake(let application, _):
                    let (state, _) = try desk.intake(application, by: action.clerk, at: action.at, hall: script.hall)
                    numbers[action.caseIndex] = state.number
                    if !quiet {
                        Console.print(
                            "\(clock) \(action.clerk) \(zh ? "收件" : "intake") \(state.number) [\(application.channel.name.text(desk.language))] \(application.proposedName)"
                        )
                    }
                case .step(let transition, let reason):
                    let outcome = try desk.store.apply(
                        .transition(transition, reason: reason), to: try number(action, numbers), by: action.clerk,
                        at: action.at)
                    if !quiet { Console.print("\(clock) \(action.clerk) \(presenter.stepSummary(outcome))") }
                case .task(let task):
                    let outcome = try desk.store.apply(
                        .completeTask(task, note: nil), to: try number(action, numbers), by: action.clerk, at: action.at
                    )
                    if !quiet { Console.print("\(clock) \(action.clerk) \(presenter.stepSummary(outcome))") }
                }
            } catch let error as ClerkReadable {
                throw DemoScriptError(source: source, line: action.line, underlying: error.message(.en))
            }
        }
        let closing = HallTime.instant(script.date, hour: 17, minute: 30)
        Console.print("")
        Console.print(zh ? "== 下班时（17:30）的待办 ==" : "== Worklist at closing time (17:30) ==")
        Console.print(presenter.worklist(try desk.worklist(stages: nil, now: closing, clock: desk.slaClock())))
        Console.print("")
        Console.print(summary(try desk.store.summary(), presenter: presenter, zh: zh))
        Console.print("")
        Console.print(zh ? "== 今日发照 ==" : "== Licences issued today ==")
        var licences = TextTable(zh ? ["办件编号", "名称", "统一社会信用代码"] : ["case", "name", "unified social credit code"])
        for number in numbers.values.sorted() {
            let state = try desk.store.registrationCase(number)
            if let code = state.creditCode { licences.add([number.description, state.application.proposedName, code]) }
        }
        Console.print(licences.rendered)
        Console.print("")
        Console.print(presenter.report(try desk.slaReport(from: script.date, to: script.date, by: .channel)))
        let me = CommandLine.arguments.first ?? "kaiban"
        let db = desk.configuration.databasePath
        Console.print(
            zh
                ? "\n数据库：\(db)。可继续查看，例如：\(me) queue --db \(db) --at \(script.date)T17:30"
                : "\nDatabase: \(db). Explore it, e.g.: \(me) queue --db \(db) --at \(script.date)T17:30 --lang en")
    }

    func number(_ action: DeskDay.Action, _ numbers: [Int: CaseNumber]) throws -> CaseNumber {
        guard let number = numbers[action.caseIndex] else {
            throw DemoScriptError(source: "", line: action.line, underlying: "a step comes before the case's intake")
        }
        return number
    }

    func addClerks(_ clerks: [Clerk], desk: Desk) throws {
        let existing = Set(try desk.store.clerks().map(\.id))
        let supervisor = clerks.first { $0.roles.contains(CaseStore.administratorRole) }
        let ordered = (supervisor.map { [$0] } ?? []) + clerks.filter { $0.id != supervisor?.id }
        for clerk in ordered where !existing.contains(clerk.id) {
            try desk.store.addClerk(clerk, by: supervisor?.id)
        }
    }

    func summary(_ summary: DeskSummary, presenter: CasePresenter, zh: Bool) -> String {
        let stages = summary.byStage.sorted { $0.value > $1.value }.map { "\(presenter.stage($0.key)) \($0.value)" }
        let channels = summary.byChannel.sorted { $0.key < $1.key }.map {
            "\(Channel(rawValue: $0.key)?.name.text(presenter.language) ?? $0.key) \($0.value)"
        }
        let sep = zh ? "，" : ", "
        return zh
            ? """
            == 当日小结 ==
            办件\(summary.total)件，未结\(summary.open)件，历史记录\(summary.events)条
            按环节：\(stages.joined(separator: sep))
            按渠道：\(channels.joined(separator: sep))
            """
            : """
            == Summary of the day ==
            \(summary.total) cases, \(summary.open) still open, \(summary.events) history events
            by stage: \(stages.joined(separator: sep))
            by channel: \(channels.joined(separator: sep))
            """
    }
}

/// A step of the demo day that the rules refused: the script itself is wrong.
struct DemoScriptError: ClerkReadable {
    var source: String
    var line: Int
    var underlying: String

    func message(_ language: Language) -> String {
        "\(source):\(line): \(underlying)"
    }
}
