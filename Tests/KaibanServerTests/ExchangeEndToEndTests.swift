import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanExchange
import KaibanServer
import KaibanStore
import KaibanTestSupport
import Testing

/// Two Kaiban halls on 127.0.0.1, each with its own database, key and server: Zhaohua (Sichuan)
/// and a partner simulator playing the Yuzhong regulator (Chongqing). A case taken in at Zhaohua
/// for a Yuzhong company is transferred, delivered once Yuzhong is reachable again, fetched with
/// its files, acknowledged, and followed by Yuzhong's status updates and result.
@Suite struct ExchangeEndToEndTests {
    static let zhaohua = Authority(code: "11510811MB1530521R", name: "广元市昭化区市场监督管理局")
    static let yuzhong = Authority(code: "11500103MB164887X0", name: "重庆市渝中区市场监督管理局")

    /// Yuzhong's desk: hall 500103, its own authority and jurisdiction, a supervisor.
    static func yuzhongDesk(at now: Date) async throws -> Desk {
        let path = Fixtures.temporaryDatabasePath()
        var settings = KaibanSettings(
            database: path, hall: "500103", formsRoot: Fixtures.formsRoot,
            calendarFolder: Fixtures.packageRoot.appendingPathComponent("seeds/calendar"))
        settings.authorityCode = yuzhong.code
        settings.authorityName = yuzhong.name
        settings.jurisdiction = ["500103"]
        let desk = Desk(settings: settings, store: try CaseStore(path: path), clock: ManualClock(now))
        _ = try await desk.addClerk(id: "chenli", name: "陈丽", roles: ["supervisor"], as: .anonymous)
        return desk
    }

    static let files = [Data("%PDF-1.7 申请书\n%%EOF\n".utf8), Data("%PDF-1.7 章程\n%%EOF\n".utf8)]

    static func transfer() -> TransferredCase {
        TransferredCase(
            mode: .remoteIntake, itemCode: "11500103MB164887X04000110000001", itemName: "有限责任公司设立登记",
            receivingAuthority: CaseAuthority(code: zhaohua.code, name: zhaohua.name, division: "510811"),
            decidingAuthority: CaseAuthority(code: yuzhong.code, name: yuzhong.name, division: "500103"),
            receivedTime: Fixtures.at(10, 5), promisedLimit: "3", resultDelivery: "post-to-applicant",
            application: TransferredApplication(
                enterpriseType: "llc", proposedName: "重庆青禾农业科技有限公司", registeredCapital: "500000.00",
                domicile: TransferredDomicile(address: "重庆市渝中区民族路188号8楼801室", division: "500103", tenure: "declared"),
                businessScope: "农业技术推广服务",
                legalRepresentative: Party(
                    name: "张伟", idType: "resident-id", idNumber: "510811197809031413", phone: "13890001234"),
                investors: [
                    TransferredInvestor(
                        party: Party(name: "张伟", idType: "resident-id", idNumber: "510811197809031413"), kind: "person",
                        contribution: "500000.00", contributionForm: "货币", contributionDate: "2031-11-25")
                ],
                contact: TransferredContact(name: "张伟", phone: "13890001234"), mailingAddress: "四川省广元市昭化区元坝镇中街12号"),
            documents: files.enumerated().map { index, content in
                ManifestDocument(
                    number: index + 1, title: index == 0 ? "公司登记（备案）申请书" : "公司章程", checklistCode: nil,
                    fileName: "\(index + 1).pdf", mediaType: "application/pdf", size: content.count,
                    sm3: SM3.hex(content))
            })
    }

    /// A server for `desk` on a port below Linux's ephemeral range (32768–60999): a port the
    /// kernel chose may be taken, while the server is down, as the source port of any connection
    /// the other tests make (a PostgreSQL pool's connections last), and the server could not come
    /// back on it.
    static func startBelowEphemeralPorts(_ desk: Desk) async throws -> TestServer {
        try await start(desk, pause: .zero) { Int.random(in: 20_000..<32_000) }
    }

