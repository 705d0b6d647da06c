import Foundation
import KaibanCore

/// Something about a worklist line a clerk should see besides its time.
public enum WorklistFlag: String, Sendable, Equatable, Codable, CaseIterable {
    /// A mail case's licence issued and not posted within one working day
    /// (``MailDeadlines/licencePostingDays``).
    case licenceNotPosted = "licence-not-posted"

    public var name: LocalizedText {
        switch self {
        case .licenceNotPosted: LocalizedText(zh: "执照逾期未寄出", en: "licence not posted")
        }
    }
}

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
    /// The special-service flag's kind (特殊办), when flagged: the case is first in its stage.
    public var special: SpecialKind?
    public var sla: SLAFigures
    /// What else the clerk should see (``WorklistFlag``), empty for most cases.
    public var flags: [WorklistFlag] = []

    init(_ entry: QueueEntry, sla: SLAFigures) {
        number = entry.number
        stage = entry.stage
        channel = entry.channel
        enterpriseType = entry.enterpriseType
        proposedName = entry.proposedName
        openedAt = entry.openedAt
        version = entry.version
        workflow = entry.workflow
        special = entry.special
        self.sla = sla
    }

    init(_ state: RegistrationCase, sla: SLAFigures) {
        number = state.number
        stage = state.stage
        channel = state.application.channel
        enterpriseType = state.application.enterpriseType
        proposedName = state.application.proposedName
        openedAt = state.openedAt
        version = state.version
        workflow = state.definition
        special = state.special?.kind
        self.sla = sla
    }
}

extension Desk {
    /// Open cases where `role` has something to do and (or) at `stage`, with their SLA figures
    /// as of `instant` (default now), at most `limit`: first the cases whose clock runs, by when
    /// their budget runs out (or ran out: breached cases first), then those waiting on the
    /// applicant, by what is left of their budget. Read a page at a time in that order; only the
    /// page's cases are measured. Within each stage, the cases flagged for special service (特殊办)
    /// come first: each stage keeps the places it has on the page, and fills them with its
    /// flagged cases (in the same order), then its others.
    public func worklist(role: String? = nil, stage: String? = nil, limit: Int = 50, at instant: Date? = nil)
        async throws -> [WorklistItem]
    {
        try await run {
            try requireLimit(limit)
            let stages = try await stagesFor(role: role, stage: stage)
            let now = try self.instant(instant)
            let clock = try await slaClock()
            // Only an instant asked for can lie in the past: "now" read again after the round trips
            // above could have passed a second boundary, and every open case had been rebuilt.
            if instant != nil, isPast(now) {
                // The flagged cases of each stage first, as they stood then.
                let all = try await pastWorklist(stages: stages, at: now, clock: clock)
                return try await Self.specialFirst(
                    Array(all.prefix(limit)), number: \.number.description, stage: \.stage,
                    flagged: { $0.special != nil },
                    specials: { stage, count in
                        Array(all.filter { $0.stage == stage && $0.special != nil }.prefix(count))
                    })
            }
            var entries = try await store.worklistPage(stages: stages, running: true, offset: 0, limit: limit)
            if entries.count < limit {
                entries += try await store.worklistPage(
                    stages: stages, running: false, offset: 0, limit: limit - entries.count)
            }
            entries = try await Self.specialFirst(
                entries, number: \.number.description, stage: \.stage, flagged: { $0.special != nil },
                specials: { [store] stage, count in try await store.openSpecialCases(stages: [stage], limit: count) })
            var measurer = Measurer(desk: self, clock: clock, now: now)
            var items: [WorklistItem] = []
            for entry in entries { items.append(try await measurer.item(entry)) }
            return items
        }
    }

    /// Open cases at risk of missing, or past, their whole budget as of `instant` (default now),
    /// in worklist order, at most `limit`. Only cases that could be at risk are measured: running
    /// ones until their budget runs out later than any budget's risk margin from now, waiting
    /// ones until more is left than any budget's margin.
    public func atRisk(limit: Int = 100, at instant: Date? = nil) async throws -> [WorklistItem] {
        try await run {
            try requireLimit(limit)
            let now = try self.instant(instant)
            let clock = try await slaClock()
            // Only an instant asked for can lie in the past: "now" read again after the round trips
            // above could have passed a second boundary, and every open case had been rebuilt.
            if instant != nil, isPast(now) {
                return Array(
                    try await pastWorklist(stages: nil, at: now, clock: clock).filter { $0.sla.state != .onTrack }
                        .prefix(limit))
            }
            let budgets = try await definitions().compactMap(\.budgetMinutes)
            guard let widest = budgets.max() else { return [] }
            let margin = Int((Double(widest) * (1 - settings.riskThreshold)).rounded(.up))
            let cutoff = clock.calendar.adding(minutes: margin, to: now).instant
            var measurer = Measurer(desk: self, clock: clock, now: now)
            var found: [WorklistItem] = []
            let page = max(limit, 200)
            for running in [true, false] {
                var offset = 0
                scan: while found.count < limit {
                    let entries = try await store.worklistPage(
                        stages: nil, running: running, offset: offset, limit: page)
                    for entry in entries {
                        if running, let due = entry.dueAt, due > cutoff { break scan }
                        if !running, let remaining = entry.remainingMinutes, remaining > margin { break scan }
                        let item = try await measurer.item(entry)
                        if item.sla.state != .onTrack { found.append(item) }
                        if found.count == limit { break scan }
                    }
                    if entries.count < page { break }
                    offset += page
                }
            }
            return found
        }
    }

