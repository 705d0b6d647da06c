import Foundation
import KaibanCore
import KaibanForms
import KaibanStore
import KaibanXML

/// What the desk found on an application before taking it in.
struct IntakeReview {
    var problems: [FieldProblem]
    var warnings: [FieldProblem]
    var name: NameAnalysis
}

extension Desk {
    /// The divisions file: seeds/divisions/divisions.xml beside Forms/.
    var divisionsFile: URL {
        formsRoot.deletingLastPathComponent().appendingPathComponent("seeds/divisions/divisions.xml")
    }

    /// Loads the divisions file into the database when its text changed since the last load.
    func syncDivisions() throws {
        guard !memo.divisionsSynced else { return }
        let data = try XMLDocumentParser.read(divisionsFile)
        let text = String(decoding: data, as: UTF8.self)
        let name = divisionsFile.lastPathComponent
        if try !store.isDivisionFileCurrent(name: name, text: text) {
            let divisions = try forms().divisionLoader.load(data, source: divisionsFile.path)
            try store.loadDivisions(divisions, name: name, text: text)
        }
        memo.divisionsSynced = true
    }

    /// What is known of a division code on `date`.
    func division(_ code: String, on date: CivilDate) throws -> DivisionStatus {
        try syncDivisions()
        return try store.division(code, on: date)
    }

    /// A hall's division names, outermost first (四川省, 广元市, 昭化区).
    func divisionNames(of hall: String, on date: CivilDate) throws -> [String] {
        let status = try division(hall, on: date)
        return (status.fullName ?? "").split(separator: " ").map(String.init)
    }

    /// A proposed name taken apart and checked against the rules and the names registered here.
    func analyzeName(_ name: String, type: EnterpriseType, hall: String, on date: CivilDate) throws -> NameAnalysis {
        var analysis = NameAnalysis(
            name: name, type: type, divisionNames: try divisionNames(of: hall, on: date), rules: try nameRules())
        let registered = try store.registeredNames(
            division: hall, tradeName: analysis.tradeName, industry: analysis.industry)
        analysis.check(
            against: registered.map {
                var other = analysis
                other.name = $0.name
                other.tradeName = $0.tradeName
                other.industry = $0.industry
                return other
            })
        return analysis
    }

    /// The checks intake runs on every name, division and ID number of an application.
    func review(_ application: CaseApplication, hall: String, at now: Date) throws -> IntakeReview {
        let date = HallTime.localDate(of: now)
        var problems: [FieldProblem] = []
        var warnings: [FieldProblem] = []
        let domicile = try division(application.domicileDivision, on: date)
        if domicile.state != .current {
            problems.append(
                FieldProblem(
                    field: "domicileDivision",
                    reason: LocalizedText(
                        zh:
                            "行政区划代码\(application.domicileDivision)在\(date)不是现行区划\(domicile.name.map { "（原\($0)）" } ?? "")",
                        en:
                            "division \(application.domicileDivision) is not in force on \(date)\(domicile.name.map { " (was \($0))" } ?? "")"
                    )))
        }
        let name = try analyzeName(application.proposedName, type: application.enterpriseType, hall: hall, on: date)
        problems += name.problems.map { FieldProblem(field: "proposedName", reason: $0) }
        warnings += name.warnings.map { FieldProblem(field: "proposedName", reason: $0) }
        if name.isValid {
            let pending = try store.openApplications(
                hall: hall, tradeName: name.tradeName, industry: name.industry)
            if !pending.isEmpty {
                let list = pending.joined(separator: ", ")
                warnings.append(
                    FieldProblem(
                        field: "proposedName",
                        reason: LocalizedText(
                            zh: "同一字号、行业的申请正在办理（\(list)），先发照者登记",
                            en:
                                "an application for the same trade name and industry is in progress (\(list)); the first licensed keeps the name"
                        )))
            }
        }
        var people = [("legalRepresentative.idNumber", application.legalRepresentative.idNumber)]
        for (index, investor) in application.investors.enumerated() where investor.kind == .person {
            people.append(("investors[\(index + 1)].idNumber", investor.idNumber))
        }
        for (field, number) in people {
            guard let id = try? CitizenID(number) else { continue }
            if let warning = try division(id.divisionCode, on: date).lifelongIdentifierWarning(
                DivisionStatus.issuingDivision)
            {
                warnings.append(FieldProblem(field: field, reason: warning))
            }
        }
        return IntakeReview(problems: problems, warnings: warnings, name: name)
    }

    /// Reviews and takes in an application; refuses with every problem, prints the warnings.
    func intake(_ application: CaseApplication, by clerk: String, at now: Date, hall: String? = nil) throws -> (
        RegistrationCase, [FieldProblem]
    ) {
        let definition = try store.latestDefinition(configuration.workflowID)
        let hall = hall ?? configuration.hall
        let review = try review(application, hall: hall, at: now)
        let problems = application.problems(knownTasks: definition.allTaskIDs) + review.problems
        guard problems.isEmpty else { throw ApplicationRejected(problems: problems) }
        let state = try store.intake(
            application, workflowID: configuration.workflowID, hall: hall, by: clerk, at: now,
            nameParts: NameParts(tradeName: review.name.tradeName, industry: review.name.industry))
        return (state, review.warnings)
    }
}
