import Foundation
import KaibanCore
import KaibanXML

/// Reads the divisions file (Forms/schemas/divisions-1.xsd).
public struct DivisionLoader: Sendable {
    let schema: XMLSchema

    public init(schema: XMLSchema) {
        self.schema = schema
    }

    public func load(_ data: Data, source: String) throws(XMLProblem) -> [Division] {
        let root = try XMLDocumentParser.parse(data, source: source, schema: schema)
        var issues: [XMLProblem.Issue] = []
        let divisions = root.children("division").compactMap { element -> Division? in
            guard let code = element["code"], let name = element["name"],
                let from = element["from"].flatMap(CivilDate.init)
            else {
                issues.append(.init(line: element.line, message: "division needs code, name and from"))
                return nil
            }
            let to = element["to"].flatMap(CivilDate.init)
            if let to, to <= from {
                issues.append(.init(line: element.line, message: "\(code) \(name): to is not after from"))
            }
            return Division(code: code, name: name, validFrom: from, validTo: to, note: element["note"])
        }
        guard issues.isEmpty else { throw XMLProblem(source: source, issues: issues) }
        return divisions
    }
}
