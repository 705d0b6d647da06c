import Foundation
import KaibanCore

extension KeyedDecodingContainer {
    /// The value at `key`, nil when absent or null; a value of another JSON type is nil too, its
    /// key added to `wrong` (reported with the application's other problems).
    func lenient<T: Decodable>(_ key: Key, _ wrong: inout [String]) throws -> T? {
        do {
            return try decodeIfPresent(T.self, forKey: key)
        } catch DecodingError.typeMismatch, DecodingError.valueNotFound {
            // Of another type, or a null inside it (`"requestedTasks": [null]`).
            wrong.append(key.stringValue)
            return nil
        }
    }
}

/// An application as a portal sends it (JSON): every field optional, so that what is missing
/// or unreadable is reported field by field with the rest of the application's problems, never
/// as an undecodable body. The channel is not in it: it is the portal's.
public struct ApplicationForm: Sendable, Equatable, Codable {
    public struct PersonForm: Sendable, Equatable, Codable {
        public var name: String?
        public var idNumber: String?
        /// Fields of another JSON type than theirs (``ApplicationForm/wrongTypes``).
        public var wrongTypes: [String] = []

        enum CodingKeys: String, CodingKey { case name, idNumber }

        public init(name: String? = nil, idNumber: String? = nil) {
            self.name = name
            self.idNumber = idNumber
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.lenient(.name, &wrongTypes)
            idNumber = try container.lenient(.idNumber, &wrongTypes)
        }
    }

    public struct InvestorForm: Sendable, Equatable, Codable {
        public var name: String?
        /// `person` (default), `company` or `institution`.
        public var kind: String?
        public var idNumber: String?
        /// Yuan, as text with at most two decimals: "300000" or "300000.50".
        public var contribution: String?
        /// 货币 by default.
        public var form: String?
        public var wrongTypes: [String] = []

        enum CodingKeys: String, CodingKey { case name, kind, idNumber, contribution, form }

        public init(
            name: String? = nil, kind: String? = nil, idNumber: String? = nil, contribution: String? = nil,
            form: String? = nil
        ) {
            self.name = name
            self.kind = kind
            self.idNumber = idNumber
            self.contribution = contribution
            self.form = form
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.lenient(.name, &wrongTypes)
            kind = try container.lenient(.kind, &wrongTypes)
            idNumber = try container.lenient(.idNumber, &wrongTypes)
            contribution = try container.lenient(.contribution, &wrongTypes)
            form = try container.lenient(.form, &wrongTypes)
        }
    }

    public struct ContactForm: Sendable, Equatable, Codable {
        public var name: String?
        public var phone: String?
        public var wrongTypes: [String] = []

        enum CodingKeys: String, CodingKey { case name, phone }

        public init(name: String? = nil, phone: String? = nil) {
            self.name = name
            self.phone = phone
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.lenient(.name, &wrongTypes)
            phone = try container.lenient(.phone, &wrongTypes)
        }
    }

    public var enterpriseType: String?
    public var proposedName: String?
    /// Yuan, as text; absent for types without registered capital.
    public var registeredCapital: String?
    public var domicile: String?
    public var domicileDivision: String?
    /// `owned`, `leased` or `declared`.
    public var domicileTenure: String?
    public var businessScope: String?
    public var legalRepresentative: PersonForm?
    public var investors: [InvestorForm]?
    public var contact: ContactForm?
    public var requestedTasks: [String]?
    public var agent: PersonForm?
    /// Where the licence and notices are posted, if the applicant wants them posted.
    public var mailingAddress: String?
    /// A request for special service (特殊办): the elderly, the disabled or door-to-door service,
    /// with its reason. A key project is the hall's designation, not the applicant's.
    public var special: SpecialForm?

    public struct SpecialForm: Sendable, Equatable, Codable {
        public var kind: String?
        public var reason: String?
        public var wrongTypes: [String] = []

        enum CodingKeys: String, CodingKey { case kind, reason }

