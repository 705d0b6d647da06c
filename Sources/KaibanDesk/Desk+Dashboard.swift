import Foundation
import KaibanCore

/// Everything the supervisors' dashboard shows for a period: the hall's figures (exactly those of
/// `kaiban stats`), where the time goes by stage (`sla report --by stage`), the pictures of the
/// completed cases' time (``DashboardTimes``) and the open cases at risk or breached.
public struct DashboardData: Sendable, Equatable, Codable {
    public var figures: HallFigures
    /// Each stage's working minutes over the completed cases (``SLAReport`` by stage).
    public var byStage: SLAReport
    public var times: DashboardTimes
    public var atRisk: DashboardAtRisk
    /// The stages' names (the newest workflow version's), by id.
    public var stageNames: [String: LocalizedText]
    /// The stages' budgets in working minutes (the newest workflow version's), by id.
    public var stageBudgets: [String: Int]
}

/// The open cases at risk of missing, or past, their budget, as of an instant.
public struct DashboardAtRisk: Sendable, Equatable, Codable {
    public var asOf: Date
    /// At most this many are listed, most urgent first.
    public var limit: Int
    public var cases: [WorklistItem]
}

extension Desk {
    /// How many cases at risk the dashboard lists.
    public static let dashboardAtRiskLimit = 100

    /// The dashboard from `first` to `last` (local days), its at-risk list as of `instant`.
    public func dashboard(from first: CivilDate, to last: CivilDate, at instant: Date) async throws -> DashboardData {
        try await run {
            let figures = try await hallFigures(from: first, to: last)
            let byStage = try await slaReport(from: first, to: last, by: .stage, withFigures: false)
            let definitions = try await definitions()
            let completed = Self.completionStages(definitions)
            var budgets: [WorkflowDefinition.Key: Int] = [:]
            var names: [String: LocalizedText] = [:]
            for definition in definitions {
                if let budget = definition.budgetMinutes { budgets[definition.key] = budget }
                // Newest first within a workflow: the first name seen is the newest.
                for stage in definition.stages where names[stage.id] == nil { names[stage.id] = stage.name }
            }
            let calendar = try await slaClock().calendar
            var builder = DashboardTimes.Builder(calendar: calendar, budgetMinutes: figures.budgetMinutes)
            var special: [WorkflowDefinition.Key: Set<String>] = [:]
            for definition in definitions { special[definition.key] = definition.specialProcedureStages }
            let (start, end) = Self.period(first, last)
            for row in try await store.closedCaseTimes(from: start, to: end, stages: completed) {
                builder.add(
                    closedAt: row.closedAt, governmentMinutes: row.governmentMinutes, budget: budgets[row.workflow],
                    clockSegments: row.clockSegments, specialProcedureStages: special[row.workflow] ?? [])
            }
            return DashboardData(
                figures: figures, byStage: byStage, times: builder.times(),
                atRisk: try await dashboardAtRisk(at: instant), stageNames: names,
                stageBudgets: try await latestDefinition().stageBudgets)
        }
    }

    /// The open cases at risk or breached as of `instant` (the dashboard's list, which the served
    /// page refreshes), at most ``dashboardAtRiskLimit``. An instant within a few seconds of the
    /// desk's clock is read as now (from the cases as they stand), an earlier one from the history.
    public func dashboardAtRisk(at instant: Date) async throws -> DashboardAtRisk {
        try await run {
            let asOf = try self.instant(instant)
            let live = !isPast(asOf.addingTimeInterval(Self.presentTolerance))
            let cases = try await atRisk(limit: Self.dashboardAtRiskLimit, at: live ? nil : asOf)
            return DashboardAtRisk(asOf: asOf, limit: Self.dashboardAtRiskLimit, cases: cases)
        }
    }

    /// How far before the desk's clock an instant passed in by an edge still means now (the edge
    /// read its clock a moment before the desk).
    static let presentTolerance: TimeInterval = 5
}
