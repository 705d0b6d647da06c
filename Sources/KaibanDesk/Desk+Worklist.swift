import Foundation
import KaibanCore

/// A worklist line: the open case and its SLA figures (the same `sla` object as ``CaseView``).
public struct WorklistItem: Sendable, Equatable, Codable {
    public var number: CaseNumber
    public var stage: String
    public var channel: Channel
    public var enterpriseType: EnterpriseType
    public var proposedName: String
    public var openedAt: Date
    public var version: Int
    public var workflow: WorkflowDefinition.Key
    public var sla: SLAFigures

    init(_ entry: QueueEntry, sla: SLAFigures) {
        number = entry.number
        stage = entry.stage
        channel = entry.channel
        enterpriseType = entry.enterpriseType
        proposedName = entry.proposedName
        openedAt = entry.openedAt
        version = entry.version
        workflow = entry.workflow
        self.sla = sla
    }
}

extension Desk {
    /// Open cases where `role` has something to do and (or) at `stage`, with their SLA figures
    /// as of `instant` (default now), the least time left first; cases waiting on the applicant
    /// after those whose clock runs. At most `limit`.
    public func worklist(role: String? = nil, stage: String? = nil, limit: Int = 50, at instant: Date? = nil)
        async throws -> [WorklistItem]
    {
        try await run {
            let definitions = try await definitions()
            var stages: [String]?
            if let role {
                guard definitions.contains(where: { $0.role(role) != nil }) else {
                    let known = Set(definitions.flatMap { $0.roles.map(\.id) }).sorted().joined(separator: ", ")
                    throw Problem(
                        .invalid, "worklist.unknown-role", zh: "未知角色“\(role)”（可选：\(known)）",
                        en: "unknown role \"\(role)\" (known: \(known))")
                }
                stages = Array(Set(definitions.flatMap { $0.stages(actionableBy: role) })).sorted()
            }
            if let stage {
                guard definitions.contains(where: { $0.stage(stage) != nil }) else {
                    let known = Set(definitions.flatMap { $0.stages.map(\.id) }).sorted().joined(separator: ", ")
                    throw Problem(
                        .invalid, "worklist.unknown-stage", zh: "未知环节“\(stage)”（可选：\(known)）",
                        en: "unknown stage \"\(stage)\" (known: \(known))")
                }
                stages = stages.map { $0.filter { $0 == stage } } ?? [stage]
            }
            return Array(try await measuredQueue(stages: stages, at: self.instant(instant)).prefix(limit))
        }
    }

    /// Open cases at risk or breached as of `instant` (default now), the least time left first.
    public func atRisk(at instant: Date? = nil) async throws -> [WorklistItem] {
        try await run {
            try await measuredQueue(stages: nil, at: self.instant(instant)).filter { $0.sla.state != .onTrack }
        }
    }

    /// Open cases in `stages` measured at `now`, each against its own workflow version, sorted.
    func measuredQueue(stages: [String]?, at now: Date) async throws -> [WorklistItem] {
        let clock = try await slaClock()
        var definitions: [WorkflowDefinition.Key: WorkflowDefinition] = [:]
        var items: [WorklistItem] = []
        for entry in try await store.queue(stages: stages, limit: nil) {
            let definition: WorkflowDefinition
            if let known = definitions[entry.workflow] {
                definition = known
            } else {
                definition = try await store.definition(entry.workflow)
                definitions[entry.workflow] = definition
            }
            let figures = clock.measure(
                entry.segments, budgetMinutes: definition.budgetMinutes, stageBudgets: definition.stageBudgets, now: now
            )
            items.append(WorklistItem(entry, sla: figures))
        }
        return items.sorted { a, b in
            if a.sla.running != b.sla.running { return a.sla.running }
            let ra = a.sla.remainingMinutes ?? Int.max
            let rb = b.sla.remainingMinutes ?? Int.max
            return ra != rb ? ra < rb : a.openedAt < b.openedAt
        }
    }
}
