import Foundation
import KaibanCore
import KaibanDesk
import Mustache

/// How a notice is laid out: plain text for a terminal, or one self-contained HTML page that
/// prints on A4.
public enum NoticeFormat: String, Sendable, Codable, CaseIterable {
    case text
    case html

    /// The format's part of a template's name: `acceptance.txt`, `acceptance.html`.
    public var templateSuffix: String {
        switch self {
        case .text: "txt"
        case .html: "html"
        }
    }
}

/// Renders notices from the templates kept as data in `Forms/notices/` (Mustache): for each kind
/// `KIND.txt.mustache` and `KIND.html.mustache` (KIND as ``NoticeKind``'s raw value), which share
/// `layout.txt.mustache`, `layout.html.mustache` and the A4 print style `print-a4.css.mustache`.
/// Case data reaches a page only through `{{ }}`, which escapes it for HTML.
public struct NoticeRenderer: Sendable {
    /// The templates' folder.
    public let folder: URL
    let library: MustacheLibrary

    /// The templates of `formsRoot`/notices, all read and parsed now: a broken one is a problem
    /// naming its file and line.
    public init(formsRoot: URL) throws(Problem) {
        folder = formsRoot.appendingPathComponent("notices")
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                $0.hasSuffix(Self.fileExtension)
            }
            .sorted()
        } catch {
            throw Problem(
                .brokenData, "data.unreadable", zh: "无法读取通知书模板文件夹\(folder.path)",
                en: "cannot read the notice templates' folder \(folder.path)")
        }
        var library = MustacheLibrary()
        for name in names {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path),
                let text = String(data: data, encoding: .utf8)
            else {
                throw Problem(
                    .brokenData, "data.unreadable", zh: "无法读取通知书模板\(url.path)（应为UTF-8文本）",
                    en: "cannot read the notice template \(url.path) (UTF-8 text expected)")
            }
            do {
                try library.register(text, named: String(name.dropLast(Self.fileExtension.count)))
            } catch let error as MustacheTemplate.ParserError {
                let message = "\(error.error)"
                throw Problem(
                    .brokenData, "data.invalid", zh: "通知书模板有误：\(url.path)", en: "invalid notice template: \(url.path)",
                    fields: [
                        FieldProblem(
                            field: "\(url.path):\(error.context.lineNumber)",
                            reason: LocalizedText(zh: message, en: message))
                    ])
            } catch {
                throw Problem(
                    .brokenData, "data.invalid", zh: "通知书模板有误：\(url.path)（\(error)）",
                    en: "invalid notice template: \(url.path) (\(error))")
            }
        }
        self.library = library
    }

    static let fileExtension = ".mustache"

    /// The name of the template for `kind` in `format`: `acceptance.html`.
    public static func templateName(_ kind: NoticeKind, _ format: NoticeFormat) -> String {
        "\(kind.rawValue).\(format.templateSuffix)"
    }

    /// Notice `content` laid out in `format`.
    public func render(_ content: NoticeContent, as format: NoticeFormat) throws(Problem) -> String {
        let name = Self.templateName(content.kind, format)
        guard let text = library.render(NoticeView(content), withTemplate: name) else {
            throw Problem(
                .brokenData, "notice.template-missing",
                zh: "缺少通知书模板\(folder.appendingPathComponent(name + Self.fileExtension).path)",
                en: "no notice template \(folder.appendingPathComponent(name + Self.fileExtension).path)")
        }
        return text
    }
}

/// What the templates see: the notice's text values, lists numbered from 1.
struct NoticeView {
    struct Item {
        var number: Int
        var code: String?
        var name: String
        var form: String?
        var deadlineText: String?
        var note: String?
    }

    var kind: String
    var title: String
    var hallCode: String
    var hallName: String
    var number: String
    var enterpriseName: String
    var enterpriseType: String
    var applicant: NoticeParty
    var agent: NoticeParty?
    var submittedOnText: String
    var dateText: String
    var atText: String
    var promisedLimitText: String?
    var promisedByText: String?
    var promisedProvisional: Bool
    var missingDocuments: [Item]
    var hasMissingDocuments: Bool
    var reason: String?
    var deferredItems: [Item]
    var hasDeferredItems: Bool
    var signer: NoticeParty?
    var consequence: String?

    init(_ content: NoticeContent) {
        func numbered(_ items: [NoticeItem]) -> [Item] {
            items.enumerated().map { index, item in
                Item(
                    number: index + 1, code: item.code, name: item.name, form: item.form,
                    deadlineText: item.deadlineText, note: item.note)
            }
        }
        kind = content.kind.rawValue
        title = content.title
        hallCode = content.hallCode
        hallName = content.hallName
        number = content.number.description
        enterpriseName = content.enterpriseName
        enterpriseType = content.enterpriseType
        applicant = content.applicant
        agent = content.agent
        submittedOnText = content.submittedOnText
        dateText = content.dateText
        atText = content.atText
        promisedLimitText = content.promisedLimitText
        promisedByText = content.promisedByText
        promisedProvisional = content.promisedProvisional == true
        missingDocuments = numbered(content.missingDocuments)
        hasMissingDocuments = !content.missingDocuments.isEmpty
        reason = content.reason
        deferredItems = numbered(content.deferredItems)
        hasDeferredItems = !content.deferredItems.isEmpty
        signer = content.signer
        consequence = content.consequence
    }
}
