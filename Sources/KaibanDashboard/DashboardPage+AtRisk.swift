import Foundation
import KaibanCore
import KaibanDesk

extension DashboardPage {
    /// The open cases at risk or breached, most urgent first, with the time left (or over).
    func atRiskSection() -> String {
        let list = data.atRisk
        let rows =
            list.cases.isEmpty
            ? "<tr class=\"empty\"><td colspan=\"6\">\(HTMLText.escape(t("没有临近超时或已超时的办件", "no case is at risk or breached")))</td></tr>"
            : list.cases.map(row).joined(separator: "\n")
        let headings = [
            t("办件编号", "case"), t("名称", "name"), t("环节", "stage"), t("状态", "state"), t("剩余时间", "time left"),
            t("时限截止", "due"),
        ].map { "<th scope=\"col\">\(HTMLText.escape($0))</th>" }.joined()
        let note = t(
            "截至<span id=\"at-risk-as-of\">\(HTMLText.localText(list.asOf))</span>（北京时间），最多列出\(list.limit)件，按紧急程度排列。",
            "As of <span id=\"at-risk-as-of\">\(HTMLText.localText(list.asOf))</span> (Asia/Shanghai); at most \(list.limit), most urgent first."
        )
        return """
            <section id="at-risk"><h2>\(HTMLText.escape(t("临近超时与已超时的办件", "Open cases at risk or breached")))</h2>
            <p class="note">\(note)<span id="at-risk-status" class="status"></span></p>
            <table id="at-risk-table"\(HTMLText.attributes(["data-count": "\(list.cases.count)", "data-as-of": HallTime.isoText(of: list.asOf)]))><thead><tr>\(headings)</tr></thead>
            <tbody>
            \(rows)
            </tbody></table>
            </section>
            """
    }

    func row(_ item: WorklistItem) -> String {
        let sla = item.sla
        let cells = [
            item.number.description, item.proposedName, stageName(item.stage), sla.state.name.text(language),
            timeLeft(sla.remainingMinutes), sla.deadline.map(HallTime.localText(of:)) ?? "—",
        ].map { "<td>\(HTMLText.escape($0))</td>" }.joined()
        return
            "<tr class=\"\(sla.state.rawValue)\"\(HTMLText.attributes(["data-number": item.number.description, "data-state": sla.state.rawValue, "data-remaining-minutes": sla.remainingMinutes.map(String.init) ?? ""]))>\(cells)</tr>"
    }

    /// Minutes left, or over, in words; none left is the limit reached (the case is breached).
    func timeLeft(_ minutes: Int?) -> String {
        guard let minutes else { return "—" }
        if minutes == 0 { return t("已到时限", "limit reached") }
        return minutes > 0 ? t("剩余\(minutes)分钟", "\(minutes) min left") : t("超时\(-minutes)分钟", "\(-minutes) min over")
    }
}

extension HTMLText {
    /// An instant in hall time, escaped.
    static func localText(_ instant: Date) -> String { escape(HallTime.localText(of: instant)) }
}
