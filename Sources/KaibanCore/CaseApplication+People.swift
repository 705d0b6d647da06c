import Foundation

extension CaseApplication {
    /// The age from which a person may represent an enterprise or invest in one as a natural person.
    public static let fullAge = 18

    /// Every problem with the application's people on `day` (the intake's date in Asia/Shanghai):
    /// each citizen ID number passes ``CitizenID/check(_:on:)``, the check `check id` runs; the
    /// representative (named for the type: 法定代表人, 执行事务合伙人, …) and every natural-person
    /// investor are of full age on `day`; an organisation's credit code is valid; no party is two
    /// investors (same ID number or credit code); every contribution is above zero; a sole
    /// proprietorship's or an individual business's owner is a natural person.
    public func peopleProblems(on day: CivilDate) -> [FieldProblem] {
        representativeProblems(on: day) + investorProblems(on: day)
    }

    /// The representative's problems on `day`: a name, a valid ID number, full age.
    public func representativeProblems(on day: CivilDate) -> [FieldProblem] {
        var found: [FieldProblem] = []
        let role = enterpriseType.representativeRole
        if legalRepresentative.name.isBlank {
            found.append(
                FieldProblem(
                    field: "legalRepresentative.name",
                    reason: LocalizedText(zh: "\(role.zh)姓名不能为空", en: "the \(role.en)'s name is empty")))
        }
        _ = Self.personProblems(
            role, legalRepresentative.name, legalRepresentative.idNumber, "legalRepresentative.idNumber", on: day,
            into: &found)
        if let agent {
            let word = LocalizedText(zh: "委托代理人", en: "agent")
            if agent.name.isBlank {
                found.append(
                    FieldProblem(
                        field: "agent.name", reason: LocalizedText(zh: "委托代理人姓名不能为空", en: "the agent's name is empty")))
            } else if let problem = FreeText.problem(agent.name, limit: FreeText.nameLimit)
                ?? FreeText.personNameProblem(agent.name)
            {
                found.append(FieldProblem(field: "agent.name", reason: problem))
            }
            _ = Self.personProblems(word, agent.name, agent.idNumber, "agent.idNumber", on: day, into: &found)
        }
        return found
    }

    /// A person's ID number checked on `day` as `check id` checks it, then their age; returns the
    /// number's key when it is valid.
    static func personProblems(
        _ who: LocalizedText, _ name: String, _ number: String, _ field: String, on day: CivilDate,
        minorAllowed: Bool = false, into found: inout [FieldProblem]
    ) -> String? {
        let check = CitizenID.check(number, on: day)
        guard let id = check.id, check.isValid else {
            found.append(
                FieldProblem(
                    field: field,
                    reason: LocalizedText(
                        zh:
                            "\(who.zh)的身份证号码\(CitizenID.masked(number))无效：\(check.problems.map(\.zh).joined(separator: "；"))",
                        en:
                            "the \(who.en)'s ID number \(CitizenID.masked(number)) is not valid: \(check.problems.map(\.en).joined(separator: "; "))"
                    )))
            return nil
        }
        let age = id.age(on: day)
        if age < fullAge, !minorAllowed {
            found.append(
                FieldProblem(
                    field: field,
                    reason: LocalizedText(
                        zh: "\(who.zh)\(name)未满\(fullAge)周岁（\(day)时\(age)岁）",
                        en: "the \(who.en) \(name) is under \(fullAge) (aged \(age) on \(day))")))
        }
        return id.value
    }

    /// Whether a minor may be among these investors on `day`: in a limited liability company
    /// (``EnterpriseType/minorsMayInvest``) with at least one shareholder of full age or an
    /// organisation beside them. A company whose only shareholder is a minor is a one-person
    /// company run by a child, and one of minors only has no shareholder who can act.
    public func minorsMayInvest(on day: CivilDate) -> Bool {
        enterpriseType.minorsMayInvest
            && investors.contains { investor in
                investor.kind != .person
                    || (try? CitizenID(investor.idNumber)).map { $0.age(on: day) >= Self.fullAge } == true
            }
    }

    /// The investors who are minors on `day` where minors may invest (``minorsMayInvest(on:)``),
    /// each with its place in the list (from 1) and age: their guardian invests, signs and acts as
    /// shareholder for them. The intake warns of them, and `show` keeps saying so for the reviewer.
    public func minorInvestors(on day: CivilDate) -> [(place: Int, investor: Investor, age: Int)] {
        guard minorsMayInvest(on: day) else { return [] }
        return investors.enumerated().compactMap { index, investor in
            guard investor.kind == .person, let id = try? CitizenID(investor.idNumber) else { return nil }
            let age = id.age(on: day)
            return age < Self.fullAge ? (index + 1, investor, age) : nil
        }
    }

