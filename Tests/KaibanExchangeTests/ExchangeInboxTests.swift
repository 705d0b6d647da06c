import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanExchange

/// The inbound side on a real desk (each store): README §4's checks in order, idempotency by sender and
/// id, whole-or-nothing application, dead letters.
@Suite struct ExchangeInboxTests {
    /// Zhaohua's side: a desk, its own key, a registered partner (Yuzhong) with its key, and a spool
    /// folder holding the transfer's files.
    struct Hall {
        var desk: Desk
        var inbox: ExchangeInbox
        var ownKey: SM2.PrivateKey
        var partnerKey: SM2.PrivateKey
        var spool: URL
        var codec: ExchangeCodec

        /// `message` written and signed by the partner (or by `key`).
        func fromPartner(_ message: ExchangeMessage, key: SM2.PrivateKey? = nil) throws -> Data {
            try codec.write(message, signedWith: key ?? partnerKey)
        }

        func receive(_ data: Data) async throws -> InboundAnswer {
            try await inbox.receive(data, origin: "test", documents: SpoolDocuments(folder: spool))
        }

        /// `message` signed by the partner, then received.
        func receive(_ message: ExchangeMessage) async throws -> InboundAnswer {
            try await receive(try fromPartner(message))
        }

        /// The receipt in `answer`, opened and verified with this hall's key.
        func receipt(_ answer: InboundAnswer) throws -> Receipt {
            let opened = try codec.open(try #require(answer.receipt), source: "receipt")
            #expect(opened.verifies(with: [ownKey.publicKey]))
            #expect(opened.message.header.sender == SampleMessages.zhaohua)
            guard case .receipt(let receipt) = opened.message.body else {
                Issue.record("the answer is not a receipt")
                throw CancellationError()
            }
            return receipt
        }
    }

    /// Zhaohua's side on a new store of `store`.
    static func hall(store: TestStoreKind = .sqlite) async throws -> Hall {
        // At 18:00: every instant of the day's messages has passed.
        var desk = try await Fixtures.desk(at: Fixtures.at(18, 0), store: store)
        if store == .postgres {
            // Files of its own, as a SQLite desk keeps them beside its database (a PostgreSQL
            // desk's default is the working directory's, shared by every test).
            var settings = desk.settings
            settings.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "kaiban-files-\(UUID())")
            desk = Desk(settings: settings, store: desk.store, clock: desk.clock)
        }
        let ownKey = try SM2.PrivateKey.generate()
        let partnerKey = try SM2.PrivateKey.generate()
        _ = try await desk.addExchangePartner(
            code: SampleMessages.yuzhong.code, name: SampleMessages.yuzhong.name, endpoint: nil,
            publicKeyPEM: Data(partnerKey.publicKey.pem.utf8), as: .clerk(Fixtures.supervisor.id))
        let codec = try SampleMessages.codec()
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-spool-\(UUID())")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        for content in Self.files { try content.write(to: spool.appendingPathComponent(SM3.hex(content))) }
        let inbox = ExchangeInbox(
            desk: desk, codec: codec,
            identity: ExchangeIdentity(authority: SampleMessages.zhaohua, key: ownKey, test: false))
        return Hall(desk: desk, inbox: inbox, ownKey: ownKey, partnerKey: partnerKey, spool: spool, codec: codec)
    }

    static let files = [Data("%PDF-1.4\n% 公司登记申请书\n%%EOF\n".utf8), Data("%PDF-1.4\n% 公司章程\n%%EOF\n".utf8)]

