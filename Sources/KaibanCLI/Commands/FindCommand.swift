import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk

extension CaseLookup.Kind: ExpressibleByArgument {}

/// `kaiban find QUERY`: cases by a name, ID number, phone number or credit code.
struct FindCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "find",
        abstract: localized(
            zh: "按姓名或名称、身份证号码、电话号码或统一社会信用代码查找办件。",
            en: "Find cases by a name, ID number, phone number or credit code (查找办件)."),
        discussion: localized(
            zh: """
                姓名和名称（法定代表人、出资人、联系人的姓名，申请的企业名称及其字号）可全文匹配，也可按开头匹配\
                （--exact：只按全文匹配）；身份证号码、电话号码（忽略空格和连字符）和统一社会信用代码须完整匹配，字母不区分\
                大小写。未用 --by 时，18 位字母和数字按身份证号码和统一社会信用代码查找，纯数字按电话号码查找，其余按姓名或名称\
                查找。最新的办件排在最前。
                """,
            en: """
                Names (legal representative, investors, contact, the proposed name and its trade name) match whole or \
                by their beginning (--exact: whole only); ID numbers, phone numbers (spaces and dashes ignored) and \
                credit codes match whole, letters in either case. Without --by, 18 letters and digits are looked up \
                as an ID number and a credit code, digits as a phone number, anything else as a name. Newest case \
                first.
                """
        ))

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var ids: IDOptions

    @Argument(
        help: .localized(
            zh: "查找内容，如 张伟、青禾、11010519491231002X、130-0000-0000、91510811MA…。",
            en: "What to look for, e.g. 张伟, 青禾, 11010519491231002X, 130-0000-0000, 91510811MA…."))
    var query: String

    @Option(
        help: .localized(
            zh: "查找内容的类别：name（姓名或名称）、id-number（身份证号码）、phone（电话号码）或 credit-code（统一社会信用代码）。",
            en: "Take the query as: name, id-number, phone or credit-code."))
    var by: CaseLookup.Kind?

    @Flag(
        help: .localized(
            zh: "姓名和名称只按全文匹配，不匹配以查找内容开头的。", en: "Names: whole names only, not names that begin with the query."))
    var exact = false

    @Option(
        parsing: .unconditional, help: .localized(zh: "最多列出的办件数（1-10000）。", en: "At most this many cases (1-10000)."))
    var limit = 20

    @Option(
        parsing: .unconditional,
        help: .localized(zh: "先跳过的办件数（用于翻页）。", en: "Skip this many cases first (the next page)."))
    var offset = 0

    func validate() throws {
        try validateLimit(limit)
        guard offset >= 0 else { throw usageError(zh: "--offset 不能为负数", en: "--offset cannot be negative") }
    }

    func run() async throws {
        try await withDesk(global, json: output.json) { session in
            let result = ids.disclosure.apply(
                try await session.desk.find(query, by: by, exact: exact, limit: limit, offset: offset))
            if output.json {
                try Console.json(result)
                return
            }
            let zh = session.zh
            if result.prefixLimited {
                Console.print(
                    zh
                        ? "以“\(result.query)”开头的登记过多，只列出完全为“\(result.query)”的；请输入更完整的名称"
                        : "too many names begin with \"\(result.query)\": only those that are exactly \"\(result.query)\" are listed; type more of the name"
                )
            }
            guard !result.cases.isEmpty else {
                Console.print(zh ? "没有找到办件" : "no case found")
                return
            }
            var presenters: [WorkflowDefinition.Key: CasePresenter] = [:]
            for definition in try await session.desk.definitions() {
                presenters[definition.key] = CasePresenter(definition: definition, language: session.language)
            }
            var table = TextTable(
                zh
                    ? ["办件编号", "名称", "环节", "状态", "收件日期", "匹配"]
                    : ["case", "name", "stage", "state", "received", "matched"])
            for found in result.cases {
                table.add([
                    found.number.description, found.proposedName,
                    presenters[found.workflow]?.stage(found.stage) ?? found.stage,
                    found.open ? (zh ? "办理中" : "open") : (zh ? "已结束" : "closed"),
                    HallTime.localDate(of: found.openedAt).description,
                    found.matched.map { Self.fieldName($0, zh: zh) }.joined(separator: zh ? "、" : ", "),
                ])
            }
            Console.print(table.rendered)
            if result.more {
                Console.print(
                    zh
                        ? "还有更多：用 --offset \(result.offset + result.limit) 查看下一页"
                        : "more cases match: --offset \(result.offset + result.limit) for the next page")
            }
        }
    }

    /// A matched field in words: `investors[2].name` → 出资人2 / investor 2.
    static func fieldName(_ field: String, zh: Bool) -> String {
        let parts = field.split(separator: ".").map(String.init)
        var subject = parts.first ?? field
        var index = ""
        if let open = subject.firstIndex(of: "["), let close = subject.firstIndex(of: "]"), open < close {
            index = String(subject[subject.index(after: open)..<close])
            subject = String(subject[..<open])
        }
        let names: [String: (String, String)] = [
            "proposedName": ("名称", "name"), "tradeName": ("字号", "trade name"),
            "legalRepresentative": ("法定代表人", "legal representative"), "investors": ("出资人", "investor "),
            "contact": ("联系人", "contact"), "creditCode": ("统一社会信用代码", "credit code"),
        ]
        let attributes: [String: (String, String)] = [
            "name": ("", ""), "idNumber": ("证件号码", " ID"), "phone": ("电话", " phone"),
        ]
        let name = names[subject].map { zh ? $0.0 : $0.1 } ?? subject
        let attribute = parts.count > 1 ? (attributes[parts[1]].map { zh ? $0.0 : $0.1 } ?? parts[1]) : ""
        return name + index + attribute
    }
}
