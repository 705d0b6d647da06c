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

    /// Statistics of `minutes`, all against one `budget`; nil for an empty group.
    public init?(group: String, minutes: [Int], budget: Int, provisional: Bool) {
        self.init(
            group: group, measured: minutes.map { ($0, SLAClock.isWithin($0, budget: budget)) },
            provisional: provisional)
    }

    /// Statistics of cases each measured against its own budget; nil for an empty group.
    public init?(group: String, measured: [(minutes: Int, withinBudget: Bool)], provisional: Bool) {
        var tally = MinuteTally()
        for (minutes, within) in measured { tally.add(minutes, withinBudget: within) }
        self.init(group: group, tally: tally, provisional: provisional)
    }

    /// Statistics of the cases counted in `tally`; nil for an empty group.
    public init?(group: String, tally: MinuteTally, provisional: Bool) {
        guard tally.count > 0, let maximum = tally.maximum else { return nil }
        self.group = group
        count = tally.count
        let ranks = tally.nearestRanks([0.5, 0.9])
        medianMinutes = ranks[0]
        p90Minutes = ranks[1]
        maxMinutes = maximum
        withinBudgetShare = Double(tally.withinBudget) / Double(tally.count)
        self.provisional = provisional
    }
}

/// Cases counted by their working minutes, with how many were within their budget: what the
/// nearest-rank percentiles need, without keeping or sorting the cases (a whole history of a
/// million cases is some hundred distinct values).
public struct MinuteTally: Sendable, Equatable {
    /// Cases by minutes, for 0..<`denseLimit` minutes (grown as needed).
    var dense: [Int] = []
    /// Cases by minutes outside the dense range (negative, or a case open for years).
    var sparse: [Int: Int] = [:]
    public private(set) var count = 0
    public private(set) var withinBudget = 0

    /// Minutes below this (68 working days) are counted in an array (128 KB at most), the rest in
    /// a dictionary.
    static let denseLimit = 1 << 14

    public init() {}

    public mutating func add(_ minutes: Int, withinBudget within: Bool, times: Int = 1) {
        count += times
        if within { withinBudget += times }
        guard minutes >= 0, minutes < Self.denseLimit else {
            sparse[minutes, default: 0] += times
            return
        }
        if minutes >= dense.count {
            dense.append(contentsOf: repeatElement(0, count: max(minutes + 1, dense.count * 2) - dense.count))
        }
        dense[minutes] += times
    }

    public mutating func merge(_ other: MinuteTally) {
        if other.dense.count > dense.count {
            dense.append(contentsOf: repeatElement(0, count: other.dense.count - dense.count))
        }
        for (minutes, times) in other.dense.enumerated() where times != 0 { dense[minutes] += times }
        sparse.merge(other.sparse, uniquingKeysWith: +)
        count += other.count
        withinBudget += other.withinBudget
    }

    /// The distinct minutes counted, ascending, with their counts.
    func ascending() -> [(minutes: Int, times: Int)] {
        let low = sparse.filter { $0.key < 0 }.sorted { $0.key < $1.key }.map { (minutes: $0.key, times: $0.value) }
        let high = sparse.filter { $0.key >= 0 }.sorted { $0.key < $1.key }.map { (minutes: $0.key, times: $0.value) }
        let middle = dense.enumerated().filter { $0.element != 0 }.map { (minutes: $0.offset, times: $0.element) }
        return low + middle + high
    }

    /// The largest minutes counted, without ordering the others.
    public var maximum: Int? {
        if let high = sparse.keys.filter({ $0 >= 0 }).max() { return high }
        if let last = dense.lastIndex(where: { $0 != 0 }) { return last }
        return sparse.keys.max()
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 1): the k-th smallest, k = ⌈p·count⌉ (at least 1).
    public func nearestRank(_ p: Double) -> Int { nearestRanks([p])[0] }

