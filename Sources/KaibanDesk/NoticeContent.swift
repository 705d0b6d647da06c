import Foundation
import KaibanCore

/// A person named on a notice, with the citizen ID number masked (`510811********0178`): a
/// notice never carries a number in full.
public struct NoticeParty: Sendable, Equatable, Codable {
    public var name: String
    /// What the person is to the application: 法定代表人, 执行事务合伙人, 委托代理人…
    public var role: String
    /// Masked.
    public var idNumber: String

    public init(name: String, role: String, idNumber: String) {
        self.name = name
        self.role = role
        self.idNumber = CitizenID.masked(idNumber)
    }
}

/// One line of a notice's list: a document missing (补正) or deferred (容缺).
public struct NoticeItem: Sendable, Equatable, Codable {
    /// The checklist code, when the item is one of the checklist's documents.
    public var code: String?
    public var name: String
    /// In what form it is due: 原件, 复印件, 电子.
    public var form: String?
    /// By when it is due (容缺).
    public var deadline: CivilDate?
    /// The deadline as the notice prints it: 二〇二六年十二月三日.
    public var deadlineText: String?
    /// What the notice says of it: 主要材料, 次要材料, 可容缺.
    public var note: String?

    public init(
        code: String? = nil, name: String, form: String? = nil, deadline: CivilDate? = nil, note: String? = nil
    ) {
        self.code = code
        self.name = name
        self.form = form
        self.deadline = deadline
        self.deadlineText = deadline?.chineseText
        self.note = note
    }
}

/// Everything a notice prints, read off a case and its history: plain values, no layout (the
/// templates in Forms/notices lay it out as text or as an A4 page).
public struct NoticeContent: Sendable, Equatable, Codable {
    public var kind: NoticeKind
    /// 受理通知书…
    public var title: String
    /// The hall's division code (`KAIBAN_HALL`).
    public var hallCode: String
    /// 广元市昭化区政务服务中心.
    public var hallName: String
    public var number: CaseNumber
    /// The proposed enterprise name.
    public var enterpriseName: String
    /// 有限责任公司…
    public var enterpriseType: String
    /// The legal representative (or managing partner, operator, owner): the applicant.
    public var applicant: NoticeParty
    /// The agent who applied for them, when one did.
    public var agent: NoticeParty?
    /// When the application was taken in (收件), and that day in words.
    public var submittedAt: Date
    public var submittedOnText: String
    /// When the step the notice records happened (受理, 补正, 不予受理), its day and in words.
    public var at: Date
    public var date: CivilDate
    public var dateText: String
    /// The step's instant in words, with the time of day: 二〇二六年十一月二十六日9时30分.
    public var atText: String
    /// Acceptance: the whole case's budget in working minutes, the promised completion instant
    /// and both in words (0.4个工作日; 二〇二六年十一月二十六日14时35分).
    public var promisedMinutes: Int?
    public var promisedLimitText: String?
    public var promisedBy: Date?
    public var promisedByText: String?
    /// Acceptance: true when the promised instant was counted over a year whose holiday notice
    /// is not out yet (its days off provisional): the notice says so.
    public var promisedProvisional: Bool?
    /// Correction: every document missing when the case was returned, main ones first.
    public var missingDocuments: [NoticeItem]
    /// Correction: the clerk's own words beyond the documents; refusal: the reason given.
    public var reason: String?
    /// 容缺: the documents deferred, each with its form and deadline.
    public var deferredItems: [NoticeItem]
    /// 容缺: who signs the commitment.
    public var signer: NoticeParty?
    /// 容缺: what happens when a deferred document does not come in time.
    public var consequence: String?

    /// What the commitment and the notice of 容缺 say happens when a deferred document is late.
    public static let deferralConsequence = "逾期未补交的，终止办理或撤销登记，由申请人承担相应责任"
}
