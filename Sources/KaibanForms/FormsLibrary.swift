import Foundation
import KaibanCore
import KaibanXML

/// The Forms/ folder: schemas compiled once, workflow definitions, document checklists and
/// application files read through them.
public struct FormsLibrary: Sendable {
    public let root: URL
    public let workflowSchema: XMLSchema
    public let caseSchema: XMLSchema
    public let deskDaySchema: XMLSchema
    public let calendarSchema: XMLSchema
    public let officeHoursSchema: XMLSchema
    public let divisionsSchema: XMLSchema
    public let nameRulesSchema: XMLSchema
    public let checklistSchema: XMLSchema
    /// The 川渝通办 exchange messages (Forms/exchange/exchange-1.xsd).
    public let exchangeSchema: XMLSchema

    /// Opens the Forms folder at `root`, compiling its schemas.
    public init(root: URL) throws(XMLProblem) {
        self.root = root
        let schemas = root.appendingPathComponent("schemas")
        self.workflowSchema = try XMLSchema(contentsOf: schemas.appendingPathComponent("workflow-1.xsd"))
        self.caseSchema = try XMLSchema(contentsOf: schemas.appendingPathComponent("case-1.xsd"))
        self.deskDaySchema = try XMLSchema(contentsOf: schemas.appendingPathComponent("desk-day-1.xsd"))
        self.calendarSchema = try XMLSchema(contentsOf: schemas.appendingPathComponent("calendar-1.xsd"))
        self.officeHoursSchema = try XMLSchema(contentsOf: schemas.appendingPathComponent("office-hours-1.xsd"))
        self.divisionsSchema = try XMLSchema(contentsOf: schemas.appendingPathComponent("divisions-1.xsd"))
        self.nameRulesSchema = try XMLSchema(contentsOf: schemas.appendingPathComponent("name-rules-1.xsd"))
        self.checklistSchema = try XMLSchema(contentsOf: schemas.appendingPathComponent("checklist-1.xsd"))
        self.exchangeSchema = try XMLSchema(contentsOf: root.appendingPathComponent("exchange/exchange-1.xsd"))
    }

    public var workflowLoader: WorkflowDefinitionLoader { WorkflowDefinitionLoader(schema: workflowSchema) }

    public var checklistLoader: ChecklistLoader { ChecklistLoader(schema: checklistSchema) }

    public var caseFileLoader: CaseFileLoader { CaseFileLoader(schema: caseSchema) }

    public var divisionLoader: DivisionLoader { DivisionLoader(schema: divisionsSchema) }

    /// The name rules of Forms/names/name-rules.xml.
    public func nameRules() throws(XMLProblem) -> NameRules {
        let url = root.appendingPathComponent("names/name-rules.xml")
        let data = try XMLDocumentParser.read(url)
        return try NameRulesLoader(schema: nameRulesSchema).load(data, source: url.path)
    }

    public var calendarLoader: CalendarLoader {
        CalendarLoader(calendarSchema: calendarSchema, officeHoursSchema: officeHoursSchema)
    }

    /// The workflow definition files (Forms/workflows/*.xml), sorted by name.
    public static func workflowFiles(in root: URL) -> [URL] {
        let folder = root.appendingPathComponent("workflows")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".xml") }.sorted().map { folder.appendingPathComponent($0) }
    }

    /// The document checklist files (Forms/checklists/*.xml), sorted by name.
    public static func checklistFiles(in root: URL) -> [URL] {
        let folder = root.appendingPathComponent("checklists")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".xml") }.sorted().map { folder.appendingPathComponent($0) }
    }
}
