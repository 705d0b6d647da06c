import Foundation
import KaibanCore
import KaibanDesk

/// The supervisors' dashboard as one self-contained HTML page (well-formed XHTML too): inline
/// CSS with A4 landscape print rules, inline SVG charts, no external script, font, style or
/// image. `kaiban dashboard` writes it; `kaiban serve` serves it at `/dashboard` with
/// ``Refresh``, a small inline script that redraws the at-risk table from `/dashboard/at-risk`.
public struct DashboardPage: Sendable {
    /// What the served page needs to refresh its at-risk list without reloading.
    public struct Refresh: Sendable {
        /// The JSON endpoint (same origin), e.g. `/dashboard/at-risk`.
        public var path: String
        /// The bearer credential the script sends (the page's own, short-lived).
        public var ticket: String
        public var seconds: Int
        /// The Content-Security-Policy nonce of the inline script.
        public var nonce: String

        public init(path: String, ticket: String, seconds: Int, nonce: String) {
            self.path = path
            self.ticket = ticket
            self.seconds = seconds
            self.nonce = nonce
        }
    }

    public var data: DashboardData
    public var language: Language
    public var refresh: Refresh?

    public init(data: DashboardData, language: Language = .zh, refresh: Refresh? = nil) {
        self.data = data
        self.language = language
        self.refresh = refresh
    }

    func t(_ zh: String, _ en: String) -> String { language == .zh ? zh : en }

    /// The Content-Security-Policy the page declares (and a server should send): nothing from
    /// elsewhere; with ``Refresh``, its one script and requests to the same origin.
    public var contentSecurityPolicy: String {
        var policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
        if let refresh { policy += "; script-src 'nonce-\(refresh.nonce)'; connect-src 'self'" }
        return policy
    }

