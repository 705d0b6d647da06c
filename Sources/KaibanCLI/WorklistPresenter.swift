import Foundation
import KaibanCore
import KaibanDesk

extension CasePresenter {
    func minutes(_ value: Int?) -> String {
        guard let value else { return "-" }
        return zh ? "\(value)分" : "\(value)m"
    }

    /// The case against its whole budget; a stage overrun apart; closed cases as closed.
    func slaState(_ figures: SLAFigures) -> String {
        var text: String
        if figures.running {
            text = figures.state.name.text(language)
            if figures.stageState == .breached { text += zh ? "，环节超时" : ", stage overrun" }
        } else if figures.stage.isEmpty {
            text = (zh ? "已结束" : "closed") + (figures.state == .breached ? (zh ? "（超时）" : " (late)") : "")
        } else {
            text = (zh ? "暂停" : "paused") + (figures.state == .onTrack ? "" : "·" + figures.state.name.text(language))
        }
        return text + provisionalMark(figures.provisional, zh: zh)
    }

    /// The worklist as a table, each case's stage named by its own workflow version.
    static func worklist(_ items: [WorklistItem], definitions: [WorkflowDefinition], language: Language) -> String {
        let zh = language == .zh
        var presenters: [WorkflowDefinition.Key: CasePresenter] = [:]
        for definition in definitions {
            presenters[definition.key] = CasePresenter(definition: definition, language: language)
        }
        var table = TextTable(
            zh
                ? ["办件编号", "环节", "特殊办", "渠道", "类型", "名称", "收件时间", "已用", "剩余", "时限状态", "提示"]
                : [
                    "case", "stage", "special", "channel", "type", "name", "received", "elapsed", "left", "SLA",
                    "flags",
                ])
        for item in items {
            guard let presenter = presenters[item.workflow] else { continue }
            table.add([
                item.number.description, presenter.stage(item.stage),
                item.special.map { (zh ? "★" : "* ") + $0.name.text(language) } ?? "", item.channel.name.text(language),
                item.enterpriseType.name.text(language), item.proposedName, presenter.time(item.openedAt),
                presenter.minutes(item.sla.governmentMinutes), presenter.minutes(item.sla.remainingMinutes),
                presenter.slaState(item.sla),
                item.flags.map { $0.name.text(language) }.joined(separator: zh ? "、" : ", "),
            ])
        }
        return table.rendered
    }

    /// The SLA lines of `show`.
    func slaDetail(_ figures: SLAFigures) -> String {
        var lines: [String] = []
        let budget = figures.budgetMinutes.map { minutes($0) } ?? "-"
        // A special procedure's time apart, when there was one (it is not the applicant's).
        let special =
            figures.specialProcedureMinutes > 0 || figures.pauses.contains { isSpecialProcedure($0) }
            ? (zh
                ? "特别程序用时\(minutes(figures.specialProcedureMinutes))，"
                : "special procedure \(minutes(figures.specialProcedureMinutes)), ") : ""
        lines.append(
            zh
                ? "时限：政府用时\(minutes(figures.governmentMinutes))/\(budget)，剩余\(minutes(figures.remainingMinutes))，申请人用时\(minutes(figures.applicantMinutes))，\(special)\(slaState(figures))"
                : "SLA: government time \(minutes(figures.governmentMinutes)) of \(budget), \(minutes(figures.remainingMinutes)) left, applicant time \(minutes(figures.applicantMinutes)), \(special)\(slaState(figures))"
        )
        if let started = figures.clockStartedAt {
            lines.append((zh ? "计时起点：" : "clock started: ") + HallTime.localTextToTheSecond(of: started))
        }
        if let deadline = figures.deadline {
            let label =
                figures.state == .breached
                ? (zh ? "时限已于此时届满：" : "budget ran out at: ") : (zh ? "预计时限届满：" : "budget runs out at: ")
            lines.append(label + HallTime.localTextToTheSecond(of: deadline))
        }
        for pause in figures.pauses {
            let span = "\(time(pause.from)) → \(pause.to.map(time) ?? (zh ? "至今" : "now"))"
            lines.append(
                (isSpecialProcedure(pause)
                    ? (zh ? "暂停计时（特别程序，不计入时限）：" : "paused (special procedure, outside the limit): ")
                    : (zh ? "暂停计时：" : "paused: "))
                    + "\(stage(pause.stage)) \(span) \(minutes(pause.workingMinutes))"
                    + (pause.reason.map { zh ? "（\($0)）" : " (\(pauseReason($0)))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    /// Whether `pause` was the deciding authority's special procedure (by the case's own version).
    func isSpecialProcedure(_ pause: SLAFigures.Pause) -> Bool {
        definition.specialProcedureStages.contains(pause.stage)
    }
}