        public init(kind: String? = nil, reason: String? = nil) {
            self.kind = kind
            self.reason = reason
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            kind = try container.lenient(.kind, &wrongTypes)
            reason = try container.lenient(.reason, &wrongTypes)
        }
    }

    /// The fields of the body that were of another JSON type than theirs (`"registeredCapital":
    /// 500000`, a number for text), by their paths (`investors[1].idNumber`): each is reported
    /// with every other problem of the application (such a field had failed the whole body, and
    /// hidden the rest). Not part of the form's JSON.
    public var wrongTypes: [String] = []

    enum CodingKeys: String, CodingKey {
        case enterpriseType, proposedName, registeredCapital, domicile, domicileDivision, domicileTenure,
            businessScope, legalRepresentative, investors, contact, requestedTasks, agent, mailingAddress, special
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var wrong: [String] = []
        enterpriseType = try container.lenient(.enterpriseType, &wrong)
        proposedName = try container.lenient(.proposedName, &wrong)
        registeredCapital = try container.lenient(.registeredCapital, &wrong)
        domicile = try container.lenient(.domicile, &wrong)
        domicileDivision = try container.lenient(.domicileDivision, &wrong)
        domicileTenure = try container.lenient(.domicileTenure, &wrong)
        businessScope = try container.lenient(.businessScope, &wrong)
        legalRepresentative = try container.lenient(.legalRepresentative, &wrong)
        investors = try Self.investors(in: container, &wrong)
        contact = try container.lenient(.contact, &wrong)
        requestedTasks = try container.lenient(.requestedTasks, &wrong)
        agent = try container.lenient(.agent, &wrong)
        mailingAddress = try container.lenient(.mailingAddress, &wrong)
        special = try container.lenient(.special, &wrong)
        // The nested forms' own, under their paths (investors counted from 1, as the problems are).
        wrong += (legalRepresentative?.wrongTypes ?? []).map { "legalRepresentative." + $0 }
        wrong += (agent?.wrongTypes ?? []).map { "agent." + $0 }
        wrong += (contact?.wrongTypes ?? []).map { "contact." + $0 }
        wrong += (special?.wrongTypes ?? []).map { "special." + $0 }
        for (index, investor) in (investors ?? []).enumerated() {
            wrong += investor.wrongTypes.map { "investors[\(index + 1)]." + $0 }
        }
        wrongTypes = wrong
    }

    /// The investors as far as they read: an element of the wrong type stands as an empty investor
    /// (so the others keep their numbers) named in `wrong` (`investors[2]`); a list of the wrong
    /// type is `investors` (one bad element had been reported as the whole list not being one).
    static func investors(in container: KeyedDecodingContainer<CodingKeys>, _ wrong: inout [String]) throws
        -> [InvestorForm]?
    {
        guard container.contains(.investors), try !container.decodeNil(forKey: .investors) else { return nil }
        var list: any UnkeyedDecodingContainer
        do {
            list = try container.nestedUnkeyedContainer(forKey: .investors)
        } catch DecodingError.typeMismatch {
            wrong.append("investors")
            return nil
        }
        var investors: [InvestorForm] = []
        while !list.isAtEnd {
            // A null in the list (read past by decodeNil) is an element of the wrong type too.
            if try list.decodeNil() {
                wrong.append("investors[\(investors.count + 1)]")
                investors.append(InvestorForm())
                continue
            }
            do {
                investors.append(try list.decode(InvestorForm.self))
            } catch DecodingError.typeMismatch {
                // Past the element (a failed decode leaves the list where it was).
                _ = try list.decode(Skipped.self)
                wrong.append("investors[\(investors.count + 1)]")
                investors.append(InvestorForm())
            }
        }
        return investors
    }

    /// Any JSON value, read past.
    struct Skipped: Decodable {
        init(from decoder: any Decoder) throws {}
    }

