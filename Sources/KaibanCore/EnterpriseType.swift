import Foundation

/// The kinds of market entity the hall registers (STANDARDS.md §9).
public enum EnterpriseType: String, Sendable, CaseIterable, Codable {
    case limitedLiabilityCompany = "llc"
    case onePersonCompany = "one-person-llc"
    case soleProprietorship = "sole-proprietorship"
    case partnership = "partnership"
    case individualBusiness = "individual-business"
    case farmersCooperative = "farmers-cooperative"

    public var name: LocalizedText {
        switch self {
        case .limitedLiabilityCompany: LocalizedText(zh: "有限责任公司", en: "limited liability company")
        case .onePersonCompany: LocalizedText(zh: "一人有限责任公司", en: "one-person limited liability company")
        case .soleProprietorship: LocalizedText(zh: "个人独资企业", en: "sole proprietorship")
        case .partnership: LocalizedText(zh: "合伙企业", en: "partnership")
        case .individualBusiness: LocalizedText(zh: "个体工商户", en: "individual business")
        case .farmersCooperative: LocalizedText(zh: "农民专业合作社", en: "farmers' cooperative")
        }
    }

    /// What the person in the application's representative field is for this type: a partnership
    /// has a managing partner (执行事务合伙人), not a legal representative; an individual business
    /// its operator (经营者); a sole proprietorship its owner (投资人).
    public var representativeRole: LocalizedText {
        switch self {
        case .partnership: LocalizedText(zh: "执行事务合伙人", en: "managing partner")
        case .individualBusiness: LocalizedText(zh: "经营者", en: "operator")
        case .soleProprietorship: LocalizedText(zh: "投资人", en: "owner")
        default: LocalizedText(zh: "法定代表人", en: "legal representative")
        }
    }

    /// Whether a minor may be among the investors: a limited liability company's shareholder needs
    /// no full civil capacity (the Company Law asks none; the minor's guardian, 法定代理人, acts for
    /// them), while a partner (合伙企业法 §14), a sole owner or operator, a cooperative's member and
    /// a one-person company's only shareholder, who runs it, must have it.
    public var minorsMayInvest: Bool {
        self == .limitedLiabilityCompany
    }

    /// Whether the type's single owner must be a natural person (个人独资企业, 个体工商户).
    public var ownerIsNaturalPerson: Bool {
        self == .soleProprietorship || self == .individualBusiness
    }

    /// Position 2 of the unified social credit code issued by market regulation (authority 9):
    /// 1 enterprise, 2 individual business, 3 farmers' cooperative.
    public var creditCodeType: Character {
        switch self {
        case .individualBusiness: "2"
        case .farmersCooperative: "3"
        default: "1"
        }
    }

    /// Whether the entity is a company with a registered capital subscribed by its investors.
    public var hasRegisteredCapital: Bool {
        self == .limitedLiabilityCompany || self == .onePersonCompany
    }

    /// How many investors the type allows.
    public var investorRange: ClosedRange<Int> {
        switch self {
        case .limitedLiabilityCompany: 1...50
        case .onePersonCompany, .soleProprietorship, .individualBusiness: 1...1
        case .partnership: 2...10_000
        case .farmersCooperative: 5...10_000
        }
    }
}

/// The ways an application reaches the hall (the seed article's 网上办、掌上办、寄递办、预约办、特殊办,
/// plus the window itself).
public enum Channel: String, Sendable, CaseIterable, Codable {
    case window
    case online
    case mobile
    case mail
    case appointment
    case special
    /// 川渝通办: a case the partner province's authority took in and transferred to this hall.
    case crossProvince = "cross-province"

    public var name: LocalizedText {
        switch self {
        case .window: LocalizedText(zh: "窗口办", en: "window")
        case .online: LocalizedText(zh: "网上办", en: "online")
        case .mobile: LocalizedText(zh: "掌上办", en: "mobile")
        case .mail: LocalizedText(zh: "寄递办", en: "mail")
        case .appointment: LocalizedText(zh: "预约办", en: "appointment")
        case .special: LocalizedText(zh: "特殊办", en: "special")
        case .crossProvince: LocalizedText(zh: "川渝通办", en: "cross-province")
        }
    }
}

/// What kind of party an investor is, which decides the proof of identity it gives.
public enum InvestorKind: String, Sendable, CaseIterable, Codable {
    case person
    case company
    case institution

    public var name: LocalizedText {
        switch self {
        case .person: LocalizedText(zh: "自然人", en: "person")
        case .company: LocalizedText(zh: "企业法人", en: "company")
        case .institution: LocalizedText(zh: "机关事业单位或社会组织", en: "institution or social organisation")
        }
    }
}
