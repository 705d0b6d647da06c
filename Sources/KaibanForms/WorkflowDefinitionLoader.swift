import Foundation
import KaibanCore
import KaibanXML

/// Turns a workflow definition file into a ``WorkflowDefinition``: XSD validation first, then the
/// checks a schema cannot express (references, reachability), each reported with file and line.
public struct WorkflowDefinitionLoader: Sendable {
    public static let namespace = "urn:kaiban:workflow:1"
    let schema: XMLSchema

    public init(schema: XMLSchema) {
        self.schema = schema
    }

    /// Loads and checks the definition in `data`, labelled `source` in messages.
    public func load(_ data: Data, source: String) throws(XMLProblem) -> WorkflowDefinition {
        let root = try XMLDocumentParser.parse(data, source: source, schema: schema)
        return try Self.build(root, source: source)
    }

    static func build(_ root: ParsedElement, source: String) throws(XMLProblem) -> WorkflowDefinition {
        var issues: [XMLProblem.Issue] = []
        func fail(_ element: ParsedElement, _ message: String) {
            issues.append(XMLProblem.Issue(line: element.line, message: message))
        }
        func named(_ element: ParsedElement) -> LocalizedText {
            LocalizedText(zh: element["name"] ?? "", en: element["name-en"] ?? "")
        }
        func list(_ value: String?) -> [String] {
            (value ?? "").split(separator: " ").map(String.init)
        }
        func flag(_ value: String?) -> Bool { value == "true" || value == "1" }

        let roleElements = root.child("roles")?.children("role") ?? []
        let stageElements = root.child("stages")?.children("stage") ?? []
        let transitionElements = root.child("transitions")?.children("transition") ?? []
        let groupElements = root.children("task-group")

        let roles = roleElements.map {
            WorkflowDefinition.Role(id: $0["id"] ?? "", name: named($0), includes: list($0["includes"]))
        }
        let stages = stageElements.map {
            WorkflowDefinition.Stage(
                id: $0["id"] ?? "", name: named($0), clock: ClockEffect(rawValue: $0["clock"] ?? "") ?? .running,
                terminal: flag($0["terminal"]), budgetMinutes: $0["budget-minutes"].flatMap { Int($0) },
                outcome: $0["outcome"].flatMap(CaseOutcome.init(rawValue:)),
                pause: $0["pause"].flatMap(PauseKind.init(rawValue:)))
        }
        let roleIDs = Set(roles.map(\.id))
        let stageByID = Dictionary(stages.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        func checkUnique(_ elements: [ParsedElement], _ what: String) {
            var seen: Set<String> = []
            for element in elements where !seen.insert(element["id"] ?? "").inserted {
                fail(element, "duplicate \(what) id \"\(element["id"] ?? "")\"")
            }
        }
        checkUnique(roleElements, "role")
        checkUnique(stageElements, "stage")
        checkUnique(transitionElements, "transition")
        checkUnique(groupElements.flatMap { $0.children("task") }, "task")

        for element in roleElements {
            for included in list(element["includes"]) where !roleIDs.contains(included) {
                fail(element, "role \"\(element["id"] ?? "")\" includes unknown role \"\(included)\"")
            }
        }
        for role in list(root["intake-roles"]) where !roleIDs.contains(role) {
            fail(root, "intake-roles names unknown role \"\(role)\"")
        }
        let initials = stageElements.filter { flag($0["initial"]) }
        if initials.count != 1 {
            fail(root.child("stages") ?? root, "exactly one stage must be initial=\"true\", found \(initials.count)")
        }
        for element in stageElements {
            if flag(element["terminal"]) && element["clock"] != "stopped" {
                fail(element, "terminal stage \"\(element["id"] ?? "")\" must have clock=\"stopped\"")
            }
            if flag(element["terminal"]) && (flag(element["initial"]) || element["initial-for"] != nil) {
                fail(element, "a terminal stage cannot be where cases start")
            }
            if flag(element["terminal"]) != (element["outcome"] != nil) {
                fail(element, "terminal stages, and only they, need an outcome")
            }
            if element["pause"] != nil && element["clock"] != "paused" {
                fail(element, "only a stage with clock=\"paused\" says whose time it is (pause)")
            }
        }

        var channelStarts: [String: String] = [:]
        for element in stageElements {
            for channel in list(element["initial-for"])
            where channelStarts.updateValue(element["id"] ?? "", forKey: channel) != nil {
                fail(element, "channel \"\(channel)\" starts in two stages")
            }
        }

        var transitions: [WorkflowDefinition.Transition] = []
        for element in transitionElements {
            let id = element["id"] ?? ""
            let fromText = element["from"] ?? ""
            let anyOpen = fromText == "*"
            let from = anyOpen ? [] : list(fromText)
            for stage in from {
                if let known = stageByID[stage] {
                    // A terminal stage is left only by a supervisor's act on a closed case (撤销).
                    if known.terminal && flag(element["automatic"]) {
                        fail(element, "automatic transition \"\(id)\" leaves from terminal stage \"\(stage)\"")
                    }
                } else {
                    fail(element, "transition \"\(id)\" leaves from unknown stage \"\(stage)\"")
                }
            }
            let to = element["to"] ?? ""
            if stageByID[to] == nil { fail(element, "transition \"\(id)\" goes to unknown stage \"\(to)\"") }
            let transitionRoles = list(element["roles"])
            for role in transitionRoles where !roleIDs.contains(role) {
                fail(element, "transition \"\(id)\" names unknown role \"\(role)\"")
            }
            let automatic = flag(element["automatic"])
            let guards = list(element["guard"]).compactMap(TransitionGuard.init(rawValue:))
            if automatic && guards.isEmpty { fail(element, "automatic transition \"\(id)\" needs a guard") }
            if !automatic && transitionRoles.isEmpty { fail(element, "transition \"\(id)\" needs roles") }
            if automatic && element["exchange"] != nil {
                fail(element, "automatic transition \"\(id)\" cannot be a step of the exchange")
            }
            transitions.append(
                WorkflowDefinition.Transition(
                    id: id, name: named(element), from: from, fromAnyOpenStage: anyOpen, to: to, roles: transitionRoles,
                    guards: guards, requiresReason: flag(element["requires-reason"]),
                    automatic: automatic, issuesCreditCode: flag(element["issues-credit-code"]),
                    exchange: element["exchange"].flatMap(ExchangeStep.init(rawValue:))))
        }

        var groups: [WorkflowDefinition.TaskGroup] = []
        var groupStages: Set<String> = []
        for element in groupElements {
            let stage = element["stage"] ?? ""
            if let known = stageByID[stage] {
                if known.terminal {
                    fail(element, "task group \"\(element["id"] ?? "")\" is in terminal stage \"\(stage)\"")
                }
            } else {
                fail(element, "task group \"\(element["id"] ?? "")\" names unknown stage \"\(stage)\"")
            }
            if !groupStages.insert(stage).inserted { fail(element, "stage \"\(stage)\" has two task groups") }
            let joins = transitions.filter { $0.from.contains(stage) && $0.guards.contains(.allTasksDone) }
            if joins.isEmpty {
                fail(
                    element,
                    "task group \"\(element["id"] ?? "")\" has no transition with guard=\"all-tasks-done\" leaving stage \"\(stage)\""
                )
            }
            var tasks: [WorkflowDefinition.Task] = []
            for task in element.children("task") {
                for role in list(task["roles"]) where !roleIDs.contains(role) {
                    fail(task, "task \"\(task["id"] ?? "")\" names unknown role \"\(role)\"")
                }
                tasks.append(
                    WorkflowDefinition.Task(id: task["id"] ?? "", name: named(task), roles: list(task["roles"])))
            }
            groups.append(WorkflowDefinition.TaskGroup(id: element["id"] ?? "", stage: stage, tasks: tasks))
        }

        var deferral: DeferralPolicy?
        if let element = root.child("deferral") {
            let policy = DeferralPolicy(
                roles: list(element["roles"]), extendRoles: list(element["extend-roles"]),
                promisedDays: Int(element["promised-days"] ?? "") ?? 0)
            for role in policy.roles + policy.extendRoles where !roleIDs.contains(role) {
                fail(element, "deferral names unknown role \"\(role)\"")
            }
            if !transitions.contains(where: { $0.guards.contains(.acceptanceDocuments) }) {
                fail(
                    element,
                    "deferral needs a transition with guard=\"acceptance-documents\" (where commitments are signed)")
            }
            deferral = policy
        }

        let definition = WorkflowDefinition(
            key: WorkflowDefinition.Key(id: root["id"] ?? "", version: Int(root["version"] ?? "") ?? 0),
            title: LocalizedText(zh: root["title"] ?? "", en: root["title-en"] ?? ""),
            initialStage: initials.first?["id"] ?? "", channelInitialStages: channelStarts,
            intakeRoles: list(root["intake-roles"]), budgetMinutes: root["budget-minutes"].flatMap { Int($0) },
            roles: roles,
            stages: stages, transitions: transitions,
            taskGroups: groups, deferral: deferral)

        if issues.isEmpty {
            for (element, stage) in zip(stageElements, stages) where !stage.terminal {
                if definition.transitions(from: stage.id).isEmpty {
                    fail(element, "stage \"\(stage.id)\" is not terminal but no transition leaves it")
                }
            }
            let reachable = reachableStages(definition)
            for (element, stage) in zip(stageElements, stages) where !reachable.contains(stage.id) {
                fail(element, "stage \"\(stage.id)\" cannot be reached from the initial stage")
            }
        }
        guard issues.isEmpty else { throw XMLProblem(source: source, issues: issues) }
        return definition
    }

    static func reachableStages(_ definition: WorkflowDefinition) -> Set<String> {
        var seen = Set([definition.initialStage] + definition.channelInitialStages.values)
        var pending = Array(seen)
        while let stage = pending.popLast() {
            for transition in definition.transitions(from: stage) where seen.insert(transition.to).inserted {
                pending.append(transition.to)
            }
        }
        return seen
    }
}
