import Foundation
import KaibanCore
import KaibanStore

/// A worklist line with its SLA figures.
struct WorklistItem: Encodable {
    var entry: QueueEntry
    var figures: SLAFigures

    enum CodingKeys: String, CodingKey {
        case number, stage, channel, enterpriseType, proposedName, openedAt, version, workflow
        case elapsedMinutes, applicantMinutes, remainingMinutes, slaState, deadline, provisional, running
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entry.number, forKey: .number)
        try container.encode(entry.stage, forKey: .stage)
        try container.encode(entry.channel, forKey: .channel)
        try container.encode(entry.enterpriseType, forKey: .enterpriseType)
        try container.encode(entry.proposedName, forKey: .proposedName)
        try container.encode(entry.openedAt, forKey: .openedAt)
        try container.encode(entry.version, forKey: .version)
        try container.encode(entry.workflow, forKey: .workflow)
        try container.encode(figures.governmentMinutes, forKey: .elapsedMinutes)
        try container.encode(figures.applicantMinutes, forKey: .applicantMinutes)
        try container.encode(figures.remainingMinutes, forKey: .remainingMinutes)
        try container.encode(figures.state, forKey: .slaState)
        try container.encode(figures.deadline, forKey: .deadline)
        try container.encode(figures.provisional, forKey: .provisional)
        try container.encode(figures.running, forKey: .running)
    }
}

extension Desk {
    /// Open cases (optionally only in `stages`) with their SLA figures at `now`, the least time
    /// left first; cases waiting on the applicant come after those whose clock runs.
    func worklist(stages: [String]?, now: Date, clock: SLAClock) throws -> [WorklistItem] {
        var definitions: [WorkflowDefinition.Key: WorkflowDefinition] = [:]
        let items = try store.queue(stages: stages, limit: nil).map { entry in
            let definition = try definitions[entry.workflow] ?? store.definition(entry.workflow)
            definitions[entry.workflow] = definition
            let figures = clock.measure(
                entry.segments, budgetMinutes: definition.budgetMinutes, stageBudgets: definition.stageBudgets, now: now
            )
            return WorklistItem(entry: entry, figures: figures)
        }
        return items.sorted { a, b in
            if a.figures.running != b.figures.running { return a.figures.running }
            let ra = a.figures.remainingMinutes ?? Int.max
            let rb = b.figures.remainingMinutes ?? Int.max
            return ra != rb ? ra < rb : a.entry.openedAt < b.entry.openedAt
        }
    }
}

extension CasePresenter {
    func minutes(_ value: Int?) -> String {
        guard let value else { return "-" }
        return zh ? "\(value)分" : "\(value)m"
    }

    func slaState(_ figures: SLAFigures) -> String {
        let base = figures.running ? figures.state.name.text(language) : (zh ? "暂停" : "paused")
        return figures.provisional ? base + (zh ? "（暂估）" : " (provisional)") : base
    }

    func worklist(_ items: [WorklistItem]) -> String {
        var table = TextTable(
            zh
                ? ["办件编号", "环节", "渠道", "类型", "名称", "收件时间", "已用", "剩余", "时限状态"]
                : ["case", "stage", "channel", "type", "name", "received", "elapsed", "left", "SLA"])
        for item in items {
            let entry = item.entry
            table.add([
                entry.number.description, stage(entry.stage), entry.channel.name.text(language),
                entry.enterpriseType.name.text(language), entry.proposedName, time(entry.openedAt),
                minutes(item.figures.governmentMinutes), minutes(item.figures.remainingMinutes), slaState(item.figures),
            ])
        }
        return table.rendered
    }

    /// The SLA lines of `show`.
    func slaDetail(_ figures: SLAFigures) -> String {
        var lines: [String] = []
        let budget = figures.budgetMinutes.map { minutes($0) } ?? "-"
        lines.append(
            zh
                ? "时限：政府用时\(minutes(figures.governmentMinutes))/\(budget)，剩余\(minutes(figures.remainingMinutes))，申请人用时\(minutes(figures.applicantMinutes))，\(slaState(figures))"
                : "SLA: government time \(minutes(figures.governmentMinutes)) of \(budget), \(minutes(figures.remainingMinutes)) left, applicant time \(minutes(figures.applicantMinutes)), \(slaState(figures))"
        )
        if let started = figures.clockStartedAt {
            lines.append((zh ? "计时起点：" : "clock started: ") + time(started))
        }
        if let deadline = figures.deadline {
            lines.append((zh ? "预计时限届满：" : "budget runs out at: ") + time(deadline))
        }
        for pause in figures.pauses {
            let span = "\(time(pause.from)) → \(pause.to.map(time) ?? (zh ? "至今" : "now"))"
            lines.append(
                (zh ? "暂停计时：" : "paused: ")
                    + "\(stage(pause.stage)) \(span) \(minutes(pause.workingMinutes))"
                    + (pause.reason.map { zh ? "（\($0)）" : " (\($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
