import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// Documents received are events of the history (issue 9): kept with their form and digest,
/// folded into the case, refused when malformed or after the case closed.
@Suite struct DocumentReceiptTests {
    let store: CaseStore

    init() throws {
        store = try Fixtures.store()
    }

    func intake() throws -> CaseNumber {
        try store.intake(
            Fixtures.application(tasks: []), workflowID: "company-formation", hall: "510811", by: "wangfang",
            at: Fixtures.at(9, 0), clock: try Fixtures.sla()
        ).number
    }

    func receive(_ number: CaseNumber, _ document: ReceivedDocument, at minute: Int, by clerk: String = "wangfang")
        throws -> StepOutcome
    {
        try store.apply(
            .receiveDocument(document), to: number, by: clerk, at: Fixtures.at(9, minute), clock: try Fixtures.sla())
    }

    @Test func aReceiptIsAnEventOfTheHistoryAndFoldsIntoTheCase() throws {
        let number = try intake()
        let digest = String(repeating: "ab", count: 32)
        _ = try receive(number, ReceivedDocument(code: "application-form", form: .paper), at: 5)
        let outcome = try receive(number, ReceivedDocument(code: "articles", form: .electronic, sha256: digest), at: 6)
        #expect(outcome.state.stage == "received")
        #expect(outcome.events.map(\.kind) == [.documentReceived])
        let history = try store.history(number)
        #expect(history.map(\.kind) == [.opened, .documentReceived, .documentReceived])
        #expect(history.last?.document == ReceivedDocument(code: "articles", form: .electronic, sha256: digest))
        let state = try store.registrationCase(number)
        #expect(state.documents.keys.sorted() == ["application-form", "articles"])
        #expect(state.documents["application-form"]?.by == "wangfang")
        #expect(state.documents["articles"]?.at == Fixtures.at(9, 6))
        #expect(try store.rebuild(clock: try Fixtures.sla()).repaired.isEmpty)
    }

    @Test func malformedReceiptsAndReceiptsByTheWrongRoleAreRefusedAndWriteNothing() throws {
        let number = try intake()
        for (document, expected) in [
            (ReceivedDocument(code: "articles", form: .electronic), "an electronic document needs its SHA-256"),
            (
                ReceivedDocument(code: "articles", form: .paper, sha256: String(repeating: "a", count: 64)),
                "only an electronic document has a SHA-256"
            ),
            (
                ReceivedDocument(code: "articles", form: .electronic, sha256: "ABC"),
                "the SHA-256 must be 64 lowercase hexadecimal digits"
            ),
        ] {
            do {
                _ = try receive(number, document, at: 5)
                Issue.record("accepted \(document)")
            } catch let error as WorkflowError {
                guard case .textNotAccepted(let field, let problem) = error else {
                    Issue.record("\(error)")
                    continue
                }
                #expect(field == "document")
                #expect(problem.en == expected)
            }
        }
        // A reviewer receives no documents: that is the window's (intake roles).
        do {
            _ = try receive(number, ReceivedDocument(code: "articles", form: .paper), at: 5, by: "lijun")
            Issue.record("a reviewer received a document")
        } catch let error as WorkflowError {
            guard case .roleRequired(let clerk, _, _, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(clerk == "lijun")
        }
        #expect(try store.history(number).count == 1)
    }
}
