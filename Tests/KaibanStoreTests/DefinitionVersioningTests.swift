import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

@Suite struct DefinitionVersioningTests {
    /// The next version of the committed workflow (version 6): only a supervisor may refuse (不予受理) a case.
    func versionTwo() throws -> (WorkflowDefinition, String) {
        let (_, source) = try Fixtures.companyFormation()
        let edited =
            source
            .replacingOccurrences(of: "version=\"6\"", with: "version=\"7\"")
            .replacingOccurrences(
                of: "from=\"received\" to=\"refused\" roles=\"window\"",
                with: "from=\"received\" to=\"refused\" roles=\"supervisor\"")
        let definition = try Fixtures.forms().workflowLoader.load(Data(edited.utf8), source: "v2.xml")
        return (definition, edited)
    }

    @Test func aCaseKeepsTheVersionItStartedUnder() throws {
        let store = try Fixtures.store()
        let old = try store.intake(
            Fixtures.application(), workflowID: "company-formation", hall: "510811", by: "wangfang",
            at: Fixtures.at(9, 0), clock: try Fixtures.sla())
        let (v2, source) = try versionTwo()
        #expect(v2.transition("refuse")?.roles == ["supervisor"])
        #expect(try store.register(v2, source: Fixtures.workflowSource(source), at: Fixtures.at(9, 30)))
        #expect(try !store.register(v2, source: Fixtures.workflowSource(source), at: Fixtures.at(9, 31)))
        let new = try store.intake(
            Fixtures.application(), workflowID: "company-formation", hall: "510811", by: "wangfang",
            at: Fixtures.at(10, 0), clock: try Fixtures.sla())
        #expect(old.definition.version == 6)
        #expect(new.definition.version == 7)
        // v1's rules still apply to the old case; v2's to the new one.
        let refused = try store.apply(
            .transition("refuse", reason: "不属于登记范围"), to: old.number, by: "wangfang", at: Fixtures.at(10, 5),
            clock: try Fixtures.sla())
        #expect(refused.state.stage == "refused")
        #expect(throws: WorkflowError.self) {
            try store.apply(
                .transition("refuse", reason: "不属于登记范围"), to: new.number, by: "wangfang", at: Fixtures.at(10, 5),
                clock: try Fixtures.sla())
        }
        #expect(try store.definitions().map(\.key.version) == [7, 6])
        #expect(try store.rebuild(clock: try Fixtures.sla()).repaired.isEmpty)
    }

    @Test func changingADefinitionWithoutRaisingItsVersionIsRefused() throws {
        let store = try Fixtures.store()
        let (v1, source) = try Fixtures.companyFormation()
        let edited = source.replacingOccurrences(of: "title=\"企业开办\"", with: "title=\"企业开办（新）\"")
        #expect(throws: StoreError.definitionChanged(v1.key)) {
            try store.register(v1, source: Fixtures.workflowSource(edited), at: Fixtures.at(9, 0))
        }
    }
}