    /// Whether `instant` lies before now: a read then is reconstructed from the history (the
    /// truth), not taken from the cases as they stand.
    func isPast(_ instant: Date) -> Bool {
        instant < Date(timeIntervalSince1970: clock.now().timeIntervalSince1970.rounded(.down))
    }

    /// How many cases a read in the past reconstructs at most.
    public static let pastReadLimit = 20_000

    /// The cases open at `instant` as they stood then (replayed from their history up to it),
    /// in `stages` then, measured at `instant`, in worklist order: first those whose clock ran,
    /// by when their budget ran (would run) out, then those waiting on the applicant, by what was
    /// left of their budget.
    func pastWorklist(stages: [String]?, at instant: Date, clock: SLAClock) async throws -> [WorklistItem] {
        guard let histories = try await store.histories(openAt: instant, limit: Self.pastReadLimit) else {
            throw Problem(
                .refused, "read.too-far-back",
                zh:
                    "\(HallTime.localText(of: instant))时未结的办件超过\(Self.pastReadLimit)件，不能逐件重建；过去的时限情况见时限报告",
                en:
                    "more than \(Self.pastReadLimit) cases were open at \(HallTime.localText(of: instant)), too many to rebuild one by one; the SLA report covers the past"
            )
        }
        var definitions: [WorkflowDefinition.Key: WorkflowDefinition] = [:]
        var items: [WorklistItem] = []
        for history in histories {
            let events = history.events.prefix { $0.at <= instant }
            guard let key = events.first?.definition else { continue }
            let definition: WorkflowDefinition
            if let known = definitions[key] {
                definition = known
            } else {
                definition = try await store.definition(key)
                definitions[key] = definition
            }
            let state = try RegistrationCase.replay(Array(events), number: history.number, definition: definition)
            guard state.isOpen, stages.map({ $0.contains(state.stage) }) ?? true else { continue }
            let figures = clock.measure(
                state.segments, extra: state.extraWorkingTime, budgetMinutes: definition.budgetMinutes,
                stageBudgets: definition.stageBudgets, specialProcedureStages: definition.specialProcedureStages,
                now: instant)
            var item = WorklistItem(state, sla: figures)
            if let since = state.licenceAwaitingPostSince(definition),
                MailDeadlines.licencePostingLate(issuedAt: since, at: instant, calendar: clock.calendar)
            {
                item.flags.append(.licenceNotPosted)
            }
            items.append(item)
        }
        return items.sorted { a, b in
            if a.sla.running != b.sla.running { return a.sla.running }
            if a.sla.running, a.sla.deadline != b.sla.deadline {
                return (a.sla.deadline ?? .distantFuture) < (b.sla.deadline ?? .distantFuture)
            }
            if !a.sla.running, a.sla.remainingMinutes != b.sla.remainingMinutes {
                return (a.sla.remainingMinutes ?? .max) < (b.sla.remainingMinutes ?? .max)
            }
            return (a.openedAt, a.number.description) < (b.openedAt, b.number.description)
        }
    }

    /// The stages a worklist covers: where `role` has work and (or) `stage`; nil for all.
    func stagesFor(role: String?, stage: String?) async throws -> [String]? {
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
        return stages
    }

    /// Measures worklist entries at one instant, each against its own workflow version.
    struct Measurer {
        let desk: Desk
        let clock: SLAClock
        let now: Date
        var definitions: [WorkflowDefinition.Key: WorkflowDefinition] = [:]

        init(desk: Desk, clock: SLAClock, now: Date) {
            self.desk = desk
            self.clock = clock
            self.now = now
        }

        mutating func item(_ entry: QueueEntry) async throws -> WorklistItem {
            let definition: WorkflowDefinition
            if let known = definitions[entry.workflow] {
                definition = known
            } else {
                definition = try await desk.store.definition(entry.workflow)
                definitions[entry.workflow] = definition
            }
            var figures = clock.measure(
                entry.segments, extra: entry.extra, budgetMinutes: definition.budgetMinutes,
                stageBudgets: definition.stageBudgets, specialProcedureStages: definition.specialProcedureStages,
                now: now)
            // The stored clock keeps no reasons: a case that paused takes its pauses' reasons from
            // its history, so the worklist says why it waits as `show` does.
            if !figures.pauses.isEmpty {
                let segments = try RegistrationCase.replay(
                    try await desk.store.history(entry.number), number: entry.number, definition: definition
                ).segments
                for index in figures.pauses.indices {
                    let pause = figures.pauses[index]
                    figures.pauses[index].reason = segments.first {
                        $0.start == pause.from && $0.stage == pause.stage
                    }?.reason.map(CitizenID.maskingIDs(inText:))
                }
            }
            var item = WorklistItem(entry, sla: figures)
            if let since = entry.licenceAwaitingPostSince,
                MailDeadlines.licencePostingLate(issuedAt: since, at: now, calendar: clock.calendar)
            {
                item.flags.append(.licenceNotPosted)
            }
            return item
        }
    }
}