    /// Yuzhong transfers a company of Zhaohua (510811) to Zhaohua, with two documents.
    static func inboundTransfer(id: String = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", name: String = "昭化青禾农业科技有限公司")
        -> ExchangeMessage
    {
        var transfer = SampleMessages.transfer
        transfer.receivingAuthority = CaseAuthority(
            code: SampleMessages.yuzhong.code, name: SampleMessages.yuzhong.name, division: "500103")
        transfer.decidingAuthority = CaseAuthority(
            code: SampleMessages.zhaohua.code, name: SampleMessages.zhaohua.name, division: "510811")
        transfer.application.proposedName = name
        transfer.application.domicile = TransferredDomicile(
            address: "广元市昭化区元坝镇中街12号", division: "510811", tenure: "owned")
        transfer.application.investors = [transfer.application.investors[0]]
        transfer.documents = files.enumerated().map { index, content in
            ManifestDocument(
                number: index + 1, title: index == 0 ? "申请书" : "章程", checklistCode: nil, fileName: "\(index + 1).pdf",
                mediaType: "application/pdf", size: content.count, sm3: SM3.hex(content))
        }
        var header = SampleMessages.header(
            .caseTransfer, id: id, from: SampleMessages.yuzhong, to: SampleMessages.zhaohua,
            caseReference: "500103-20261126-0003")
        header.collaborationNumber = "CY500103202611260003"
        return ExchangeMessage(header: header, body: .caseTransfer(transfer))
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aTransferIsAppliedOnceAndTheSameOctetsGetTheSameReceipt(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let data = try hall.fromPartner(Self.inboundTransfer())
        let first = try await hall.receive(data)
        #expect(first.outcome == .applied)
        let receipt = try hall.receipt(first)
        #expect(receipt.requestDigest == SM3.hex(data))
        #expect(receipt.outcome == .records([RecordResult(recordID: "case")]))
        let stored = try #require(try await hall.desk.store.exchangeCase("CY500103202611260003"))
        #expect(stored.direction == .inbound)
        #expect(stored.status == 1)
        #expect(stored.partnerReference == "500103-20261126-0003")
        // Delivered again (a retry): nothing applied again, the same receipt octet for octet.
        let second = try await hall.receive(data)
        #expect(second.outcome == .duplicate)
        #expect(second.receipt == first.receipt)
        #expect(try await hall.desk.store.exchangeStatuses("CY500103202611260003").count == 1)
        // The raw message is kept as received.
        let kept = try #require(
            try await hall.desk.store.inboundMessage(
                sender: SampleMessages.yuzhong.code, messageID: "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"))
        #expect(kept.raw == data)
    }

    /// A spool received together: the answers are those of receiving the messages one by one, in
    /// order: a repeat within the batch gets the first one's receipt, other content under the same
    /// id is refused, a forgery is refused unrecorded, and two transfers both apply.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func messagesReceivedTogetherAreAnsweredAsOneByOne(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let first = try hall.fromPartner(Self.inboundTransfer())
        let reused = try hall.fromPartner(Self.inboundTransfer(name: "昭化另一家有限公司"))
        var secondMessage = Self.inboundTransfer(id: "7f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", name: "昭化青苗农业科技有限公司")
        secondMessage.header.collaborationNumber = "CY500103202611260004"
        let second = try hall.fromPartner(secondMessage)
        let forged = try hall.fromPartner(
            Self.inboundTransfer(id: "6f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"), key: try SM2.PrivateKey.generate())
        let answers = try await hall.inbox.receiveAll(
            [(first, "a"), (first, "b"), (reused, "c"), (forged, "d"), (second, "e")],
            documents: SpoolDocuments(folder: hall.spool))
        #expect(answers.map(\.outcome) == [.applied, .duplicate, .rejected, .rejected, .applied])
        #expect(answers[1].receipt == answers[0].receipt)
        #expect(answers[2].code == "message.id-reused")
        #expect(answers[3].code == "message.sender-unknown")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003")?.enterpriseName == "昭化青禾农业科技有限公司")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260004")?.status == 1)
        // The forgery did not block its id: the real message under it still applies.
        var realMessage = Self.inboundTransfer(id: "6f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d", name: "昭化白龙农业科技有限公司")
        realMessage.header.collaborationNumber = "CY500103202611260005"
        #expect(try await hall.receive(realMessage).outcome == .applied)
        #expect(
            try await hall.desk.exchangeDeadLetters().map(\.code).sorted() == [
                "message.id-reused", "message.sender-unknown",
            ])
        for content in Self.files {
            let kept = ExchangeInbox.filesFolder(hall.desk.settings).appendingPathComponent(SM3.hex(content))
            #expect(FileManager.default.contents(atPath: kept.path) == content)
        }
    }

    /// A batch checked while the one before it is not applied yet (how `exchange import` works
    /// through a spool): what depends on the stored cases is decided again when it is applied. A
    /// repeat gets the first receipt; a second transfer of the same case, checked when the case
    /// was not there yet, is refused as a duplicate, and its receipt says so (not the acceptance
    /// signed while it was checked).
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aBatchCheckedBeforeTheOneBeforeItIsAppliedIsDecidedOnWhatIsStored(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let first = try hall.fromPartner(Self.inboundTransfer())
        let again = try hall.fromPartner(Self.inboundTransfer(id: "5f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"))
        let source = SpoolDocuments(folder: hall.spool)
        let earlier = try await hall.inbox.check([(first, "a")], documents: source)
        let later = try await hall.inbox.check([(first, "b"), (again, "c")], documents: source)
        let applied = try await hall.inbox.apply(earlier)
        let answers = try await hall.inbox.apply(later)
        #expect(applied.map(\.outcome) == [.applied])
        #expect(answers.map(\.outcome) == [.duplicate, .rejected])
        #expect(answers[0].receipt == applied[0].receipt)
        #expect(answers[1].code == "case.duplicate")
        #expect(try hall.receipt(answers[1]).firstCode == "case.duplicate")
        #expect(try hall.receipt(applied[0]).isAcceptance)
        #expect(try await hall.desk.store.exchangeStatuses("CY500103202611260003").count == 1)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func theSameIDWithOtherContentIsRefusedAndTheFirstStands(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let genuine = try hall.fromPartner(Self.inboundTransfer())
        // The same signed message with CRLF line ends (a mail gateway's copy) arrives first: it
        // verifies and is applied; the genuine octets after it are the same message, answered with
        // its receipt (they had been refused as the id reused for other content).
        let crlf = Data(String(decoding: genuine, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
        #expect(crlf != genuine)
        let copy = try await hall.receive(crlf)
        #expect(copy.outcome == .applied, "\(copy)")
        let original = try await hall.receive(genuine)
        #expect(original.outcome == .duplicate, "\(original)")
        // Its receipt has the first one's outcome and binds these octets (the first names the copy).
        let answered = try hall.receipt(original)
        let first = try hall.receipt(copy)
        #expect(answered.outcome == first.outcome && answered.isAcceptance)
        #expect(answered.requestDigest == SM3.hex(genuine) && first.requestDigest == SM3.hex(crlf))
        let other = try await hall.receive(Self.inboundTransfer(name: "昭化另一家有限公司"))
        #expect(other.outcome == .rejected)
        #expect(other.code == "message.id-reused")
        #expect(try hall.receipt(other).firstCode == "message.id-reused")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003")?.enterpriseName == "昭化青禾农业科技有限公司")
        let dead = try await hall.desk.exchangeDeadLetters()
        #expect(dead.map(\.code) == ["message.id-reused"])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func forgeriesAreRefusedWithoutBlockingTheRealMessage(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let real = try hall.fromPartner(Self.inboundTransfer())
        // Signed by an unknown key; then the real message with a byte changed outside the signature.
        let forged = try await hall.receive(
            try hall.fromPartner(Self.inboundTransfer(), key: try SM2.PrivateKey.generate()))
        #expect(forged.code == "message.sender-unknown")
        let tampered = Data(
            String(decoding: real, as: UTF8.self).replacingOccurrences(of: "昭化青禾", with: "昭化青木").utf8)
        let broken = try await hall.receive(tampered)
        #expect(broken.code == "message.signature-invalid")
        #expect(try hall.receipt(broken).firstCode == "message.signature-invalid")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003") == nil)
        // The genuine message with the same id is still applied.
        #expect(try await hall.receive(real).outcome == .applied)
        // An unregistered sender.
        var stranger = Self.inboundTransfer(id: "0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f")
        stranger.header.sender = Authority(code: "11500113MB1234567X", name: "重庆市巴南区市场监督管理局")
        #expect(try await hall.receive(stranger).code == "message.sender-unknown")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func wrongReceiverTestFlagAndSchemaErrorsAreAnsweredAndListed(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        var elsewhere = Self.inboundTransfer(id: "1d2e3f4a-5b6c-4d7e-8f9a-0b1c2d3e4f5a")
        elsewhere.header.receiver = SampleMessages.yuzhong
        #expect(try await hall.receive(elsewhere).code == "message.receiver-mismatch")
        var test = Self.inboundTransfer(id: "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b")
        test.header.test = true
        #expect(try await hall.receive(test).code == "message.test-mismatch")
        // Sent "after" it came (from a hostile trial: 2099 was taken, and a spool read in SendTime
        // order held it back behind every other message); its receipt is signed and valid.
        var sentLater = Self.inboundTransfer(id: "3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c")
        sentLater.header.sendTime = Date(timeIntervalSince1970: 4_070_908_800)
        let later = try await hall.receive(sentLater)
        #expect(later.code == "message.send-time", "\(later)")
        #expect(try hall.receipt(later).firstCode == "message.send-time")
        let valid = String(decoding: try hall.fromPartner(Self.inboundTransfer()), as: UTF8.self)
        let invalid = valid.replacingOccurrences(of: "<Mode>remote-intake</Mode>", with: "<Mode>异地代收代办</Mode>")
        let schema = try await hall.receive(Data(invalid.utf8))
        #expect(schema.code == "message.schema-invalid")
        let detail = try hall.receipt(schema)
        guard case .messageRejected(let rejection) = detail.outcome else {
            Issue.record("a schema error was not refused whole")
            return
        }
        #expect(rejection.details.contains { $0.line != nil && $0.text.contains("Mode") })
        // A large refused message is kept in part (its SM3 names all of it): anyone may post them.
        let padded = invalid.replacingOccurrences(
            of: "<Mode>", with: "<!--" + String(repeating: "填", count: 100_000) + "--><Mode>")
        let large = try await hall.receive(Data(padded.utf8))
        #expect(large.code == "message.schema-invalid", "\(large)")
        // A partner's receipt that breaks the schema is refused and listed, never answered with a
        // receipt (the two systems would answer each other's answers).
        let brokenReceipt = ExchangeMessage(
            header: SampleMessages.header(
                .receipt, id: "c81d4fae-7dec-41d0-a765-00a0c91e6bf6", from: SampleMessages.yuzhong,
                to: SampleMessages.zhaohua, caseReference: nil),
            body: .receipt(
                Receipt(
                    requestMessageID: "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81",
                    requestDigest: String(repeating: "0", count: 64),
                    receivedTime: Fixtures.at(10, 42), outcome: .records([RecordResult(recordID: "case")]))))
        let brokenText = String(decoding: try hall.fromPartner(brokenReceipt), as: UTF8.self)
            .replacingOccurrences(of: String(repeating: "0", count: 64), with: "not a digest")
        let answered = try await hall.receive(Data(brokenText.utf8))
        #expect(answered.code == "message.schema-invalid" && answered.receipt == nil, "\(answered)")
        #expect(answered.httpStatus == 400 && answered.messageID == "c81d4fae-7dec-41d0-a765-00a0c91e6bf6")
        let garbage = try await hall.receive(Data("<not xml".utf8))
        #expect(garbage.httpStatus == 400 && garbage.receipt == nil)
        let huge = try await hall.receive(Data(repeating: 0x20, count: 1_048_577))
        #expect(huge.httpStatus == 413)
        let dead = try await hall.desk.exchangeDeadLetters()
        #expect(
            Set(dead.map(\.code)) == [
                "message.receiver-mismatch", "message.test-mismatch", "message.schema-invalid", "message.unreadable",
                "message.too-large", "message.send-time",
            ])
        #expect(dead.first { $0.code == "message.too-large" }?.raw.count == 4096)
        #expect(dead.filter { $0.code == "message.schema-invalid" }.map(\.raw.count).max() == 65_536)
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003") == nil)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func missingOrAlteredFilesAndAForeignDomicileRejectTheRecord(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let second = hall.spool.appendingPathComponent(SM3.hex(Self.files[1]))
        // A FIFO or a link under the file's name is no file: missing, never read (a FIFO had held
        // the import for ever).
        try FileManager.default.removeItem(at: second)
        #expect(mkfifo(second.path, 0o600) == 0)
        let fifo = try await hall.receive(Self.inboundTransfer(id: "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b"))
        #expect(fifo.code == "document.missing", "\(fifo)")
        try FileManager.default.removeItem(at: second)
        try FileManager.default.createSymbolicLink(
            at: second, withDestinationURL: hall.spool.appendingPathComponent(SM3.hex(Self.files[0])))
        let linked = try await hall.receive(Self.inboundTransfer(id: "2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6c"))
        #expect(linked.code == "document.missing", "\(linked)")
        try FileManager.default.removeItem(at: second)
        let missing = try await hall.receive(Self.inboundTransfer())
        #expect(missing.code == "document.missing")
        let receipt = try hall.receipt(missing)
        guard case .records(let records) = receipt.outcome else {
            Issue.record("a record rejection was answered whole")
            return
        }
        #expect(records.first?.rejection?.details.first?.text.contains("材料2") == true)
        // The file comes back altered: its digest no longer matches.
        try Data("另一份文件".utf8).write(to: hall.spool.appendingPathComponent(SM3.hex(Self.files[1])))
        let altered = try await hall.receive(Self.inboundTransfer(id: "3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c"))
        #expect(altered.code == "document.digest-mismatch")
        var foreign = Self.inboundTransfer(id: "4a5b6c7d-8e9f-4a0b-9c2d-3e4f5a6b7c8d")
        if case .caseTransfer(var record) = foreign.body {
            record.application.domicile.division = "500103"
            foreign.body = .caseTransfer(record)
        }
        #expect(try await hall.receive(foreign).code == "case.not-competent")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003") == nil)
    }

    /// A case Zhaohua transferred to Yuzhong, as the outbox records it: its number. `raw` writes the
    /// transfer message for the number (by default a stand-in no receipt check reads); `messageID`
    /// is the transfer's.
    static func outbound(
        _ hall: Hall, messageID: String = "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81",
        raw: @escaping @Sendable (String) throws -> Data = { _ in Data("<transfer/>".utf8) }
    ) async throws -> String {
        try await hall.desk.store.openOutboundCase(prefix: "CY51081120261126") { number in
            let raw = try raw(number)
            return (
                ExchangeCase(
                    collaborationNumber: number, partnerCode: SampleMessages.yuzhong.code, direction: .outbound,
                    mode: "remote-intake", localCase: "510811-20261126-0007", partnerReference: nil,
                    enterpriseName: "重庆青禾农业科技有限公司", openedAt: Fixtures.at(10, 41), status: 1,
                    statusAt: Fixtures.at(10, 41)),
                [
                    ExchangeStatusEntry(
                        status: 1, time: Fixtures.at(10, 41), reason: nil, source: "out", madeCurrent: true)
                ],
                OutboundMessage(
                    messageID: messageID, partnerCode: SampleMessages.yuzhong.code,
                    type: "CaseTransfer", collaborationNumber: number, raw: raw,
                    digest: SM3.hex(raw), createdAt: Fixtures.at(10, 41))
            )
        }.collaborationNumber
    }

    static func statusUpdate(_ id: String, _ changes: [StatusChange], number: String = "CY510811202611260001")
        -> ExchangeMessage
    {
        var header = SampleMessages.header(
            .statusUpdate, id: id, from: SampleMessages.yuzhong, to: SampleMessages.zhaohua,
            caseReference: "500103-0015")
        header.collaborationNumber = number
        return ExchangeMessage(header: header, body: .statusUpdate(changes))
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func lateStatusUpdatesAreHistoryAndNothingFollowsAFinalStatus(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let number = try await Self.outbound(hall)
        #expect(number == "CY510811202611260001")
        let later = try await hall.receive(
            Self.statusUpdate(
                "5b6c7d8e-9f0a-4b1c-8d3e-4f5a6b7c8d9e",
                [StatusChange(recordID: "s2", status: 8, time: Fixtures.at(14, 35))]))
        #expect(later.outcome == .applied)
        // The earlier change arrives afterwards (a retry): recorded, not current.
        let earlier = try await hall.receive(
            Self.statusUpdate(
                "6c7d8e9f-0a1b-4c2d-9e4f-5a6b7c8d9e0f",
                [StatusChange(recordID: "s1", status: 3, time: Fixtures.at(14, 20))]))
        #expect(earlier.outcome == .applied)
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 8)
        #expect(try await hall.desk.store.exchangeStatuses(number).map(\.madeCurrent) == [true, true, false])
        var resultHeader = SampleMessages.header(
            .result, id: "7d8e9f0a-1b2c-4d3e-8f5a-6b7c8d9e0f1a", from: SampleMessages.yuzhong,
            to: SampleMessages.zhaohua, caseReference: "500103-0015")
        resultHeader.collaborationNumber = number
        let result = ExchangeMessage(
            header: resultHeader,
            body: .result(
                LicenceResult(
                    status: 11, completedTime: Fixtures.at(16, 0), enterpriseName: "重庆青禾农业科技有限公司",
                    creditCode: SampleMessages.yuzhong.code, licenceNumber: "500103000123456", issueDate: "2026-11-26"))
        )
        #expect(try await hall.receive(result).outcome == .applied)
        let closed = try #require(try await hall.desk.store.exchangeCase(number))
        #expect(closed.status == 11 && closed.licence?.licenceNumber == "500103000123456")
        // After 11, a later change is refused, and with it the whole message (an older one included).
        let after = try await hall.receive(
            Self.statusUpdate(
                "8e9f0a1b-2c3d-4e4f-9a6b-7c8d9e0f1a2b",
                [
                    StatusChange(recordID: "a", status: 9, time: Fixtures.at(15, 0)),
                    StatusChange(recordID: "b", status: 15, time: Fixtures.at(17, 0)),
                ]))
        #expect(after.code == "status.not-allowed")
        let receipt = try hall.receipt(after)
        #expect(
            receipt.outcome
                == .records([
                    RecordResult(recordID: "a"),
                    RecordResult(
                        recordID: "b", rejection: try #require(receipt.outcome.recordRejection("b"))),
                ]))
        #expect(try await hall.desk.store.exchangeStatuses(number).count == 4)
        // A status for a case Zhaohua does not hold.
        var unknown = Self.statusUpdate(
            "9f0a1b2c-3d4e-4f5a-8b7c-8d9e0f1a2b3c", [StatusChange(recordID: "x", status: 3, time: Fixtures.at(9, 0))])
        unknown.header.collaborationNumber = "CY510811202611269999"
        // A receipt binding the transfer this hall sent marks it acknowledged.
        let transfer = try #require(try await hall.desk.store.outboundMessage("3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81"))
        var receiptHeader = SampleMessages.header(
            .receipt, id: "a81d4fae-7dec-41d0-a765-00a0c91e6bf6", from: SampleMessages.yuzhong,
            to: SampleMessages.zhaohua, caseReference: "500103-0015")
        receiptHeader.collaborationNumber = number
        let stray = ExchangeMessage(
            header: receiptHeader,
            body: .receipt(
                Receipt(
                    requestMessageID: transfer.messageID, requestDigest: String(repeating: "0", count: 64),
                    receivedTime: Fixtures.at(10, 42), outcome: .records([RecordResult(recordID: "case")]))))
        // One that does not bind its digest changes nothing.
        #expect(try await hall.receive(stray).outcome == .applied)
        #expect(try await hall.desk.store.outboundMessage(transfer.messageID)?.state == .pending)
        receiptHeader.messageID = "b81d4fae-7dec-41d0-a765-00a0c91e6bf6"
        let binding = ExchangeMessage(
            header: receiptHeader,
            body: .receipt(
                Receipt(
                    requestMessageID: transfer.messageID, requestDigest: transfer.digest,
                    receivedTime: Fixtures.at(10, 42), outcome: .records([RecordResult(recordID: "case")]))))
        let bound = try await hall.receive(binding)
        #expect(bound.outcome == .applied && bound.receipt == nil)
        #expect(try await hall.desk.store.outboundMessage(transfer.messageID)?.state == .acknowledged)
        #expect(try await hall.receive(unknown).code == "case.unknown")
    }

    /// From a trial: a name sent with a no-break space before it is listed without it, as the
    /// local case keeps it.
    @Test func aTransferredNameIsListedTrimmed() async throws {
        let hall = try await Self.hall()
        let answer = try await hall.receive(Self.inboundTransfer(name: "\u{00A0}昭化青禾农业科技有限公司\u{3000}"))
        #expect(answer.outcome == .applied, "\(answer)")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003")?.enterpriseName == "昭化青禾农业科技有限公司")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func aWithdrawalBeforeAcceptanceEndsTheTransferredCaseWithStatus2(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        _ = try await hall.receive(Self.inboundTransfer())
        var header = SampleMessages.header(
            .withdrawal, id: "0a1b2c3d-4e5f-4a6b-9c8d-9e0f1a2b3c4d", from: SampleMessages.yuzhong,
            to: SampleMessages.zhaohua, caseReference: "500103-20261126-0003")
        header.collaborationNumber = "CY500103202611260003"
        let withdrawal = ExchangeMessage(
            header: header,
            body: .withdrawal(
                WithdrawalRequest(withdrawnBy: "applicant", requestedTime: Fixtures.at(10, 50), reason: "申请人撤回")))
        #expect(try await hall.receive(withdrawal).outcome == .applied)
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003")?.status == 2)
        header.messageID = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"
        let again = ExchangeMessage(header: header, body: withdrawal.body)
        #expect(try await hall.receive(again).code == "case.closed")
    }

    /// Odd input from a partner that would make a record wrong: an instant ahead of this hall's
    /// clock (it would stay current and shut out every real change), a status for a case this hall
    /// decides itself, and a transfer that names another authority as the one that took it in.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .exchange))
    func futureInstantsForeignStatusesAndAnotherReceivingAuthorityAreRejected(store: TestStoreKind) async throws {
        let hall = try await Self.hall(store: store)
        let number = try await Self.outbound(hall)
        let future = try await hall.receive(
            Self.statusUpdate(
                "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
                [
                    StatusChange(recordID: "s1", status: 3, time: Fixtures.at(17, 0)),
                    StatusChange(recordID: "s2", status: 11, time: Fixtures.at(9, 0, day: 30)),
                ], number: number))
        #expect(future.code == "case.invalid")
        #expect(try hall.receipt(future).outcome.recordRejection("s2")?.details.first?.text == "StatusChange/Time")
        #expect(try await hall.desk.store.exchangeCase(number)?.status == 1)
        // A change ten minutes ahead is a clock's drift, and is taken.
        let drift = try await hall.receive(
            Self.statusUpdate(
                "3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f",
                [StatusChange(recordID: "s1", status: 3, time: Fixtures.at(18, 9))], number: number))
        #expect(drift.outcome == .applied)

        _ = try await hall.receive(Self.inboundTransfer())
        let foreign = try await hall.receive(
            Self.statusUpdate(
                "4d5e6f7a-8b9c-4d0e-9f2a-3b4c5d6e7f8a",
                [StatusChange(recordID: "x", status: 11, time: Fixtures.at(17, 0))],
                number: "CY500103202611260003"))
        #expect(foreign.code == "status.not-allowed")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260003")?.status == 1)

        var elsewhere = Self.inboundTransfer(id: "5e6f7a8b-9c0d-4e1f-8a3b-4c5d6e7f8a9b")
        elsewhere.header.collaborationNumber = "CY500103202611260004"
        if case .caseTransfer(var record) = elsewhere.body {
            record.receivingAuthority = CaseAuthority(
                code: "11500113MB1759238R", name: "重庆市巴南区市场监督管理局", division: "500113")
            elsewhere.body = .caseTransfer(record)
        }
        let claimed = try await hall.receive(elsewhere)
        #expect(claimed.code == "case.invalid")
        #expect(try await hall.desk.store.exchangeCase("CY500103202611260004") == nil)
    }
}

extension Receipt.Outcome {
    func recordRejection(_ id: String) -> Rejection? {
        if case .records(let records) = self { return records.first { $0.recordID == id }?.rejection }
        return nil
    }
}
