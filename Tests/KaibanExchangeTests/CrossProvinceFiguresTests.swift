import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanExchange

/// Issue 13: the hall's figures count 川渝通办 cases both ways (README, "The hall's figures"), on a
/// hand-made history: a transfer from Yuzhong taken in here on 2026-11-26 at 18:00, and four cases
/// this hall transferred to Yuzhong, opened either side of November's first and last midnights
/// (Asia/Shanghai).
@Suite struct CrossProvinceFiguresTests {
    static let november = (
        CivilDate(uncheckedYear: 2026, month: 11, day: 1), CivilDate(uncheckedYear: 2026, month: 11, day: 30)
    )

    /// A case this hall transferred to Yuzhong, opened at `openedAt`: its collaboration number.
    static func outbound(_ hall: ExchangeInboxTests.Hall, openedAt: Date, id: String) async throws -> String {
        try await hall.desk.store.openOutboundCase(prefix: "CY51081120261126") { number in
            (
                ExchangeCase(
                    collaborationNumber: number, partnerCode: SampleMessages.yuzhong.code, direction: .outbound,
                    mode: "remote-intake", localCase: nil, partnerReference: nil,
                    enterpriseName: "重庆青禾农业科技有限公司", openedAt: openedAt, status: 1, statusAt: openedAt),
                [ExchangeStatusEntry(status: 1, time: openedAt, reason: nil, source: "out", madeCurrent: true)],
                OutboundMessage(
                    messageID: id, partnerCode: SampleMessages.yuzhong.code, type: "CaseTransfer",
                    collaborationNumber: number, raw: Data(id.utf8), digest: SM3.hex(Data(id.utf8)),
                    createdAt: openedAt)
            )
        }.collaborationNumber
    }

    /// Yuzhong's transfer of a company of Zhaohua that this hall can take in (case CY…0004).
    static func acceptableTransfer() throws -> ExchangeMessage {
        var message = ExchangeInboxTests.inboundTransfer(
            id: "7c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e", name: "广元市昭化区青禾农业科技有限公司")
        guard case .caseTransfer(var transfer) = message.body else { throw CancellationError() }
        transfer.application.businessScope = "农业技术推广服务"
        transfer.application.investors[0].contribution = "500000.00"
        message.body = .caseTransfer(transfer)
        message.header.collaborationNumber = "CY500103202611260004"
        return message
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange, .reports, .rebuild))
    func casesTransferredEachWayAreCountedOnceInTheirPeriod(store: TestStoreKind) async throws {
        let hall = try await ExchangeInboxTests.hall(store: store)
        // Inbound: two transfers from Yuzhong, both applied (inbound cross-province cases); the
        // worker's pass at the desk's 18:00 of 2026-11-26 takes the second in (channel 川渝通办)
        // and answers the first 5 不予受理 (its application does not pass intake's checks).
        for message in [ExchangeInboxTests.inboundTransfer(), try Self.acceptableTransfer()] {
            #expect(try await hall.receive(try hall.fromPartner(message)).outcome == .applied)
        }
        let worker = ExchangeWorker(
            outbox: ExchangeOutbox(
                desk: hall.desk, codec: hall.codec,
                identity: ExchangeIdentity(authority: SampleMessages.zhaohua, key: hall.ownKey, test: false)))
        let pass = try await worker.run(at: Fixtures.at(18, 0))
        let local = try #require(pass.takenIn["CY500103202611260004"], "\(pass)")
        #expect(pass.refused["CY500103202611260003"] != nil && pass.takenIn.count == 1, "\(pass)")
        for number in ["CY500103202611260003", "CY500103202611260004"] {
            #expect(try await hall.desk.store.exchangeCase(number)?.direction == .inbound)
        }
        // From a hostile trial: a second pass that read the transfer as waiting, and found it taken
        // in when it wrote, logged a storage failure. It is the other pass's work: said as such,
        // nothing written, and the worker passes over it (no failure, no second case).
        guard case .caseTransfer(let transfer) = try Self.acceptableTransfer().body else { return }
        let again = await Fixtures.problem {
            _ = try await hall.desk.intakeTransferred(
                try ExchangeWorker.application(transfer),
                reference: CrossProvinceReference(collaborationNumber: "CY500103202611260004", partnerCode: "500103"),
                partnerName: "渝中区", documents: [])
        }
        #expect(
            again?.code == ExchangeWorker.caseTaken && again?.code == "exchange.case-taken",
            "\(String(describing: again))")
        let cases = try await hall.desk.store.caseCount()
        var late = try #require(try await hall.desk.store.exchangeCase("CY500103202611260004"))
        late.localCase = nil
        var report = ExchangeWorker.Report()
        try await worker.takeIn(late, into: &report)
        #expect(report.failed.isEmpty && report.takenIn.isEmpty && report.refused.isEmpty, "\(report)")
        #expect(try await hall.desk.store.caseCount() == cases)
        // Outbound: 10-31 23:59:59 (October), 11-01 00:00 and 11-30 23:59:59 (November), 12-01 00:00
        // (December), all local time.
        for (index, time) in [
            "2026-10-31T23:59:59+08:00", "2026-11-01T00:00:00+08:00", "2026-11-30T23:59:59+08:00",
            "2026-12-01T00:00:00+08:00",
        ].enumerated() {
            _ = try await Self.outbound(
                hall, openedAt: Fixtures.local(time), id: "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e8\(index)")
        }

        let november = try await hall.desk.hallFigures(from: Self.november.0, to: Self.november.1)
        // One inbound (the case taken in: neither its inbound cross-province case as well, nor the
        // transfer answered 5 with no case), two outbound.
        #expect(
            november.crossProvince == HallFigures.CrossProvince(inbound: 1, outbound: 2), "\(november.crossProvince)")
        // The inbound case is the channel's one received case, and in the month's total.
        #expect(november.byChannel.first { $0.group == "cross-province" }?.received == 1)
        #expect(november.total.received == 1)
        #expect(
            try await hall.desk.store.registrationCase(try #require(CaseNumber(local))).application.channel
                == .crossProvince)
        let october = try await hall.desk.hallFigures(
            from: CivilDate(uncheckedYear: 2026, month: 10, day: 1),
            to: CivilDate(uncheckedYear: 2026, month: 10, day: 31))
        #expect(october.crossProvince == HallFigures.CrossProvince(inbound: 0, outbound: 1))
        let december = try await hall.desk.hallFigures(
            from: CivilDate(uncheckedYear: 2026, month: 12, day: 1),
            to: CivilDate(uncheckedYear: 2026, month: 12, day: 1))
        #expect(december.crossProvince == HallFigures.CrossProvince(inbound: 0, outbound: 1))
        // One day: 11-26 holds the inbound case only.
        let day = CivilDate(uncheckedYear: 2026, month: 11, day: 26)
        #expect(
            try await hall.desk.hallFigures(from: day, to: day).crossProvince
                == HallFigures.CrossProvince(inbound: 1, outbound: 0))
        // The JSON names both ways.
        let json = try #require(
            try JSONSerialization.jsonObject(with: try JSONEncoder().encode(november)) as? [String: Any])
        let both = try #require(json["crossProvince"] as? [String: Any])
        #expect(both["inbound"] as? Int == 1 && both["outbound"] as? Int == 2)
        // A rebuild from the history changes none of it.
        _ = try await hall.desk.rebuild(as: .clerk(Fixtures.supervisor.id))
        #expect(try await hall.desk.hallFigures(from: Self.november.0, to: Self.november.1) == november)
    }
}
