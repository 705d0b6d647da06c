import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanExchange
import KaibanServer
import KaibanStore
import Logging

/// The demo's 川渝通办 exchange: a partner simulator — Chongqing's Yuzhong regulator, a second
/// Kaiban desk on its own database beside the demo's, with its own key and server on 127.0.0.1 —
/// and one case each way, signed, delivered over HTTP, answered with receipts, statuses and results.
struct DemoExchange {
    static let zhaohua = Authority(code: "11510811MB1530521R", name: "广元市昭化区市场监督管理局")
    static let yuzhong = Authority(code: "11500103MB164887X0", name: "重庆市渝中区市场监督管理局")

    let partner: Desk
    let partnerClock: ManualClock
    let partnerServer: RunningServer

    /// This hall's key (before its server starts, so that its exchange route is open), and the
    /// partner's desk, key and server.
    static func prepare(settings: KaibanSettings, at now: Date) async throws -> (
        start: @Sendable (Int) async throws -> DemoExchange, hereKey: ExchangeKeys.Generated
    ) {
        let hereKey = try ExchangeKeys.generate(settings, replacing: true)
        let start: @Sendable (Int) async throws -> DemoExchange = { herePort in
            try await Self.startPartner(settings: settings, at: now, herePort: herePort, hereKey: hereKey)
        }
        return (start, hereKey)
    }

    static func startPartner(settings: KaibanSettings, at now: Date, herePort: Int, hereKey: ExchangeKeys.Generated)
        async throws -> DemoExchange
    {
        let path = try settings.besideDatabase().path + ".partner-500103.sqlite"
        // The simulator's own files from an earlier demo go: it starts afresh with the demo.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try? FileManager.default.removeItem(at: KaibanSettings.defaultDataDirectory(forDatabase: path))
        var partnerSettings = KaibanSettings(
            database: path, hall: "500103", formsRoot: settings.formsRoot, calendarFolder: settings.calendarFolder)
        partnerSettings.authorityCode = yuzhong.code
        partnerSettings.authorityName = yuzhong.name
        partnerSettings.jurisdiction = ["500103"]
        let clock = ManualClock(now)
        let desk = Desk(settings: partnerSettings, store: try CaseStore(path: path), clock: clock)
        _ = try await desk.addClerk(id: "chenli", name: "陈丽", roles: ["supervisor"], as: .anonymous)
        _ = try await desk.addClerk(id: "liuwei", name: "刘伟", roles: ["window"], as: .clerk("chenli"))
        let partnerKey = try ExchangeKeys.generate(partnerSettings, replacing: true)
        var logger = Logger(label: "kaiban.demo.partner")
        logger.logLevel = .error
        var serverSettings = ServerSettings(
            port: 0, openAPIDocument: ServerSettings.openAPIDocument(in: settings.formsRoot), version: "demo-partner",
            logLevel: .error)
        serverSettings.exchangeSendInterval = nil
        let running = try await KaibanServer(desk: desk, settings: serverSettings, logger: logger).start()
        _ = try await desk.addExchangePartner(
            code: zhaohua.code, name: zhaohua.name, endpoint: "http://127.0.0.1:\(herePort)",
            publicKeyPEM: try Data(contentsOf: URL(fileURLWithPath: hereKey.publicKey)), as: .clerk("chenli"))
        return DemoExchange(partner: desk, partnerClock: clock, partnerServer: running)
            .registering(partnerKey: partnerKey)
    }

    var partnerKeyFile: String = ""

    func registering(partnerKey: ExchangeKeys.Generated) -> DemoExchange {
        var copy = self
        copy.partnerKeyFile = partnerKey.publicKey
        return copy
    }

    static let files = [Data("%PDF-1.4\n% 公司登记（备案）申请书\n%%EOF\n".utf8), Data("%PDF-1.4\n% 公司章程\n%%EOF\n".utf8)]

