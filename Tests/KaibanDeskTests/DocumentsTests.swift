import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 9, the desk's part so far: a case's documents against the hall's checklist, and the
/// documents received, each an event of the history.
@Suite struct DocumentsTests {
    let window = DeskActor.clerk("wangfang")

    func states(_ documents: CaseDocuments) -> [String: DocumentStatus.State] {
        Dictionary(uniqueKeysWithValues: documents.documents.map { ($0.requirement.code, $0.state) })
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .attachments))
    func aCompanysChecklistFollowsItsApplication(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 10), store: store)
        let number = try await desk.intake(Fixtures.application(), as: window, at: Fixtures.at(9, 5))
            .case.number
        let plain = try await desk.documents(number)
        #expect(plain.checklist == DocumentChecklist.Key(id: "company-formation", version: 2))
        #expect(
            states(plain) == [
                "application-form": .missingMain, "articles": .missingMain, "investor-id": .missingMain,
                "officer-appointment": .missingDeferrable, "representative-appointment": .missingMain,
                "name-declaration": .missingSecondary, "domicile-title": .missingMain,
            ])
        var leased = Fixtures.application()
        leased.proposedName = "广元市昭化区青木农业科技有限公司"
        leased.domicileTenure = .leased
        leased.agent = Person(name: "李秀英", idNumber: Fixtures.idLi)
        let second = try await desk.intake(leased, as: window, at: Fixtures.at(9, 6)).case.number
        let documents = states(try await desk.documents(second))
        #expect(documents["lease"] == .missingMain)
        #expect(documents["lessor-title"] == .missingDeferrable)
        #expect(documents["agent-authorisation"] == .missingDeferrable)
        #expect(documents["domicile-title"] == nil)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .attachments))
    func documentsReceivedAreKeptAndWrongOnesRefusedAllAtOnce(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 10), store: store)
        let number = try await desk.intake(Fixtures.application(), as: window, at: Fixtures.at(9, 5))
            .case.number
        _ = desk.playing(Fixtures.at(9, 25))
        let refused = await Fixtures.problem {
            _ = try await desk.receiveDocuments(
                number,
                [
                    ReceivedDocument(code: "application-form", form: .paper),
                    ReceivedDocument(code: "lease", form: .paper),
                    ReceivedDocument(code: "application-form", form: .post),
                    ReceivedDocument(code: "articles", form: .electronic),
                ], as: self.window)
        }
        #expect(refused?.code == "document.invalid")
        #expect(refused?.fields.map(\.field) == ["documents[2]", "documents[3]", "documents[4]"])
        #expect(try await desk.history(number).count == 1)

        let digest = String(repeating: "0f", count: 32)
        let outcome = try await desk.receiveDocuments(
            number,
            [
                ReceivedDocument(code: "application-form", form: .paper),
                ReceivedDocument(code: "articles", form: .electronic, sha256: digest),
            ], as: window, at: Fixtures.at(9, 20))
        #expect(outcome.events.map(\.kind) == [.documentReceived, .documentReceived])
        #expect(outcome.state.stage == "received")
        let documents = try await desk.documents(number)
        let received = documents.documents.filter { $0.state == .present }
        #expect(received.map(\.requirement.code) == ["application-form", "articles"])
        #expect(received.last?.receipt?.document.sha256 == digest)
        #expect(received.first?.receipt?.at == Fixtures.at(9, 20))
        #expect(
            documents.missingMain == ["investor-id", "representative-appointment", "domicile-title"])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .attachments))
    func anOpenCaseKeepsTheChecklistItStartedUnder(store: TestStoreKind) async throws {
        let forms = try Fixtures.formsCopy()
        let path = Fixtures.temporaryDatabasePath()
        let before = try await Fixtures.desk(
            at: Fixtures.at(9, 10), formsRoot: forms, path: path, store: store)
        let old = try await before.intake(Fixtures.application(), as: window, at: Fixtures.at(9, 5))
            .case.number
        // Version 3 drops the name declaration from every type.
        let file = forms.appendingPathComponent("checklists/company-formation.xml")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(
            of: "id=\"company-formation\" version=\"2\"", with: "id=\"company-formation\" version=\"3\""
        )
        .replacingOccurrences(
            of: "code=\"name-declaration\"", with: "code=\"name-declaration-retired\"")
        try text.write(to: file, atomically: true, encoding: .utf8)
        before.reload()
        var other = Fixtures.application()
        other.proposedName = "广元市昭化区青木农业科技有限公司"
        let new = try await before.intake(other, as: window, at: Fixtures.at(9, 6)).case.number
        let kept = try await before.documents(old)
        #expect(kept.checklist.version == 2)
        #expect(kept.documents.contains { $0.requirement.code == "name-declaration" })
        let current = try await before.documents(new)
        #expect(current.checklist.version == 3)
        #expect(current.documents.contains { $0.requirement.code == "name-declaration-retired" })
        #expect(!current.documents.contains { $0.requirement.code == "name-declaration" })
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aRequestForCorrectionListsEveryMissingDocumentAtOnce(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 10), store: store)
        let number = try await desk.intake(Fixtures.application(), as: window, at: Fixtures.at(9, 5))
            .case.number
        _ = try await desk.receiveDocuments(
            number,
            [
                ReceivedDocument(code: "application-form", form: .paper),
                ReceivedDocument(code: "articles", form: .paper),
            ], as: window)
        // Without a reason of the clerk's own, the missing documents are the reason.
        let outcome = try await desk.step(number, "request-correction", as: window)
        let reason = try #require(outcome.events.first?.reason)
        #expect(
            reason
                == "缺少主要材料：自然人股东身份证件复印件、法定代表人任职文件及身份证件复印件、住所（经营场所）产权证明；"
                + "缺少其他材料：董事、监事和经理的任职文件及身份证件复印件（可容缺）、企业名称自主申报告知书",
            "\(reason)")
        #expect(!reason.contains("公司登记（备案）申请书"))
        _ = try await desk.step(number, "resubmit", as: window)
        let again = try await desk.step(number, "request-correction", reason: "章程签字不全", as: window)
        #expect(again.events.first?.reason?.hasPrefix("章程签字不全；缺少主要材料：") == true)
    }
}
