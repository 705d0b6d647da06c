import Foundation

/// What a stage does to the SLA clock.
public enum ClockEffect: String, Sendable, Codable, CaseIterable {
    /// Government time: the clock runs.
    case running
    /// Waiting on the applicant (补正, mail in transit): the clock pauses.
    case paused
    /// The case is over: the clock stops.
    case stopped
}

/// Whose time a paused stage is: the clock counts neither as the government's.
public enum PauseKind: String, Sendable, Codable, CaseIterable {
    /// Waiting on the applicant (补正, documents in the post, deferred documents): the applicant's time.
    case applicant
    /// The deciding authority's special procedure (特别程序: a hearing, an appraisal, an expert
    /// review; 行政许可法 §45): outside the promised limit, and not the applicant's time either.
    case specialProcedure = "special-procedure"
}

/// How a case ended, for reports and the exchange's status codes.
public enum CaseOutcome: String, Sendable, Codable, CaseIterable {
    case completed
    case refused
    case rejected
    case withdrawn
    /// Completed with a deferral still open (national status 12, 办结（容缺通过）).
    case completedWithDeferral = "completed-with-deferral"
    /// Ended by a supervisor before the licence: a deferral was not honoured (终止办理).
    case terminated
    /// The registration was revoked after the licence (national status 15, 撤销).
    case revoked

    /// Whether the case was completed (with or without a deferral open): what the SLA report measures.
    public var isCompletion: Bool { self == .completed || self == .completedWithDeferral }
}

/// A named condition a transition needs besides the role. The vocabulary is fixed in code;
/// definitions choose among it.
public enum TransitionGuard: String, Sendable, Codable, CaseIterable {
    /// Every start-up task the applicant asked for is done.
    case allTasksDone = "all-tasks-done"
    /// Every document that blocks acceptance or the licence is in or deferred under a signed
    /// commitment (容缺); only deferrable ones can be deferred, and an overdue commitment defers
    /// nothing.
    case acceptanceDocuments = "acceptance-documents"
    /// No document that blocks the licence (or acceptance) is missing, deferred or not.
    case licenceDocuments = "licence-documents"
    /// Some document that blocks the licence is missing: the case waits on the applicant.
    case licenceDocumentsMissing = "licence-documents-missing"
    /// A deferral is open (items outstanding).
    case deferralOpen = "deferral-open"
    /// No deferral is open.
    case noDeferralOpen = "no-deferral-open"
    /// A deferred item is past its deadline.
    case deferralOverdue = "deferral-overdue"
    /// No deferred item is past its deadline (an overdue deferral stops the licence).
    case deferralNotOverdue = "deferral-not-overdue"
    /// No licence has been issued yet (a registration is not withdrawn, it is revoked).
    case beforeLicence = "before-licence"
    /// The case was taken in here for a partner authority that decides it (川渝通办, 异地代收代办).
    case transferCase = "transfer-case"
    /// The case is decided here (not taken in for a partner authority).
    case localCase = "local-case"
}

/// A step of the 川渝通办 exchange, never taken as a plain step.
public enum ExchangeStep: String, Sendable, Codable, CaseIterable {
    /// The window transfers the case to the authority that decides it: the step and the signed
    /// case transfer are written in one transaction (`kaiban transfer`).
    case transfer
    /// Taken when the deciding authority's status or result arrives, by the exchange.
    case partner
}

/// Who may take an applicant's commitment to supply documents later (容缺) and who may extend it,
/// and the matter's promised time limit that no deadline may pass.
public struct DeferralPolicy: Sendable, Equatable, Codable {
    /// Roles that record a commitment and the supplies.
    public var roles: [String]
    /// Roles that extend an overdue deferral (once, with a reason).
    public var extendRoles: [String]
    /// The matter's promised time limit (承诺期限) in working days: no deadline goes beyond it.
    public var promisedDays: Int

    public init(roles: [String], extendRoles: [String], promisedDays: Int) {
        self.roles = roles
        self.extendRoles = extendRoles
        self.promisedDays = promisedDays
    }
}

/// A versioned workflow definition, interpreted by ``WorkflowEngine``. Built from Forms/ by
/// KaibanForms; the loader guarantees that every reference in it resolves.
public struct WorkflowDefinition: Sendable, Equatable, Codable {
    /// Identifies one version of one workflow.
    public struct Key: Sendable, Hashable, Codable, CustomStringConvertible {
        public var id: String
        public var version: Int

        public init(id: String, version: Int) {
            self.id = id
            self.version = version
        }

        public var description: String { "\(id) v\(version)" }
    }

    /// A role a clerk can hold; a role may include others (a supervisor can act as a window clerk).
    public struct Role: Sendable, Equatable, Codable {
        public var id: String
        public var name: LocalizedText
        public var includes: [String]

