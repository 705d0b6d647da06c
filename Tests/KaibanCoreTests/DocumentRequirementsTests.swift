import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// How a checklist's items become one application's requirements, on a small hand-made
/// checklist (the committed one is tested in KaibanFormsTests).
@Suite struct DocumentRequirementsTests {
    static func item(
        _ code: String, _ types: [EnterpriseType] = [], _ condition: DocumentChecklist.Condition = .always,
        name: String = "材料"
    ) -> DocumentChecklist.Item {
        DocumentChecklist.Item(
            requirement: DocumentRequirement(
                code: code, name: LocalizedText(zh: name, en: code), importance: .main, deferrable: false,
                maxDeferralDays: nil, blocks: .acceptance),
            types: types, condition: condition)
    }

    static let checklist = DocumentChecklist(
        key: DocumentChecklist.Key(id: "test", version: 3), title: LocalizedText(zh: "测试", en: "test"),
        items: [
            item("form", [.limitedLiabilityCompany], name: "公司申请书"),
            item("form", [], name: "通用申请书"),
            item("owned", [], .domicileTenure(.owned)),
            item("leased", [], .domicileTenure(.leased)),
            item("declared", [], .domicileTenure(.declared)),
            item("person", [.partnership], .investorKind(.person)),
            item("company", [], .investorKind(.company)),
            item("agent", [], .agent),
            item("permit", [.individualBusiness], .priorPermit),
        ],
        priorPermitTerms: ["", "烟草专卖", "民用爆炸物品"])

    func codes(_ application: CaseApplication) -> [String] {
        Self.checklist.requirements(for: application).map(\.code)
    }

    @Test func itemsApplyByTypeAndTheFirstOfACodeWins() {
        let company = Fixtures.application()
        #expect(codes(company) == ["form", "owned"])
        #expect(Self.checklist.requirements(for: company).first?.name.zh == "公司申请书")
        var partnership = company
        partnership.enterpriseType = .partnership
        #expect(codes(partnership) == ["form", "owned", "person"])
        #expect(Self.checklist.requirements(for: partnership).first?.name.zh == "通用申请书")
    }

    @Test func tenureDecidesTheDomicileProofAndNoTenureCountsAsOwned() {
        var application = Fixtures.application()
        application.domicileTenure = nil
        #expect(codes(application) == ["form", "owned"])
        for tenure in DomicileTenure.allCases {
            application.domicileTenure = tenure
            #expect(codes(application) == ["form", tenure.rawValue])
        }
    }

    @Test func anInvestorOfTheKindAndAnAgentAddTheirDocuments() {
        var application = Fixtures.application()
        application.investors[1].kind = .company
        application.agent = Person(name: "王强", idNumber: Fixtures.idLi)
        #expect(codes(application) == ["form", "owned", "company", "agent"])
    }

    @Test func aPriorPermitNeedsATermInTheScopeAndTheType() {
        var application = Fixtures.application()
        application.businessScope = "卷烟、雪茄烟零售（烟草专卖零售许可证有效期内经营）"
        #expect(!codes(application).contains("permit"))
        application.enterpriseType = .individualBusiness
        #expect(codes(application).last == "permit")
        #expect(Self.checklist.permitTerms(in: application.businessScope) == ["烟草专卖"])
        application.businessScope = "日用百货零售"
        #expect(Self.checklist.permitTerms(in: application.businessScope).isEmpty)
        #expect(!codes(application).contains("permit"))
    }

    @Test func aRequirementIsFoundByCodeAndType() {
        #expect(Self.checklist.requirement("form", for: .farmersCooperative)?.name.zh == "通用申请书")
        #expect(Self.checklist.requirement("permit", for: .limitedLiabilityCompany) == nil)
        #expect(Self.checklist.requirement("permit", for: .individualBusiness)?.code == "permit")
    }
}
