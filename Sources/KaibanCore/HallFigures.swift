import Foundation

/// The hall's figures for a period (`kaiban stats month`), each with one definition (README, "The
/// hall's figures"), all computed from what the history derives.
public struct HallFigures: Sendable, Equatable, Codable {
    /// Cases in and out of one group (a channel, an enterprise type, or all).
    public struct Counts: Sendable, Equatable, Codable {
        public var group: String
        /// Taken in (收件) in the period, by intake instant.
        public var received = 0
        /// Accepted (受理) in the period, by the instant of the step.
        public var accepted = 0
        /// Closed in the period with a completion outcome (办结, 办结（容缺通过）).
        public var completed = 0
        /// Closed in the period refused (不予受理) or rejected (驳回).
        public var refused = 0
        /// Closed in the period withdrawn (撤回).
        public var withdrawn = 0
        /// Closed in the period otherwise (终止, 撤销).
        public var otherwiseEnded = 0

        public init(group: String) { self.group = group }

        mutating func add(_ other: Counts) {
            received += other.received
            accepted += other.accepted
            completed += other.completed
            refused += other.refused
            withdrawn += other.withdrawn
            otherwiseEnded += other.otherwiseEnded
        }
    }

    public var from: CivilDate
    public var to: CivilDate
    public var budgetMinutes: Int
    public var total: Counts
    public var byChannel: [Counts]
    public var byType: [Counts]
    /// The working minutes of the cases completed in the period: all, by channel, by type.
    public var time: SLAStatistics?
    public var timeByChannel: [SLAStatistics]
    public var timeByType: [SLAStatistics]
    /// Of the cases received in the period, those returned for correction (补正) at least once so
    /// far, and their share.
    public var returnedForCorrection: Int
    public var correctionRate: Double?
    /// 容缺: acceptances with a deferral and how the commitments stand (as `sla report`).
    public var deferrals: DeferralFigures?
    /// 预约办: the bookings of the period's days, no-shows among them.
    public var bookings: ChannelActivity.Bookings
    /// Of the bookings that came due (checked in or no-show), the share that were no-shows.
    public var noShowRate: Double?
    /// 川渝通办: the period's cross-province cases, both ways.
    public var crossProvince: CrossProvince

    /// Cross-province cases (川渝通办) of a period, each way counted once.
    public struct CrossProvince: Sendable, Equatable, Codable {
        /// Transferred here by the partner province and taken in (channel 川渝通办), by intake
        /// instant: the same cases as the channel's `received`.
        public var inbound: Int
        /// Transferred from here to the partner that decides them, by the instant this hall opened
        /// the cross-province case (its collaboration number).
        public var outbound: Int

        public init(inbound: Int, outbound: Int) {
            self.inbound = inbound
            self.outbound = outbound
        }
    }

    public init(
        from: CivilDate, to: CivilDate, budgetMinutes: Int, total: Counts, byChannel: [Counts], byType: [Counts],
        time: SLAStatistics?, timeByChannel: [SLAStatistics], timeByType: [SLAStatistics], returnedForCorrection: Int,
        deferrals: DeferralFigures?, bookings: ChannelActivity.Bookings, crossProvinceOutbound: Int
    ) {
        self.from = from
        self.to = to
        self.budgetMinutes = budgetMinutes
        self.total = total
        self.byChannel = byChannel
        self.byType = byType
        self.time = time
        self.timeByChannel = timeByChannel
        self.timeByType = timeByType
        self.returnedForCorrection = returnedForCorrection
        self.correctionRate = total.received > 0 ? Double(returnedForCorrection) / Double(total.received) : nil
        self.deferrals = deferrals
        self.bookings = bookings
        let due = bookings.checkedIn + bookings.noShows
        self.noShowRate = due > 0 ? Double(bookings.noShows) / Double(due) : nil
        self.crossProvince = CrossProvince(
            inbound: byChannel.first { $0.group == Channel.crossProvince.rawValue }?.received ?? 0,
            outbound: crossProvinceOutbound)
    }
}

/// What a period's store rows say before they are counted (see ``HallFigures``).
public struct HallFigureRecords: Sendable {
    /// Received: channel, enterprise type, count.
    public var received: [(channel: String, type: String, count: Int)]
    /// Accepted in the period: channel, type, count.
    public var accepted: [(channel: String, type: String, count: Int)]
    /// Closed in the period: channel, type, terminal stage, count.
    public var closed: [(channel: String, type: String, stage: String, count: Int)]
    /// Of the cases received in the period, those with a return for correction.
    public var returnedForCorrection: Int
    /// Cross-province cases this hall opened in the period as the sending side (outbound).
    public var crossProvinceOutbound: Int
    /// The bookings for the period's days: state as kept, slot start, in extended hours.
    public var bookings: [(state: AppointmentState, startsAt: Date, extended: Bool)]

    public init(
        received: [(channel: String, type: String, count: Int)],
        accepted: [(channel: String, type: String, count: Int)],
        closed: [(channel: String, type: String, stage: String, count: Int)], returnedForCorrection: Int,
        crossProvinceOutbound: Int, bookings: [(state: AppointmentState, startsAt: Date, extended: Bool)]
    ) {
        self.received = received
        self.accepted = accepted
        self.closed = closed
        self.returnedForCorrection = returnedForCorrection
        self.crossProvinceOutbound = crossProvinceOutbound
        self.bookings = bookings
    }

    /// The counts by channel (every channel, in order), by type (every type, in order) and in all,
    /// each terminal stage's outcome from `outcome`.
    public func counts(outcome: (String) -> CaseOutcome?) -> (
        total: HallFigures.Counts, byChannel: [HallFigures.Counts], byType: [HallFigures.Counts]
    ) {
        var channels = Channel.allCases.map { HallFigures.Counts(group: $0.rawValue) }
        var types = EnterpriseType.allCases.map { HallFigures.Counts(group: $0.rawValue) }
        func index(_ rows: inout [HallFigures.Counts], _ group: String) -> Int {
            if let found = rows.firstIndex(where: { $0.group == group }) { return found }
            rows.append(HallFigures.Counts(group: group))
            return rows.count - 1
        }
        func apply(_ channel: String, _ type: String, _ change: (inout HallFigures.Counts) -> Void) {
            change(&channels[index(&channels, channel)])
            change(&types[index(&types, type)])
        }
        for row in received { apply(row.channel, row.type) { $0.received += row.count } }
        for row in accepted { apply(row.channel, row.type) { $0.accepted += row.count } }
        for row in closed {
            apply(row.channel, row.type) { counts in
                switch outcome(row.stage) {
                case .some(let result) where result.isCompletion: counts.completed += row.count
                case .refused?, .rejected?: counts.refused += row.count
                case .withdrawn?: counts.withdrawn += row.count
                default: counts.otherwiseEnded += row.count
                }
            }
        }
        var total = HallFigures.Counts(group: "all")
        for row in channels { total.add(row) }
        return (total, channels, types)
    }
}
