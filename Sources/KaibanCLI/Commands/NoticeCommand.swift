import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanNotices

/// `kaiban notice N KIND`: the notice the applicant takes home (受理通知书, 一次性补正告知书,
/// 容缺受理承诺书, 容缺受理通知书, 不予受理通知书), as text or as an A4 HTML page.
struct NoticeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notice",
        abstract: localized(
            zh: "出具交给申请人的通知书（文本或可打印的A4 HTML页面）。", en: "The notice the applicant takes home (text or an A4 HTML page)."),
        discussion: localized(
            zh: """
                种类：acceptance 受理通知书，correction 一次性补正告知书，commitment 容缺受理承诺书，\
                deferral 容缺受理通知书，refusal 不予受理通知书。通知书不符合办件情况时（如未受理的办件要受理通知书）拒绝出具。\
                身份证号码一律遮蔽显示。
                """,
            en: """
                Kinds: acceptance 受理通知书, correction 一次性补正告知书, commitment 容缺受理承诺书, \
                deferral 容缺受理通知书, refusal 不予受理通知书. A notice that does not fit the case (an acceptance \
                notice for a case not accepted) is refused. ID numbers are always masked.
                """))

    @OptionGroup var global: GlobalOptions

    @Argument(help: .localized(zh: "办件编号，如 510811-20261126-0007。", en: "Case number, e.g. 510811-20261126-0007."))
    var number: CaseNumber

    @Argument(
        help: .localized(
            zh: "通知书种类：acceptance、correction、commitment、deferral 或 refusal。",
            en: "The notice: acceptance, correction, commitment, deferral or refusal."))
    var kind: String

    @Option(
        help: .localized(
            zh: "格式：text（文本，默认）或 html（可打印的A4页面）。", en: "Format: text (default) or html (a printable A4 page)."))
    var format: NoticeFormat = .text

    @Option(
        help: .localized(
            zh: "写入文件（整体替换，不写半个文件），而非标准输出。",
            en: "Write to this file (replaced whole, never half-written) instead of standard output."))
    var output: String?

    /// The kinds as typed.
    static var kindNames: [String] { NoticeKind.allCases.map(\.argument) }

    func validate() throws {
        guard NoticeKind(argument: kind) != nil else {
            throw usageError(
                zh: "通知书种类“\(kind)”无效，可选：\(Self.kindNames.joined(separator: "、"))",
                en: "no notice kind \"\(kind)\"; use one of \(Self.kindNames.joined(separator: ", "))")
        }
        if let output { try OutputFile.validate(output, what: "通知书文件") }
    }

    func run() async throws {
        guard let kind = NoticeKind(argument: kind) else { return }
        try await withDesk(global) { session in
            let content = try await session.desk.notice(number, kind)
            let text = try NoticeRenderer(formsRoot: session.settings.formsRoot).render(content, as: format)
            guard let output else {
                do {
                    try Console.write(text)
                } catch {
                    throw Problem(
                        .storage, "output.unwritable", zh: "无法写出标准输出", en: "standard output cannot be written")
                }
                return
            }
            let url = try OutputFile.write(text, to: output, protecting: OutputFile.protectedFolders(session.settings))
            Console.print(
                session.zh
                    ? "已出具\(kind.title.zh)（办件\(number)）：\(url.path)"
                    : "\(kind.title.en) for case \(number) written to \(url.path)")
        }
    }
}

extension NoticeFormat: ExpressibleByArgument {}
