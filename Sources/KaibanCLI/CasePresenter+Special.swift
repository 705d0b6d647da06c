import Foundation
import KaibanCore
import KaibanDesk

extension CasePresenter {
    /// What a special-service event did (特殊办), in a few words.
    func specialAction(_ event: CaseEvent) -> String {
        switch event.kind {
        case .specialFlagged:
            let kind = event.special?.kind.name.text(language) ?? ""
            return zh ? "标记特殊办：\(kind)" : "flagged for special service: \(kind)"
        case .specialUnflagged:
            return zh ? "取消特殊办标记" : "special-service flag removed"
        case .visitRecorded:
            let visit = event.visit
            let who = visit?.clerks.joined(separator: zh ? "、" : ", ") ?? ""
            var text = zh ? "上门服务：\(visit?.place ?? "")（\(who)）" : "visit: \(visit?.place ?? "") (\(who))"
            if let note = visit?.note { text += zh ? "，\(note)" : ", \(note)" }
            return text
        default:
            return event.kind.rawValue
        }
    }

    /// A pause's reason in the clerk's language (the wait for a door-to-door visit is named in both).
    func pauseReason(_ reason: String) -> String {
        reason == RegistrationCase.awaitingVisitReason && !zh ? "awaiting the door-to-door visit" : reason
    }

    /// The case's special service: the flag (kind, reason, by whom, when) and its visits.
    func special(_ state: RegistrationCase) -> String {
        var lines: [String] = []
        if let flag = state.special {
            lines.append(
                zh
                    ? "特殊办：\(flag.kind.name.zh)（\(flag.reason)），\(flag.flaggedBy)于\(time(flag.flaggedAt))标记"
                    : "special service: \(flag.kind.name.en) (\(flag.reason)), flagged by \(flag.flaggedBy) at \(time(flag.flaggedAt))"
            )
            if state.isAwaitingVisit {
                lines.append(zh ? "待上门服务：上门前暂停计时" : "awaiting the visit: the clock waits until then")
            }
        } else {
            lines.append(zh ? "特殊办：已取消标记" : "special service: flag removed")
        }
        guard !state.visits.isEmpty else { return lines.joined(separator: "\n") }
        var table = TextTable(
            zh ? ["上门时间", "地点", "上门人员", "备注", "登记人"] : ["visited", "place", "clerks", "note", "recorded by"])
        for visit in state.visits {
            let note =
                (visit.note ?? "")
                + (visit.startedClock ? (zh ? "（自此计时）" : " (the clock started here)") : "")
            table.add([
                time(visit.at), visit.place, visit.clerks.joined(separator: zh ? "、" : ", "), note, visit.recordedBy,
            ])
        }
        lines.append(table.rendered)
        return lines.joined(separator: "\n")
    }
}
