import Foundation

/// The dashboard's pictures of a period's completed cases, beside the hall's figures
/// (``HallFigures``): how their government minutes are distributed, each day's median and p90,
/// and the government's time against the applicant's (the clock paused: 补正, documents in the
/// post, waiting for documents or a visit). All from what the history derives (closing instants,
/// stored minutes, clock segments), so `admin rebuild` never changes them.
public struct DashboardTimes: Sendable, Equatable, Codable {
    /// One bar of the distribution: cases whose government minutes lie in `lower`…`upper`
    /// (at least `lower`, fewer than `upper`, so the bars left of the budget's edge are the cases
    /// within it: ``SLAClock/isWithin(_:budget:)``); the last bar has no upper bound.
    public struct Bin: Sendable, Equatable, Codable {
        public var lower: Int
        public var upper: Int?
        public var count: Int
    }

    /// Working minutes the applicant's side took, in one paused stage (or, for a special
    /// procedure's stage, the deciding authority's special procedures).
    public struct Pause: Sendable, Equatable, Codable {
        public var stage: String
        public var minutes: Int
        /// Completed cases that paused there at least one working minute.
        public var cases: Int
        /// The stage is a special procedure's (特别程序), not the applicant's time.
        public var specialProcedure: Bool
    }

    /// The budget the distribution is drawn against (the newest version's: 192 minutes = 0.4
    /// working day for company formation).
    public var budgetMinutes: Int
    /// Width of a bar: an eighth of the budget, so the budget falls on a bar's edge.
    public var binMinutes: Int
    public var bins: [Bin]
    /// Each local day's completed cases (by closing instant): `group` is the date, yyyy-MM-dd.
    public var days: [SLAStatistics]
    /// Completed cases measured.
    public var cases: Int
    /// Government working minutes of all of them together.
    public var governmentMinutes: Int
    /// The applicant's working minutes (the clock paused) of all of them together, and by stage.
    public var applicantMinutes: Int
    /// The deciding authority's special procedures' working minutes (paused too, not the applicant's).
    public var specialProcedureMinutes: Int
    public var pauses: [Pause]
    /// Some time falls in a year without a holiday notice.
    public var provisional: Bool

    /// How many bars below the open-ended last one: up to two and a half budgets.
    public static let boundedBins = 20

    /// Accumulates completed cases one at a time.
    public struct Builder: Sendable {
        let calendar: WorkingCalendar
        let budgetMinutes: Int
        let binMinutes: Int
        var counts: [Int]
        var days: [CivilDate: [(minutes: Int, withinBudget: Bool)]] = [:]
        var cases = 0
        var government = 0
        var applicant = 0
        var special = 0
        /// Minutes and cases by paused stage, apart when one version calls the stage a special
        /// procedure and another the applicant's time.
        var pauses: [PauseKey: (minutes: Int, cases: Int)] = [:]

        struct PauseKey: Hashable, Comparable {
            var stage: String
            var specialProcedure: Bool

            static func < (a: PauseKey, b: PauseKey) -> Bool {
                (a.stage, a.specialProcedure ? 1 : 0) < (b.stage, b.specialProcedure ? 1 : 0)
            }
        }
        var provisional = false

        public init(calendar: WorkingCalendar, budgetMinutes: Int) {
            self.calendar = calendar
            self.budgetMinutes = budgetMinutes
            binMinutes = max(1, budgetMinutes / 8)
            counts = Array(repeating: 0, count: DashboardTimes.boundedBins + 1)
        }

        /// Adds one completed case: when it closed, its government minutes as stored (nil: measured
        /// from its segments), whether that is within its own version's budget (nil: against the
        /// heading's), and its clock segments in their stored form (``ClockSegment/encode(_:extra:)``).
        /// `specialProcedureStages`: the paused stages its own workflow version counts as special
        /// procedures (特别程序), not the applicant's time (none before version 6).
        public mutating func add(
            closedAt: Date, governmentMinutes stored: Int?, budget: Int?, clockSegments: String,
            specialProcedureStages: Set<String> = []
        ) {
            let (segments, extra) = ClockSegment.decodeTimeline(clockSegments[...]) ?? ([], [])
            let timeline = CaseTimeline(calendar: calendar, extra: extra)
            // Seconds added up, then rounded to minutes once (``WorkingTime``), as the clock does.
            var measured = 0
            var pausedSeconds: [String: Int] = [:]
            for segment in segments where segment.effect != .stopped {
                let time = timeline.elapsed(from: segment.start, to: segment.end ?? segment.start)
                provisional = provisional || time.provisional
                if segment.effect == .running {
                    measured += time.seconds
                } else {
                    pausedSeconds[segment.stage, default: 0] += time.seconds
                }
            }
            let paused = pausedSeconds.mapValues(WorkingTime.minutes(ofSeconds:))
            let minutes = stored ?? WorkingTime.minutes(ofSeconds: measured)
            cases += 1
            government += minutes
            counts[min(DashboardTimes.boundedBins, max(0, minutes) / binMinutes)] += 1
            days[HallTime.localDate(of: closedAt), default: []].append(
                (minutes, SLAClock.isWithin(minutes, budget: budget ?? budgetMinutes)))
            // The case's applicant and special procedure times as `show` gives them: their paused
            // seconds, each rounded once.
            let specialSeconds = pausedSeconds.filter { specialProcedureStages.contains($0.key) }.values.reduce(0, +)
            applicant += WorkingTime.minutes(ofSeconds: pausedSeconds.values.reduce(0, +) - specialSeconds)
            special += WorkingTime.minutes(ofSeconds: specialSeconds)
            for (stage, minutes) in paused where minutes > 0 {
                let key = PauseKey(stage: stage, specialProcedure: specialProcedureStages.contains(stage))
                pauses[key, default: (0, 0)].minutes += minutes
                pauses[key, default: (0, 0)].cases += 1
            }
        }

        public func times() -> DashboardTimes {
            DashboardTimes(
                budgetMinutes: budgetMinutes, binMinutes: binMinutes,
                bins: counts.indices.map { index in
                    Bin(
                        lower: index * binMinutes,
                        upper: index < DashboardTimes.boundedBins ? (index + 1) * binMinutes : nil, count: counts[index]
                    )
                },
                days: days.keys.sorted().compactMap { day in
                    SLAStatistics(group: day.description, measured: days[day] ?? [], provisional: provisional)
                },
                cases: cases, governmentMinutes: government, applicantMinutes: applicant,
                specialProcedureMinutes: special,
                pauses: pauses.keys.sorted().map {
                    Pause(
                        stage: $0.stage, minutes: pauses[$0]?.minutes ?? 0, cases: pauses[$0]?.cases ?? 0,
                        specialProcedure: $0.specialProcedure)
                },
                provisional: provisional)
        }
    }
}
