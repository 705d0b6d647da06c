import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

/// `kaiban documents N`: the case's document checklist, what is in and what is missing.
struct DocumentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents",
        abstract: localized(zh: "查看办件的材料清单：已收、缺少的主要材料和次要材料。", en: "A case's document checklist (材料清单)."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let documents = try await session.desk.documents(number)
            if output.json {
                try Console.json(documents)
                return
            }
            let zh = session.zh
            var table = TextTable(
                zh
                    ? ["代码", "材料", "类别", "状态", "收到时间", "方式", "经办人", "补交期限"]
                    : ["code", "document", "kind", "state", "received", "form", "by", "deadline"])
            for status in documents.documents {
                let requirement = status.requirement
                let kind =
                    requirement.importance == .main
                    ? (zh ? "主要" : "main")
                    : (zh ? "次要" : "secondary")
                        // The limit only while nothing is signed: a deferred document's term is
                        // its deadline (a commitment for one day had read "deferrable 3 wd").
                        + (status.deferralDays.map {
                            zh ? "，可容缺\($0)个工作日" : ", deferrable \($0) wd"
                        }.flatMap { status.deadline == nil ? $0 : nil } ?? "")
                let state: String
                switch status.state {
                case .present: state = zh ? "已收" : "received"
                case .missingMain: state = zh ? "缺（主要）" : "missing (main)"
                case .missingDeferrable: state = zh ? "缺（可容缺）" : "missing (deferrable)"
                case .missingSecondary: state = zh ? "缺（次要）" : "missing (secondary)"
                case .deferred: state = zh ? "容缺待补" : "deferred"
                case .suppliedLate: state = zh ? "逾期补交" : "supplied late"
                }
                table.add([
                    requirement.code, requirement.name.text(session.language), kind, state,
                    status.receipt.map { HallTime.localText(of: $0.at) } ?? "",
                    status.receipt.map { CasePresenter.documentForm($0.document.form, zh: zh) } ?? "",
                    status.receipt?.by ?? "", status.deadline.map(HallTime.localText(of:)) ?? "",
                ])
            }
            Console.print(table.rendered)
            for status in documents.documents {
                guard let file = status.attachment else { continue }
                let name = file.fileName.map { FreeText.showingHidden($0) } ?? "-"
                Console.print(
                    zh
                        ? "附件 \(file.code)：\(name)，\(file.mediaType)，\(file.size)字节，SHA-256 \(file.sha256)，经\(file.portal)"
                        : "file \(file.code): \(name), \(file.mediaType), \(file.size) bytes, SHA-256 \(file.sha256), via \(file.portal)"
                )
            }
            let missing = documents.missingMain
            Console.print(
                missing.isEmpty
                    ? (zh ? "主要材料齐全" : "the main documents are complete")
                    : (zh
                        ? "缺少主要材料\(missing.count)件，不能受理"
                        : "\(missing.count) main documents missing: not acceptable yet"))
        }
    }
}

/// `kaiban receive N CODE…`: documents received for a case (材料签收).
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: localized(zh: "登记收到的申请材料（纸质、电子或邮寄）。", en: "Record documents received for a case."),
        discussion: localized(
            zh: "材料代码见 kaiban documents 办件编号。电子材料须用 --sha256 附文件摘要（一次一件）。",
            en: "Codes as kaiban documents N lists them. An electronic document needs --sha256 (one at a time)."))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var time: InstantOption
    @OptionGroup var lateEntry: LateEntryOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: .localized(zh: "办件编号。", en: "Case number."))
    var number: CaseNumber

    @Argument(help: .localized(zh: "收到的材料代码，可多个。", en: "The documents' codes."))
    var codes: [String]

    @OptionGroup var how: DocumentFormOptions

    func validate() throws {
        try how.validate(codes)
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let outcome = try await session.desk.receiveDocuments(
                number, how.documents(codes), as: session.actor, at: time.instant, late: lateEntry.late)
            try await present(outcome, session, json: output.json)
        }
    }
}

/// How documents came (paper, electronic with its SHA-256, post), for `receive` and `supplement`.
struct DocumentFormOptions: ParsableArguments {
    @Option(
        help: .localized(
            zh: "方式：paper（纸质，默认）、electronic（电子）或 post（邮寄）。", en: "How they came: paper (default), electronic or post."))
    var form: ReceivedDocument.Form = .paper

    @Option(
        help: .localized(
            zh: "电子材料文件的SHA-256摘要（64位小写十六进制）。", en: "An electronic file's SHA-256 (64 lowercase hex digits)."))
    var sha256: String?

    func validate(_ codes: [String]) throws {
        if sha256 != nil && codes.count != 1 {
            throw usageError(zh: "--sha256 一次只能用于一件材料", en: "--sha256 goes with one document at a time")
        }
    }

    func documents(_ codes: [String]) -> [ReceivedDocument] {
        codes.map { ReceivedDocument(code: $0, form: form, sha256: sha256) }
    }
}

extension ReceivedDocument.Form: ExpressibleByArgument {}

extension DocumentSelection {
    /// The documents `--received` or `--documents` names: `all`, or codes separated by commas,
    /// each received in `form`; `.none` without the flag, nil when the text names nothing.
    static func named(_ text: String?, form: ReceivedDocument.Form) -> DocumentSelection? {
        guard let text else { return DocumentSelection.none }
        let codes = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if codes.isEmpty { return nil }
        if codes == ["all"] { return .all }
        return .some(codes.map { ReceivedDocument(code: $0, form: form) })
    }
}
