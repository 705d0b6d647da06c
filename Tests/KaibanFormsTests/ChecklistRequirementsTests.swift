import Foundation
import KaibanCore
import KaibanForms
import KaibanTestSupport
import Testing

/// What the committed checklist asks of each type's typical application, and of the conditions
/// (tenure, investor kind, agent, prior permit).
@Suite struct ChecklistRequirementsTests {
    let checklist: DocumentChecklist

    init() throws {
        let file = Fixtures.formsRoot.appendingPathComponent("checklists/company-formation.xml")
        checklist = try Fixtures.forms().checklistLoader.load(contentsOf: file)
    }

    static let idWang = "510811199001010013"

    /// A typical application of `type`: person investors (two, or as many as the type needs), owned domicile, no
    /// agent, a scope without a prior permit.
    static func typical(_ type: EnterpriseType, tenure: DomicileTenure? = .owned) -> CaseApplication {
        var application = Fixtures.application()
        application.enterpriseType = type
        application.domicileTenure = tenure
        let count = type.investorRange.upperBound == 1 ? 1 : max(2, type.investorRange.lowerBound)
        application.investors = (0..<count).map {
            Investor(
                name: "成员\($0 + 1)", kind: .person, idNumber: $0 == 0 ? Fixtures.idZhang : Fixtures.idLi,
                contribution: Money(fen: 1_000_000))
        }
        return application
    }

    func codes(_ application: CaseApplication) -> [String] {
        checklist.requirements(for: application).map(\.code)
    }

    @Test(arguments: [
        (
            EnterpriseType.limitedLiabilityCompany,
            [
                "application-form", "articles", "investor-id", "officer-appointment", "representative-appointment",
                "domicile-title", "name-declaration",
            ]
        ),
        (
            .onePersonCompany,
            [
                "application-form", "articles", "investor-id", "officer-appointment", "representative-appointment",
                "domicile-title", "name-declaration",
            ]
        ),
        (.soleProprietorship, ["application-form", "investor-id", "domicile-title", "name-declaration"]),
        (
            .partnership,
            [
                "application-form", "partnership-agreement", "investor-id", "contribution-confirmation",
                "managing-partner-appointment", "domicile-title", "name-declaration",
            ]
        ),
        (.individualBusiness, ["application-form", "investor-id", "domicile-title"]),
        (
            .farmersCooperative,
            [
                "application-form", "articles", "member-list", "founding-minutes", "representative-appointment",
                "domicile-title", "name-declaration",
            ]
        ),
    ])
    func eachTypeNeedsItsDocuments(type: EnterpriseType, expected: [String]) {
        #expect(codes(Self.typical(type)) == expected)
    }

    @Test func eachTypeHasItsOwnApplicationForm() {
        let forms = EnterpriseType.allCases.compactMap {
            checklist.requirements(for: Self.typical($0)).first { $0.code == "application-form" }?.name.zh
        }
        #expect(forms.count == EnterpriseType.allCases.count)
        // Both kinds of company file the company form; every other type its own.
        #expect(Set(forms).count == EnterpriseType.allCases.count - 1)
        #expect(forms.first == "公司登记（备案）申请书")
    }

