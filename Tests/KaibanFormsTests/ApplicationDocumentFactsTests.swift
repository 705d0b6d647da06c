import Foundation
import KaibanCore
import KaibanForms
import KaibanTestSupport
import KaibanXML
import Testing

/// What an application says that decides its documents (issue 9): how the domicile is held and
/// the agent authorised, from a case file, checked like the other people.
@Suite struct ApplicationDocumentFactsTests {
    func application(_ extra: String, tenure: String = "") throws -> CaseApplication {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <application xmlns="urn:kaiban:case:1" channel="window" type="llc">
              <name>广元市昭化区青禾农业科技有限公司</name>
              <capital>500000</capital>
              <domicile division="510811"\(tenure)>四川省广元市昭化区元坝镇中街3号</domicile>
              <scope>农业技术推广服务</scope>
              <legal-representative name="张伟" id-number="510811198503120178"/>
              \(extra)
              <investor name="张伟" id-number="510811198503120178" contribution="500000"/>
              <contact name="张伟" phone="13000000000"/>
            </application>
            """
        return try Fixtures.forms().caseFileLoader.load(Data(text.utf8), source: "case.xml")
    }

    @Test func tenureAndAgentAreReadAndTheAgentIsChecked() throws {
        let plain = try application("")
        #expect(plain.domicileTenure == nil)
        #expect(plain.agent == nil)
        let leased = try application(
            #"<agent name="李秀英" id-number="510802197909080240"/>"#, tenure: #" tenure="leased""#)
        #expect(leased.domicileTenure == .leased)
        #expect(leased.agent == Person(name: "李秀英", idNumber: "510802197909080240"))
        #expect(leased.peopleProblems(on: Fixtures.day).isEmpty)
        let badAgent = try application(#"<agent name="李秀英" id-number="510802197909080241"/>"#)
        #expect(badAgent.peopleProblems(on: Fixtures.day).map(\.field) == ["agent.idNumber"])
        #expect(throws: XMLProblem.self) { _ = try application("", tenure: #" tenure="rented""#) }
    }
}