    /// What a field of the wrong type should have been, for its problem.
    static func expectedType(of field: String) -> LocalizedText {
        switch field {
        case "legalRepresentative", "agent", "contact", "special":
            LocalizedText(zh: "应为对象 {…}", en: "should be an object {…}")
        case "investors": LocalizedText(zh: "应为数组 […]", en: "should be an array […]")
        case _ where field.hasPrefix("investors[") && field.hasSuffix("]"):
            LocalizedText(zh: "应为对象 {…}", en: "should be an object {…}")
        case "requestedTasks":
            LocalizedText(zh: "应为文本数组，如[\"seal\"]", en: "should be an array of text, e.g. [\"seal\"]")
        case "registeredCapital",
            _ where field.hasSuffix(".contribution"):
            LocalizedText(zh: "应为文本，如\"500000\"", en: "should be text, e.g. \"500000\"")
        default: LocalizedText(zh: "应为文本", en: "should be text")
        }
    }

    /// The kinds of special service an applicant may ask for.
    public static let requestableSpecialKinds: [SpecialKind] = [.elderly, .disabled, .doorToDoor]

    public init() {}

    /// The form a portal would send for `application` (its channel aside).
    public init(_ application: CaseApplication) {
        enterpriseType = application.enterpriseType.rawValue
        proposedName = application.proposedName
        registeredCapital = application.registeredCapital.yuanText
        domicile = application.domicile
        domicileDivision = application.domicileDivision
        domicileTenure = application.domicileTenure?.rawValue
        businessScope = application.businessScope
        legalRepresentative = PersonForm(
            name: application.legalRepresentative.name, idNumber: application.legalRepresentative.idNumber)
        investors = application.investors.map {
            InvestorForm(
                name: $0.name, kind: $0.kind.rawValue, idNumber: $0.idNumber, contribution: $0.contribution.yuanText,
                form: $0.form)
        }
        contact = ContactForm(name: application.contact.name, phone: application.contact.phone)
        requestedTasks = application.requestedTasks
        agent = application.agent.map { PersonForm(name: $0.name, idNumber: $0.idNumber) }
        mailingAddress = application.mailingAddress
        special = application.special.map { SpecialForm(kind: $0.kind.rawValue, reason: $0.reason) }
    }

    /// The application, or every field that is missing or unreadable at once. The application's
    /// own rules (names, ID numbers, divisions…) are checked afterwards, by intake.
    public func application(channel: Channel) throws(ApplicationRejected) -> CaseApplication {
        let (application, problems) = decoded(channel: channel)
        guard problems.isEmpty else { throw ApplicationRejected(problems: problems) }
        return application
    }