    /// ``nearestRank(_:)`` of each of `ps`, from one ascending pass over the counts.
    public func nearestRanks(_ ps: [Double]) -> [Int] {
        let ranks = ps.map { max(1, Int(($0 * Double(count)).rounded(.up))) }
        var found: [Int?] = Array(repeating: nil, count: ps.count)
        var seen = 0
        for (minutes, times) in ascending() {
            seen += times
            for index in ranks.indices where found[index] == nil && seen >= ranks[index] { found[index] = minutes }
            if !found.contains(where: { $0 == nil }) { break }
        }
        let last = maximum ?? 0
        return found.map { $0 ?? last }
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
    /// The budget of the newest workflow version, for the heading; each case is measured against
    /// the budgets of the version it ran under.
    public var budgetMinutes: Int
    public var total: SLAStatistics?
    public var groups: [SLAStatistics]
    /// The period's 容缺 figures: completed cases accepted with a deferral, and how the
    /// commitments signed in the period stand (nil when not computed).
    public var deferrals: DeferralFigures?
    /// By channel: what came in and went out through each channel in the period, bookings and
    /// posts included (nil when not grouped by channel).
    public var channels: ChannelActivity?

    /// One closed case: its group keys, its clock segments and the budgets of its workflow version.
    public struct Input: Sendable {
        public var channel: String
        public var type: String
        public var clerk: String
        public var segments: [ClockSegment]
        /// Extended hours the case was taken in during (see ``CaseTimeline``).
        public var extra: [DateInterval]
        public var budgets: Budgets?

        public init(
            channel: String, type: String, clerk: String, segments: [ClockSegment], extra: [DateInterval] = [],
            budgets: Budgets? = nil
        ) {
            self.channel = channel
            self.type = type
            self.clerk = clerk
            self.segments = segments
            self.extra = extra
            self.budgets = budgets
        }
    }

    /// A workflow version's budgets: the whole case's and each stage's, in working minutes.
    public struct Budgets: Sendable, Equatable {
        public var whole: Int
        public var stages: [String: Int]

        public init(whole: Int, stages: [String: Int]) {
            self.whole = whole
            self.stages = stages
        }

        public init(_ definition: WorkflowDefinition) {
            self.init(whole: definition.budgetMinutes ?? WorkingDuration.minutesPerDay, stages: definition.stageBudgets)
        }
    }

    /// Builds the report; `stageBudgets` gives each stage's budget for `--by stage` (whose share is
    /// then the share of cases within that stage's budget).
    public init(
        cases: [Input], from: CivilDate, to: CivilDate, grouping: SLAGrouping, budgetMinutes: Int,
        stageBudgets: [String: Int], calendar: WorkingCalendar
    ) {
        var builder = Builder(grouping: grouping, calendar: calendar)
        let budgets = Budgets(whole: budgetMinutes, stages: stageBudgets)
        for item in cases { builder.add(item, budgets: item.budgets ?? budgets) }
        self = builder.report(from: from, to: to, budgetMinutes: budgetMinutes)
    }

    /// Accumulates cases one at a time (the store streams them), keeping only minutes per case.
    public struct Builder: Sendable {
        let grouping: SLAGrouping
        let calendar: WorkingCalendar
        var totals = MinuteTally()
        var grouped: [String: MinuteTally] = [:]
        var provisional = false

        public init(grouping: SLAGrouping, calendar: WorkingCalendar) {
            self.grouping = grouping
            self.calendar = calendar
        }

        /// Adds one case from its clock segments in their stored compact form (see
        /// ``ClockSegment/encode(_:)``), measured against `budgets`; the report's fast path.
        public mutating func add(group: String, clockSegments: String, budgets: Budgets) {
            if ClockSegment.hasExtra(clockSegments) {
                // A case taken in during extended hours: measured on its own timeline (rare).
                let (segments, extra) = ClockSegment.decodeTimeline(clockSegments[...]) ?? ([], [])
                measureSegments(segments, extra: extra, group: group, budgets: budgets)
                return
            }
            var government = 0
            var byStage: [String: Int] = [:]
            var late = false
            let stages = grouping == .stage
            ClockSegment.forEachRunning(in: clockSegments) { stage, start, end in
                let time = calendar.elapsed(
                    from: Date(timeIntervalSince1970: TimeInterval(start)),
                    to: Date(timeIntervalSince1970: TimeInterval(end ?? start)))
                government += time.seconds
                late = late || time.provisional
                if stages { byStage[String(decoding: stage, as: UTF8.self), default: 0] += time.seconds }
            }
            provisional = provisional || late
            record(
                WorkingTime.minutes(ofSeconds: government), byStage: byStage.mapValues(WorkingTime.minutes(ofSeconds:)),
                group: group, budgets: budgets)
        }

        /// Adds one case by its government minutes (not by stage).
        public mutating func add(group: String, governmentMinutes: Int, budgets: Budgets) {
            record(governmentMinutes, byStage: [:], group: group, budgets: budgets)
        }

        /// Marks the report provisional (some time falls in years without a holiday notice).
        public mutating func markProvisional() {
            provisional = true
        }

        /// Adds the cases another builder (over another stretch of time) accumulated.
        public mutating func merge(_ other: Builder) {
            totals.merge(other.totals)
            for (key, tally) in other.grouped { grouped[key, default: MinuteTally()].merge(tally) }
            provisional = provisional || other.provisional
        }

        /// Adds one case, measured against `budgets` (its own workflow version's).
        public mutating func add(_ item: Input, budgets: Budgets) {
            let group: String
            switch grouping {
            case .channel: group = item.channel
            case .type: group = item.type
            case .clerk: group = item.clerk
            case .all, .stage: group = ""
            }
            measureSegments(item.segments, extra: item.extra, group: group, budgets: budgets)
        }

        /// Adds one case measured from its segments on its own timeline.
        mutating func measureSegments(
            _ segments: [ClockSegment], extra: [DateInterval], group: String, budgets: Budgets
        ) {
            let timeline = CaseTimeline(calendar: calendar, extra: extra)
            // Seconds added up, then rounded to minutes once (``WorkingTime``), as the clock does.
            var government = 0
            var byStage: [String: Int] = [:]
            for segment in segments where segment.effect == .running {
                let time = timeline.elapsed(from: segment.start, to: segment.end ?? segment.start)
                government += time.seconds
                provisional = provisional || time.provisional
                if grouping == .stage { byStage[segment.stage, default: 0] += time.seconds }
            }
            record(
                WorkingTime.minutes(ofSeconds: government), byStage: byStage.mapValues(WorkingTime.minutes(ofSeconds:)),
                group: group, budgets: budgets)
        }

        /// Records one case's minutes under its `group` (by channel, type or clerk) or its stages.
        mutating func record(_ government: Int, byStage: [String: Int], group: String, budgets: Budgets) {
            let within = SLAClock.isWithin(government, budget: budgets.whole)
            totals.add(government, withinBudget: within)
            switch grouping {
            case .all: break
            case .channel, .type, .clerk: grouped[group, default: MinuteTally()].add(government, withinBudget: within)
            case .stage:
                for (stage, minutes) in byStage {
                    grouped[stage, default: MinuteTally()].add(
                        minutes,
                        withinBudget: SLAClock.isWithin(minutes, budget: budgets.stages[stage] ?? budgets.whole))
                }
            }
        }

        /// The report; `budgetMinutes` is the heading's (the newest version's).
        public func report(from: CivilDate, to: CivilDate, budgetMinutes: Int) -> SLAReport {
            SLAReport(
                from: from, to: to, grouping: grouping, budgetMinutes: budgetMinutes,
                total: SLAStatistics(group: "all", tally: totals, provisional: provisional),
                groups: grouped.keys.sorted().compactMap { key in
                    grouped[key].flatMap { SLAStatistics(group: key, tally: $0, provisional: provisional) }
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
