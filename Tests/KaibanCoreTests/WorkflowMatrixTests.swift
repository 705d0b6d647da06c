import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// The committed company-formation workflow (Forms/workflows/company-formation.xml) as literal
/// tables, written out by hand from the file: which step leaves which stage for where, and who
/// may take it. The engine is checked against these tables, never against the definition's own
/// answers, so a wrong loader, a wrong `transition(_:leavesFrom:)` or a missing check shows.
@Suite struct WorkflowMatrixTests {
    let harness: EngineHarness

    init() throws {
        harness = try EngineHarness()
    }

    /// Every manual step of the workflow, in the file's order.
    static let steps = [
        "receive-documents", "accept", "request-correction", "resubmit", "refuse", "review", "approve", "reject",
        "issue-licence", "terminate", "revoke", "withdraw",
    ]

    /// Stage × step → the stage the step leads to. A step missing from a stage's row is refused.
    static let next: [String: [String: String]] = [
        "in-transit": ["receive-documents": "received", "withdraw": "withdrawn"],
        "received": [
            "accept": "accepted", "request-correction": "correction", "refuse": "refused", "withdraw": "withdrawn",
        ],
        "correction": ["resubmit": "received", "withdraw": "withdrawn"],
        "accepted": ["review": "review", "withdraw": "withdrawn"],
        "review": ["approve": "approved", "reject": "rejected", "withdraw": "withdrawn"],
        "approved": ["issue-licence": "startup", "withdraw": "withdrawn"],
        "supplement": ["withdraw": "withdrawn"],
        "startup": ["withdraw": "withdrawn"],
        "transferred": ["withdraw": "withdrawn"],
        "transferred-correction": ["withdraw": "withdrawn"],
        "transferred-special": ["withdraw": "withdrawn"],
        "completed": [:], "refused": [:], "rejected": [:], "withdrawn": [:], "completed-deferred": [:],
        "terminated": [:], "revoked": [:],
    ]

    /// The stages of a case with the deciding authority, which its outcome leaves.
    static let withPartner = ["transferred", "transferred-correction", "transferred-special"]

    /// The steps of the 川渝通办 exchange (taken only as ``CaseCommand/exchangeStep(_:reason:)``):
    /// step → the stages it leaves and where it leads, and how a plain step of it is refused.
    static let exchangeSteps: [String: (from: [String], to: String, refusal: String)] = [
        "transfer": (["received"], "transferred", "exchange.use-transfer"),
        "partner-correction": (["transferred"], "transferred-correction", "exchange.partner-step"),
        "partner-resubmitted": (["transferred-correction"], "transferred", "exchange.partner-step"),
        "partner-special": (["transferred"], "transferred-special", "exchange.partner-step"),
        "partner-special-ended": (["transferred-special"], "transferred", "exchange.partner-step"),
        "partner-licensed": (Self.withPartner, "completed", "exchange.partner-step"),
        "partner-refused": (Self.withPartner, "refused", "exchange.partner-step"),
        "partner-rejected": (Self.withPartner, "rejected", "exchange.partner-step"),
        "partner-withdrawn": (Self.withPartner, "withdrawn", "exchange.partner-step"),
        "partner-returned": (Self.withPartner, "received", "exchange.partner-step"),
    ]

    /// Stage × step that leave the stage but whose guard refuses them for the case the table
    /// reaches: a supervisor ends a case only for an overdue deferral (none is overdue there).
    static let guarded: [String: Set<String>] = [
        "accepted": ["terminate"], "review": ["terminate"], "approved": ["terminate"], "supplement": ["terminate"],
        "startup": ["revoke"], "completed-deferred": ["revoke"],
    ]

    /// The stages that close a case: every step is refused there as the case is closed (but a
    /// registration completed with a deferral open may still be revoked).
    static let terminal: Set<String> = [
        "completed", "refused", "rejected", "withdrawn", "completed-deferred", "terminated", "revoked",
    ]

    /// Step → the roles that may take it, as the file names them (a supervisor includes both).
    static let roles: [String: String] = [
        "receive-documents": "window", "accept": "window", "request-correction": "window", "resubmit": "window",
        "refuse": "window", "review": "reviewer", "approve": "reviewer", "reject": "reviewer",
        "issue-licence": "window", "withdraw": "window", "terminate": "supervisor", "revoke": "supervisor",
    ]

    /// Step → one stage it is taken from (from the table above).
    static let legalFrom: [String: String] = [
        "receive-documents": "in-transit", "accept": "received", "request-correction": "received",
        "resubmit": "correction", "refuse": "received", "review": "accepted", "approve": "review", "reject": "review",
        "issue-licence": "approved", "withdraw": "received", "terminate": "supplement",
        "revoke": "completed-deferred",
    ]