        public init(id: String, name: LocalizedText, includes: [String] = []) {
            self.id = id
            self.name = name
            self.includes = includes
        }
    }

    /// A place a case can be in.
    public struct Stage: Sendable, Equatable, Codable {
        public var id: String
        public var name: LocalizedText
        public var clock: ClockEffect
        /// A terminal stage closes the case; no transition leaves it.
        public var terminal: Bool
        /// Working minutes the stage may take, if it has a budget.
        public var budgetMinutes: Int?
        /// For a terminal stage, how the case ended.
        public var outcome: CaseOutcome?
        /// For a paused stage, whose time it is (nil: the applicant's; definitions before version 6
        /// say nothing).
        public var pause: PauseKind?

        public init(
            id: String, name: LocalizedText, clock: ClockEffect, terminal: Bool, budgetMinutes: Int? = nil,
            outcome: CaseOutcome? = nil, pause: PauseKind? = nil
        ) {
            self.id = id
            self.name = name
            self.clock = clock
            self.terminal = terminal
            self.budgetMinutes = budgetMinutes
            self.outcome = outcome
            self.pause = pause
        }
    }

    /// A step from one stage to another.
    public struct Transition: Sendable, Equatable, Codable {
        public var id: String
        public var name: LocalizedText
        /// Stages it leaves from; empty with `fromAnyOpenStage` set means every non-terminal stage.
        public var from: [String]
        public var fromAnyOpenStage: Bool
        public var to: String
        /// Roles that may take it (a clerk needs one of them, directly or by inclusion).
        public var roles: [String]
        /// Conditions that must all hold.
        public var guards: [TransitionGuard]
        public var requiresReason: Bool
        /// Taken by the engine itself as soon as its guard holds.
        public var automatic: Bool
        /// The step issues the licence's unified social credit code (发照).
        public var issuesCreditCode: Bool
        /// A step of the exchange (nil: a plain step).
        public var exchange: ExchangeStep?

        public init(
            id: String, name: LocalizedText, from: [String], fromAnyOpenStage: Bool = false, to: String,
            roles: [String], guards: [TransitionGuard] = [], requiresReason: Bool = false,
            automatic: Bool = false, issuesCreditCode: Bool = false, exchange: ExchangeStep? = nil
        ) {
            self.issuesCreditCode = issuesCreditCode
            self.exchange = exchange
            self.id = id
            self.name = name
            self.from = from
            self.fromAnyOpenStage = fromAnyOpenStage
            self.to = to
            self.roles = roles
            self.guards = guards
            self.requiresReason = requiresReason
            self.automatic = automatic
        }

        enum CodingKeys: String, CodingKey {
            case id, name, from, fromAnyOpenStage, to, roles, guards, requiresReason, automatic, issuesCreditCode
            case exchange
            /// Definitions stored before transitions had several guards kept one here.
            case guardCondition
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            name = try container.decode(LocalizedText.self, forKey: .name)
            from = try container.decode([String].self, forKey: .from)
            fromAnyOpenStage = try container.decode(Bool.self, forKey: .fromAnyOpenStage)
            to = try container.decode(String.self, forKey: .to)
            roles = try container.decode([String].self, forKey: .roles)
            if let guards = try container.decodeIfPresent([TransitionGuard].self, forKey: .guards) {
                self.guards = guards
            } else {
                guards = try container.decodeIfPresent(TransitionGuard.self, forKey: .guardCondition).map { [$0] } ?? []
            }
            requiresReason = try container.decode(Bool.self, forKey: .requiresReason)
            automatic = try container.decode(Bool.self, forKey: .automatic)
            issuesCreditCode = try container.decode(Bool.self, forKey: .issuesCreditCode)
            exchange = try container.decodeIfPresent(ExchangeStep.self, forKey: .exchange)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(from, forKey: .from)
            try container.encode(fromAnyOpenStage, forKey: .fromAnyOpenStage)
            try container.encode(to, forKey: .to)
            try container.encode(roles, forKey: .roles)
            try container.encode(guards, forKey: .guards)
            try container.encode(requiresReason, forKey: .requiresReason)
            try container.encode(automatic, forKey: .automatic)
            try container.encode(issuesCreditCode, forKey: .issuesCreditCode)
            try container.encodeIfPresent(exchange, forKey: .exchange)
        }
    }

    /// One task of a parallel group.
    public struct Task: Sendable, Equatable, Codable {
        public var id: String
        public var name: LocalizedText
        public var roles: [String]

        public init(id: String, name: LocalizedText, roles: [String]) {
            self.id = id
            self.name = name
            self.roles = roles
        }
    }