    static func record(
        name: String, domicile: TransferredDomicile, receiving: CaseAuthority, deciding: CaseAuthority, received: Date
    ) -> TransferredCase {
        TransferredCase(
            mode: .remoteIntake, itemCode: "\(deciding.code)04000110000001", itemName: "有限责任公司设立登记",
            receivingAuthority: receiving, decidingAuthority: deciding, receivedTime: received, promisedLimit: "3",
            resultDelivery: "post-to-applicant",
            application: TransferredApplication(
                enterpriseType: "llc", proposedName: name, registeredCapital: "500000.00", domicile: domicile,
                businessScope: "农业技术推广服务；农产品销售",
                legalRepresentative: Party(
                    name: "张伟", idType: "resident-id", idNumber: "510811197809031413", phone: "13890001234"),
                investors: [
                    TransferredInvestor(
                        party: Party(name: "张伟", idType: "resident-id", idNumber: "510811197809031413"),
                        kind: "person", contribution: "500000.00", contributionForm: "货币",
                        contributionDate: "2031-11-25")
                ],
                contact: TransferredContact(name: "张伟", phone: "13890001234"),
                mailingAddress: "四川省广元市昭化区元坝镇中街12号 张伟收"),
            documents: files.enumerated().map { index, content in
                ManifestDocument(
                    number: index + 1, title: index == 0 ? "公司登记（备案）申请书" : "公司章程",
                    checklistCode: index == 0 ? "application-form" : nil, fileName: "\(index + 1).pdf",
                    mediaType: "application/pdf", size: content.count, sm3: SM3.hex(content))
            })
    }

