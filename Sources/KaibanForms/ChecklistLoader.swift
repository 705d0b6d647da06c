import Foundation
import KaibanCore
import KaibanXML

/// Turns a document checklist file (Forms/checklists/, Forms/schemas/checklist-1.xsd) into a
/// ``DocumentChecklist``: XSD validation first, then the checks a schema cannot express (codes
/// unique per type, the deferral policy consistent), each reported with file and line.
public struct ChecklistLoader: Sendable {
    public static let namespace = "urn:kaiban:checklist:1"
    /// The longest deferral a checklist may allow, in working days.
    public static let deferralDays = 1...30
    let schema: XMLSchema

    public init(schema: XMLSchema) {
        self.schema = schema
    }

    /// Loads and checks the checklist in `data`, labelled `source` in messages.
    public func load(_ data: Data, source: String) throws(XMLProblem) -> DocumentChecklist {
        let root = try XMLDocumentParser.parse(data, source: source, schema: schema)
        return try Self.build(root, source: source)
    }

    /// Reads, loads and checks the checklist file at `url`.
    public func load(contentsOf url: URL) throws(XMLProblem) -> DocumentChecklist {
        try load(try XMLDocumentParser.read(url), source: url.path)
    }

    static func build(_ root: ParsedElement, source: String) throws(XMLProblem) -> DocumentChecklist {
        var issues: [XMLProblem.Issue] = []
        func fail(_ element: ParsedElement, _ message: String) {
            issues.append(XMLProblem.Issue(line: element.line, message: message))
        }
        func flag(_ value: String?) -> Bool { value == "true" || value == "1" }

        var items: [DocumentChecklist.Item] = []
        // The line where each type's codes were first defined.
        var seen: [EnterpriseType: [String: Int]] = [:]
        for element in root.child("documents")?.children("document") ?? [] {
            let code = element["code"] ?? ""
            let importance = DocumentRequirement.Importance(rawValue: element["importance"] ?? "") ?? .main
            let deferrable = flag(element["deferrable"])
            let days = element["max-deferral-days"]
            let blocks = DocumentRequirement.Blocks(rawValue: element["blocks"] ?? "") ?? .acceptance
            let types = (element["types"] ?? "").split(separator: " ").compactMap {
                EnterpriseType(rawValue: String($0))
            }

            var maxDeferralDays: Int?
            if let days {
                if !deferrable {
                    fail(element, "document \"\(code)\" has max-deferral-days but is not deferrable")
                } else if let value = Int(days), deferralDays.contains(value) {
                    maxDeferralDays = value
                } else {
                    fail(
                        element,
                        "document \"\(code)\" max-deferral-days \"\(days)\" is not \(deferralDays.lowerBound) to \(deferralDays.upperBound) working days"
                    )
                }
            } else if deferrable {
                fail(element, "deferrable document \"\(code)\" needs max-deferral-days")
            }
            if deferrable && importance == .main {
                fail(element, "document \"\(code)\" is main and cannot be deferrable; only secondary documents are")
            }
            if blocks == .acceptance && importance != .main {
                fail(element, "document \"\(code)\" is secondary and cannot block acceptance; only main documents do")
            }
            if Set(types).count != types.count {
                fail(element, "document \"\(code)\" lists a type twice")
            }
            for type in types.isEmpty ? EnterpriseType.allCases : Array(Set(types)) {
                if let first = seen[type, default: [:]].updateValue(element.line, forKey: code) {
                    fail(
                        element,
                        "duplicate code \"\(code)\" for type \(type.rawValue) (first at line \(first))")
                }
            }

            guard let condition = condition(element["condition"] ?? "always") else {
                fail(element, "document \"\(code)\" has an unknown condition \"\(element["condition"] ?? "")\"")
                continue
            }
            items.append(
                DocumentChecklist.Item(
                    requirement: DocumentRequirement(
                        code: code, name: LocalizedText(zh: element["name"] ?? "", en: element["name-en"] ?? ""),
                        importance: importance, deferrable: deferrable, maxDeferralDays: maxDeferralDays,
                        blocks: blocks),
                    types: types, condition: condition))
        }

        let termsElement = root.child("prior-permit-terms")
        let terms = (termsElement?.children("term") ?? []).map { $0["name"] ?? "" }
        if items.contains(where: { $0.condition == .priorPermit }) && terms.isEmpty, let termsElement {
            fail(termsElement, "a document needs a prior permit but no prior-permit term is listed")
        }

        guard issues.isEmpty else {
            throw XMLProblem(source: source, issues: issues.sorted { $0.line < $1.line })
        }
        return DocumentChecklist(
            key: DocumentChecklist.Key(id: root["id"] ?? "", version: Int(root["version"] ?? "") ?? 0),
            title: LocalizedText(zh: root["title"] ?? "", en: root["title-en"] ?? ""), items: items,
            priorPermitTerms: terms)
    }

    /// The condition written as in checklist-1.xsd (`always`, `tenure=leased`,
    /// `investor-kind=company`, `agent`, `prior-permit`).
    static func condition(_ text: String) -> DocumentChecklist.Condition? {
        switch text {
        case "always": return .always
        case "agent": return .agent
        case "prior-permit": return .priorPermit
        default: break
        }
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "tenure": return DomicileTenure(rawValue: parts[1]).map { .domicileTenure($0) }
        case "investor-kind": return InvestorKind(rawValue: parts[1]).map { .investorKind($0) }
        default: return nil
        }
    }
}
