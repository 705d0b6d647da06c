import Foundation
import KaibanCore
import KaibanXML

/// Reads the name rules (Forms/schemas/name-rules-1.xsd).
public struct NameRulesLoader: Sendable {
    let schema: XMLSchema

    public init(schema: XMLSchema) {
        self.schema = schema
    }

    public func load(_ data: Data, source: String) throws(XMLProblem) -> NameRules {
        let root = try XMLDocumentParser.parse(data, source: source, schema: schema)
        func words(_ text: String?) -> [String] {
            (text ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
        }
        var forms: [String: [String]] = [:]
        for element in root.children("form") {
            forms[element["type"] ?? "", default: []] += words(element["words"])
        }
        let listed = root.children("forbidden").map { ($0, false) } + root.children("restricted").map { ($0, true) }
        return NameRules(
            forms: forms, industries: words(root.childText("industries")),
            words: listed.map { element, restricted in
                NameRules.Word(
                    word: element["word"] ?? "",
                    reason: LocalizedText(zh: element["reason"] ?? "", en: element["reason-en"] ?? ""),
                    restricted: restricted)
            })
    }
}
