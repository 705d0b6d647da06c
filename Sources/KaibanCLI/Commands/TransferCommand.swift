import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanExchange
import KaibanForms

/// `kaiban transfer N [--scan CODE=FILE]…`: the window transfers a case taken in for the partner
/// province's authority (川渝通办, 异地代收代办) to that authority.
struct TransferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: localized(
            zh: "川渝通办：将代收的办件连同材料扫描件转办理地登记机关（异地代收代办）。",
            en: "川渝通办: transfer a case taken in here, with its scanned documents, to the authority that decides it."),
        discussion: localized(
            zh: """
                收件时用 --transfer-to 指定办理地机关的办件，窗口核对材料齐全后转办：办件进入“已转办理地办理”，\
                同时生成并签发转办报文（业务协同编号 CY…），由发件箱投递（kaiban exchange send 或 kaiban serve）。\
                办理地回传的受理、补正、办结等状态自动记入办件；期间工作时间照常计算（补正期间暂停）。\
                每份已收的纸质材料须用 --scan 材料代码=文件 提供扫描件（PDF、JPEG、PNG 或 OFD，不超过50MB）；\
                经网上提交的电子材料自动随附。
                """,
            en: """
                For a case taken in with --transfer-to: once the window has checked every document, the case \
                goes to "with the deciding authority" and its signed case transfer (collaboration number CY…) is \
                written to the outbox in the same transaction, for kaiban exchange send or kaiban serve to deliver. \
                The authority's statuses and result move the case on as they arrive; the working clock keeps \
                running meanwhile (paused while it waits on the applicant's correction). Give a scan of each paper \
                document received with --scan CODE=FILE (PDF, JPEG, PNG or OFD, at most 50 MB); files that came \
                through a portal go with it.
                """))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var ids: IDOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Option(
        help: .localized(
            zh: "材料扫描件，格式为 材料代码=文件；每份纸质材料一个。", en: "A scanned document as CODE=FILE; one per paper document."))
    var scan: [String] = []

    /// What `--json` prints: the step's outcome and the cross-province case opened.
    struct Output: Encodable {
        var step: StepOutcome
        var exchange: ExchangeCase
    }

    /// The largest file a transfer carries (the exchange's limit).
    static let maximumScan = 52_428_800

    func scans() throws -> [String: Data] {
        var files: [String: Data] = [:]
        for text in scan {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex,
                text.index(after: equals) != text.endIndex
            else {
                throw usageError(
                    zh: "--scan：应为“材料代码=文件”，实际为“\(text)”", en: "--scan: expected CODE=FILE, got \"\(text)\"")
            }
            let code = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
            let path = String(text[text.index(after: equals)...])
            guard files[code] == nil else {
                throw usageError(zh: "--scan：材料“\(code)”给了两次", en: "--scan: \"\(code)\" is given twice")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size <= Self.maximumScan else {
                throw usageError(
                    zh: "--scan：\(path)超过50MB，不能随转办报文发送",
                    en: "--scan: \(path) is over 50 MB, more than a transfer carries")
            }
            files[code] = try DataFile.read(URL(fileURLWithPath: path))
        }
        return files
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let files = try scans()
            let outbox = try ExchangeOutbox.open(session.desk)
            let result = try await outbox.transferCase(number, scans: files, as: session.actor)
            if output.json {
                try Console.json(Output(step: ids.disclosure.apply(result.step), exchange: result.exchange))
                return
            }
            try await present(result.step, session, json: false, disclosure: ids.disclosure)
            let partner = try await session.desk.exchangePartners().first { $0.code == result.exchange.partnerCode }
            Console.print(
                session.zh
                    ? "已转办：业务协同编号 \(result.exchange.collaborationNumber)，办理地 \(partner?.name ?? result.exchange.partnerCode)；转办报文待投递（kaiban exchange send）"
                    : "transferred: collaboration number \(result.exchange.collaborationNumber), to \(partner?.name ?? result.exchange.partnerCode); the transfer waits in the outbox (kaiban exchange send)"
            )
        }
    }
}
