import Foundation

/// Distribution of elapsed working time over a group of closed cases.
public struct SLAStatistics: Sendable, Equatable, Codable {
    public var group: String
    public var count: Int
    /// Nearest-rank percentiles of government working minutes.
    public var medianMinutes: Int
    public var p90Minutes: Int
    public var maxMinutes: Int
    /// Share of cases (0-1) within the budget (0.4 working day for company formation).
    public var withinBudgetShare: Double
    public var provisional: Bool

    /// Statistics of `minutes`; nil for an empty group.
    public init?(group: String, minutes: [Int], budget: Int, provisional: Bool) {
        guard !minutes.isEmpty else { return nil }
        let sorted = minutes.sorted()
        func rank(_ p: Double) -> Int { sorted[max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
        self.group = group
        count = sorted.count
        medianMinutes = rank(0.5)
        p90Minutes = rank(0.9)
        maxMinutes = sorted[sorted.count - 1]
        withinBudgetShare = Double(sorted.filter { $0 <= budget }.count) / Double(sorted.count)
        self.provisional = provisional
    }
}

/// How to group the report.
public enum SLAGrouping: String, Sendable, CaseIterable, Codable {
    case all, channel, type, clerk, stage
}

/// The SLA report: elapsed working time of the cases completed in a period.
public struct SLAReport: Sendable, Equatable, Codable {
    public var from: CivilDate
    public var to: CivilDate
    public var grouping: SLAGrouping
    public var budgetMinutes: Int
    public var total: SLAStatistics?
    public var groups: [SLAStatistics]

    /// One closed case: its group keys and its clock segments.
    public struct Input: Sendable {
        public var channel: String
        public var type: String
        public var clerk: String
        public var segments: [ClockSegment]

        public init(channel: String, type: String, clerk: String, segments: [ClockSegment]) {
            self.channel = channel
            self.type = type
            self.clerk = clerk
            self.segments = segments
        }
    }

    /// Builds the report; `stageBudgets` gives each stage's budget for `--by stage` (whose share is
    /// then the share of cases within that stage's budget).
    public init(
        cases: [Input], from: CivilDate, to: CivilDate, grouping: SLAGrouping, budgetMinutes: Int,
        stageBudgets: [String: Int], calendar: WorkingCalendar
    ) {
        var builder = Builder(grouping: grouping, calendar: calendar)
        for item in cases { builder.add(item) }
        self = builder.report(from: from, to: to, budgetMinutes: budgetMinutes, stageBudgets: stageBudgets)
    }

    /// Accumulates cases one at a time (the store streams them), keeping only minutes per case.
    public struct Builder {
        let grouping: SLAGrouping
        let calendar: WorkingCalendar
        var totals: [Int] = []
        var grouped: [String: [Int]] = [:]
        var provisional = false

        public init(grouping: SLAGrouping, calendar: WorkingCalendar) {
            self.grouping = grouping
            self.calendar = calendar
        }

        public mutating func add(_ item: Input) {
            add(channel: item.channel, type: item.type, clerk: item.clerk, segments: item.segments)
        }

        public mutating func add(channel: String, type: String, clerk: String, segments: [ClockSegment]) {
            var government = 0
            var byStage: [String: Int] = [:]
            for segment in segments where segment.effect == .running {
                let time = calendar.elapsed(from: segment.start, to: segment.end ?? segment.start)
                government += time.minutes
                provisional = provisional || time.provisional
                if grouping == .stage { byStage[segment.stage, default: 0] += time.minutes }
            }
            totals.append(government)
            switch grouping {
            case .all: break
            case .channel: grouped[channel, default: []].append(government)
            case .type: grouped[type, default: []].append(government)
            case .clerk: grouped[clerk, default: []].append(government)
            case .stage: for (stage, minutes) in byStage { grouped[stage, default: []].append(minutes) }
            }
        }

        public func report(from: CivilDate, to: CivilDate, budgetMinutes: Int, stageBudgets: [String: Int]) -> SLAReport
        {
            SLAReport(
                from: from, to: to, grouping: grouping, budgetMinutes: budgetMinutes,
                total: SLAStatistics(group: "all", minutes: totals, budget: budgetMinutes, provisional: provisional),
                groups: grouped.keys.sorted().compactMap { key in
                    SLAStatistics(
                        group: key, minutes: grouped[key] ?? [],
                        budget: grouping == .stage ? stageBudgets[key] ?? budgetMinutes : budgetMinutes,
                        provisional: provisional)
                })
        }
    }

    init(
        from: CivilDate, to: CivilDate, grouping: SLAGrouping, budgetMinutes: Int, total: SLAStatistics?,
        groups: [SLAStatistics]
    ) {
        self.from = from
        self.to = to
        self.grouping = grouping
        self.budgetMinutes = budgetMinutes
        self.total = total
        self.groups = groups
    }
}
