import Foundation
import KaibanCore

/// The dashboard's charts, each an ``SVGChart`` drawn from figures the desk computed: nothing here
/// decides what a figure means.
struct DashboardCharts {
    let language: Language

    func t(_ zh: String, _ en: String) -> String { language == .zh ? zh : en }

    /// The completed cases' government minutes in bars an eighth of the budget wide, with the
    /// budget's line (192 minutes = 0.4 working day).
    func distribution(_ times: DashboardTimes) -> String {
        var chart = SVGChart(id: "chart-distribution")
        let maximum = SVGChart.scale(times.bins.map { Double($0.count) }, floor: 4)
        chart.valueAxis(maximum: maximum, unit: t("件数", "cases"))
        let width = chart.plotWidth / Double(max(1, times.bins.count))
        for (index, bin) in times.bins.enumerated() {
            let x = chart.left + Double(index) * width
            let height = Double(bin.count) / maximum * chart.plotHeight
            // A bar holds its lower edge, not its upper: 0–23, 24–47, …, 480 and more.
            let range = bin.upper.map { "\(bin.lower)–\($0 - 1)" } ?? "≥ \(bin.lower)"
            chart.rect(
                x: x + 1, y: chart.top + chart.plotHeight - height, width: width - 2, height: height,
                className: bin.upper.map { $0 <= times.budgetMinutes ? "bar within" : "bar over" } ?? "bar over",
                tip: t("\(range)分钟：\(bin.count)件", "\(range) min: \(bin.count) cases"),
                [
                    "data-lower": "\(bin.lower)", "data-upper": bin.upper.map(String.init) ?? "",
                    "data-count": "\(bin.count)",
                ])
            if index % 4 == 0 || bin.upper == nil {
                chart.text(
                    bin.upper == nil ? "≥ \(bin.lower)" : "\(bin.lower)", x: x, y: chart.top + chart.plotHeight + 16,
                    className: "tick")
            }
        }
        let x = chart.left + Double(times.budgetMinutes) / Double(times.binMinutes) * width
        chart.line(
            x, chart.top - 4, x, chart.top + chart.plotHeight, className: "budget",
            ["data-minutes": "\(times.budgetMinutes)"])
        chart.text(
            t("0.4个工作日 = \(times.budgetMinutes)分钟", "0.4 working day = \(times.budgetMinutes) min"), x: x + 4,
            y: chart.top + 10, anchor: "start", className: "budget-label")
        chart.text(
            t("办结用时（工作分钟）", "time to completion (working minutes)"), x: chart.left + chart.plotWidth / 2,
            y: chart.height - 6)
        return chart.svg(
            title: t("办结用时分布", "Distribution of the time to completion"),
            description: t(
                "本期办结的\(times.cases)件按政府用时（工作分钟）分组的件数；竖线为0.4个工作日（\(times.budgetMinutes)分钟）。",
                "The \(times.cases) cases completed in the period by government working minutes; the line is 0.4 working day (\(times.budgetMinutes) min)."
            ))
    }