    /// What the guardian of `investor`, aged `age` on `day`, does in their stead, and what the
    /// desk checks.
    public static func guardianNote(_ investor: Investor, age: Int, on day: CivilDate) -> LocalizedText {
        LocalizedText(
            zh:
                "出资人\(investor.name)未满\(fullAge)周岁（\(day)时\(age)岁）：由其法定代理人（监护人）代为出资、签署文件并行使股东权利，须核验监护关系证明（户口簿或出生医学证明）及法定代理人身份证件",
            en:
                "investor \(investor.name) is under \(fullAge) (aged \(age) on \(day)): their guardian invests, signs and acts as shareholder for them; check the proof of guardianship (household register or birth certificate) and the guardian's ID"
        )
    }

    /// The investors' problems on `day`: identity, age, kind, duplicates, contributions.
    public func investorProblems(on day: CivilDate) -> [FieldProblem] {
        var found: [FieldProblem] = []
        func add(_ field: String, _ zh: String, _ en: String) {
            found.append(FieldProblem(field: field, reason: LocalizedText(zh: zh, en: en)))
        }
        func blank(_ s: String) -> Bool { s.isBlank }
        let investorWord = LocalizedText(zh: "出资人", en: "investor")
        var first: [String: Int] = [:]
        for (index, investor) in investors.enumerated() {
            let path = "investors[\(index + 1)]"
            if blank(investor.name) {
                add("\(path).name", "出资人姓名（名称）不能为空", "the investor's name is empty")
            }
            if enterpriseType.ownerIsNaturalPerson && investor.kind != .person {
                add(
                    "\(path).kind", "\(enterpriseType.name.zh)的出资人应为自然人，不能是\(investor.kind.name.zh)",
                    "a \(enterpriseType.name.en)'s owner must be a natural person, not a \(investor.kind.name.en)")
            }
            let key: String?
            switch investor.kind {
            case .person:
                key = Self.personProblems(
                    investorWord, investor.name, investor.idNumber, "\(path).idNumber", on: day,
                    minorAllowed: minorsMayInvest(on: day), into: &found)
            case .company, .institution:
                do throws(CreditCode.Problem) {
                    key = try CreditCode(investor.idNumber).value
                } catch {
                    key = nil
                    add(
                        "\(path).idNumber", "统一社会信用代码\(CitizenID.masked(investor.idNumber))无效：\(error.message(.zh))",
                        "unified social credit code \(CitizenID.masked(investor.idNumber)) is not valid: \(error.message(.en))"
                    )
                }
            }
            if let key {
                if let earlier = first[key] {
                    add(
                        "\(path).idNumber",
                        "与第\(earlier)位出资人为同一人（证件号码\(investor.kind == .person ? CitizenID.masked(key) : key)相同），不能重复出资",
                        "the same party as investor \(earlier) (same number \(investor.kind == .person ? CitizenID.masked(key) : key)); list each investor once"
                    )
                } else {
                    first[key] = index + 1
                }
            }
            if investor.contribution.fen <= 0 {
                add(
                    "\(path).contribution", "出资额应大于零（实际\(investor.contribution.yuanText)元）",
                    "the contribution must be above zero (is \(investor.contribution.yuanText) yuan)")
            }
        }
        return found
    }
}

extension CaseApplication {
    /// The application with its people written one way: each valid ID number as ``CitizenID`` and
    /// ``CreditCode`` read it (a citizen ID's check character `x` as `X`, a credit code in
    /// capitals, blanks around either dropped), people's names in their NFKC form and, like the
    /// contact's phone number and the domicile's division code, without blanks around them. What the case keeps, and what is found, matched (a deferral's
    /// signer) and masked later, is then the same whoever typed it; a number that does not read is
    /// left as typed (its problem is reported by the checks).
    public func withCanonicalPeople() -> CaseApplication {
        func citizen(_ text: String) -> String { (try? CitizenID(text))?.value ?? text }
        // A person's name as it is read (``PersonName/canonical(_:)``): the record, its notices and
        // its search all hold one spelling.
        func person(_ name: String) -> String { PersonName.canonical(name) }
        var copy = self
        copy.legalRepresentative.name = person(legalRepresentative.name)
        copy.legalRepresentative.idNumber = citizen(legalRepresentative.idNumber)
        copy.agent?.name = person(agent?.name ?? "")
        copy.agent?.idNumber = citizen(agent?.idNumber ?? "")
        copy.contact.name = person(contact.name)
        copy.contact.phone = contact.phone.trimmingWhitespace()
        // A division code, like an ID number, without blanks around it (" 510811" had been refused
        // as unknown, where every name and number around it was trimmed).
        copy.domicileDivision = domicileDivision.trimmingWhitespace()
        copy.investors = investors.map { investor in
            var investor = investor
            investor.name = investor.kind == .person ? person(investor.name) : investor.name.trimmingWhitespace()
            investor.idNumber =
                investor.kind == .person
                ? citizen(investor.idNumber) : (try? CreditCode(investor.idNumber))?.value ?? investor.idNumber
            return investor
        }
        return copy
    }
}