    /// A server for `desk` on `port` again. The port was free when the server stopped, but a
    /// connection may hold it for a moment: tried again for up to ten seconds.
    /// A transport with a long deadline: a partner fetches the files before it answers, and with the
    /// whole suite running on two cores a delivery has taken more than the usual 15 s (the pass
    /// then counted it as retrying, and the test failed).
    static func patientTransport(_ desk: Desk? = nil) -> EndpointTransport {
        EndpointTransport(timeout: 120, filesFolder: desk.map { ExchangeInbox.filesFolder($0.settings) })
    }

    static func restart(_ desk: Desk, on port: Int) async throws -> TestServer {
        try await start(desk, pause: .milliseconds(100)) { port }
    }

    /// A server for `desk` on the port `port()` gives, tried a hundred times while the port is
    /// taken, `pause` apart.
    static func start(_ desk: Desk, pause: Duration, port: () -> Int) async throws -> TestServer {
        for _ in 1..<100 {
            do {
                return try await TestServer.start(desk: desk, port: port())
            } catch let problem as Problem where problem.code == "server.port-taken" {
                try await Task.sleep(for: pause)
            }
        }
        return try await TestServer.start(desk: desk, port: port())
    }

    @Test func aTransferReachesAPartnerThatWasDownAndItsStatusAndResultComeBack() async throws {
        let now = Fixtures.at(10, 41)
        let here = try await Fixtures.desk(at: now)
        let there = try await Self.yuzhongDesk(at: now)
        let hereKey = try ExchangeKeys.generate(here.settings, replacing: false)
        let thereKey = try ExchangeKeys.generate(there.settings, replacing: false)
        let hereServer = try await TestServer.start(desk: here)
        // Yuzhong's server runs, is noted, and stops: its port is where Zhaohua delivers.
        var thereServer = try await Self.startBelowEphemeralPorts(there)
        let therePort = thereServer.port
        try await thereServer.stop()
        _ = try await here.addExchangePartner(
            code: Self.yuzhong.code, name: Self.yuzhong.name, endpoint: "http://127.0.0.1:\(therePort)",
            publicKeyPEM: try Data(contentsOf: URL(fileURLWithPath: thereKey.publicKey)), as: .clerk("zhouqiang"))
        _ = try await there.addExchangePartner(
            code: Self.zhaohua.code, name: Self.zhaohua.name, endpoint: "http://127.0.0.1:\(hereServer.port)",
            publicKeyPEM: try Data(contentsOf: URL(fileURLWithPath: hereKey.publicKey)), as: .clerk("chenli"))

        let hereOutbox = try ExchangeOutbox.open(here)
        let transferred = try await hereOutbox.transfer(
            Self.transfer(), caseReference: "510811-20261126-0007", files: Self.files, by: "wangfang")
        #expect(transferred.collaborationNumber == "CY510811202611260001")
        // A short deadline: a partner that is down takes the whole of it (the client retries connecting).
        let hereSender = ExchangeSender(desk: here, codec: hereOutbox.codec, transport: EndpointTransport(timeout: 2))
        // Yuzhong is down: the attempt fails and is tried again after the backoff.
        let down = try await hereSender.pass(at: now)
        #expect(down.retrying == 1 && down.delivered == 0)
        let waiting = try #require(try await here.store.outboundMessages(states: [.pending], limit: 5).first)
        #expect(waiting.attempts == 1)
        #expect(waiting.nextAttemptAt == now.addingTimeInterval(30))
        #expect(try await hereSender.pass(at: now.addingTimeInterval(10)).delivered == 0)  // not due yet

        // Yuzhong is back on its port: delivered, its files fetched from Zhaohua, acknowledged.
        thereServer = try await Self.restart(there, on: therePort)
        // A long deadline now (Yuzhong fetches the files from Zhaohua before it answers).
        let backSender = ExchangeSender(
            desk: here, codec: hereOutbox.codec, transport: Self.patientTransport())
        let back = try await backSender.pass(at: now.addingTimeInterval(31))
        #expect(back.delivered == 1 && back.acknowledged == 1, "\(back)")
        let sent = try #require(try await here.store.outboundMessage(waiting.messageID))
        #expect(sent.state == .acknowledged)
        #expect(sent.attempts == 2)
        let received = try #require(try await there.store.exchangeCase(transferred.collaborationNumber))
        #expect(received.direction == .inbound && received.status == 1)
        #expect(received.partnerReference == "510811-20261126-0007")
        for file in Self.files {
            let kept = ExchangeInbox.filesFolder(there.settings).appendingPathComponent(SM3.hex(file))
            #expect(FileManager.default.contents(atPath: kept.path) == file)
        }

        // Yuzhong accepts and starts handling (two changes), then issues the licence.
        let thereOutbox = try ExchangeOutbox.open(there)
        try await thereOutbox.send(
            [
                .statusUpdate([
                    StatusChange(recordID: "s1", status: 3, time: Fixtures.at(14, 20)),
                    StatusChange(recordID: "s2", status: 8, time: Fixtures.at(14, 35), reason: "转登记科审查"),
                ])
            ], about: transferred.collaborationNumber)
        try await thereOutbox.send(
            [
                .result(
                    LicenceResult(
                        status: 11, completedTime: Fixtures.at(16, 0), enterpriseName: "重庆青禾农业科技有限公司",
                        creditCode: try #require(
                            CreditCode.make(authority: "9", type: "1", division: "500103", organizationBody: "MA5U8XKQ")
                        )
                        .value, licenceNumber: "500103000123456",
                        issueDate: "2026-11-26",
                        post: PostRecord(carrier: "EMS", trackingNumber: "1173652890429", recipient: "applicant")))
            ],
            about: transferred.collaborationNumber)
        let thereSender = ExchangeSender(
            desk: there, codec: thereOutbox.codec, transport: Self.patientTransport())
        // Zhaohua receives them at 16:01 (a status dated after its clock would be refused).
        _ = here.playing(Fixtures.at(16, 1))
        let answered = try await thereSender.pass(at: Fixtures.at(16, 1))
        #expect(answered.delivered == 2 && answered.acknowledged == 2, "\(answered)")
        let done = try #require(try await here.store.exchangeCase(transferred.collaborationNumber))
        #expect(done.status == 11)
        #expect(done.licence?.trackingNumber == "1173652890429")
        #expect(try await here.store.exchangeStatuses(transferred.collaborationNumber).map(\.status) == [1, 3, 8, 11])
        #expect(try await there.store.exchangeCase(transferred.collaborationNumber)?.status == 11)

