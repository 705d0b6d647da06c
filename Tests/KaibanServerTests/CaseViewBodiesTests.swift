import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import NIOCore
import Testing

@testable import KaibanServer

/// Issue 10: the status read's body is put together from parts (the case's JSON kept while its
/// version stands); it must be byte for byte what the encoder makes of the whole view.
@Suite struct CaseViewBodiesTests {
    @Test func theSplicedBodyIsTheEncodersToTheByte() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let number = try await desk.intake(Fixtures.application(), documents: .all, as: .clerk("wangfang")).case.number
        _ = try await desk.playing(Fixtures.at(9, 20)).step(number, "accept", as: .clerk("wangfang"))
        let bodies = CaseViewBodies()
        var views: [CaseView] = []
        // Now (steps open), later (same version, another second), and as it stood before the step
        // (reconstructed: no steps), each masked as the portal reads it.
        for instant in [Fixtures.at(9, 30), Fixtures.at(9, 30).addingTimeInterval(1), Fixtures.at(9, 10)] {
            views.append(try await desk.caseView(number, at: instant).maskingIDs())
        }
        #expect(views[0].nextSteps.isEmpty == false && views[2].reconstructed)
        for view in views {
            let whole = try KaibanJSON.encoder.encode(view)
            let body = try bodies.body(of: view)
            #expect(Data(body.readableBytesView) == whole, "\(String(decoding: body.readableBytesView, as: UTF8.self))")
            // Asked again for the same version and instant: the same bytes.
            #expect(try bodies.body(of: view) == body)
        }
        // A new version is encoded anew, not patched from the old one.
        _ = try await desk.playing(Fixtures.at(9, 40)).step(number, "review", as: .clerk("lijun"))
        let moved = try await desk.caseView(number, at: Fixtures.at(9, 41)).maskingIDs()
        #expect(moved.case.version != views[0].case.version)
        #expect(Data(try bodies.body(of: moved).readableBytesView) == (try KaibanJSON.encoder.encode(moved)))
    }

    @Test func aReceiptIsTheEncodersToTheByteWithEachChecklistEncodedOnce() async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0))
        var leased = Fixtures.application()
        leased.proposedName = "广元市昭化区青松农业科技有限公司"
        leased.domicileTenure = .leased
        let portal = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk(Fixtures.supervisor.id)
        ).portal
        var receipts: [SubmissionReceipt] = []
        for (index, application) in [Fixtures.application(), leased].enumerated() {
            receipts.append(
                try await desk.submit(
                    application, through: portal, idempotencyKey: "key-\(index)", requestBody: Data("\(index)".utf8)))
        }
        #expect(receipts[0].case.checklist != nil && receipts[0].case.checklist != receipts[1].case.checklist)
        // A text holding the placeholder's own JSON is an escaped string, not the placeholder.
        var tricky = receipts[0]
        tricky.queryPassword = String(decoding: try KaibanJSON.encoder.encode(ChecklistJSON.placeholder), as: UTF8.self)
        var bare = receipts[0]
        bare.case.checklist = nil
        for receipt in receipts + receipts + [tricky, bare] {
            let body = try KaibanJSON.body(of: receipt)
            #expect(Data(body.readableBytesView) == (try KaibanJSON.encoder.encode(receipt)))
        }
    }
}
