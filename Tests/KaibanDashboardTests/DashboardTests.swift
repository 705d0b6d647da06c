import Foundation
import KaibanCore
import KaibanDashboard
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import KaibanXML
import Testing

/// Issue 13: the dashboard's figures on a hand-made November (``Fixtures/dashboardMonth(_:)``),
/// and the page as a supervisor (or a test) reads it.
@Suite struct DashboardTests {
    let november = (
        CivilDate(uncheckedYear: 2026, month: 11, day: 1), CivilDate(uncheckedYear: 2026, month: 11, day: 30)
    )

    func played(_ store: TestStoreKind) async throws -> (
        desk: Desk, numbers: [CaseNumber], at: Date, data: DashboardData
    ) {
        let desk = try await Fixtures.desk(at: Fixtures.local("2026-11-26 08:00"), store: store)
        let (numbers, at) = try await Fixtures.dashboardMonth(desk)
        return (desk, numbers, at, try await desk.dashboard(from: november.0, to: november.1, at: at))
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports, .appointments, .exchange, .rebuild))
    func theMonthsPicturesFollowTheHandWorkedHistory(store: TestStoreKind) async throws {
        let (desk, numbers, at, data) = try await played(store)
        // The headline is `kaiban stats month`'s, the very same value.
        #expect(data.figures == (try await desk.hallFigures(from: november.0, to: november.1)))
        #expect(data.figures.total.received == 5 && data.figures.total.completed == 3)
        #expect(data.figures.time?.medianMinutes == 70 && data.figures.time?.p90Minutes == 240)
        let times = data.times
        #expect(times.budgetMinutes == 192 && times.binMinutes == 24 && times.bins.count == 21)
        // 40 → 24–47, 70 → 48–71, 240 → 240–263 (a bar holds its lower edge, not its upper).
        #expect(times.bins.filter { $0.count > 0 }.map(\.lower) == [24, 48, 240], "\(times.bins)")
        #expect(times.bins.last?.upper == nil && times.bins.last?.lower == 480)
        #expect(times.days.map(\.group) == ["2026-11-26", "2026-11-27"])
        #expect(times.days.first?.medianMinutes == 40 && times.days.first?.p90Minutes == 70)
        #expect(times.days.last?.count == 1 && times.days.last?.medianMinutes == 240)
        #expect(times.cases == 3 && times.governmentMinutes == 350)
        // B waited 60 working minutes for its correction: the applicant's time.
        #expect(
            times.applicantMinutes == 60
                && times.pauses.map { "\($0.stage):\($0.minutes):\($0.cases)" } == ["correction:60:1"])
        // Where the time goes: `sla report --by stage`.
        #expect(data.byStage == (try await desk.slaReport(from: november.0, to: november.1, by: .stage)).withoutFigures)
        // E breached first (its budget ran out on 11-27), then D at risk with 42 minutes left.
        #expect(data.atRisk.cases.map(\.number) == [numbers[4], numbers[3]])
        #expect(data.atRisk.cases.map(\.sla.state) == [.breached, .atRisk])
        #expect(data.atRisk.cases.last?.sla.remainingMinutes == 42)
        #expect(data.atRisk.asOf == at)
        // A rebuild from the history changes none of it.
        _ = try await desk.rebuild(as: .clerk("zhouqiang"))
        #expect(try await desk.dashboard(from: november.0, to: november.1, at: at) == data)
    }

    @Test func everyReadOfTheDashboardGoesThroughAnIndex() throws {
        let store = try Fixtures.store()
        let own = try store.closedTimesPlan()
        #expect(own.contains("registration_case_report") && !own.contains("SCAN"), "\(own)")
        // And the reads it shares with `stats`, `sla report --by stage` and the at-risk list.
        let shared =
            try store.hallFigurePlans() + store.channelActivityPlans() + [
                store.closedSpanPlan(), store.closedCasesPlan(groupedBy: .stage),
                store.closedCasesPlan(groupedBy: .channel), store.closedCasesPlan(groupedBy: .type),
                store.queuePlan(stages: nil),
            ]
        for plan in shared {
            for table in ["registration_case", "case_event", "appointment", "case_mail"] {
                #expect(
                    !plan.split(separator: "\n").contains { $0.hasSuffix("SCAN \(table)") }, "\(table): \(plan)")
            }
        }
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports, .appointments, .exchange))
    func thePageShowsTheFiguresOfStatsAndItsCharts(store: TestStoreKind) async throws {
        let (_, numbers, _, data) = try await played(store)
        let html = DashboardPage(data: data).html()
        let root = try Self.parse(html)
        let figures = data.figures
        func figure(_ key: String) -> String? {
            Self.elements(root) { $0.attributes["data-figure"] == key }.first?.text
        }
        #expect(figure("received") == "\(figures.total.received)")
        #expect(figure("accepted") == "\(figures.total.accepted)")
        #expect(figure("completed") == "\(figures.total.completed)")
        #expect(figure("median") == "\(figures.time?.medianMinutes ?? -1)")
        #expect(figure("p90") == "\(figures.time?.p90Minutes ?? -1)")
        #expect(figure("within-budget") == "66.7%")
        #expect(figure("cross-province-inbound") == "0" && figure("cross-province-outbound") == "0")
        // From a hostile trial: 其他终止 and the 容缺 share were in `stats` and not on the page.
        #expect(figures.total.otherwiseEnded == 0 && figures.deferrals?.completedWithDeferral == 0)
        #expect(figure("otherwise-ended") == "0" && figure("deferral-share") == "0.0%")
        // Every chart is an <svg> with a <title>.
        let charts = Self.elements(root) { $0.name == "svg" }
        #expect(
            charts.map { $0.attributes["id"] ?? "" }.sorted() == [
                "chart-channels", "chart-daily", "chart-distribution", "chart-split", "chart-stages",
            ])
        #expect(charts.allSatisfy { $0.child("title")?.text.isEmpty == false })
        // The distribution's bars count every completed case; the budget's line is at 192.
        let bars = Self.elements(root) { $0.name == "rect" && $0.attributes["data-lower"] != nil }
        #expect(bars.count == 21)
        #expect(bars.compactMap { Int($0.attributes["data-count"] ?? "") }.reduce(0, +) == figures.time?.count)
        let budgetLines = Self.elements(root) { $0.attributes["class"] == "budget" }
        #expect(budgetLines.contains { $0.attributes["data-minutes"] == "192" })
        let days = Self.elements(root) { $0.attributes["data-date"] != nil }
        #expect(days.map { $0.attributes["data-median"] ?? "" } == ["40", "240"])
        let channels = Self.elements(root) { $0.attributes["data-channel"] != nil }
        #expect(
            channels.map { "\($0.attributes["data-channel"] ?? ""):\($0.attributes["data-median"] ?? "")" }
                == figures.timeByChannel.map { "\($0.group):\($0.medianMinutes)" })
        let stages = Self.elements(root) { $0.attributes["data-stage"] != nil && $0.name == "g" }
        #expect(stages.map { $0.attributes["data-stage"] ?? "" } == data.byStage.groups.map(\.group))
        let split = Self.elements(root) { $0.attributes["data-kind"] != nil }
        #expect(split.map { $0.attributes["data-minutes"] ?? "" } == ["350", "60"])
        let rows = Self.elements(root) { $0.name == "tr" && $0.attributes["data-number"] != nil }
        #expect(rows.map { $0.attributes["data-number"] ?? "" } == [numbers[4].description, numbers[3].description])
        #expect(rows.last?.attributes["data-remaining-minutes"] == "42")
        // Chinese by default, English on demand; self-contained; A4 landscape in print.
        #expect(html.contains("办结用时分布") && html.contains("@page { size: A4 landscape"))
        #expect(DashboardPage(data: data, language: .en).html().contains("Time to completion"))
        // Nothing from elsewhere: no script, link, image, source or address but the namespaces'.
        let namespaces = ["xmlns=\"http://www.w3.org/1999/xhtml\"", "xmlns=\"http://www.w3.org/2000/svg\""]
        let bare = namespaces.reduce(html) { $0.replacingOccurrences(of: $1, with: "") }
        for outside in ["<script", "<link", "<img", "src=", "href=", "url(", "http:", "https:", "@import"] {
            #expect(!bare.contains(outside), "\(outside)")
        }
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .reports, .appointments, .exchange))
    func applicantsTextIsEscaped(store: TestStoreKind) async throws {
        var (_, _, _, data) = try await played(store)
        let hostile = "<script>alert('x')</script> & \"公司\""
        data.atRisk.cases[0].proposedName = hostile
        data.stageNames["received"] = LocalizedText(zh: "<b>已收件</b>", en: "<b>received</b>")
        let page = DashboardPage(
            data: data, refresh: .init(path: "/dashboard/at-risk", ticket: "t</script>&", seconds: 45, nonce: "n"))
        let html = page.html()
        #expect(!html.contains(hostile) && !html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;公司&quot;"))
        // Still well formed: the name is text of its cell, and the script block holds no markup.
        let root = try Self.parse(html)
        let cells = Self.elements(root) { $0.name == "td" }
        #expect(cells.contains { $0.text == hostile })
        #expect(Self.elements(root) { $0.name == "script" }.count == 2)
        #expect(!html.contains("t</script>&"))
        #expect(page.contentSecurityPolicy.contains("script-src 'nonce-n'"))
    }

    /// The page parsed as XML (its doctype line aside: the hardened parser refuses any).
    static func parse(_ html: String) throws -> ParsedElement {
        #expect(html.hasPrefix("<!DOCTYPE html>\n"))
        return try XMLTree(Data(html.dropFirst("<!DOCTYPE html>\n".count).utf8), source: "dashboard.html").root
    }

    /// Every element under `root` (itself included) that `matches`, in document order.
    static func elements(_ root: ParsedElement, _ matches: (ParsedElement) -> Bool) -> [ParsedElement] {
        var found = matches(root) ? [root] : []
        for child in root.children { found += elements(child, matches) }
        return found
    }
}

extension SLAReport {
    /// The report without the figures a report by stage leaves out inside the dashboard.
    var withoutFigures: SLAReport {
        var report = self
        report.deferrals = nil
        report.channels = nil
        return report
    }
}
