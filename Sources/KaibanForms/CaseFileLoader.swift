import Foundation
import KaibanCore
import KaibanXML

/// Reads an application file (Forms/schemas/case-1.xsd) into a ``CaseApplication``.
public struct CaseFileLoader: Sendable {
    let schema: XMLSchema

    public init(schema: XMLSchema) {
        self.schema = schema
    }

    public func load(_ data: Data, source: String) throws(XMLProblem) -> CaseApplication {
        let root = try XMLDocumentParser.parse(data, source: source, schema: schema)
        var issues: [XMLProblem.Issue] = []
        func money(_ text: String?, _ element: ParsedElement, _ field: String) -> Money {
            guard let text else { return .zero }
            guard let value = Money(yuan: text) else {
                issues.append(.init(line: element.line, message: "\(field): \"\(text)\" is not an amount in yuan"))
                return .zero
            }
            return value
        }
        let legal = root.child("legal-representative") ?? ParsedElement(name: "")
        let domicile = root.child("domicile") ?? ParsedElement(name: "")
        let contact = root.child("contact") ?? ParsedElement(name: "")
        let capitalElement = root.child("capital") ?? root
        let investors = root.children("investor").map { element in
            Investor(
                name: element["name"] ?? "", kind: InvestorKind(rawValue: element["kind"] ?? "person") ?? .person,
                idNumber: element["id-number"] ?? "",
                contribution: money(element["contribution"] ?? "0", element, "contribution"),
                form: element["form"] ?? "货币")
        }
        let application = CaseApplication(
            channel: Channel(rawValue: root["channel"] ?? "") ?? .window,
            enterpriseType: EnterpriseType(rawValue: root["type"] ?? "") ?? .limitedLiabilityCompany,
            proposedName: root.childText("name") ?? "",
            registeredCapital: money(root.childText("capital") ?? "0", capitalElement, "capital"),
            domicile: domicile.text.trimmingCharacters(in: .whitespacesAndNewlines),
            domicileDivision: domicile["division"] ?? "",
            businessScope: root.childText("scope") ?? "",
            legalRepresentative: Person(name: legal["name"] ?? "", idNumber: legal["id-number"] ?? ""),
            investors: investors,
            contact: Contact(name: contact["name"] ?? "", phone: contact["phone"] ?? ""),
            requestedTasks: (root.childText("tasks") ?? "").split(whereSeparator: \.isWhitespace).map(String.init),
            domicileTenure: domicile["tenure"].flatMap(DomicileTenure.init(rawValue:)),
            agent: root.child("agent").map { Person(name: $0["name"] ?? "", idNumber: $0["id-number"] ?? "") },
            special: root.child("special").map { element in
                guard let kind = SpecialKind(rawValue: element["kind"] ?? "") else {
                    issues.append(
                        .init(line: element.line, message: "special: unknown kind \"\(element["kind"] ?? "")\""))
                    return SpecialRequest(kind: .elderly, reason: "")
                }
                return SpecialRequest(kind: kind, reason: element.text.trimmingCharacters(in: .whitespacesAndNewlines))
            },
            mailingAddress: root.childText("mailing-address"))
        guard issues.isEmpty else { throw XMLProblem(source: source, issues: issues) }
        return application
    }
}
