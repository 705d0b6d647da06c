import Foundation

/// What came in and went out through each channel in a period: the hall's count per channel (a
/// month's, with `kaiban sla report --by channel --month`). Received counts cases by their intake
/// instant; completed, refused, withdrawn and otherwise ended count cases by their closing instant;
/// bookings count by their slot's day; posts by their instants.
public struct ChannelActivity: Sendable, Equatable, Codable {
    public struct Counts: Sendable, Equatable, Codable {
        public var channel: String
        /// Cases taken in (收件) in the period.
        public var received = 0
        /// Cases closed in the period with a completion outcome (办结, 容缺办结).
        public var completed = 0
        /// Closed as refused (不予受理) or rejected (驳回).
        public var refused = 0
        /// Closed as withdrawn (撤回; a mail case whose documents never came is closed so).
        public var withdrawn = 0
        /// Closed otherwise (terminated, revoked).
        public var otherwiseEnded = 0
        /// Of those received, the ones flagged for special service (特殊办) as they stand.
        public var flaggedSpecial = 0

        public init(channel: String) { self.channel = channel }
    }

    /// 预约办: the bookings for the period's days, as they stand at the instant of the count.
    public struct Bookings: Sendable, Equatable, Codable {
        /// Bookings holding a place (booked, checked in, no-show); moved ones count where they went.
        public var booked = 0
        public var checkedIn = 0
        /// Not checked in within 15 minutes of the slot's start.
        public var noShows = 0
        public var cancelled = 0
        /// Still to come (the slot has not passed its grace).
        public var waiting = 0
        /// Of those booked, in extended hours (延时服务).
        public var extended = 0
        /// Past their grace without a check-in, on a slot the calendar no longer has (a day made a
        /// holiday, hours shortened after the booking): the hall was closed, so no no-show.
        public var slotClosed = 0

        public init() {}

        /// The bookings `rows` (state as kept, slot start, in extended hours) as they stand at
        /// `now`: a booking not checked in within its grace is a no-show, unless by `calendar` the
        /// hall was closed at its time (``slotClosed``, ``AppointmentRules/hallIsOpen(at:calendar:)``).
        public init(
            _ rows: [(state: AppointmentState, startsAt: Date, extended: Bool)], at now: Date,
            calendar: WorkingCalendar? = nil
        ) {
            for booking in rows {
                let state = AppointmentRules.standingState(
                    booking.state, startsAt: booking.startsAt, extended: booking.extended, at: now, calendar: calendar)
                if state.holdsPlace {
                    booked += 1
                    if booking.extended { extended += 1 }
                }
                switch state {
                case .checkedIn: checkedIn += 1
                case .noShow: noShows += 1
                case .cancelled: cancelled += 1
                case .booked: waiting += 1
                case .slotClosed: slotClosed += 1
                case .moved: break
                }
            }
        }
    }

    /// 寄递办: the posts of the period.
    public struct Posts: Sendable, Equatable, Codable {
        /// Applications whose documents arrived by post.
        public var documentsReceived = 0
        /// Licences posted back.
        public var licencesPosted = 0

        public init() {}
    }

    /// One entry per channel, every channel in its usual order, zeros included.
    public var channels: [Counts]
    public var bookings: Bookings
    public var posts: Posts

    public init(channels: [Counts], bookings: Bookings, posts: Posts) {
        self.channels = channels
        self.bookings = bookings
        self.posts = posts
    }

    /// All channels together.
    public var total: Counts {
        channels.reduce(into: Counts(channel: "all")) { total, row in
            total.received += row.received
            total.completed += row.completed
            total.refused += row.refused
            total.withdrawn += row.withdrawn
            total.otherwiseEnded += row.otherwiseEnded
            total.flaggedSpecial += row.flaggedSpecial
        }
    }
}

/// What a period's store rows say before they are counted by outcome.
public struct ChannelActivityRecords: Sendable {
    /// Received: channel, whether flagged special, count.
    public var received: [(channel: String, special: Bool, count: Int)]
    /// Closed: channel, terminal stage, count.
    public var closed: [(channel: String, stage: String, count: Int)]
    /// The bookings for the period's days: state as kept and slot start.
    public var bookings: [(state: AppointmentState, startsAt: Date, extended: Bool)]
    public var posts: ChannelActivity.Posts

    public init(
        received: [(channel: String, special: Bool, count: Int)],
        closed: [(channel: String, stage: String, count: Int)],
        bookings: [(state: AppointmentState, startsAt: Date, extended: Bool)], posts: ChannelActivity.Posts
    ) {
        self.received = received
        self.closed = closed
        self.bookings = bookings
        self.posts = posts
    }

    /// The counts, with each terminal stage's outcome from `outcome` (nil: not a terminal stage),
    /// and bookings as they stand at `now`.
    public func activity(outcome: (String) -> CaseOutcome?, at now: Date, calendar: WorkingCalendar? = nil)
        -> ChannelActivity
    {
        var rows = Channel.allCases.map { ChannelActivity.Counts(channel: $0.rawValue) }
        func index(_ channel: String) -> Int {
            if let found = rows.firstIndex(where: { $0.channel == channel }) { return found }
            rows.append(ChannelActivity.Counts(channel: channel))
            return rows.count - 1
        }
        for row in received {
            let at = index(row.channel)
            rows[at].received += row.count
            if row.special { rows[at].flaggedSpecial += row.count }
        }
        for row in closed {
            let at = index(row.channel)
            switch outcome(row.stage) {
            case .some(let result) where result.isCompletion: rows[at].completed += row.count
            case .refused?, .rejected?: rows[at].refused += row.count
            case .withdrawn?: rows[at].withdrawn += row.count
            default: rows[at].otherwiseEnded += row.count
            }
        }
        return ChannelActivity(
            channels: rows, bookings: ChannelActivity.Bookings(bookings, at: now, calendar: calendar), posts: posts)
    }
}
