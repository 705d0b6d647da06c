import Foundation

/// One document deferred under a commitment (容缺), with the instant by which it must be in:
/// the close of office on the last working day allowed.
public struct DeferredItem: Sendable, Hashable, Codable {
    public var code: String
    public var deadline: Date

    public init(code: String, deadline: Date) {
        self.code = code
        self.deadline = deadline
    }
}

/// The applicant's signed commitment (容缺受理承诺书, STANDARDS.md §4): who signed, when, and each
/// item with its deadline. The desk counts the deadlines on the working calendar; the engine
/// only checks that the items are ones the case may defer.
public struct DeferralCommitment: Sendable, Hashable, Codable {
    /// The signer's name: the legal representative's.
    public var signer: String
    /// The signer's ID number (the applicant's credit is kept by it).
    public var signerID: String
    /// When the commitment was signed (at most the instant it is recorded).
    public var signedAt: Date
    public var items: [DeferredItem]

    public init(signer: String, signerID: String, signedAt: Date, items: [DeferredItem]) {
        self.signer = signer
        self.signerID = signerID
        self.signedAt = signedAt
        self.items = items
    }
}

/// The one extension a supervisor may grant a deferral, with its reason (in the event).
public struct DeferralExtension: Sendable, Hashable, Codable {
    /// The new deadline of the items it covers.
    public var deadline: Date
    /// The items still outstanding when it was granted (set by the engine): those supplied
    /// before keep their deadline, late or not.
    public var codes: [String]
    /// True for an extension beyond the one a deferral may have, granted because a correction of
    /// the calendar put the latest deadline on a day off (the hall closed that day): the desk
    /// judges it with the calendar; the engine takes a second extension only so marked.
    public var calendarMoved: Bool?

    public init(deadline: Date, codes: [String] = [], calendarMoved: Bool? = nil) {
        self.deadline = deadline
        self.codes = codes
        self.calendarMoved = calendarMoved
    }
}

/// A case's deferral as it stands: the commitment, its extension, what came in and when.
public struct Deferral: Sendable, Equatable, Codable {
    public var commitment: DeferralCommitment
    /// The clerk who recorded the commitment, and when.
    public var recordedBy: String
    public var recordedAt: Date
    public var extensionGranted: DeferralExtension?
    public var extendedBy: String?
    public var extendedAt: Date?
    public var extensionReason: String?
    /// When each deferred item was supplied, by code.
    public var supplied: [String: Date]
    /// When the last outstanding item came in: the deferral closed.
    public var fulfilledAt: Date?
    /// When the case ended otherwise (withdrawn, refused, terminated, revoked) with items
    /// outstanding: the deferral ended with it, nothing more is supplied.
    public var endedAt: Date?

    public init(commitment: DeferralCommitment, recordedBy: String, recordedAt: Date) {
        self.commitment = commitment
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.supplied = [:]
    }

    public var isOpen: Bool { fulfilledAt == nil && endedAt == nil }

    /// The codes deferred, in commitment order.
    public var codes: [String] { commitment.items.map(\.code) }

    /// The deferred items not yet supplied, in commitment order.
    public var outstanding: [DeferredItem] { commitment.items.filter { supplied[$0.code] == nil } }

    /// The deadline of `item` as it stands: the extension's when it covers the item and is later.
    public func deadline(of item: DeferredItem) -> Date {
        guard let granted = extensionGranted, granted.codes.contains(item.code) else { return item.deadline }
        return max(item.deadline, granted.deadline)
    }

    /// The earliest deadline among the items outstanding while the deferral is open; nil once
    /// all are in or the case ended.
    public var nextDeadline: Date? { isOpen ? outstanding.map(deadline(of:)).min() : nil }

    /// The latest deadline of any item (what an extension must go beyond).
    public var lastDeadline: Date { commitment.items.map(deadline(of:)).max() ?? commitment.signedAt }

    /// Whether an item outstanding is past its deadline at `now` while the deferral is open.
    public func isOverdue(at now: Date) -> Bool {
        isOpen && outstanding.contains { now > deadline(of: $0) }
    }

    /// Whether the case ended with an item outstanding past its deadline (terminated, revoked).
    public var endedOverdue: Bool {
        guard let endedAt else { return false }
        return outstanding.contains { endedAt > deadline(of: $0) }
    }

    /// Whether an item came in after its deadline.
    public var suppliedLate: Bool {
        commitment.items.contains { item in supplied[item.code].map { $0 > deadline(of: item) } ?? false }
    }

    /// Whether the commitment was broken at `now`: an item came in late, one is outstanding past
    /// its deadline, or the case ended with one overdue.
    public func isBroken(at now: Date) -> Bool { suppliedLate || endedOverdue || isOverdue(at: now) }

    /// Broken for good, whatever the time: an item came in late or the case ended with one overdue.
    public var brokenForGood: Bool { suppliedLate || endedOverdue }

    /// When the commitment was first broken for good: the earliest deadline an item missed (came
    /// in after it, or the case ended after it with the item outstanding); nil if none.
    public var breachedAt: Date? {
        commitment.items.compactMap { item -> Date? in
            let deadline = deadline(of: item)
            if let at = supplied[item.code] { return at > deadline ? deadline : nil }
            if let endedAt, endedAt > deadline { return deadline }
            return nil
        }.min()
    }

    /// Whether the deferral is due within the window ending at `horizon` (and not overdue at `now`).
    public func isDue(at now: Date, by horizon: Date) -> Bool {
        guard let next = nextDeadline else { return false }
        return next >= now && next <= horizon
    }
}

/// The hall's 容缺 figures over a period.
public struct DeferralFigures: Sendable, Equatable, Codable {
    /// Cases completed in the period that were accepted with a deferral.
    public var completedWithDeferral = 0
    /// Commitments signed in the period, and how they stand.
    public var committed = 0
    public var suppliedOnTime = 0
    public var suppliedLate = 0
    /// Still outstanding past the deadline.
    public var overdue = 0
    public var extended = 0
    /// Working minutes the completed cases waited for deferred documents before their licence
    /// (the applicant's time, outside the 0.4-day clock), and how many cases waited at all.
    public var waitingMinutes = 0
    public var casesThatWaited = 0

    public init() {}

    /// Commitments settled: supplied (on time or late) or overdue.
    public var settled: Int { suppliedOnTime + suppliedLate + overdue }

    /// Completed cases accepted with a deferral, of `completed` (nil without any).
    public func deferralShare(completed: Int) -> Double? {
        completed == 0 ? nil : Double(completedWithDeferral) / Double(completed)
    }

    /// Commitments honoured on time, of those settled (nil before any is settled).
    public var onTimeShare: Double? { settled == 0 ? nil : Double(suppliedOnTime) / Double(settled) }
}
