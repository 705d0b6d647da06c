import Foundation
import KaibanCore
import KaibanForms
import KaibanTestSupport
import KaibanXML
import Testing

@Suite struct WorkflowDefinitionLoaderTests {
    let forms: FormsLibrary
    let source: String

    init() throws {
        forms = try Fixtures.forms()
        source = try String(contentsOf: Fixtures.workflowFile, encoding: .utf8)
    }

    func load(_ text: String) throws(XMLProblem) -> WorkflowDefinition {
        try forms.workflowLoader.load(Data(text.utf8), source: "edited.xml")
    }

    /// The line of the first occurrence of `needle` in the committed definition.
    func line(of needle: String) -> Int {
        (source.components(separatedBy: "\n").firstIndex { $0.contains(needle) } ?? -1) + 1
    }

    /// Expects `text` to be refused with a message containing `reason` at `line`.
    func expectRefused(_ text: String, line: Int, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(sourceLocation: sourceLocation) {
            _ = try load(text)
        } throws: { error in
            guard let problem = error as? XMLProblem else { return false }
            return problem.issues.contains { $0.line == line && $0.message.contains(reason) }
                && problem.description.contains("edited.xml:\(line):")
        }
    }

    @Test func theCommittedDefinitionLoads() throws {
        let definition = try load(source)
        #expect(definition.key == WorkflowDefinition.Key(id: "company-formation", version: 6))
        #expect(definition.specialProcedureStages == ["transferred-special"])
        #expect(definition.stage("transferred-correction")?.pause == nil)
        #expect(definition.initialStage == "received")
        #expect(
            definition.stages.filter(\.terminal).map(\.id) == [
                "completed", "completed-deferred", "terminated", "revoked", "refused", "rejected", "withdrawn",
            ])
        #expect(definition.deferral == DeferralPolicy(roles: ["window"], extendRoles: ["supervisor"], promisedDays: 3))
        #expect(definition.transition("accept")?.guards == [.acceptanceDocuments, .localCase])
        #expect(definition.transition("complete")?.guards == [.allTasksDone, .noDeferralOpen])
        #expect(definition.stage("supplement")?.clock == .paused)
        #expect(
            definition.taskGroups.first?.tasks.map(\.id) == [
                "seal", "tax", "social-insurance", "provident-fund", "bank",
            ])
        #expect(definition.stages.compactMap(\.budgetMinutes).reduce(0, +) == 192)
        #expect(definition.stage("correction")?.clock == .paused)
    }

    @Test func aSchemaViolationIsRefusedWithItsLine() {
        let edited = source.replacingOccurrences(of: "clock=\"paused\"", with: "clock=\"sometimes\"")
        expectRefused(edited, line: line(of: "id=\"correction\""), "sometimes")
    }

    @Test func onlyAPausedStageSaysWhoseTimeItIs() {
        let running = source.replacingOccurrences(
            of: #"clock="running" budget-minutes="60"/>"#,
            with: #"clock="running" budget-minutes="60" pause="applicant"/>"#)
        expectRefused(running, line: line(of: "id=\"review\""), "pause")
        let unknown = source.replacingOccurrences(of: #"pause="special-procedure""#, with: #"pause="hearing""#)
        expectRefused(unknown, line: line(of: #"pause="special-procedure""#), "hearing")
    }

    @Test func aBudgetBeyondFortyYearsOfWorkingTimeIsRefused() {
        // Its seconds would overflow the clock's arithmetic.
        let edited = source.replacingOccurrences(
            of: "budget-minutes=\"192\"", with: "budget-minutes=\"99999999999999999\"")
        expectRefused(edited, line: line(of: "budget-minutes=\"192\""), "99999999999999999")
    }

    @Test func aTransitionToAnUnknownStageIsRefused() {
        let edited = source.replacingOccurrences(
            of: "to=\"accepted\" roles=\"window\"\n", with: "to=\"acepted\" roles=\"window\"\n")
        // A start tag over two lines is reported at the line that closes it.
        expectRefused(
            edited, line: line(of: "guard=\"acceptance-documents local-case\"/>"), "unknown stage \"acepted\"")
    }

    @Test func anUnknownRoleIsRefused() {
        let edited = source.replacingOccurrences(
            of: "to=\"approved\" roles=\"reviewer\"", with: "to=\"approved\" roles=\"boss\"")
        expectRefused(edited, line: line(of: "transition id=\"approve\""), "unknown role \"boss\"")
    }

    @Test func aDuplicateStageIsRefused() {
        let edited = source.replacingOccurrences(of: "<stage id=\"rejected\"", with: "<stage id=\"refused\"")
        expectRefused(edited, line: line(of: "<stage id=\"rejected\""), "duplicate stage id \"refused\"")
    }

    @Test func anUnreachableStageIsRefused() {
        let edited = source.replacingOccurrences(
            of: "from=\"review\" to=\"rejected\"", with: "from=\"review\" to=\"refused\""
        ).replacingOccurrences(
            of: "from=\"transferred transferred-correction transferred-special\"\n                to=\"rejected\"",
            with: "from=\"transferred transferred-correction transferred-special\"\n                to=\"refused\"")
        expectRefused(edited, line: line(of: "<stage id=\"rejected\""), "cannot be reached")
    }

    @Test func aTerminalStageMustStopTheClock() {
        let edited = source.replacingOccurrences(
            of: "name-en=\"withdrawn\" clock=\"stopped\"", with: "name-en=\"withdrawn\" clock=\"running\"")
        expectRefused(edited, line: line(of: "<stage id=\"withdrawn\""), "must have clock=\"stopped\"")
    }

    @Test func aTaskGroupNeedsAJoin() {
        let edited = source.replacingOccurrences(
            of: "guard=\"all-tasks-done no-deferral-open\" automatic=\"true\"", with: "roles=\"window\""
        ).replacingOccurrences(
            of: "guard=\"all-tasks-done deferral-open\" automatic=\"true\"", with: "roles=\"window\"")
        expectRefused(edited, line: line(of: "<task-group"), "all-tasks-done")
    }

    @Test func aDoctypeIsRefused() {
        let edited = source.replacingOccurrences(
            of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "<?xml version=\"1.0\"?><!DOCTYPE workflow>")
        #expect(throws: XMLProblem(source: "edited.xml", line: 1, "DOCTYPE declarations are not accepted")) {
            try load(edited)
        }
    }
}

@Suite struct CaseFileLoaderTests {
    @Test func everyDemoCaseFileLoadsAndIsValid() throws {
        let forms = try Fixtures.forms()
        let (definition, _) = try Fixtures.companyFormation()
        let folder = Fixtures.packageRoot.appendingPathComponent("seeds/demo/cases")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".xml") }
        #expect(files.count >= 20)
        var channels: Set<Channel> = []
        var types: Set<EnterpriseType> = []
        for file in files {
            let url = folder.appendingPathComponent(file)
            let application = try forms.caseFileLoader.load(try Data(contentsOf: url), source: file)
            #expect(application.problems(knownTasks: definition.allTaskIDs, on: Fixtures.day).isEmpty, "\(file)")
            channels.insert(application.channel)
            types.insert(application.enterpriseType)
        }
        // Every channel a hall takes applications in by itself (川渝通办 cases come by the exchange).
        #expect(channels == Set(Channel.allCases).subtracting([.crossProvince]))
        #expect(types == Set(EnterpriseType.allCases))
    }

    @Test func aBadAmountIsRefusedWithItsLine() throws {
        let forms = try Fixtures.forms()
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <application xmlns="urn:kaiban:case:1" channel="window" type="llc">
              <name>广元市昭化区某某有限公司</name>
              <capital>50万</capital>
            </application>
            """
        #expect {
            _ = try forms.caseFileLoader.load(Data(text.utf8), source: "bad.xml")
        } throws: { error in
            (error as? XMLProblem)?.issues.contains { $0.line == 4 } == true
        }
    }

    @Test func theDemoDayLoadsInTimeOrder() throws {
        let day = try DeskDay.load(
            Fixtures.packageRoot.appendingPathComponent("seeds/demo/desk-day.xml"), forms: try Fixtures.forms())
        #expect(day.caseCount >= 20)
        #expect(day.clerks.contains { $0.roles.contains("supervisor") })
        #expect(zip(day.actions, day.actions.dropFirst()).allSatisfy { $0.at <= $1.at })
    }
}
