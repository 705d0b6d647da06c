import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanTestSupport
import KaibanXML
import Testing

@testable import KaibanExchange

/// What a hostile trial of the exchange found (2026-11-29): a partner's clock a little behind,
/// values the schema accepts with blanks around them, numbers taken from another's range, a detail
/// too long for the receipt, a licence without its Result, dates out of order, receipts that name
/// a message's id and digest but answer other records.
extension ExchangeInboxTests {
    /// `text` (a message as written) signed again with `key` over its canonical form: how a
    /// partner's own software would sign what it wrote.
    static func resigned(_ text: String, key: SM2.PrivateKey) throws -> Data {
        let tree = try XMLTree(Data(text.utf8), source: "test", maximumSize: ExchangeMessage.maximumSize)
        let value = try key.signBase64(try tree.canonicalForm(excluding: ExchangeCodec.signaturePath))
        let signed = try #require(
            text.firstRange(of: /<Value>[A-Za-z0-9+\/=]+<\/Value>/).map {
                text.replacingCharacters(in: $0, with: "<Value>\(value)</Value>")
            })
        return Data(signed.utf8)
    }

    static func result(
        _ id: String, number: String, completed: Date = Fixtures.at(16, 0), issued: String = "2026-11-26",
        creditCode: String = SampleMessages.yuzhong.code
    ) -> ExchangeMessage {
        var header = SampleMessages.header(
            .result, id: id, from: SampleMessages.yuzhong, to: SampleMessages.zhaohua, caseReference: "500103-0015")
        header.collaborationNumber = number
        return ExchangeMessage(
            header: header,
            body: .result(
                LicenceResult(
                    status: 11, completedTime: completed, enterpriseName: "重庆青禾农业科技有限公司",
                    creditCode: creditCode, licenceNumber: "500103000123456", issueDate: issued)))
    }

    /// Messages written in the same second are listed as written, the later first, on either
    /// store (their ids, random, say nothing of the order).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func theOutboxListsOneSecondsMessagesAsWritten(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let ids = [
            "c0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002",
            "f0000000-0000-4000-8000-000000000003", "b0000000-0000-4000-8000-000000000004",
        ]
        for id in ids {
            _ = try await Self.outbound(hall, messageID: id) { number in Data("<transfer n=\"\(number)\"/>".utf8) }
        }
        let all = try await hall.desk.store.outboundMessages(states: nil, limit: 10)
        #expect(all.map(\.messageID) == ids.reversed())
        let pending = try await hall.desk.store.outboundMessages(states: [.pending], limit: 3)
        #expect(pending.map(\.messageID) == Array(ids.reversed().prefix(3)))
    }

    /// The partner's clock runs behind this hall's: its refusal (13) is dated two minutes before
    /// the transfer this hall stamped. It still follows the transfer and ends the case (it was
    /// kept as history under a positive receipt, and the case waited for ever).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aPartnersChangeDatedBeforeTheTransferStillFollowsIt(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let number = try await Self.outbound(hall)
        let refused = try await hall.receive(
            Self.statusUpdate(
                "5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e",
                [StatusChange(recordID: "s1", status: 13, time: Fixtures.at(10, 39), reason: "名称不符合规定")],
                number: number))
        #expect(refused.outcome == .applied)
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 13)
        #expect(try await hall.desk.store.exchangeStatuses(number).map(\.madeCurrent) == [true, true])
        // Once the partner's own changes are current, an older one of its own is history again.
        let late = try await hall.receive(
            Self.statusUpdate(
                "6c7d8e9f-0a1b-4c2d-9e4f-5a6b7c8d9e0f",
                [StatusChange(recordID: "s0", status: 3, time: Fixtures.at(10, 38))], number: number))
        #expect(late.outcome == .applied)
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 13)
    }

    /// A licence comes only in a Result (with its code and number); a Result's licence date lies
    /// between the transfer and the completion.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aLicenceOnlyComesAsAResultDatedInOrder(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let number = try await Self.outbound(hall)
        let bare = try await hall.receive(
            Self.statusUpdate(
                "5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e",
                [
                    StatusChange(recordID: "s1", status: 3, time: Fixtures.at(11, 0)),
                    StatusChange(recordID: "s2", status: 11, time: Fixtures.at(15, 0)),
                ], number: number))
        #expect(bare.code == "status.not-allowed")
        #expect(try hall.receipt(bare).outcome.recordRejection("s2")?.details.first?.text == "StatusChange/Status")
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 1)
        for (id, issued) in [
            ("7d8e9f0a-1b2c-4d3e-8f5a-6b7c8d9e0f1a", "1900-01-01"),
            ("8e9f0a1b-2c3d-4e4f-9a6b-7c8d9e0f1a2b", "2026-11-27"),
        ] {
            let answer = try await hall.receive(Self.result(id, number: number, issued: issued))
            #expect(answer.code == "case.invalid", "\(issued)")
            #expect(try hall.receipt(answer).outcome.recordRejection("licence")?.message.contains("发照日期") == true)
        }
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 1)
        // A credit code of this hall's own division (one it issued to another company) is not the
        // deciding authority's to give.
        let ours = try await hall.receive(
            Self.result("6c7d8e9f-0a1b-4c2d-9e4f-5a6b7c8d9e0a", number: number, creditCode: "91510811MA00000154"))
        #expect(ours.code == "case.invalid", "\(ours)")
        #expect(try hall.receipt(ours).outcome.recordRejection("licence")?.message.contains("属于本机构") == true)
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 1)
        // Completed 41 minutes before the case was transferred (10:41): out of order (from a hostile
        // trial: ten hours before was taken, the local case's government time 0).
        let early = try await hall.receive(
            Self.result("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", number: number, completed: Fixtures.at(10, 0)))
        #expect(early.code == "case.invalid", "\(early)")
        #expect(try hall.receipt(early).outcome.recordRejection("licence")?.message.contains("早于办件转出的时间") == true)
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 1)
        // The day before the transfer is a clock's drift around midnight, and is taken.
        let licensed = try await hall.receive(
            Self.result("9f0a1b2c-3d4e-4f5a-8b7c-8d9e0f1a2b3c", number: number, issued: "2026-11-25"))
        #expect(licensed.outcome == .applied)
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 11)
    }

    /// A transfer's collaboration number is its receiving authority's: `CY` + that authority's
    /// division, never one of this hall's (which would block this hall's own transfers of the
    /// day). A number of another division than the one the transfer names is refused.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aTransferNumberedOutsideItsSendersRangeIsRefused(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let ids = ["1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a", "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"]
        for (id, number) in zip(ids, ["CY510811202611269999", "CY500113202611260001"]) {
            var message = Self.inboundTransfer(id: id)
            message.header.collaborationNumber = number
            let answer = try await hall.receive(message)
            #expect(answer.code == "case.invalid", "\(number)")
            #expect(
                try hall.receipt(answer).outcome.recordRejection("case")?.details.first?.text
                    == "Header/CollaborationNumber")
            #expect(try await hall.desk.store.exchangeCase(number) == nil)
        }
        var elsewhere = Self.inboundTransfer(id: "3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c")
        if case .caseTransfer(var record) = elsewhere.body {
            record.receivingAuthority.division = "500113"
            elsewhere.body = .caseTransfer(record)
        }
        #expect(try await hall.receive(elsewhere).code == "case.invalid")
        // Another registered partner's range (Banan's, from its credit code), a division that is
        // none, a day that is none: refused too.
        _ = try await hall.desk.addExchangePartner(
            code: "11500113MB1759238R", name: "重庆市巴南区市场监督管理局", endpoint: nil,
            publicKeyPEM: Data(try SM2.PrivateKey.generate().publicKey.pem.utf8), as: .clerk(Fixtures.supervisor.id))
        let squatted = [
            ("4a5b6c7d-8e9f-4a0b-9c2d-3e4f5a6b7c8d", "CY500113202611260001", "500113"),
            ("5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e", "CY000000202611260001", "000000"),
            ("6c7d8e9f-0a1b-4c2d-9e4f-5a6b7c8d9e0f", "CY500103202613400001", "500103"),
            ("7d8e9f0a-1b2c-4d3e-8f5a-6b7c8d9e0f1a", "CY500103209912310001", "500103"),
        ]
        for (id, number, division) in squatted {
            var message = Self.inboundTransfer(id: id)
            message.header.collaborationNumber = number
            if case .caseTransfer(var record) = message.body {
                record.receivingAuthority.division = division
                message.body = .caseTransfer(record)
            }
            #expect(try await hall.receive(message).code == "case.invalid", "\(number)")
            #expect(try await hall.desk.store.exchangeCase(number) == nil)
        }
        // This hall's own first transfer of the day still takes number 0001.
        #expect(try await Self.outbound(hall) == "CY510811202611260001")
        #expect(try await hall.receive(Self.inboundTransfer()).outcome == .applied)
    }

    /// Values of schema types that collapse blanks (boolean, integers, instants) are read as the
    /// schema reads them: ` true ` is a test message (it was read as a production one and applied),
    /// ` 3 ` is status 3 (it was refused although valid).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func blanksAroundCollapsedValuesAreReadAsTheSchemaReadsThem(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let written = String(decoding: try hall.fromPartner(Self.inboundTransfer()), as: UTF8.self)
        #expect(written.contains("<Test>false</Test>"))
        let test = try Self.resigned(
            written.replacingOccurrences(of: "<Test>false</Test>", with: "<Test> true\n</Test>"), key: hall.partnerKey)
        let answer = try await hall.receive(test)
        #expect(answer.code == "message.test-mismatch")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003") == nil)

        let number = try await Self.outbound(hall)
        let update = String(
            decoding: try hall.fromPartner(
                Self.statusUpdate(
                    "5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e",
                    [StatusChange(recordID: "s1", status: 3, time: Fixtures.at(11, 0))], number: number)),
            as: UTF8.self)
        let spaced = update.replacingOccurrences(of: "<Status>3</Status>", with: "<Status> 3 </Status>")
            .replacingOccurrences(of: "<Time>", with: "<Time>\t")
        #expect(spaced != update)
        let applied = try await hall.receive(try Self.resigned(spaced, key: hall.partnerKey))
        #expect(applied.outcome == .applied, "\(applied)")
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 3)
        #expect(try await hall.desk.store.exchangeCase(number)?.statusAt == Fixtures.at(11, 0))
    }

    /// A schema error whose detail echoes a value longer than a receipt's text may be: the
    /// receipt still validates (the detail is cut), so the message is refused, not a server
    /// error, and the rest of a spool goes on. No key is needed to send one.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aDetailTooLongForTheReceiptIsCut(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let number = try await Self.outbound(hall)
        let update = String(
            decoding: try hall.fromPartner(
                Self.statusUpdate(
                    "5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e",
                    [StatusChange(recordID: "s1", status: 3, time: Fixtures.at(11, 0))], number: number)),
            as: UTF8.self)
        let poison = Data(
            update.replacingOccurrences(
                of: "<Status>3</Status>", with: "<Status>\(String(repeating: "错", count: 5000))</Status>"
            ).utf8)
        let good = try hall.fromPartner(
            Self.statusUpdate(
                "6c7d8e9f-0a1b-4c2d-9e4f-5a6b7c8d9e0f",
                [StatusChange(recordID: "s1", status: 3, time: Fixtures.at(11, 0))],
                number: number))
        let answers = try await hall.inbox.receiveAll(
            [(poison, "poison"), (good, "good")], documents: SpoolDocuments(folder: hall.spool))
        #expect(answers.map(\.outcome) == [.rejected, .applied])
        #expect(answers[0].code == "message.schema-invalid")
        guard case .messageRejected(let rejection) = try hall.receipt(answers[0]).outcome else {
            Issue.record("the schema error was not refused whole")
            return
        }
        #expect(!rejection.details.isEmpty)
        #expect(rejection.details.allSatisfy { $0.text.unicodeScalars.count <= Rejection.maximumText })
        #expect(rejection.details.contains { $0.text.hasSuffix("…") })
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 3)
    }

    /// A document's file is known by its first bytes, as at a portal: an executable listed as a PDF
    /// is refused with what it is.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aFileThatIsNotWhatTheManifestSaysIsRefused(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let program = Data("MZ\u{90}\u{0}这不是PDF".utf8)
        try program.write(to: hall.spool.appendingPathComponent(SM3.hex(program)))
        var message = Self.inboundTransfer()
        if case .caseTransfer(var record) = message.body {
            record.documents[1] = ManifestDocument(
                number: 2, title: "章程", checklistCode: nil, fileName: "2.pdf", mediaType: "application/pdf",
                size: program.count, sm3: SM3.hex(program))
            message.body = .caseTransfer(record)
        }
        let answer = try await hall.receive(message)
        #expect(answer.code == "document.type-refused")
        let detail = try hall.receipt(answer).outcome.recordRejection("case")?.details.first?.text
        #expect(detail?.contains("材料2") == true && detail?.contains("application/pdf") == true, "\(detail ?? "")")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003") == nil)
    }

    /// A partner's receipt with the right id and digest that answers other records, or carries
    /// another case's number, is not about the message: it binds nothing and is listed as refused.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aReceiptAnsweringOtherRecordsBindsNothing(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let messageID = "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81"
        let codec = hall.codec
        let key = hall.ownKey
        let number = try await Self.outbound(hall) { number in
            var header = SampleMessages.header(.caseTransfer, id: messageID)
            header.collaborationNumber = number
            return try codec.write(
                ExchangeMessage(header: header, body: .caseTransfer(SampleMessages.transfer)), signedWith: key)
        }
        let transfer = try #require(try await hall.desk.store.outboundMessage(messageID))
        func receipt(_ id: String, number: String, records: [String]) -> ExchangeMessage {
            ExchangeMessage(
                header: SampleMessages.partnerHeader(.receipt, id: id, number: number, caseReference: "500103-0015"),
                body: .receipt(
                    Receipt(
                        requestMessageID: transfer.messageID, requestDigest: transfer.digest,
                        receivedTime: Fixtures.at(10, 42), outcome: .records(records.map { RecordResult(recordID: $0) })
                    )))
        }
        let wrong = [
            receipt("a81d4fae-7dec-41d0-a765-00a0c91e6bf6", number: number, records: ["zzz"]),
            receipt("b81d4fae-7dec-41d0-a765-00a0c91e6bf6", number: number, records: ["case", "case2"]),
            receipt("c81d4fae-7dec-41d0-a765-00a0c91e6bf6", number: "CY510811202611260002", records: ["case"]),
        ]
        for message in wrong {
            let answer = try await hall.receive(message)
            #expect(answer.code == "receipt.mismatch" && answer.receipt == nil, "\(answer)")
            #expect(try await hall.desk.store.outboundMessage(messageID)?.state == .pending)
        }
        #expect(try await hall.desk.exchangeDeadLetters().map(\.code) == Array(repeating: "receipt.mismatch", count: 3))
        // The sender's check of a receipt answered over HTTP is the same.
        let sender = ExchangeSender(desk: hall.desk, codec: codec)
        let partner = try #require(try await hall.desk.store.exchangePartner(SampleMessages.yuzhong.code))
        for message in wrong {
            #expect(
                sender.bind(try hall.fromPartner(message), to: transfer, partner: partner, at: Fixtures.at(10, 43))
                    == nil)
        }
        let right = receipt("d81d4fae-7dec-41d0-a765-00a0c91e6bf6", number: number, records: ["case"])
        #expect(
            sender.bind(try hall.fromPartner(right), to: transfer, partner: partner, at: Fixtures.at(10, 43)) != nil)
        #expect(try await hall.receive(right).outcome == .applied)
        #expect(try await hall.desk.store.outboundMessage(messageID)?.state == .acknowledged)
    }
}
