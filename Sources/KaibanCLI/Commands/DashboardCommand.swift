import ArgumentParser
import Foundation
import KaibanCore
import KaibanDashboard
import KaibanDesk

/// `kaiban dashboard [--month yyyy-MM] --output FILE.html`: the supervisors' dashboard of a month
/// as one self-contained HTML file (inline SVG and CSS, A4 landscape in print).
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: localized(
            zh: "监控看板：将某月的本厅统计、用时图表和临近超时的办件写成一个自包含的 HTML 文件（可打印为 A4 横向）。",
            en:
                "The dashboard: a month's figures, time charts and the cases at risk as one self-contained HTML file (prints on A4 landscape)."
        ),
        discussion: localized(
            zh: "数字与 kaiban stats month 相同；临近超时的办件按当前时刻列出。kaiban serve 在 /dashboard 提供同一页面（限负责人令牌）。",
            en:
                "The figures are those of kaiban stats month; the cases at risk are listed as of now. kaiban serve serves the same page at /dashboard (a supervisor's token)."
        ))

    @OptionGroup var global: GlobalOptions
    @Option(
        help: .localized(zh: "月份（yyyy-MM，默认为北京时间的本月）。", en: "The month (yyyy-MM; default: this month, Asia/Shanghai)."))
    var month: String?
    @Option(
        help: .localized(
            zh: "写入的 HTML 文件（整体替换，不写半个文件）。", en: "The HTML file to write (replaced whole, never half-written)."))
    var output: String

    func validate() throws {
        if let month, let problem = CivilDate.monthProblem(month) {
            throw usageError(zh: "--month：\(problem.zh)", en: "--month: \(problem.en)")
        }
        try OutputFile.validate(output, what: "看板文件")
    }

    func run() async throws {
        let now = Date()
        let today = HallTime.localDate(of: now)
        let text = month ?? String(format: "%04d-%02d", today.year, today.month)
        guard let days = monthRange(text) else { return }
        try await withDesk(global) { session in
            let url = try await Self.write(
                session.desk, from: days.first, to: days.last, at: now, language: session.language, to: output,
                protecting: OutputFile.protectedFolders(session.settings))
            Console.print(
                session.zh ? "已写出\(text)的监控看板：\(url.path)" : "the dashboard of \(text) is written to \(url.path)")
        }
    }

    /// Computes the dashboard of `first`…`last` (its at-risk list as of `now`) and writes it to
    /// `path`, never in `protected` folders (``OutputFile/requireReplaceable(_:protected:)``: a
    /// clerk's `--output` is kept out of the data directory; the demo writes its own page there
    /// for a PostgreSQL database); the file's URL.
    static func write(
        _ desk: Desk, from first: CivilDate, to last: CivilDate, at now: Date, language: Language, to path: String,
        protecting protected: [URL] = []
    ) async throws -> URL {
        let data = try await desk.dashboard(from: first, to: last, at: now)
        return try OutputFile.write(
            DashboardPage(data: data, language: language).html(), to: path, protecting: protected)
    }
}