    /// Tasks done in parallel while a case is in `stage`; the group joins when all the tasks the
    /// applicant asked for are done.
    public struct TaskGroup: Sendable, Equatable, Codable {
        public var id: String
        public var stage: String
        public var tasks: [Task]

        public init(id: String, stage: String, tasks: [Task]) {
            self.id = id
            self.stage = stage
            self.tasks = tasks
        }
    }

    public var key: Key
    public var title: LocalizedText
    public var initialStage: String
    /// Channels whose cases start elsewhere (mail: documents in transit), by channel raw value.
    public var channelInitialStages: [String: String]
    /// Roles that may take a case in (收件).
    public var intakeRoles: [String]
    /// Working minutes the whole case may take (0.4 working day = 192 for company formation).
    public var budgetMinutes: Int?
    public var roles: [Role]
    public var stages: [Stage]
    public var transitions: [Transition]
    public var taskGroups: [TaskGroup]
    /// How this workflow takes deferrals (容缺); nil: it takes none.
    public var deferral: DeferralPolicy?

    public init(
        key: Key, title: LocalizedText, initialStage: String, channelInitialStages: [String: String] = [:],
        intakeRoles: [String], budgetMinutes: Int? = nil, roles: [Role], stages: [Stage], transitions: [Transition],
        taskGroups: [TaskGroup], deferral: DeferralPolicy? = nil
    ) {
        self.deferral = deferral
        self.channelInitialStages = channelInitialStages
        self.budgetMinutes = budgetMinutes
        self.key = key
        self.title = title
        self.initialStage = initialStage
        self.intakeRoles = intakeRoles
        self.roles = roles
        self.stages = stages
        self.transitions = transitions
        self.taskGroups = taskGroups
    }

    public func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }

    /// Where a case from `channel` starts.
    public func initialStage(for channel: Channel) -> String {
        channelInitialStages[channel.rawValue] ?? initialStage
    }

    public func role(_ id: String) -> Role? { roles.first { $0.id == id } }

    public func transition(_ id: String) -> Transition? { transitions.first { $0.id == id } }

    /// The stage's name, or the id itself when the stage is unknown.
    public func stageName(_ id: String) -> LocalizedText {
        stage(id)?.name ?? LocalizedText(zh: id, en: id)
    }

    public func roleName(_ id: String) -> LocalizedText {
        role(id)?.name ?? LocalizedText(zh: id, en: id)
    }

    /// The task group worked in `stage`, if any.
    public func taskGroup(inStage stage: String) -> TaskGroup? {
        taskGroups.first { $0.stage == stage }
    }

    /// Every task id of every group.
    public var allTaskIDs: Set<String> {
        Set(taskGroups.flatMap { $0.tasks.map(\.id) })
    }

    public func task(_ id: String) -> Task? {
        taskGroups.lazy.flatMap(\.tasks).first { $0.id == id }
    }

    /// Stages where a case still waits for acceptance: a transition guarded by the acceptance
    /// documents leaves them. A commitment to defer documents is signed there.
    public var stagesBeforeAcceptance: [String] {
        transitions.filter { $0.guards.contains(.acceptanceDocuments) }.flatMap(\.from)
    }

    /// Whether `transition` can leave from `stage`.
    public func transition(_ transition: Transition, leavesFrom stage: String) -> Bool {
        if transition.from.contains(stage) { return true }
        return transition.fromAnyOpenStage && self.stage(stage)?.terminal == false
    }

    /// The transitions leaving `stage`, in definition order.
    public func transitions(from stage: String) -> [Transition] {
        transitions.filter { transition($0, leavesFrom: stage) }
    }

    /// The roles `held` amounts to once inclusions are followed.
    public func effectiveRoles(_ held: Set<String>) -> Set<String> {
        var result = held
        var pending = Array(held)
        while let next = pending.popLast() {
            for included in role(next)?.includes ?? [] where result.insert(included).inserted {
                pending.append(included)
            }
        }
        return result
    }

    /// Stages where a clerk holding `role` has work: a manual transition that leaves that stage
    /// in particular, or a task. Steps open from every stage (撤回) do not make a stage work.
    public func stages(actionableBy role: String) -> [String] {
        let held = effectiveRoles([role])
        return stages.filter { stage in
            let byTransition = transitions(from: stage.id).contains {
                !$0.automatic && !$0.fromAnyOpenStage && $0.exchange != .partner && !held.isDisjoint(with: $0.roles)
            }
            let byTask = taskGroup(inStage: stage.id)?.tasks.contains { !held.isDisjoint(with: $0.roles) } ?? false
            return !stage.terminal && (byTransition || byTask)
        }.map(\.id)
    }
}
