import Foundation

/// A postal carrier the hall uses for 寄递办: inbound applications and outbound licences.
public enum Carrier: String, Sendable, Hashable, Codable, CaseIterable {
    /// China Post's express mail (中国邮政 EMS), the government's usual carrier (政务专递).
    case ems = "EMS"
    /// 顺丰速运.
    case sf = "SF"
    /// 京东物流.
    case jd = "JD"
    /// 中通快递.
    case zto = "ZTO"
    /// 圆通速递.
    case yto = "YTO"
    /// 申通快递.
    case sto = "STO"
    /// 韵达快递.
    case yunda = "YUNDA"
    /// China Post's ordinary parcel or registered letter (中国邮政挂号信、包裹).
    case post = "POST"

    public var name: LocalizedText {
        switch self {
        case .ems: LocalizedText(zh: "中国邮政EMS", en: "China Post EMS")
        case .sf: LocalizedText(zh: "顺丰速运", en: "SF Express")
        case .jd: LocalizedText(zh: "京东物流", en: "JD Logistics")
        case .zto: LocalizedText(zh: "中通快递", en: "ZTO Express")
        case .yto: LocalizedText(zh: "圆通速递", en: "YTO Express")
        case .sto: LocalizedText(zh: "申通快递", en: "STO Express")
        case .yunda: LocalizedText(zh: "韵达快递", en: "Yunda Express")
        case .post: LocalizedText(zh: "中国邮政挂号信", en: "China Post registered mail")
        }
    }

    /// The carrier named `text` (its code, in any case), nil when unknown.
    public init?(code text: String) {
        self.init(rawValue: text.trimmingCharacters(in: .whitespaces).uppercased())
    }
}

/// What the hall posts back to an applicant.
public enum MailItem: String, Sendable, Hashable, Codable, CaseIterable {
    /// The business licence (营业执照), once issued.
    case licence
    /// The notices of the case (受理通知书, 容缺受理通知书, …).
    case notices
    /// Original documents returned to the applicant.
    case documents

    public var name: LocalizedText {
        switch self {
        case .licence: LocalizedText(zh: "营业执照", en: "business licence")
        case .notices: LocalizedText(zh: "通知书", en: "notices")
        case .documents: LocalizedText(zh: "退还原件", en: "original documents returned")
        }
    }
}

/// A tracking number as typed, checked and in upper case.
public enum TrackingNumber {
    /// The fewest and most characters a carrier's tracking number has.
    public static let lengths = 8...30

    /// The tracking number in upper case, or what is wrong with it: only letters A–Z and digits,
    /// 8 to 30 of them, at least one digit (EMS: `EA123456789CN` or 13 digits; SF: `SF` and 12 digits).
    public static func checked(_ text: String) -> Result<String, Problem> {
        let value = text.trimmingCharacters(in: .whitespaces).uppercased()
        let reason: LocalizedText?
        if value.isEmpty {
            reason = LocalizedText(zh: "运单号不能为空", en: "the tracking number is empty")
        } else if let bad = value.unicodeScalars.first(where: {
            !(("A"..."Z").contains($0) || ("0"..."9").contains($0))
        }) {
            let code = String(format: "U+%04X", bad.value)
            reason = LocalizedText(
                zh: "运单号只能由字母和数字组成（含有“\(bad)”，\(code)）",
                en: "a tracking number has letters and digits only (it has \"\(bad)\", \(code))")
        } else if !lengths.contains(value.count) {
            reason = LocalizedText(
                zh: "运单号应为\(lengths.lowerBound)至\(lengths.upperBound)位，实际\(value.count)位",
                en:
                    "a tracking number has \(lengths.lowerBound) to \(lengths.upperBound) characters, not \(value.count)"
            )
        } else if !value.contains(where: \.isNumber) {
            reason = LocalizedText(zh: "运单号应含有数字", en: "a tracking number has digits")
        } else {
            reason = nil
        }
        guard let reason else { return .success(value) }
        return .failure(
            Problem(
                .invalid, "mail.tracking-invalid", zh: "运单号“\(text)”有误：\(reason.zh)",
                en: "the tracking number \"\(text)\" is wrong: \(reason.en)",
                fields: [FieldProblem(field: "tracking", reason: reason)]))
    }
}

/// One post to or from the hall: the carrier and tracking number and, for a post sent back, what
/// it held and the address it went to (the application's mailing address then).
public struct PostalItem: Sendable, Hashable, Codable {
    public var carrier: Carrier
    /// Upper case letters and digits (``TrackingNumber/checked(_:)``).
    public var tracking: String
    /// Only on a post sent: what it held.
    public var items: [MailItem]?
    /// Only on a post sent: where it went.
    public var address: String?

    public init(carrier: Carrier, tracking: String, items: [MailItem]? = nil, address: String? = nil) {
        self.carrier = carrier
        self.tracking = tracking
        self.items = items
        self.address = address
    }
}

/// A post as the case keeps it: the post, when and by whom it was recorded.
public struct PostRecord: Sendable, Equatable, Codable {
    public var post: PostalItem
    public var at: Date
    public var by: String

    public init(post: PostalItem, at: Date, by: String) {
        self.post = post
        self.at = at
        self.by = by
    }
}

/// The posts of a case: the application's documents arriving (at most once), then what the hall
/// sent back.
public struct CaseMail: Sendable, Equatable, Codable {
    public var received: PostRecord?
    public var sent: [PostRecord]

    public init(received: PostRecord? = nil, sent: [PostRecord] = []) {
        self.received = received
        self.sent = sent
    }

    /// The post that carried the licence, if it went.
    public var licencePost: PostRecord? {
        sent.first { $0.post.items?.contains(.licence) == true }
    }
}

extension RegistrationCase {
    /// Whether the case waits for its application's documents to arrive by post: a mail case,
    /// open, still in the workflow's stage for documents in the post.
    public func awaitsInboundPost(_ definition: WorkflowDefinition) -> Bool {
        // A case recorded before a hand-in took it out of the post by itself may still stand
        // there with documents handed in: the applicant came, so it is not waiting for the post
        // (nor closed as never arrived; from a re-trial).
        isOpen && application.channel == .mail && mail?.received == nil
            && stage == definition.initialStage(for: .mail) && stage != definition.initialStage
            && !documents.values.contains { $0.document.form != .post }
    }

    /// Since when the licence of a mail case waits to be posted: its issue, while no post has
    /// carried it and the registration stands (not revoked); nil otherwise.
    public func licenceAwaitingPostSince(_ definition: WorkflowDefinition) -> Date? {
        guard application.channel == .mail, let licensedAt, mail?.licencePost == nil,
            definition.stage(stage)?.outcome != .revoked
        else { return nil }
        return licensedAt
    }
}

/// The mail channel's time limits, counted in whole working days on the working calendar.
public enum MailDeadlines {
    /// A licence issued on a mail case is posted within this many working days (by the close of
    /// office of the next working day).
    public static let licencePostingDays = 1

    /// Whether a licence issued at `issuedAt` and not yet posted is late at `now`.
    public static func licencePostingLate(issuedAt: Date, at now: Date, calendar: WorkingCalendar) -> Bool {
        now > calendar.adding(workingDays: licencePostingDays, to: issuedAt).instant
    }

    /// The whole working days gone by from `start` to `now`: the number of working days after
    /// the day of `start` whose office closed by `now` (at most `cap`).
    public static func workingDays(since start: Date, at now: Date, calendar: WorkingCalendar, cap: Int = 366) -> Int {
        var days = 0
        while days < cap, calendar.adding(workingDays: days + 1, to: start).instant <= now { days += 1 }
        return days
    }
}
