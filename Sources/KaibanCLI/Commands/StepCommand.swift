import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban step N TRANSITION`: move a case along its workflow (受理、补正、审查、核准、发照…).
struct StepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step",
        abstract: localized(zh: "办理办件的流程步骤（受理、补正、审查、核准、发照等）。", en: "Take a workflow step on a case (办理)."),
        discussion: localized(
            zh: """
                企业开办流程的办理步骤：receive-documents（材料签收，寄递办）、accept（受理）、request-correction（补正，\
                须用 --reason 说明）、resubmit（补正提交）、refuse（不予受理，须用 --reason 说明）、review（审查）、\
                approve（核准）、reject（驳回，须用 --reason 说明）、issue-licence（发照）、withdraw（撤回，须用 --reason \
                说明）。用 kaiban show 办件编号 查看办件当前可办理的步骤。
                """,
            en: """
                Steps of the company-formation workflow: receive-documents (材料签收, mail), accept (受理), \
                request-correction (补正, needs --reason), resubmit (补正提交), refuse (不予受理, needs --reason), \
                review (审查), approve (核准), reject (驳回, needs --reason), issue-licence (发照), withdraw (撤回, \
                needs --reason). `kaiban show N` lists the steps open to a case now.
                """
        ))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var ids: IDOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Argument(help: .localized(zh: "办理步骤，如 accept。", en: "The step, e.g. accept."))
    var transition: String

    @Option(
        help: .localized(
            zh: "理由（补正、不予受理、驳回和撤回时必填）。", en: "Why (required for correction, refusal, rejection and withdrawal)."))
    var reason: String?

    @Option(
        name: .customLong("expect-version"),
        help: .localized(zh: "办件版本号：办件在该版本之后如有变动，则不予办理。", en: "Refuse if the case changed since you saw this version."))
    var expectVersion: Int?

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.step(
                number, transition, reason: reason, as: session.actor, at: time.instant, expectedVersion: expectVersion,
                late: lateEntry.late)
            try await present(outcome, session, json: output.json, disclosure: ids.disclosure)
        }
    }
}

/// `kaiban withdraw N --reason R`: the applicant withdraws (撤回) from any open stage.
struct WithdrawCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "withdraw",
        abstract: localized(zh: "应申请人要求撤回办件。", en: "Withdraw a case at the applicant's request (撤回)."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var ids: IDOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(help: .localized(zh: "申请人撤回的理由。", en: "Why the applicant withdraws."))
    var reason: String

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.withdraw(
                number, reason: reason, as: session.actor, at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json, disclosure: ids.disclosure)
        }
    }
}

/// `kaiban task N TASK`: mark one start-up task done (公章、税务、社保、公积金、银行).
struct TaskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: localized(zh: "办结办件的一项开办事项。", en: "Mark a start-up task of a case done (开办事项办结)."),
        discussion: localized(
            zh:
                "开办事项：seal（公章刻制）、tax（税务登记及发票）、social-insurance（社保登记）、provident-fund（公积金缴存登记）、bank（银行开户）。最后一项办结后，办件自动办结。",
            en:
                "Tasks: seal, tax, social-insurance, provident-fund, bank. The case completes by itself when the last is done."
        )
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var ids: IDOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Argument(help: .localized(zh: "开办事项，如 seal。", en: "The task, e.g. seal."))
    var task: String

    @Option(help: .localized(zh: "备注，记入办理记录。", en: "A note kept in the history."))
    var note: String?

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.completeTask(
                number, task, note: note, as: session.actor, at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json, disclosure: ids.disclosure)
        }
    }
}

/// Prints what a step did: the events in JSON, or one line per event.
/// Shows a step's outcome; ID numbers masked unless `disclosure` says otherwise.
func present(_ outcome: StepOutcome, _ session: Session, json: Bool, disclosure: IDDisclosure = .masked) async throws {
    let outcome = disclosure.apply(outcome)
    if json {
        try Console.json(outcome)
    } else {
        let definition = try await session.desk.definition(outcome.state.definition)
        Console.print(CasePresenter(definition: definition, language: session.language).stepSummary(outcome))
    }
}
