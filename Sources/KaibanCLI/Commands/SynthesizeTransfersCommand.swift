import ArgumentParser
import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanExchange

/// `kaiban admin synthesize-transfers --count N --out DIR`: a spool of signed case transfers from
/// a simulated partner, for `Scripts/bench-exchange`.
struct SynthesizeTransfersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesize-transfers",
        abstract: localized(
            zh: "生成仿真协同机构签发的转办报文（收件目录），供交换性能测试使用（切勿用于生产数据库；负责人执行）。",
            en:
                "Write a spool of case transfers signed by a simulated partner, for the exchange benchmark (never on a production database; a supervisor's act)."
        ))

    @OptionGroup var global: GlobalOptions

    @Option(help: .localized(zh: "报文数。", en: "How many messages."))
    var count: Int

    @Option(help: .localized(zh: "写入的收件目录。", en: "The spool folder to write."))
    var out: String

    func validate() throws {
        guard (1...9_999).contains(count) else {
            throw usageError(
                zh: "--count 应在1至9999之间（一天的业务协同编号）",
                en: "--count must be between 1 and 9999 (a day of collaboration numbers)")
        }
    }

    /// The simulated partner: Chongqing's Yuzhong regulator, as in the demo.
    static let partner = DemoExchange.yuzhong

    func run() async throws {
        try await withDesk(global) { session in
            let desk = session.desk
            let here = try ExchangeIdentity.load(desk.settings)
            let key = try SM2.PrivateKey.generate()
            // A partner registered before keeps its key: this one is added beside it.
            if try await desk.exchangePartners().contains(where: { $0.code == Self.partner.code }) {
                _ = try await desk.addExchangePartnerKey(
                    code: Self.partner.code, publicKeyPEM: Data(key.publicKey.pem.utf8), as: session.actor)
            } else {
                _ = try await desk.addExchangePartner(
                    code: Self.partner.code, name: Self.partner.name, endpoint: nil,
                    publicKeyPEM: Data(key.publicKey.pem.utf8), as: session.actor)
            }
            let codec = ExchangeCodec(schema: try desk.forms().exchangeSchema)
            let folder = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let trades = Array("青禾嘉陵白龙牛头柏林昭化元坝红岩卫子虎跳磨滩明觉射箭清水太公文村王家梅树石井")
            let day = HallTime.localDate(of: now).compact
            var bytes = 0
            for index in 0..<count {
                let trade = String([trades[index % trades.count], trades[(index / trades.count) % trades.count]])
                let file = Data("%PDF-1.7\n% 公司登记（备案）申请书 \(index)\n%%EOF\n".utf8)
                try file.write(to: folder.appendingPathComponent(SM3.hex(file)))
                // The demo's transfer to Zhaohua, under its own name, address and document.
                var record = DemoExchange.record(
                    name: "广元市昭化区\(trade)农业科技有限公司",
                    domicile: TransferredDomicile(
                        address: "广元市昭化区元坝镇中街\(index + 1)号", division: desk.settings.hall, tenure: "owned"),
                    receiving: CaseAuthority(code: Self.partner.code, name: Self.partner.name, division: "500103"),
                    deciding: CaseAuthority(
                        code: here.authority.code, name: here.authority.name, division: desk.settings.hall),
                    received: now.addingTimeInterval(-3600))
                record.application.mailingAddress = "四川省广元市昭化区元坝镇中街\(index + 1)号 张伟收"
                record.documents = [
                    ManifestDocument(
                        number: 1, title: "公司登记（备案）申请书", checklistCode: "application-form", fileName: "1.pdf",
                        mediaType: "application/pdf", size: file.count, sm3: SM3.hex(file))
                ]
                let sequence = String(index + 1)
                let message = ExchangeMessage(
                    header: MessageHeader(
                        messageID: ExchangeInbox.newMessageID(), type: .caseTransfer, sender: Self.partner,
                        receiver: here.authority,
                        collaborationNumber: "CY500103\(day)"
                            + String(repeating: "0", count: max(0, 4 - sequence.count))
                            + sequence,
                        caseReference: "500103-\(day)-\(sequence)", sendTime: now, test: here.test),
                    body: .caseTransfer(record))
                let raw = try codec.write(message, signedWith: key)
                bytes += raw.count
                try raw.write(to: folder.appendingPathComponent("\(message.header.messageID).xml"))
            }
            Console.print(
                session.zh
                    ? "已写入\(count)份转办报文（平均\(bytes / count)字节）至 \(folder.path)，签发方\(Self.partner.name)已登记"
                    : "wrote \(count) case transfers (\(bytes / count) bytes on average) to \(folder.path), from \(Self.partner.name), registered"
            )
        }
    }
}
