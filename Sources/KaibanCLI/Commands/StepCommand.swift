import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban step N TRANSITION`: move a case along its workflow (受理、补正、审查、核准、发照…).
struct StepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: "Take a workflow step on a case (办理).",
        discussion: """
            Steps of the company-formation workflow: accept (受理), request-correction (补正, needs --reason), \
            resubmit (补正提交), refuse (不予受理, needs --reason), review (审查), approve (核准), reject (驳回, \
            needs --reason), issue-licence (发照), withdraw (撤回, needs --reason). `kaiban show N` lists the \
            steps open to a case now.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var output: OutputOptions

    @Argument(help: "Case number.")
    var number: CaseNumber

    @Argument(help: "The step, e.g. accept.")
    var transition: String

    @Option(help: "Why (required for correction, refusal, rejection and withdrawal).")
    var reason: String?

    @Option(name: .customLong("expect-version"), help: "Refuse if the case changed since you saw this version.")
    var expectVersion: Int?

    func run() throws {
        try perform(
            .transition(transition, reason: reason), on: number, global: global, time: time, output: output,
            expectVersion: expectVersion)
    }
}

/// `kaiban withdraw N --reason R`: the applicant withdraws (撤回) from any open stage.
struct WithdrawCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw", abstract: "Withdraw a case at the applicant's request (撤回).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var output: OutputOptions

    @Argument(help: "Case number.")
    var number: CaseNumber

    @Option(help: "Why the applicant withdraws.")
    var reason: String

    func run() throws {
        try perform(.transition("withdraw", reason: reason), on: number, global: global, time: time, output: output)
    }
}

/// `kaiban task N TASK`: mark one start-up task done (公章、税务、社保、公积金、银行).
struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Mark a start-up task of a case done (开办事项办结).",
        discussion:
            "Tasks: seal, tax, social-insurance, provident-fund, bank. The case completes by itself when the last is done."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var output: OutputOptions

    @Argument(help: "Case number.")
    var number: CaseNumber

    @Argument(help: "The task, e.g. seal.")
    var task: String

    @Option(help: "A note kept in the history.")
    var note: String?

    func run() throws {
        try perform(.completeTask(task, note: note), on: number, global: global, time: time, output: output)
    }
}

extension ParsableCommand {
    /// Applies `command` to case `number` and prints what happened.
    func perform(
        _ command: CaseCommand, on number: CaseNumber, global: GlobalOptions, time: InstantOption,
        output: OutputOptions,
        expectVersion: Int? = nil
    ) throws {
        try withDesk(global) { desk in
            let clerk = try desk.requireClerk()
            let outcome = try desk.store.apply(
                command, to: number, by: clerk, at: time.instant(), expectedVersion: expectVersion)
            if output.json {
                try Console.json(outcome.events)
            } else {
                Console.print(try desk.presenter(for: outcome.state.definition).stepSummary(outcome))
            }
        }
    }
}
