import Foundation

/// The cross-province case (川渝通办) an application belongs to.
public struct CrossProvinceReference: Sendable, Hashable, Codable {
    /// 业务协同编号, `CY` + division + date + sequence.
    public var collaborationNumber: String
    /// The partner authority's unified social credit code.
    public var partnerCode: String

    public init(collaborationNumber: String, partnerCode: String) {
        self.collaborationNumber = collaborationNumber
        self.partnerCode = partnerCode
    }
}

/// A natural person named in an application: legal representative, operator or contact.
public struct Person: Sendable, Hashable, Codable {
    public var name: String
    public var idNumber: String

    public init(name: String, idNumber: String) {
        self.name = name
        self.idNumber = idNumber
    }
}

/// An investor (股东、出资人、合伙人、成员) and what it subscribes.
public struct Investor: Sendable, Hashable, Codable {
    public var name: String
    public var kind: InvestorKind
    /// Citizen ID number for a person; unified social credit code for an organisation.
    public var idNumber: String
    /// Subscribed contribution.
    public var contribution: Money
    /// Form of contribution, e.g. 货币.
    public var form: String

    public init(name: String, kind: InvestorKind, idNumber: String, contribution: Money, form: String = "货币") {
        self.name = name
        self.kind = kind
        self.idNumber = idNumber
        self.contribution = contribution
        self.form = form
    }
}

/// The contact the desk calls about the case.
public struct Contact: Sendable, Hashable, Codable {
    public var name: String
    public var phone: String

    public init(name: String, phone: String) {
        self.name = name
        self.phone = phone
    }
}

/// How the domicile is held, which decides the proof it needs (STANDARDS.md §9, item 7).
public enum DomicileTenure: String, Sendable, Hashable, Codable, CaseIterable {
    /// Owned: the property certificate.
    case owned
    /// Leased: the lease and the lessor's property certificate.
    case leased
    /// Declared: the signed domicile declaration (住所申报承诺), where the hall accepts it.
    case declared
}

/// What an applicant asks the hall to register: the registered items of STANDARDS.md §9 and the
/// start-up tasks wanted.
public struct CaseApplication: Sendable, Hashable, Codable {
    public var channel: Channel
    public var enterpriseType: EnterpriseType
    public var proposedName: String
    public var registeredCapital: Money
    public var domicile: String
    /// GB/T 2260 code of the domicile's county-level division.
    public var domicileDivision: String
    public var businessScope: String
    public var legalRepresentative: Person
    public var investors: [Investor]
    public var contact: Contact
    /// Start-up tasks the applicant asked for (ids from the workflow's task group).
    public var requestedTasks: [String]
    /// How the domicile is held; nil when the application does not say (older applications).
    public var domicileTenure: DomicileTenure?
    /// The agent the applicant authorised (指定代表或者共同委托代理人), if any.
    public var agent: Person?
    /// Special service (特殊办) asked for at intake, with its reason; nil for none.
    public var special: SpecialRequest?
    /// Where the hall posts the licence and notices (邮寄地址); required for the mail channel.
    public var mailingAddress: String?
    /// For a case of the 川渝通办 exchange: its collaboration number (业务协同编号) and partner.
    public var crossProvince: CrossProvinceReference?
    /// For a case taken in here for the partner authority that decides it (川渝通办, 异地代收代办):
    /// that authority's unified social credit code. The window checks the documents and transfers
    /// the case; the partner accepts and decides it.
    public var transferTo: String?

    public init(
        channel: Channel, enterpriseType: EnterpriseType, proposedName: String, registeredCapital: Money,
        domicile: String, domicileDivision: String, businessScope: String, legalRepresentative: Person,
        investors: [Investor], contact: Contact, requestedTasks: [String], domicileTenure: DomicileTenure? = nil,
        agent: Person? = nil, special: SpecialRequest? = nil, mailingAddress: String? = nil
    ) {
        self.special = special
        self.mailingAddress = mailingAddress
        self.domicileTenure = domicileTenure
        self.agent = agent
        self.channel = channel
        self.enterpriseType = enterpriseType
        self.proposedName = proposedName
        self.registeredCapital = registeredCapital
        self.domicile = domicile
        self.domicileDivision = domicileDivision
        self.businessScope = businessScope
        self.legalRepresentative = legalRepresentative
        self.investors = investors
        self.contact = contact
        self.requestedTasks = requestedTasks
    }
}

/// One thing wrong with an application, naming the field.
public struct FieldProblem: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The field's path, e.g. `investors[2].idNumber`.
    public var field: String
    public var reason: LocalizedText

    public init(field: String, reason: LocalizedText) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason.en)" }
}

/// An application that cannot be taken in, with every problem found (一次性告知: all at once).
public struct ApplicationRejected: ClerkReadable, ProblemConvertible, Sendable, Equatable {
    public var problems: [FieldProblem]

    public init(problems: [FieldProblem]) {
        self.problems = problems
    }

    public var problem: Problem {
        Problem(
            .refused, "application.invalid", zh: "申请材料有误，不能收件：", en: "the application cannot be taken in:",
            fields: problems)
    }

    public func message(_ language: Language) -> String {
        problem.message(language)
    }
}