    /// The whole document.
    public func html() -> String {
        let figures = data.figures
        let period = figures.from == figures.to ? "\(figures.from)" : "\(figures.from) – \(figures.to)"
        let title = t("企业开办时限监控看板 \(period)", "Start-up desk SLA dashboard \(period)")
        let charts = DashboardCharts(language: language)
        var sections: [String] = []
        sections.append(headline())
        sections.append(section("distribution", t("办结用时分布", "Time to completion"), charts.distribution(data.times)))
        sections.append(
            section(
                "daily", t("每日中位数与90%分位", "Daily median and p90"),
                charts.daily(data.times, from: figures.from, to: figures.to)))
        sections.append(section("channels", t("按渠道", "By channel"), channelChart(charts)))
        sections.append(section("stages", t("按环节：时间花在哪里", "By stage: where the time goes"), stageChart(charts)))
        sections.append(
            section(
                "split", t("政府用时与暂停用时", "Government time and paused time"),
                charts.split(data.times, stageName: stageName)))
        sections.append(atRiskSection())
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="\(language == .zh ? "zh-CN" : "en")" xml:lang="\(language == .zh ? "zh-CN" : "en")">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta http-equiv="Content-Security-Policy" content="\(HTMLText.escape(contentSecurityPolicy))"/>
            <title>\(HTMLText.escape(title))</title>
            <style>\(DashboardStyle.css)</style>
            </head>
            <body>
            <header><h1>\(HTMLText.escape(title))</h1><p class="meta">\(HTMLText.escape(meta()))</p></header>
            <main>
            \(sections.joined(separator: "\n"))
            </main>
            <footer><p>\(HTMLText.escape(t("口径：收件按收件时间、办结按办结时间计入本期；用时为工作时间内计时的分钟（政府用时），暂停计时（补正、邮寄在途、待补齐材料）为申请人用时，办理地的特别程序另计；中位数和90%分位取最近秩；与 kaiban stats 同一口径。", "Definitions: cases received by intake instant, completed by closing instant; time is working minutes on the clock (government time); the clock paused (corrections, documents in the post, awaiting documents) is the applicant's time, the deciding authority's special procedures apart; median and p90 by nearest rank; the same definitions as kaiban stats.")))</p></footer>
            \(refresh.map { DashboardScript(page: self, refresh: $0).html() } ?? "")
            </body>
            </html>

            """
    }

    func meta() -> String {
        let asOf = HallTime.localText(of: data.atRisk.asOf)
        let provisional = data.times.provisional || (data.figures.time?.provisional ?? false)
        return t("昭化区政务服务中心企业开办窗口 · 生成于\(asOf)（北京时间）", "Zhaohua hall start-up desk · made \(asOf) (Asia/Shanghai)")
            + (provisional
                ? t(" · 含无节假日安排年份的时间，数字为暂估", " · some time falls in a year without a holiday notice: provisional") : "")
    }

    func section(_ id: String, _ heading: String, _ content: String) -> String {
        "<section id=\"\(id)\"><h2>\(HTMLText.escape(heading))</h2>\n\(content)\n</section>"
    }

    func stageName(_ id: String) -> String {
        data.stageNames[id]?.text(language) ?? id
    }

    /// The headline figures: exactly those of `kaiban stats` for the period.
    func headline() -> String {
        let figures = data.figures
        let time = figures.time
        let items: [(String, String, String, String)] = [
            ("received", t("收件", "received"), "\(figures.total.received)", "\(figures.total.received)"),
            ("accepted", t("受理", "accepted"), "\(figures.total.accepted)", "\(figures.total.accepted)"),
            ("completed", t("办结", "completed"), "\(figures.total.completed)", "\(figures.total.completed)"),
            ("refused", t("不予受理/驳回", "refused/rejected"), "\(figures.total.refused)", "\(figures.total.refused)"),
            ("withdrawn", t("撤回", "withdrawn"), "\(figures.total.withdrawn)", "\(figures.total.withdrawn)"),
            // From a hostile trial: a revoked registration or a case ended for an overdue
            // commitment was in `stats` and nowhere on the page; nor was the 容缺 share.
            (
                "otherwise-ended", t("其他终止", "otherwise ended"), "\(figures.total.otherwiseEnded)",
                "\(figures.total.otherwiseEnded)"
            ),
            (
                "deferral-share", t("容缺受理占办结", "completed with a deferral"),
                HTMLText.percent(figures.deferrals?.deferralShare(completed: figures.total.completed)),
                figures.deferrals?.deferralShare(completed: figures.total.completed).map { String(format: "%.4f", $0) }
                    ?? ""
            ),
            (
                "median", t("用时中位数（分）", "median (min)"), time.map { "\($0.medianMinutes)" } ?? "—",
                time.map { "\($0.medianMinutes)" } ?? ""
            ),
            (
                "p90", t("90%分位（分）", "p90 (min)"), time.map { "\($0.p90Minutes)" } ?? "—",
                time.map { "\($0.p90Minutes)" } ?? ""
            ),
            (
                "max", t("最长（分）", "max (min)"), time.map { "\($0.maxMinutes)" } ?? "—",
                time.map { "\($0.maxMinutes)" } ?? ""
            ),
            (
                "within-budget", t("0.4个工作日内办结", "within 0.4 working day"), HTMLText.percent(time?.withinBudgetShare),
                time.map { String(format: "%.4f", $0.withinBudgetShare) } ?? ""
            ),
            (
                "correction-rate", t("补正率", "correction rate"), HTMLText.percent(figures.correctionRate),
                figures.correctionRate.map { String(format: "%.4f", $0) } ?? ""
            ),
            (
                "cross-province-inbound", t("川渝通办转入", "cross-province in"), "\(figures.crossProvince.inbound)",
                "\(figures.crossProvince.inbound)"
            ),
            (
                "cross-province-outbound", t("川渝通办转出", "cross-province out"), "\(figures.crossProvince.outbound)",
                "\(figures.crossProvince.outbound)"
            ),
        ]
        let cells = items.map { key, label, shown, value in
            "<div class=\"figure\"><dt>\(HTMLText.escape(label))</dt><dd\(HTMLText.attributes(["data-figure": key, "data-value": value]))>\(HTMLText.escape(shown))</dd></div>"
        }
        return section("figures", t("本期概况", "The period's figures"), "<dl class=\"figures\">\(cells.joined())</dl>")
    }

    func channelChart(_ charts: DashboardCharts) -> String {
        let rows = data.figures.timeByChannel.map {
            DashboardCharts.Group(
                key: $0.group, label: Channel(rawValue: $0.group)?.name.text(language) ?? $0.group, statistics: $0,
                budget: data.figures.budgetMinutes)
        }
        return charts.groups(
            rows, id: "chart-channels", dataKey: "data-channel", title: t("各渠道办结用时", "Time to completion by channel"),
            description: t(
                "各渠道本期办结办件政府用时的中位数和90%分位（工作分钟），竖线为0.4个工作日。",
                "Median and p90 government working minutes of the cases completed through each channel; the line is 0.4 working day."
            ))
    }

    func stageChart(_ charts: DashboardCharts) -> String {
        let rows = data.byStage.groups.map {
            DashboardCharts.Group(
                key: $0.group, label: stageName($0.group), statistics: $0, budget: data.stageBudgets[$0.group])
        }
        return charts.groups(
            rows, id: "chart-stages", dataKey: "data-stage", title: t("各环节用时", "Time by stage"),
            description: t(
                "本期办结办件在各计时环节所用工作分钟的中位数和90%分位，竖线为该环节的时限。",
                "Median and p90 working minutes the completed cases spent in each stage on the clock; the line is the stage's budget."
            ))
    }
}
