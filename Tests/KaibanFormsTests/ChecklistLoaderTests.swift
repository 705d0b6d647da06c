import Foundation
import KaibanCore
import KaibanForms
import KaibanTestSupport
import KaibanXML
import Testing

/// The document checklist file (Forms/checklists/) and what its loader refuses.
@Suite struct ChecklistLoaderTests {
    static let file = Fixtures.formsRoot.appendingPathComponent("checklists/company-formation.xml")
    let forms: FormsLibrary
    let source: String

    init() throws {
        forms = try Fixtures.forms()
        source = try String(contentsOf: Self.file, encoding: .utf8)
    }

    func load(_ text: String) throws(XMLProblem) -> DocumentChecklist {
        try forms.checklistLoader.load(Data(text.utf8), source: "edited.xml")
    }

    /// The line libxml2 gives the element whose start tag holds the first occurrence of `needle`
    /// in the committed checklist: the line where that start tag ends.
    func line(of needle: String) -> Int {
        let lines = source.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.contains(needle) }) else { return 0 }
        return (lines[start...].firstIndex { $0.contains(">") } ?? -1) + 1
    }

    /// The committed checklist with the first `old` replaced by `new` (which must be there).
    func edited(_ old: String, _ new: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        guard let range = source.range(of: old) else {
            Issue.record("\"\(old)\" is not in the checklist", sourceLocation: sourceLocation)
            return source
        }
        return source.replacingCharacters(in: range, with: new)
    }

    /// Expects `text` to be refused with a message containing `reason` at `line`.
    func expectRefused(_ text: String, line: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(line > 0, sourceLocation: sourceLocation)
        #expect(sourceLocation: sourceLocation) {
            _ = try load(text)
        } throws: { error in
            guard let problem = error as? XMLProblem else { return false }
            return problem.issues.contains { $0.line == line && $0.message.contains(reason) }
                && problem.description.contains("edited.xml:\(line):")
        }
    }

    @Test func theCommittedChecklistLoads() throws {
        #expect(FormsLibrary.checklistFiles(in: Fixtures.formsRoot) == [Self.file])
        let checklist = try forms.checklistLoader.load(contentsOf: Self.file)
        #expect(checklist.key == DocumentChecklist.Key(id: "company-formation", version: 2))
        #expect(checklist.title == LocalizedText(zh: "企业开办材料清单", en: "Company formation documents"))
        #expect(checklist.items.count == 30)
        #expect(checklist.priorPermitTerms.contains("危险化学品经营"))
        #expect(checklist.priorPermitTerms.count == 8)
        // The policy written as data: main documents are never deferred; every deferrable one has
        // its days and holds the licence back, but the lessor's property certificate, which may
        // follow the licence (先照后补).
        for item in checklist.items {
            let requirement = item.requirement
            #expect(!(requirement.deferrable && requirement.importance == .main), "\(requirement.code)")
            #expect((requirement.maxDeferralDays != nil) == requirement.deferrable, "\(requirement.code)")
            #expect(
                (requirement.blocks == .nothing) == (requirement.code == "lessor-title"), "\(requirement.code)")
        }
        let deferrable = checklist.items.map(\.requirement).filter(\.deferrable)
        #expect(
            deferrable.map { "\($0.code):\($0.maxDeferralDays ?? 0)" } == [
                "officer-appointment:5", "founding-minutes:5", "lessor-title:5", "agent-authorisation:3",
            ])
        #expect(checklist.requirement("prior-permit", for: .individualBusiness)?.blocks == .licence)
        #expect(checklist.requirement("application-form", for: .partnership)?.name.zh == "合伙企业登记（备案）申请书")
    }

    @Test func aSchemaViolationIsRefusedWithItsLine() {
        let text = edited(#"<document code="partnership-agreement""#, #"<document code="Partnership-Agreement""#)
        expectRefused(text, line: line(of: "code=\"partnership-agreement\""), "Partnership-Agreement")
    }

    @Test func anUnknownConditionIsRefusedByTheSchema() {
        let text = edited(#"condition="tenure=leased""#, #"condition="tenure=rented""#)
        expectRefused(text, line: line(of: "<document code=\"lease\""), "tenure=rented")
    }

    @Test func aDuplicateCodeForATypeIsRefused() {
        let text = edited(#"<document code="partnership-agreement""#, #"<document code="application-form""#)
        expectRefused(
            text, line: line(of: "code=\"partnership-agreement\""),
            "duplicate code \"application-form\" for type partnership"
        )
    }

    @Test func aCodeForEveryTypeClashesWithOneForSomeTypes() {
        let text = edited(#"<document code="lease""#, #"<document code="articles""#)
        expectRefused(text, line: line(of: "<document code=\"lease\""), "duplicate code \"articles\" for type llc")
    }

    @Test func aDeferrableMainDocumentIsRefused() {
        let text = edited(
            #"importance="main" deferrable="false" blocks="acceptance" types="partnership"/>"#,
            #"importance="main" deferrable="true" max-deferral-days="5" blocks="licence" types="partnership"/>"#)
        expectRefused(
            text, line: line(of: "name=\"合伙企业登记（备案）申请书\""), "is main and cannot be deferrable")
    }

    @Test func aSecondaryDocumentCannotBlockAcceptance() {
        let text = edited(
            "max-deferral-days=\"5\" blocks=\"nothing\"\n              condition=\"tenure=leased\"",
            "max-deferral-days=\"5\" blocks=\"acceptance\"\n              condition=\"tenure=leased\"")
        expectRefused(text, line: line(of: "code=\"lessor-title\""), "cannot block acceptance")
    }

    @Test func deferralDaysMustBeOneToThirtyAndOnlyForDeferrableDocuments() {
        let long = edited(#"max-deferral-days="3""#, #"max-deferral-days="31""#)
        expectRefused(long, line: line(of: "code=\"agent-authorisation\""), "is not 1 to 30 working days")
        let missing = edited(#" max-deferral-days="3""#, "")
        expectRefused(missing, line: line(of: "code=\"agent-authorisation\""), "needs max-deferral-days")
        let notDeferrable = edited(
            #"importance="main" deferrable="false" blocks="licence" condition="prior-permit""#,
            #"importance="main" deferrable="false" max-deferral-days="5" blocks="licence" condition="prior-permit""#)
        expectRefused(notDeferrable, line: line(of: "code=\"prior-permit\""), "is not deferrable")
    }

    @Test func aPriorPermitDocumentNeedsTerms() {
        guard let start = source.range(of: "<prior-permit-terms>"),
            let end = source.range(of: "</prior-permit-terms>")
        else {
            Issue.record("no prior-permit-terms in the checklist")
            return
        }
        let text = source.replacingCharacters(in: start.upperBound..<end.lowerBound, with: "")
        expectRefused(text, line: line(of: "<prior-permit-terms>"), "no prior-permit term")
    }

    @Test func aPriorPermitTermIsListedOnce() {
        let text = edited(
            #"<term name="药品零售" name-en="pharmaceutical retail"/>"#,
            #"<term name="药品零售" name-en="pharmaceutical retail"/><term name="药品零售" name-en="again"/>"#)
        expectRefused(text, line: line(of: "name-en=\"pharmaceutical retail\""), "uniqueTerm")
    }

    @Test func aDoctypeIsRefused() {
        let text = edited(#"<?xml version="1.0" encoding="UTF-8"?>"#, #"<?xml version="1.0"?><!DOCTYPE checklist>"#)
        #expect(throws: XMLProblem(source: "edited.xml", line: 1, "DOCTYPE declarations are not accepted")) {
            try load(text)
        }
    }
}