    @Test func aLeasedDomicileNeedsTheLeaseAndTheLessorsCertificate() throws {
        let leased = checklist.requirements(for: Self.typical(.limitedLiabilityCompany, tenure: .leased))
        let codes = leased.map(\.code)
        #expect(codes.contains("lease") && codes.contains("lessor-title"))
        #expect(!codes.contains("domicile-title") && !codes.contains("domicile-declaration"))
        let lease = try #require(leased.first { $0.code == "lease" })
        #expect(lease.importance == .main && !lease.deferrable && lease.blocks == .acceptance)
        let lessor = try #require(leased.first { $0.code == "lessor-title" })
        #expect(lessor.importance == .secondary && lessor.deferrable)
        // It may follow the licence (先照后补).
        #expect(lessor.maxDeferralDays == 5 && lessor.blocks == .nothing)
        #expect(lessor.name == LocalizedText(zh: "出租方产权证明", en: "lessor's property certificate"))
        // The premises of an individual business follow the same rule.
        #expect(
            self.codes(Self.typical(.individualBusiness, tenure: .leased)) == [
                "application-form", "investor-id", "lease", "lessor-title",
            ])
    }

    @Test func aDeclaredDomicileNeedsOnlyTheDeclaration() {
        let codes = codes(Self.typical(.soleProprietorship, tenure: .declared))
        #expect(codes == ["application-form", "investor-id", "domicile-declaration", "name-declaration"])
    }

    @Test func anApplicationThatDoesNotSayItsTenureCountsAsOwned() {
        #expect(
            codes(Self.typical(.limitedLiabilityCompany, tenure: nil))
                == codes(Self.typical(.limitedLiabilityCompany, tenure: .owned)))
        #expect(codes(Self.typical(.limitedLiabilityCompany, tenure: nil)).contains("domicile-title"))
    }

    @Test func aCompanyInvestorAddsItsLicence() {
        var application = Self.typical(.limitedLiabilityCompany)
        application.investors.append(
            Investor(
                name: "广元市青禾投资有限公司", kind: .company, idNumber: "91510811MA62X8Y14T",
                contribution: Money(fen: 1_000_000)))
        let withCompany = codes(application)
        #expect(withCompany.contains("investor-id") && withCompany.contains("investor-licence"))
        #expect(
            withCompany.firstIndex(of: "investor-licence") == withCompany.firstIndex(of: "investor-id").map { $0 + 1 })
        #expect(!codes(Self.typical(.limitedLiabilityCompany)).contains("investor-licence"))
        // A one-person company owned by a company needs no individual's ID copy.
        var owned = Self.typical(.onePersonCompany)
        owned.investors = [application.investors[2]]
        #expect(codes(owned).contains("investor-licence") && !codes(owned).contains("investor-id"))
        // A corporate partner too.
        var partnership = Self.typical(.partnership)
        partnership.investors[1].kind = .company
        #expect(codes(partnership).contains("investor-licence") && codes(partnership).contains("investor-id"))
    }

    @Test func anInstitutionInvestorAddsItsCertificate() {
        var application = Self.typical(.limitedLiabilityCompany)
        application.investors[1].kind = .institution
        #expect(codes(application).contains("investor-certificate"))
        #expect(!codes(application).contains("investor-licence"))
    }

    @Test func anAgentAddsTheAuthorisation() throws {
        var application = Self.typical(.partnership)
        #expect(!codes(application).contains("agent-authorisation"))
        application.agent = Person(name: "王强", idNumber: Self.idWang)
        let authorisation = try #require(checklist.requirements(for: application).last)
        #expect(authorisation.code == "agent-authorisation")
        #expect(authorisation.importance == .secondary && authorisation.deferrable)
        #expect(authorisation.maxDeferralDays == 3 && authorisation.blocks == .licence)
    }

    @Test func aScopeWithAPriorPermitTermAddsThePermit() throws {
        var application = Self.typical(.individualBusiness)
        application.businessScope = "日用百货零售；药品零售；保健食品销售"
        let permit = try #require(checklist.requirements(for: application).last)
        #expect(permit.code == "prior-permit")
        #expect(permit.importance == .main && !permit.deferrable && permit.blocks == .licence)
        #expect(checklist.permitTerms(in: application.businessScope) == ["药品零售"])
        application.businessScope = "日用百货零售；食品销售"
        #expect(!codes(application).contains("prior-permit"))
    }

    @Test func everythingAtOnceListsEachDocumentOnce() {
        var application = Self.typical(.limitedLiabilityCompany, tenure: .leased)
        application.agent = Person(name: "王强", idNumber: Self.idWang)
        application.businessScope = "危险化学品经营（不含储存）；道路旅客运输"
        application.investors.append(
            Investor(
                name: "广元市青禾投资有限公司", kind: .company, idNumber: "91510811MA62X8Y14T",
                contribution: Money(fen: 1_000_000)))
        let codes = codes(application)
        #expect(
            codes == [
                "application-form", "articles", "investor-id", "investor-licence", "officer-appointment",
                "representative-appointment", "lease", "lessor-title", "name-declaration", "agent-authorisation",
                "prior-permit",
            ])
        #expect(Set(codes).count == codes.count)
    }

    @Test func everyDemoCaseNeedsItsFormAndOneDomicileProof() throws {
        let forms = try Fixtures.forms()
        let folder = Fixtures.packageRoot.appendingPathComponent("seeds/demo/cases")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".xml") }
        #expect(!files.isEmpty)
        let proofs: Set<String> = ["domicile-title", "lease", "domicile-declaration"]
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let codes = codes(try forms.caseFileLoader.load(data, source: file))
            #expect(codes.first == "application-form", "\(file)")
            #expect(codes.filter(proofs.contains).count == 1, "\(file)")
            #expect(Set(codes).count == codes.count, "\(file)")
        }
    }
}