    /// The application as far as it reads (a field missing or unreadable left empty, zero or at
    /// its default), and every field that is missing or unreadable.
    public func decoded(channel: Channel) -> (application: CaseApplication, problems: [FieldProblem]) {
        var problems = wrongTypes.map { FieldProblem(field: $0, reason: Self.expectedType(of: $0)) }
        let wrong = Set(wrongTypes)
        func missing(_ field: String) {
            // A field of the wrong type is said to be so, not missing.
            guard !wrong.contains(field), !wrong.contains(where: { field.hasPrefix($0 + ".") }) else { return }
            problems.append(FieldProblem(field: field, reason: LocalizedText(zh: "缺少此项", en: "is missing")))
        }
        func unreadable(_ field: String, _ zh: String, _ en: String) {
            problems.append(FieldProblem(field: field, reason: LocalizedText(zh: zh, en: en)))
        }
        func text(_ value: String?, _ field: String) -> String {
            guard let value else {
                missing(field)
                return ""
            }
            return value
        }
        /// An amount; when `required` and not given, said missing (it had read as zero, and the
        /// investors' sum was then compared with it).
        func money(_ value: String?, _ field: String, required: Bool = false) -> Money {
            guard let value else {
                if required { missing(field) }
                return .zero
            }
            guard let parsed = Money(yuan: value) else {
                // Well written but of more than 15 digits of yuan: too large, not unreadable.
                let parts = value.trimmingSpaces().replacingOccurrences(of: ",", with: "")
                    .split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
                let digits = { (part: Substring) in part.allSatisfy { $0.isASCII && $0.isNumber } }
                let whole = parts[0].drop { $0 == "0" }
                let fraction = parts.count == 2 ? parts[1] : ""
                if whole.count > 15, digits(whole), fraction.count <= 2, digits(fraction) {
                    unreadable(
                        field, "金额过大：至多999999999999999.99元", "the amount is too large: at most 999999999999999.99 yuan")
                } else {
                    unreadable(
                        field, "金额应为元，至多两位小数，如300000.50", "an amount in yuan with at most two decimals, e.g. 300000.50")
                }
                return .zero
            }
            return parsed
        }
        func person(_ value: PersonForm?, _ field: String) -> Person {
            Person(name: text(value?.name, field + ".name"), idNumber: text(value?.idNumber, field + ".idNumber"))
        }
        var type = EnterpriseType.limitedLiabilityCompany
        if let raw = enterpriseType {
            if let known = EnterpriseType(rawValue: raw) {
                type = known
            } else {
                let names = EnterpriseType.allCases.map(\.rawValue).joined(separator: ", ")
                unreadable("enterpriseType", "企业类型应为：\(names)", "the enterprise type is one of: \(names)")
            }
        } else {
            missing("enterpriseType")
        }
        var tenure: DomicileTenure?
        if let raw = domicileTenure {
            tenure = DomicileTenure(rawValue: raw)
            if tenure == nil { unreadable("domicileTenure", "应为owned、leased或declared", "is owned, leased or declared") }
        }
        let investors = (self.investors ?? []).enumerated().map { index, form -> Investor in
            let field = "investors[\(index + 1)]"
            // An investor that could not be read, or whose kind or number could not, stands as an
            // organisation (this application is only ever told its problems): as a person of no
            // known age they would make a minor beside them invest alone.
            var unread =
                form.idNumber == nil || [field, field + ".kind", field + ".idNumber"].contains { wrong.contains($0) }
            var kind = InvestorKind.person
            if let raw = form.kind {
                if let known = InvestorKind(rawValue: raw) {
                    kind = known
                } else {
                    unreadable(field + ".kind", "应为person、company或institution", "is person, company or institution")
                    unread = true
                }
            }
            if unread { kind = .company }
            return Investor(
                name: text(form.name, field + ".name"), kind: kind, idNumber: text(form.idNumber, field + ".idNumber"),
                contribution: money(form.contribution, field + ".contribution", required: true),
                form: form.form ?? "货币")
        }
        if self.investors == nil { missing("investors") }
        var special: SpecialRequest?
        if let form = self.special {
            let kinds = Self.requestableSpecialKinds
            let names = kinds.map(\.rawValue).joined(separator: ", ")
            if let raw = form.kind, let kind = SpecialKind(rawValue: raw), kinds.contains(kind) {
                // Kept as the window keeps it: without blanks or invisible characters at either end.
                special = SpecialRequest(
                    kind: kind,
                    reason: text(form.reason, "special.reason").trimmingWhitespace())
            } else if form.kind == nil {
                missing("special.kind")
            } else {
                unreadable(
                    "special.kind", "申请人可申请的特殊办类型为：\(names)（重点项目由本厅负责人标记）",
                    "an applicant may ask for: \(names) (a key project is flagged by the hall's supervisor)")
            }
        }
        let application = CaseApplication(
            channel: channel, enterpriseType: type, proposedName: text(proposedName, "proposedName"),
            registeredCapital: money(
                registeredCapital, "registeredCapital", required: enterpriseType != nil && type.hasRegisteredCapital),
            domicile: text(domicile, "domicile"),
            domicileDivision: text(domicileDivision, "domicileDivision"),
            businessScope: text(businessScope, "businessScope"),
            legalRepresentative: person(legalRepresentative, "legalRepresentative"), investors: investors,
            contact: Contact(name: text(contact?.name, "contact.name"), phone: text(contact?.phone, "contact.phone")),
            requestedTasks: requestedTasks ?? [], domicileTenure: tenure, agent: agent.map { person($0, "agent") },
            special: special, mailingAddress: mailingAddress)
        return (application, problems)
    }
}