    /// Each day's median and p90 over the period's days, with the budget's line.
    func daily(_ times: DashboardTimes, from first: CivilDate, to last: CivilDate) -> String {
        var chart = SVGChart(id: "chart-daily")
        let firstDay = HallTime.daysSinceEpoch(first)
        let count = max(1, HallTime.daysSinceEpoch(last) - firstDay + 1)
        let maximum = SVGChart.scale(
            times.days.map { Double($0.p90Minutes) }, floor: Double(times.budgetMinutes) * 1.2)
        chart.valueAxis(maximum: maximum, unit: t("工作分钟", "working min"))
        let step = chart.plotWidth / Double(count)
        func y(_ minutes: Int) -> Double { chart.top + chart.plotHeight - Double(minutes) / maximum * chart.plotHeight }
        let budgetY = y(times.budgetMinutes)
        chart.line(
            chart.left, budgetY, chart.left + chart.plotWidth, budgetY, className: "budget",
            ["data-minutes": "\(times.budgetMinutes)"])
        for offset in stride(from: 0, to: count, by: count > 16 ? 5 : 1) {
            let day = HallTime.civilDate(fromDaysSinceEpoch: firstDay + offset)
            chart.text(
                "\(day.month)/\(day.day)", x: chart.left + (Double(offset) + 0.5) * step,
                y: chart.top + chart.plotHeight + 16, className: "tick")
        }
        var points: [(x: Double, day: SLAStatistics)] = []
        for day in times.days {
            guard let date = CivilDate(day.group) else { continue }
            points.append((chart.left + (Double(HallTime.daysSinceEpoch(date) - firstDay) + 0.5) * step, day))
        }
        for (name, value) in [("p90", \SLAStatistics.p90Minutes), ("median", \SLAStatistics.medianMinutes)] {
            let path = points.map { "\(HTMLText.point($0.x)),\(HTMLText.point(y($0.day[keyPath: value])))" }
            chart.add("<polyline class=\"series \(name)\" points=\"\(path.joined(separator: " "))\"/>")
        }
        for point in points {
            let day = point.day
            chart.add(
                "<g class=\"day\"\(HTMLText.attributes(["data-date": day.group, "data-count": "\(day.count)", "data-median": "\(day.medianMinutes)", "data-p90": "\(day.p90Minutes)"]))><title>\(HTMLText.escape(t("\(day.group)：\(day.count)件，中位数\(day.medianMinutes)分钟，90%分位\(day.p90Minutes)分钟", "\(day.group): \(day.count) cases, median \(day.medianMinutes) min, p90 \(day.p90Minutes) min")))</title><circle class=\"median\" cx=\"\(HTMLText.point(point.x))\" cy=\"\(HTMLText.point(y(day.medianMinutes)))\" r=\"3\"/><circle class=\"p90\" cx=\"\(HTMLText.point(point.x))\" cy=\"\(HTMLText.point(y(day.p90Minutes)))\" r=\"3\"/></g>"
            )
        }
        chart.add(legend([("median", t("中位数", "median")), ("p90", t("90%分位", "p90"))], chart))
        return chart.svg(
            title: t("每日办结用时：中位数与90%分位", "Daily time to completion: median and p90"),
            description: t(
                "按办结日期，每日办结办件的政府用时中位数和90%分位（工作分钟）；横线为0.4个工作日。",
                "By day of completion, the median and p90 of the government working minutes of the cases completed; the line is 0.4 working day."
            ))
    }

    /// A row of ``groups``: its key, label, statistics and the budget it is measured against.
    struct Group {
        var key: String
        var label: String
        var statistics: SLAStatistics
        var budget: Int?
    }

    /// Horizontal bars of each group's median and p90, with each group's budget marked.
    func groups(_ rows: [Group], id: String, dataKey: String, title: String, description: String) -> String {
        var chart = SVGChart(id: id, height: max(120, Double(rows.count) * 34 + 56))
        chart.left = 150
        let maximum = SVGChart.scale(
            rows.map { Double($0.statistics.p90Minutes) }, floor: Double(rows.compactMap(\.budget).max() ?? 0))
        func x(_ minutes: Int) -> Double { chart.left + Double(minutes) / maximum * chart.plotWidth }
        var tick = 0.0
        let step = SVGChart.niceStep(maximum / 5)
        while tick <= maximum + 0.0001 {
            chart.line(x(Int(tick)), chart.top, x(Int(tick)), chart.top + chart.plotHeight, className: "grid")
            chart.text(HTMLText.point(tick), x: x(Int(tick)), y: chart.top + chart.plotHeight + 16, className: "tick")
            tick += step
        }
        for (index, row) in rows.enumerated() {
            let y = chart.top + Double(index) * 34
            let stats = row.statistics
            chart.add(
                "<g class=\"group\"\(HTMLText.attributes([dataKey: row.key, "data-count": "\(stats.count)", "data-median": "\(stats.medianMinutes)", "data-p90": "\(stats.p90Minutes)", "data-within-share": String(format: "%.4f", stats.withinBudgetShare)]))>"
            )
            chart.text(
                t("\(row.label)（\(stats.count)件）", "\(row.label) (\(stats.count))"), x: chart.left - 8, y: y + 18,
                anchor: "end")
            for (offset, (name, minutes)) in [("median", stats.medianMinutes), ("p90", stats.p90Minutes)].enumerated() {
                chart.rect(
                    x: chart.left, y: y + 4 + Double(offset) * 12, width: x(minutes) - chart.left, height: 11,
                    className: "bar \(name)",
                    tip: t(
                        "\(row.label) \(name == "median" ? "中位数" : "90%分位") \(minutes)分钟",
                        "\(row.label) \(name) \(minutes) min"), ["data-minutes": "\(minutes)"])
            }
            if let budget = row.budget {
                chart.line(x(budget), y + 1, x(budget), y + 30, className: "budget", ["data-minutes": "\(budget)"])
            }
            chart.add("</g>")
        }
        if rows.isEmpty {
            chart.text(t("本期没有办结的办件", "no case was completed in the period"), x: chart.width / 2, y: chart.top + 30)
        }
        chart.text(t("工作分钟", "working minutes"), x: chart.left + chart.plotWidth / 2, y: chart.height - 6)
        chart.add(
            legend([("median", t("中位数", "median")), ("p90", t("90%分位", "p90")), ("budget", t("时限", "budget"))], chart))
        return chart.svg(title: title, description: description)
    }