        // Every message either side wrote validates with xmllint against the committed schema.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-e2e-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var paths: [String] = []
        for (side, desk) in [("here", here), ("there", there)] {
            for message in try await desk.store.outboundMessages(states: nil, limit: 10) {
                let file = folder.appendingPathComponent("\(side)-\(message.messageID).xml")
                try message.raw.write(to: file)
                paths.append(file.path)
                if let receipt = message.receipt {
                    let receiptFile = folder.appendingPathComponent("\(side)-receipt-\(message.messageID).xml")
                    try receipt.write(to: receiptFile)
                    paths.append(receiptFile.path)
                }
            }
        }
        #expect(paths.count == 6)
        let schema = Fixtures.formsRoot.appendingPathComponent("exchange/exchange-1.xsd").path
        let lint = try CommandLineTool("xmllint").run(["--noout", "--schema", schema] + paths)
        #expect(lint.status == 0, "\(lint.stderr)")
        try await thereServer.stop()
        try await hereServer.stop()
    }

    /// The other way: Yuzhong (收件地) transfers a Zhaohua company; Zhaohua takes it into its own
    /// workflow (channel 川渝通办), its clerks handle it, and the partner learns each national status
    /// and the result; a second transfer Zhaohua cannot take (a name taken) is answered 5 不予受理.
    @Test func aCaseTransferredToZhaohuaRunsInItsWorkflowAndItsStatusesGoBack() async throws {
        let now = Fixtures.at(9, 30)
        let here = try await Fixtures.desk(at: now)
        let there = try await Self.yuzhongDesk(at: now)
        let hereKey = try ExchangeKeys.generate(here.settings, replacing: false)
        let thereKey = try ExchangeKeys.generate(there.settings, replacing: false)
        let hereServer = try await TestServer.start(desk: here)
        let thereServer = try await TestServer.start(desk: there)
        _ = try await here.addExchangePartner(
            code: Self.yuzhong.code, name: Self.yuzhong.name, endpoint: "http://127.0.0.1:\(thereServer.port)",
            publicKeyPEM: try Data(contentsOf: URL(fileURLWithPath: thereKey.publicKey)), as: .clerk("zhouqiang"))
        _ = try await there.addExchangePartner(
            code: Self.zhaohua.code, name: Self.zhaohua.name, endpoint: "http://127.0.0.1:\(hereServer.port)",
            publicKeyPEM: try Data(contentsOf: URL(fileURLWithPath: hereKey.publicKey)), as: .clerk("chenli"))
        _ = try await there.addClerk(id: "liuwei", name: "刘伟", roles: ["window"], as: .clerk("chenli"))

        var record = Self.transfer()
        record.receivingAuthority = CaseAuthority(code: Self.yuzhong.code, name: Self.yuzhong.name, division: "500103")
        record.decidingAuthority = CaseAuthority(code: Self.zhaohua.code, name: Self.zhaohua.name, division: "510811")
        record.application.proposedName = "广元市昭化区青禾农业科技有限公司"
        record.application.domicile = TransferredDomicile(
            address: "广元市昭化区元坝镇中街12号", division: "510811", tenure: "owned")
        record.documents[0].checklistCode = "application-form"
        record.receivedTime = Fixtures.at(9, 0)
        let thereOutbox = try ExchangeOutbox.open(there)
        let transferred = try await thereOutbox.transfer(
            record, caseReference: "500103-20261126-0003", files: Self.files, by: "liuwei")
        #expect(transferred.collaborationNumber == "CY500103202611260001")
        let thereWorker = try ExchangeWorker.open(there, transport: Self.patientTransport(there))
        #expect(try await thereWorker.run(at: now).delivery.acknowledged == 1)

        // Zhaohua's pass takes the case in: channel 川渝通办, the application form received electronically.
        let hereWorker = try ExchangeWorker.open(here, transport: Self.patientTransport(here))
        let first = try await hereWorker.run(at: now)
        let localText = try #require(first.takenIn[transferred.collaborationNumber], "\(first)")
        let local = try #require(CaseNumber(localText))
        let taken = try await here.store.registrationCase(local)
        #expect(taken.application.channel == .crossProvince)
        #expect(taken.application.crossProvince?.collaborationNumber == transferred.collaborationNumber)
        #expect(taken.documents["application-form"]?.document.form == .electronic)
        #expect(try await here.store.exchangeCase(transferred.collaborationNumber)?.localCase == localText)
        // A second pass does not take it in twice.
        #expect(try await hereWorker.run(at: now).takenIn.isEmpty)

        // The window receives the paper originals and the case runs its course.
        let missing = try await here.documents(local).documents.filter { $0.state != .present }.map(\.requirement.code)
        _ = try await here.playing(Fixtures.at(9, 40)).receiveDocuments(
            local, missing.map { ReceivedDocument(code: $0, form: .paper) }, as: .clerk("wangfang"))
        for (step, clerk, minute) in [
            ("accept", "wangfang", 45), ("review", "lijun", 50), ("approve", "lijun", 55),
            ("issue-licence", "wangfang", 58),
        ] {
            _ = try await here.playing(Fixtures.at(9, minute)).step(local, step, as: .clerk(clerk))
        }
        _ = there.playing(Fixtures.at(10, 0))
        let told = try await hereWorker.run(at: Fixtures.at(10, 0))
        #expect(told.told == 2)  // one status update (3, 8), one result
        #expect(told.delivery.acknowledged == 2, "\(told.delivery)")
        let seen = try #require(try await there.store.exchangeCase(transferred.collaborationNumber))
        #expect(seen.status == 11)
        #expect(seen.licence?.creditCode == (try await here.store.registrationCase(local)).creditCode)
        #expect(try await there.store.exchangeStatuses(transferred.collaborationNumber).map(\.status) == [1, 3, 8, 11])
        // Nothing more to tell.
        #expect(try await hereWorker.run(at: Fixtures.at(10, 5)).told == 0)

        // A transfer under a name Zhaohua registered meanwhile: taken in? No: 5 不予受理, with why.
        var again = record
        again.application.proposedName = "广元市昭化区青禾农业科技有限公司"
        let second = try await thereOutbox.transfer(
            again, caseReference: "500103-20261126-0004", files: Self.files, by: "liuwei")
        _ = there.playing(Fixtures.at(10, 11))
        _ = try await thereWorker.run(at: Fixtures.at(10, 10))
        _ = here.playing(Fixtures.at(10, 11))
        let refusal = try await hereWorker.run(at: Fixtures.at(10, 11))
        #expect(refusal.refused[second.collaborationNumber] != nil)
        #expect(try await there.store.exchangeCase(second.collaborationNumber)?.status == 5)

        // A third is taken in here, then withdrawn at Yuzhong: the local case is withdrawn with it,
        // by the exchange, and that withdrawal is not told back.
        var third = record
        third.application.proposedName = "广元市昭化区青苗农业科技有限公司"
        _ = there.playing(Fixtures.at(10, 20))
        let withdrawn = try await thereOutbox.transfer(
            third, caseReference: "500103-20261126-0005", files: Self.files, by: "liuwei")
        _ = try await thereWorker.run(at: Fixtures.at(10, 20))
        _ = here.playing(Fixtures.at(10, 21))
        let thirdText = try await hereWorker.run(at: Fixtures.at(10, 21)).takenIn[withdrawn.collaborationNumber]
        let thirdLocal = try #require(thirdText.flatMap(CaseNumber.init))
        try await thereOutbox.send(
            [
                .withdrawal(
                    WithdrawalRequest(withdrawnBy: "applicant", requestedTime: Fixtures.at(10, 25), reason: "申请人改期办理"))
            ], about: withdrawn.collaborationNumber)
        _ = here.playing(Fixtures.at(10, 26))
        #expect(try await thereWorker.run(at: Fixtures.at(10, 26)).delivery.acknowledged == 1)
        let ended = try await here.store.registrationCase(thirdLocal)
        #expect(ended.stage == "withdrawn")
        #expect(ended.updatedAt == Fixtures.at(10, 25))
        #expect(try await here.store.history(thirdLocal).last?.actor == "exchange:\(Self.yuzhong.code)")
        #expect(try await here.store.exchangeCase(withdrawn.collaborationNumber)?.status == 2)
        #expect(try await hereWorker.run(at: Fixtures.at(10, 30)).told == 0)
        try await thereServer.stop()
        try await hereServer.stop()
    }

    /// Flow 1 at the window: an application for a Yuzhong company is taken in at Zhaohua for
    /// Yuzhong (`transferTo`), checked, and transferred with its scans (the step and the signed
    /// transfer in one transaction); Yuzhong's statuses move the local case (its correction pauses
    /// the clock) and its result completes it. The clock ran while Yuzhong decided, and the report
    /// by stage shows that time apart; a refused second case and a withdrawal at the window follow.
    @Test func aCaseTakenInForThePartnerIsTransferredAndItsAnswersMoveTheLocalCase() async throws {
        let here = try await Fixtures.desk(at: Fixtures.at(9, 0))
        let there = try await Self.yuzhongDesk(at: Fixtures.at(9, 0))
        let hereKey = try ExchangeKeys.generate(here.settings, replacing: false)
        let thereKey = try ExchangeKeys.generate(there.settings, replacing: false)
        let hereServer = try await TestServer.start(desk: here)
        let thereServer = try await TestServer.start(desk: there)
        _ = try await here.addExchangePartner(
            code: Self.yuzhong.code, name: Self.yuzhong.name, endpoint: "http://127.0.0.1:\(thereServer.port)",
            publicKeyPEM: try Data(contentsOf: URL(fileURLWithPath: thereKey.publicKey)), as: .clerk("zhouqiang"))
        _ = try await there.addExchangePartner(
            code: Self.zhaohua.code, name: Self.zhaohua.name, endpoint: "http://127.0.0.1:\(hereServer.port)",
            publicKeyPEM: try Data(contentsOf: URL(fileURLWithPath: hereKey.publicKey)), as: .clerk("chenli"))

        var application = Fixtures.application(tasks: [])
        application.proposedName = "重庆市渝中区青禾农业科技有限公司"
        application.domicile = "重庆市渝中区民族路188号8楼801室"
        application.domicileDivision = "500103"
        application.domicileTenure = .leased
        // Without a transfer, a Yuzhong domicile is outside Zhaohua's jurisdiction.
        let outside = await Fixtures.problem {
            _ = try await here.playing(Fixtures.at(10, 0)).intake(application, documents: .all, as: .clerk("wangfang"))
        }
        #expect(outside?.fields.map(\.field).contains("domicileDivision") == true)
        // A transfer to an authority not registered, or with start-up tasks asked of this hall, is refused.
        var unknown = application
        unknown.transferTo = "11500104MB1548797N"
        unknown.requestedTasks = ["seal"]
        let refused = await Fixtures.problem {
            _ = try await here.intake(unknown, documents: .all, as: .clerk("wangfang"))
        }
        #expect(Set(refused?.fields.map(\.field) ?? []) == ["transferTo", "requestedTasks"])

        application.transferTo = Self.yuzhong.code
        let taken = try await here.intake(application, documents: .all, as: .clerk("wangfang"))
        let local = taken.case.number
        // Not accepted here: accepting is the deciding authority's; the plain step cannot transfer.
        let accept = await Fixtures.problem {
            _ = try await here.step(local, "accept", as: .clerk("wangfang"))
        }
        #expect(accept?.code == "exchange.transfer-case")
        let plain = await Fixtures.problem {
            _ = try await here.step(local, "transfer", as: .clerk("wangfang"))
        }
        #expect(plain?.code == "exchange.use-transfer")
        let outbox = try ExchangeOutbox.open(here)
        // Every paper document needs its scan; a file that is no PDF or image is refused.
        let codes = try await here.documents(local).documents.map(\.requirement.code)
        let unscanned = await Fixtures.problem {
            _ = try await outbox.transferCase(local, scans: [codes[0]: Data("plain text".utf8)], as: .clerk("wangfang"))
        }
        #expect(unscanned?.code == "exchange.documents-missing")
        #expect(unscanned?.fields.map(\.field) == ["scan.\(codes[0])", "scan"])
        #expect(try await here.store.registrationCase(local).stage == "received")
        let scans = Dictionary(
            uniqueKeysWithValues: codes.map { ($0, Data("%PDF-1.7 \($0)\n%%EOF\n".utf8)) })
        // A reviewer cannot transfer.
        let reviewer = await Fixtures.problem {
            _ = try await outbox.transferCase(local, scans: scans, as: .clerk("lijun"))
        }
        #expect(reviewer?.code == "role.required")

        _ = here.playing(Fixtures.at(10, 10))
        let transfer = try await outbox.transferCase(local, scans: scans, as: .clerk("wangfang"))
        #expect(transfer.step.state.stage == "transferred")
        let number = transfer.exchange.collaborationNumber
        #expect(number == "CY510811202611260001")
        #expect(transfer.exchange.localCase == local.description)
        let pending = try #require(try await here.store.outboundMessages(states: [.pending], limit: 5).first)
        #expect(pending.collaborationNumber == number)

        // Delivered; Yuzhong fetches the scans and checks them by SM3.
        let hereWorker = try ExchangeWorker.open(here, transport: Self.patientTransport(here))
        _ = there.playing(Fixtures.at(10, 11))
        #expect(try await hereWorker.run(at: Fixtures.at(10, 11)).delivery.acknowledged == 1)
        let received = try #require(try await there.store.exchangeCase(number))
        #expect(received.direction == .inbound && received.partnerReference == local.description)
        let opened = try outbox.codec.open(try #require(try await there.store.inboundTransfer(number)).raw, source: "t")
        guard case .caseTransfer(let sent) = opened.message.body else {
            Issue.record("not a transfer")
            return
        }
        #expect(sent.documents.count == codes.count)
        #expect(sent.application.proposedName == "重庆市渝中区青禾农业科技有限公司")
        #expect(sent.application.domicile.tenure == "leased")
        #expect(sent.receivingAuthority.code == Self.zhaohua.code && sent.decidingAuthority.code == Self.yuzhong.code)

        // Yuzhong accepts, asks for a correction at 11:00, has it at 14:00, licenses at 15:00.
        let thereOutbox = try ExchangeOutbox.open(there)
        let thereSender = ExchangeSender(desk: there, codec: thereOutbox.codec, transport: Self.patientTransport())
        func partnerSays(_ bodies: [MessageBody], at instant: Date) async throws {
            try await thereOutbox.send(bodies, about: number)
            _ = here.playing(instant)
            let pass = try await thereSender.pass(at: instant)
            #expect(pass.acknowledged == bodies.count, "\(pass)")
        }
        try await partnerSays(
            [
                .statusUpdate([
                    StatusChange(recordID: "s1", status: 3, time: Fixtures.at(10, 30)),
                    StatusChange(recordID: "s2", status: 6, time: Fixtures.at(11, 0), reason: "章程缺少\u{200B}股东签字页"),
                ])
            ], at: Fixtures.at(11, 1))
        var state = try await here.store.registrationCase(local)
        #expect(state.stage == "transferred-correction")
        #expect(state.updatedAt == Fixtures.at(11, 0))
        let correction = try #require(try await here.store.history(local).last)
        #expect(correction.actor == "exchange:\(Self.yuzhong.code)")
        #expect(correction.reason == "重庆市渝中区市场监督管理局：补正（开始）：章程缺少 股东签字页")
        try await partnerSays(
            [.statusUpdate([StatusChange(recordID: "s3", status: 7, time: Fixtures.at(14, 0))])], at: Fixtures.at(14, 1)
        )
        #expect(try await here.store.registrationCase(local).stage == "transferred")
        // A special procedure (a hearing) 14:10-14:40: the clock pauses there too (version 5).
        try await partnerSays(
            [.statusUpdate([StatusChange(recordID: "s4", status: 9, time: Fixtures.at(14, 10), reason: "组织听证")])],
            at: Fixtures.at(14, 11))
        state = try await here.store.registrationCase(local)
        #expect(state.stage == "transferred-special")
        #expect(state.segments.last?.effect == .paused)
        #expect(try await here.store.history(local).last?.reason == "重庆市渝中区市场监督管理局：特别程序（开始）：组织听证")
        try await partnerSays(
            [.statusUpdate([StatusChange(recordID: "s5", status: 10, time: Fixtures.at(14, 40))])],
            at: Fixtures.at(14, 41))
        #expect(try await here.store.registrationCase(local).stage == "transferred")
        let code = try #require(
            CreditCode.make(authority: "9", type: "1", division: "500103", organizationBody: "MA5U8XKQ")?.value)
        try await partnerSays(
            [
                .result(
                    LicenceResult(
                        status: 11, completedTime: Fixtures.at(15, 0), enterpriseName: "重庆市渝中区青禾农业科技有限公司",
                        creditCode: code, licenceNumber: "500103000123456", issueDate: "2026-11-26",
                        post: PostRecord(carrier: "EMS", trackingNumber: "1173652890429", recipient: "applicant")))
            ], at: Fixtures.at(15, 2))
        state = try await here.store.registrationCase(local)
        #expect(state.stage == "completed")
        #expect(state.updatedAt == Fixtures.at(15, 0))
        #expect(try await here.store.history(local).last?.reason?.contains("EMS1173652890429寄申请人") == true)
        // A completed case is not transferred again: said before its files are asked for.
        let again = await Fixtures.problem {
            _ = try await outbox.transferCase(local, as: .clerk("wangfang"))
        }
        #expect(again?.code == "case.closed")
        // A status dated before the result, arriving late, is history: the case stays completed.
        try await partnerSays(
            [.statusUpdate([StatusChange(recordID: "s4", status: 8, time: Fixtures.at(14, 30))])],
            at: Fixtures.at(15, 3))
        #expect(try await here.store.exchangeCase(number)?.status == 11)
        #expect(try await here.store.registrationCase(local).stage == "completed")

        // The clock: 10:00-11:00, 14:00-14:10 and 14:40-15:00 are government time (90 minutes);
        // the correction, 11:00-12:00 and 13:30-14:00 of office time (the applicant's, 90), and the
        // special procedure, 14:10-14:40 (not the applicant's: version 6), are not counted against
        // the promise.
        let view = try await here.caseView(local, at: Fixtures.at(16, 0))
        #expect(view.sla.governmentMinutes == 90)
        #expect(view.sla.applicantMinutes == 90)
        #expect(view.sla.specialProcedureMinutes == 30)
        #expect(view.sla.pauses.map(\.stage) == ["transferred-correction", "transferred-special"])
        let day = try #require(CivilDate(year: 2026, month: 11, day: 26))
        let month = try await here.dashboard(from: day, to: day, at: Fixtures.at(16, 0))
        #expect(month.times.applicantMinutes == 90 && month.times.specialProcedureMinutes == 30, "\(month.times)")
        #expect(month.times.pauses.filter(\.specialProcedure).map(\.stage) == ["transferred-special"])
        let report = try await here.slaReport(from: day, to: day, by: .stage)
        let byStage = Dictionary(uniqueKeysWithValues: report.groups.map { ($0.group, $0.medianMinutes) })
        #expect(byStage["received"] == 10)
        #expect(byStage["transferred"] == 80)
        // The special procedure's half hour is nobody's government time, as the correction's is not.
        #expect(byStage["transferred-special"] == nil && byStage["transferred-correction"] == nil)

        // The window withdraws a second transferred case at the applicant's request: Yuzhong is told.
        var second = application
        second.proposedName = "重庆市渝中区青苗农业科技有限公司"
        _ = here.playing(Fixtures.at(15, 10))
        let other = try await here.intake(second, documents: .all, as: .clerk("wangfang")).case.number
        _ = try await outbox.transferCase(other, scans: scans, as: .clerk("wangfang"))
        _ = there.playing(Fixtures.at(15, 11))
        _ = try await hereWorker.run(at: Fixtures.at(15, 11))
        _ = try await here.playing(Fixtures.at(15, 20)).withdraw(other, reason: "申请人改在渝中区办理", as: .clerk("wangfang"))
        _ = there.playing(Fixtures.at(15, 21))
        let told = try await hereWorker.run(at: Fixtures.at(15, 21))
        #expect(told.told == 1 && told.delivery.acknowledged == 1, "\(told)")
        #expect(try await there.store.exchangeCase("CY510811202611260002")?.status == 2)
        // Nothing more to tell.
        #expect(try await hereWorker.run(at: Fixtures.at(15, 25)).told == 0)

        // A correction asked and answered in one message still pauses the clock between the two.
        var third = application
        third.proposedName = "重庆市渝中区青松农业科技有限公司"
        _ = here.playing(Fixtures.at(15, 30))
        let quick = try await here.intake(third, documents: .all, as: .clerk("wangfang")).case.number
        let quickTransfer = try await outbox.transferCase(quick, scans: scans, as: .clerk("wangfang"))
        _ = there.playing(Fixtures.at(15, 31))
        _ = try await hereWorker.run(at: Fixtures.at(15, 31))
        try await thereOutbox.send(
            [
                .statusUpdate([
                    StatusChange(recordID: "q1", status: 6, time: Fixtures.at(15, 40), reason: "补签字"),
                    StatusChange(recordID: "q2", status: 7, time: Fixtures.at(16, 0)),
                ])
            ], about: quickTransfer.exchange.collaborationNumber)
        _ = here.playing(Fixtures.at(16, 1))
        #expect(try await thereSender.pass(at: Fixtures.at(16, 1)).acknowledged == 1)
        #expect(try await here.store.registrationCase(quick).stage == "transferred")
        let quickView = try await here.caseView(quick, at: Fixtures.at(16, 10))
        #expect(quickView.sla.applicantMinutes == 20)
        #expect(quickView.sla.governmentMinutes == 20)
        try await thereServer.stop()
        try await hereServer.stop()
    }
}
