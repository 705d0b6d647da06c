import Foundation
import KaibanCore

extension Desk {
    /// The SLA report over the cases completed (outcome `completed`) from `first` to `last`
    /// (local days), each measured against the budgets of its own workflow version.
    public func slaReport(from first: CivilDate, to last: CivilDate, by grouping: SLAGrouping) async throws
        -> SLAReport
    {
        try await run {
            guard first <= last else {
                throw Problem(
                    .invalid, "period.reversed", zh: "起始日\(first)晚于截止日\(last)",
                    en: "the period starts (\(first)) after it ends (\(last))")
            }
            let definitions = try await definitions()
            let completed = Array(Set(definitions.flatMap { $0.stages.filter { $0.outcome == .completed }.map(\.id) }))
                .sorted()
            var budgets: [WorkflowDefinition.Key: SLAReport.Budgets] = [:]
            for definition in definitions { budgets[definition.key] = SLAReport.Budgets(definition) }
            let newest = try await latestDefinition()
            let fallback = SLAReport.Budgets(newest)
            let start = HallTime.instant(first, hour: 0, minute: 0)
            let end = HallTime.instant(
                HallTime.civilDate(fromDaysSinceEpoch: HallTime.daysSinceEpoch(last) + 1), hour: 0, minute: 0)
            let builder = try await store.closedCases(
                from: start, to: end, stages: completed,
                into: SLAReport.Builder(grouping: grouping, calendar: try await workingCalendar())
            ) { [budgets] builder, row in
                builder.add(
                    SLAReport.Input(
                        channel: row.channel, type: row.enterpriseType, clerk: row.openedBy, segments: row.segments),
                    budgets: budgets[row.workflow] ?? fallback)
            }
            return builder.report(from: first, to: last, budgetMinutes: fallback.whole)
        }
    }
}