    /// One bar: the completed cases' government time, then the applicant's time in each paused stage.
    func split(_ times: DashboardTimes, stageName: (String) -> String) -> String {
        var chart = SVGChart(id: "chart-split", height: 150)
        chart.left = 16
        let total = max(1, times.governmentMinutes + times.applicantMinutes + times.specialProcedureMinutes)
        var x = chart.left
        var parts = [("government", "", t("政府用时", "government time"), times.governmentMinutes)]
        parts += times.pauses.map {
            $0.specialProcedure
                ? ("special", $0.stage, t("特别程序：", "special procedure: ") + stageName($0.stage), $0.minutes)
                : ("applicant", $0.stage, t("申请人用时：", "applicant: ") + stageName($0.stage), $0.minutes)
        }
        for (index, part) in parts.enumerated() {
            let width = Double(part.3) / Double(total) * chart.plotWidth
            let share = HTMLText.percent(Double(part.3) / Double(total))
            chart.rect(
                x: x, y: chart.top, width: width, height: 40, className: "part \(part.0) part-\(index % 4)",
                tip: t("\(part.2)：\(part.3)工作分钟（\(share)）", "\(part.2): \(part.3) working min (\(share))"),
                ["data-kind": part.0, "data-stage": part.1, "data-minutes": "\(part.3)"])
            chart.add(
                "<rect class=\"key part \(part.0) part-\(index % 4)\" x=\"\(HTMLText.point(chart.left + Double(index % 2) * 350))\" y=\"\(HTMLText.point(chart.top + 54 + Double(index / 2) * 18))\" width=\"10\" height=\"10\"/>"
            )
            chart.text(
                "\(part.2) \(part.3)\(t("分", " min")) (\(share))", x: chart.left + Double(index % 2) * 350 + 14,
                y: chart.top + 63 + Double(index / 2) * 18, anchor: "start")
            x += width
        }
        return chart.svg(
            title: t("政府用时与暂停用时", "Government time against paused time"),
            description: t(
                "本期办结办件计时的工作分钟（政府用时）与暂停计时的工作分钟（补正、邮寄在途、待补齐材料等申请人用时，及办理地的特别程序）之比。",
                "The completed cases' working minutes on the clock (government) against those with the clock paused (corrections, documents in the post, awaiting documents: the applicant's; and the deciding authority's special procedures)."
            ))
    }

    /// A legend in the top right corner.
    func legend(_ items: [(className: String, label: String)], _ chart: SVGChart) -> String {
        var parts: [String] = []
        var x = chart.width - chart.right - Double(items.count) * 90
        for item in items {
            parts.append(
                "<rect class=\"key \(item.className)\" x=\"\(HTMLText.point(x))\" y=\"2\" width=\"10\" height=\"10\"/><text class=\"tick\" x=\"\(HTMLText.point(x + 14))\" y=\"11\" text-anchor=\"start\">\(HTMLText.escape(item.label))</text>"
            )
            x += 90
        }
        return "<g class=\"legend\">\(parts.joined())</g>"
    }
}