    /// A case at `stage`, brought there by a supervisor; `completed` has no tasks to wait on.
    func reach(_ stage: String) throws -> RegistrationCase {
        if stage.hasPrefix("transferred") {
            var state = try harness.step(try harness.openedForTransfer(), .exchangeStep("transfer", reason: nil)).0
            if stage == "transferred-correction" {
                state = try harness.step(state, .exchangeStep("partner-correction", reason: "补正")).0
            }
            if stage == "transferred-special" {
                state = try harness.step(state, .exchangeStep("partner-special", reason: "听证")).0
            }
            #expect(state.stage == stage)
            return state
        }
        if stage == "completed" {
            let done = try harness.step(
                try harness.reach("approved", tasks: []), .transition("issue-licence", reason: nil)
            ).0
            #expect(done.stage == "completed")
            return done
        }
        let state = try harness.reach(stage)
        #expect(state.stage == stage)
        return state
    }

    @Test func theTablesNameEveryStageAndStepOfTheFile() {
        let definition = harness.definition
        #expect(Set(definition.stages.map(\.id)) == Set(Self.next.keys))
        #expect(
            Set(definition.transitions.filter { !$0.automatic }.map(\.id))
                == Set(Self.steps).union(Self.exchangeSteps.keys))
        for (id, step) in Self.exchangeSteps {
            #expect(definition.transition(id)?.from == step.from, "\(id)")
            #expect(definition.transition(id)?.to == step.to, "\(id)")
        }
        #expect(Set(definition.stages.filter(\.terminal).map(\.id)) == Self.terminal)
    }

    @Test func everyStepLeadsWhereTheTableSaysOrIsRefusedForItsStage() throws {
        var checked = 0
        for stage in Self.next.keys.sorted() {
            let state = try reach(stage)
            let row = Self.next[stage] ?? [:]
            for step in Self.exchangeSteps.keys.sorted() {
                // Never a plain step: refused in every stage (a closed case first as closed).
                let error = #expect(throws: WorkflowError.self, "\(step) from \(stage)") {
                    _ = try harness.step(state, .transition(step, reason: "理由"))
                }
                if Self.terminal.contains(stage) {
                    #expect(error == .caseClosed(case: state.number, stage: harness.definition.stageName(stage)))
                } else {
                    #expect(error?.problem.code == Self.exchangeSteps[step]?.refusal, "\(step) from \(stage)")
                }
            }
            for step in Self.steps {
                checked += 1
                let command = CaseCommand.transition(step, reason: "理由")
                if let target = row[step] {
                    let (next, events) = try harness.step(state, command)
                    #expect(next.stage == target, "\(step) from \(stage)")
                    #expect(events.first?.fromStage == stage, "\(step) from \(stage)")
                    #expect(events.first?.toStage == target, "\(step) from \(stage)")
                    #expect(events.first?.transition == step)
                    #expect(next.version == state.version + events.count)
                    continue
                }
                let error = #expect(throws: WorkflowError.self, "\(step) from \(stage)") {
                    _ = try harness.step(state, command)
                }
                if Self.guarded[stage]?.contains(step) == true {
                    #expect(error?.problem.code == "deferral.not-overdue", "\(step) from \(stage)")
                } else if Self.terminal.contains(stage) {
                    #expect(error == .caseClosed(case: state.number, stage: harness.definition.stageName(stage)))
                } else {
                    // A step whose condition does not hold (no deferral overdue here) is not named
                    // as possible.
                    let allowed = Self.steps.filter { row[$0] != nil }
                        .compactMap {
                            harness.definition.transition($0)?.name
                        }
                    #expect(
                        error
                            == .notAllowedFromStage(
                                case: state.number, stage: harness.definition.stageName(stage),
                                transition: try #require(harness.definition.transition(step)?.name), allowed: allowed),
                        "\(step) from \(stage)")
                }
            }
        }
        #expect(checked == Self.next.count * Self.steps.count)
    }

    @Test func theExchangesStepsAreTakenOnlyByTheExchangeAndOnlyOnTransferredCases() throws {
        for (id, step) in Self.exchangeSteps {
            for stage in step.from {
                let state = stage == "received" ? try harness.openedForTransfer() : try reach(stage)
                let (next, events) = try harness.step(state, .exchangeStep(id, reason: "办理地回传"))
                #expect(next.stage == step.to, "\(id) from \(stage)")
                #expect(events.first?.transition == id)
                // As a plain step it is refused, and nothing happens.
                let error = #expect(throws: WorkflowError.self, "\(id) from \(stage)") {
                    _ = try harness.step(state, .transition(id, reason: "理由"))
                }
                #expect(error?.problem.code == step.refusal, "\(id) from \(stage)")
            }
            // From a stage it does not leave, it is refused like any step.
            let elsewhere = try reach("accepted")
            let error = #expect(throws: WorkflowError.self, "\(id) from accepted") {
                _ = try harness.step(elsewhere, .exchangeStep(id, reason: nil))
            }
            #expect(error?.problem.code == "step.not-allowed", "\(id)")
        }
        // A plain step is no step of the exchange.
        let local = try reach("received")
        let plain = #expect(throws: WorkflowError.self) {
            _ = try harness.step(local, .exchangeStep("accept", reason: nil))
        }
        #expect(plain?.problem.code == "exchange.not-an-exchange-step")
        // A case decided here is not transferred; one taken in for the partner is not accepted here.
        let notTransfer = #expect(throws: WorkflowError.self) {
            _ = try harness.step(local, .exchangeStep("transfer", reason: nil))
        }
        #expect(notTransfer?.problem.code == "exchange.not-a-transfer")
        let forPartner = try harness.openedForTransfer()
        let accept = #expect(throws: WorkflowError.self) {
            _ = try harness.step(forPartner, .transition("accept", reason: nil))
        }
        #expect(accept?.problem.code == "exchange.transfer-case")
        // Its refusal lists what it can take: transfer, not accept.
        let refusal = #expect(throws: WorkflowError.self) {
            _ = try harness.step(forPartner, .transition("approve", reason: nil))
        }
        #expect(refusal?.message(.en).contains("only: transfer to the deciding authority, request correction") == true)
    }

    @Test func eachStepIsTakenOnlyByItsRolesAndBySupervisors() throws {
        let clerks = [Fixtures.window, Fixtures.reviewer, Fixtures.supervisor, Fixtures.trainee]
        for step in Self.steps {
            let stage = try #require(Self.legalFrom[step])
            // Ending a case needs an overdue deferral: due after acceptance (terminate) or after the
            // licence (revoke), overdue when the supervisor acts.
            let state =
                step == "terminate"
                ? try harness.reachDeferred(stage, after: 360)
                : step == "revoke" ? try harness.reachDeferred(stage, after: 1_300) : try reach(stage)
            let needed = try #require(Self.roles[step])
            for clerk in clerks {
                let command = CaseCommand.transition(step, reason: "理由")
                if clerk.roles.contains(needed) || clerk.roles.contains("supervisor") {
                    let (_, events) = try harness.step(state, command, as: clerk)
                    #expect(events.first?.actor == clerk.id, "\(step) by \(clerk.id)")
                    // A supervisor acts in the role the step needs, and the history says which.
                    #expect(events.first?.role == needed, "\(step) by \(clerk.id)")
                } else {
                    let required = [harness.definition.roleName(needed)]
                    let held = clerk.roles.sorted().map(harness.definition.roleName)
                    #expect(
                        throws: WorkflowError.roleRequired(
                            clerk: clerk.id, step: try #require(harness.definition.transition(step)?.name),
                            required: required, held: held),
                        "\(step) by \(clerk.id)"
                    ) { _ = try harness.step(state, command, as: clerk) }
                }
            }
        }
    }

    @Test func startUpTasksAreForWindowClerksAndSupervisors() throws {
        let tasks = ["seal", "tax", "social-insurance", "provident-fund", "bank"]
        let state = try harness.reach("startup", tasks: tasks)
        for task in tasks {
            let name = try #require(harness.definition.task(task)?.name)
            for clerk in [Fixtures.reviewer, Fixtures.trainee] {
                #expect(
                    throws: WorkflowError.roleRequired(
                        clerk: clerk.id, step: name, required: [harness.definition.roleName("window")],
                        held: clerk.roles.sorted().map(harness.definition.roleName)),
                    "\(task) by \(clerk.id)"
                ) { _ = try harness.step(state, .completeTask(task, note: nil), as: clerk) }
            }
            for clerk in [Fixtures.window, Fixtures.supervisor] {
                let (_, events) = try harness.step(state, .completeTask(task, note: nil), as: clerk)
                #expect(events.first?.role == "window", "\(task) by \(clerk.id)")
            }
        }
    }

    @Test func onlyWindowClerksAndSupervisorsTakeCasesIn() throws {
        for clerk in [Fixtures.reviewer, Fixtures.trainee] {
            #expect(
                throws: WorkflowError.roleRequired(
                    clerk: clerk.id, step: LocalizedText(zh: "收件", en: "intake"),
                    required: [harness.definition.roleName("window")],
                    held: clerk.roles.sorted().map(harness.definition.roleName))
            ) {
                try harness.engine.open(application: Fixtures.application(), by: clerk, at: Fixtures.at(9, 0))
            }
        }
        for clerk in [Fixtures.window, Fixtures.supervisor] {
            let opened = try harness.engine.open(application: Fixtures.application(), by: clerk, at: Fixtures.at(9, 0))
            #expect(opened.role == "window")
            #expect(opened.actor == clerk.id)
        }
    }

    @Test func aDeactivatedClerkCanNeitherTakeInNorStepEvenAsSupervisor() throws {
        let retired = Clerk(id: "retired", name: "退休", roles: ["supervisor"], active: false)
        #expect(!retired.isSupervisor)
        #expect(throws: WorkflowError.clerkInactive(clerk: "retired")) {
            try harness.engine.open(application: Fixtures.application(), by: retired, at: Fixtures.at(9, 0))
        }
        let state = try harness.reach("received")
        #expect(throws: WorkflowError.clerkInactive(clerk: "retired")) {
            _ = try harness.step(state, .transition("accept", reason: nil), as: retired)
        }
        let startup = try harness.reach("startup", tasks: ["seal"])
        #expect(throws: WorkflowError.clerkInactive(clerk: "retired")) {
            _ = try harness.step(startup, .completeTask("seal", note: nil), as: retired)
        }
    }
}