    /// One case each way on `date`, after the day's last intake; returns the local case taken in.
    func play(here: Desk, clock: ManualClock, date: CivilDate, supervisor: String, say: (String) -> Void)
        async throws -> CaseNumber?
    {
        func at(_ hour: Int, _ minute: Int) -> Date { HallTime.instant(date, hour: hour, minute: minute) }
        func both(_ instant: Date) {
            clock.set(instant)
            partnerClock.set(instant)
        }
        both(at(16, 56))
        _ = try await here.addExchangePartner(
            code: Self.yuzhong.code, name: Self.yuzhong.name, endpoint: "http://127.0.0.1:\(partnerServer.port)",
            publicKeyPEM: try Data(contentsOf: URL(fileURLWithPath: partnerKeyFile)), as: .clerk(supervisor))
        let zhaohuaAuthority = CaseAuthority(code: Self.zhaohua.code, name: Self.zhaohua.name, division: "510811")
        let yuzhongAuthority = CaseAuthority(code: Self.yuzhong.code, name: Self.yuzhong.name, division: "500103")
        let hereWorker = try ExchangeWorker.open(here)
        // 1. Yuzhong took in a Zhaohua company and transfers it here: this hall decides it.
        let partnerOutbox = try ExchangeOutbox.open(partner)
        let inbound = try await partnerOutbox.transfer(
            Self.record(
                name: "广元市昭化区嘉陵渡农业科技有限公司",
                domicile: TransferredDomicile(address: "广元市昭化区昭化镇太守街8号", division: "510811", tenure: "owned"),
                receiving: yuzhongAuthority, deciding: zhaohuaAuthority, received: at(16, 40)),
            caseReference: "500103-\(date.compact)-0003", files: Self.files, by: "liuwei")
        let partnerWorker = try ExchangeWorker.open(partner)
        _ = try await partnerWorker.sender.pass(at: at(16, 56))
        say("16:56 渝中区转来 \(inbound.collaborationNumber) 广元市昭化区嘉陵渡农业科技有限公司（材料从对方取回并核对SM3）")
        both(at(16, 57))
        let takenIn = try await hereWorker.run(at: at(16, 57))
        guard let localText = takenIn.takenIn[inbound.collaborationNumber], let local = CaseNumber(localText) else {
            say("转入办件未能收件：\(takenIn.refused.values.joined(separator: "；"))")
            return nil
        }
        say("16:57 转入办件收件为 \(local)（川渝通办），按本厅流程办理")
        // 2. 异地代收代办 at Zhaohua for a company registering in Yuzhong: the window takes it in for
        //    Yuzhong, checks every document and transfers it with the scans.
        both(at(16, 58))
        var application = CaseApplication(
            channel: .window, enterpriseType: .limitedLiabilityCompany, proposedName: "重庆市渝中区青禾农业科技有限公司",
            registeredCapital: Money(fen: 50_000_000), domicile: "重庆市渝中区民族路188号8楼801室", domicileDivision: "500103",
            businessScope: "农业技术推广服务；农产品销售",
            legalRepresentative: Person(name: "张伟", idNumber: "510811197809031413"),
            investors: [
                Investor(
                    name: "张伟", kind: .person, idNumber: "510811197809031413", contribution: Money(fen: 50_000_000))
            ],
            contact: Contact(name: "张伟", phone: "13890001234"), requestedTasks: [], domicileTenure: .leased,
            mailingAddress: "四川省广元市昭化区元坝镇中街12号 张伟收")
        application.transferTo = Self.yuzhong.code
        let taken = try await here.intake(application, documents: .all, as: .clerk("chenjing"))
        let outboundLocal = taken.case.number
        say("16:58 陈静 收件 \(outboundLocal) 重庆市渝中区青禾农业科技有限公司（住所在渝中区：代收，转渝中区市场监督管理局办理）")
        both(at(17, 0))
        let codes = try await here.documents(outboundLocal).documents.map(\.requirement.code)
        let scans = Dictionary(
            uniqueKeysWithValues: codes.map { ($0, Data("%PDF-1.4\n% \($0)（扫描件）\n%%EOF\n".utf8)) })
        let outbound = try await ExchangeOutbox.open(here).transferCase(
            outboundLocal, scans: scans, as: .clerk("chenjing"))
        say(
            "17:00 陈静 核对材料\(codes.count)件后转办 \(outbound.exchange.collaborationNumber) → 渝中区市场监督管理局（异地代收代办，办件进入“已转办理地办理”，计时继续）"
        )
        let sent = try await hereWorker.run(at: at(17, 0))
        say("17:00 发件箱投递\(sent.delivery.delivered)份，对方取回扫描件核对SM3后回执确认\(sent.delivery.acknowledged)份")
        // This hall's clerks carry the inbound case to its licence.
        clock.set(at(17, 1))
        let missing = try await here.documents(local).documents.filter { $0.state != .present }.map(\.requirement.code)
        if !missing.isEmpty {
            _ = try await here.receiveDocuments(
                local, missing.map { ReceivedDocument(code: $0, form: .paper) }, as: .clerk("wangfang"))
        }
        for (step, clerk, minute) in [
            ("accept", "wangfang", 2), ("review", "lijun", 5), ("approve", "lijun", 10),
            ("issue-licence", "wangfang", 12),
        ] {
            clock.set(at(17, minute))
            _ = try await here.step(local, step, as: .clerk(clerk))
        }
        say("17:12 \(local) 发照；状态与结果将回传渝中区")
        // Yuzhong decides the case transferred to it and sends its statuses and result; they move
        // the case here on, in the transaction that takes each in.
        both(at(17, 20))
        try await partnerOutbox.send(
            [
                .statusUpdate([
                    StatusChange(recordID: "s1", status: 3, time: at(17, 3)),
                    StatusChange(recordID: "s2", status: 8, time: at(17, 6), reason: "转登记科审查"),
                ]),
                .result(
                    LicenceResult(
                        status: 11, completedTime: at(17, 18), enterpriseName: "重庆市渝中区青禾农业科技有限公司",
                        creditCode: CreditCode.make(
                            authority: "9", type: "1", division: "500103", organizationBody: "MA5U8XKQ")?.value
                            ?? Self.yuzhong.code,
                        licenceNumber: "500103000123456", issueDate: date.description,
                        post: PostRecord(carrier: "EMS", trackingNumber: "1173652890429", recipient: "applicant"))),
            ], about: outbound.exchange.collaborationNumber)
        let back = try await partnerWorker.sender.pass(at: at(17, 20))
        say(
            "17:20 渝中区回传状态与结果\(back.delivered)份（已受理、部门开始办理、17:18办结，执照EMS寄申请人）：\(outboundLocal) 随之办结"
        )
        let told = try await hereWorker.run(at: at(17, 21))
        say("17:21 本厅回传 \(inbound.collaborationNumber) 的状态与结果\(told.told)份，对方确认\(told.delivery.acknowledged)份")
        return local
    }

    func stop() async throws {
        try await partnerServer.stop()
    }
}
