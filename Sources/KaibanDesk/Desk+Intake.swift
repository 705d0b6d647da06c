import Foundation
import KaibanCore
import KaibanForms
import KaibanXML

/// What intake returns: the new case and what the desk noticed without refusing.
public struct IntakeResult: Sendable, Equatable, Codable {
    public var `case`: RegistrationCase
    public var warnings: [FieldProblem]
}

/// What the desk found on an application before taking it in.
struct IntakeReview {
    var problems: [FieldProblem]
    var warnings: [FieldProblem]
    var name: NameAnalysis
}

extension Desk {
    /// Reads an application file (Forms/schemas/case-1.xsd). A file that breaks the schema is a
    /// bad application like any other, with its lines named.
    public func application(fromCaseFile data: Data, source: String) throws -> CaseApplication {
        do {
            return try forms().caseFileLoader.load(data, source: source)
        } catch let problem as XMLProblem {
            throw Problem(
                .refused, "application.invalid", zh: "申请文件\(source)有误，不能收件：",
                en: "the application file \(source) cannot be taken in:",
                fields: problem.problem.fields)
        } catch {
            throw Problem.from(error)
        }
    }

    /// Reviews and takes in an application (收件) as `actor`, numbered under `hall` (default: the
    /// settings' hall). Refuses with every problem at once; returns the warnings with the case.
    /// `documents` are those handed in with the application (received in the same transaction);
    /// ``DocumentSelection/all`` stands for every document the application needs.
    public func intake(
        _ application: CaseApplication, documents: DocumentSelection = .none, as actor: DeskActor,
        at instant: Date? = nil, hall: String? = nil, late: LateEntry? = nil
    ) async throws -> IntakeResult {
        try await run {
            let (clerk, now, recording) = try await recording(instant, as: actor, late: late)
            // A key project is the hall's designation (a supervisor's flag, as later on), not the
            // window's: it puts the case first in its stage.
            if application.special?.kind == .keyProject {
                _ = try await requireSupervisor(
                    actor, for: LocalizedText(zh: "在收件时标记重点项目", en: "flag a key project at intake"))
            }
            let hall = hall ?? settings.hall
            let prepared = try await prepare(application, documents: documents, hall: hall, at: now)
            let application = prepared.application
            let review = prepared.review
            let checklist = prepared.checklist
            let received = prepared.received
            let state = try await store.intake(
                application, workflowID: settings.workflowID, hall: hall, by: clerk, at: now,
                nameParts: NameParts(tradeName: review.name.tradeName, industry: review.name.industry),
                recording: recording, checklist: checklist, documents: received, clock: try await slaClock())
            return IntakeResult(case: state, warnings: review.warnings)
        }
    }

    /// An application checked as intake checks it (every problem at once), with its name in the
    /// normalised form it is registered under, its checklist and the documents handed in with it.
    /// `namingCases` false (a portal's applicant): a warning about other applications for the same
    /// name says how many there are, not which (their numbers are other applicants' business).
    func prepare(
        _ application: CaseApplication, documents: DocumentSelection, hall: String, at now: Date,
        namingCases: Bool = true
    ) async throws
        -> (application: CaseApplication, review: IntakeReview, checklist: CaseChecklist, received: [ReceivedDocument])
    {
        // Checked, looked up and kept with each ID number written one way (`x` as `X`), names trimmed.
        let application = application.withCanonicalPeople()
        let definition = try await latestDefinition()
        let review = try await review(application, hall: hall, at: now, namingCases: namingCases)
        let checklist = try caseChecklist(for: application)
        let received = documents.documents(of: checklist)
        // Documents posted to the hall are received when the post arrives, not at intake.
        let posted =
            application.channel == .mail && !received.isEmpty
            ? [
                FieldProblem(
                    field: "documents",
                    reason: LocalizedText(
                        zh: "寄递办的材料在邮件送达时签收，不在收件时登记",
                        en: "a mail application's documents are received when the post arrives"))
            ] : []
        let problems =
            application.problems(knownTasks: definition.allTaskIDs, on: HallTime.localDate(of: now))
            + review.problems + Self.receiptProblems(received, needed: checklist.documents.map(\.code), case: nil)
            + posted
        guard problems.isEmpty else { throw ApplicationRejected(problems: problems) }
        // The name is registered in its normalised form, the one conflicts are compared on.
        var normalised = application
        normalised.proposedName = review.name.name
        return (normalised, review, checklist, received)
    }

    /// A hall's division names, outermost first (四川省, 广元市, 昭化区).
    func divisionNames(of hall: String, on date: CivilDate) async throws -> [String] {
        let status = try await division(hall, on: date)
        // The hall's own code (KAIBAN_HALL) must name a division in force: every name and number
        // is made from it.
        guard status.state == .current, let name = status.fullName, !name.isEmpty else {
            throw Problem(
                .brokenData, "settings.hall-unknown",
                zh: "本厅的行政区划代码\(hall)（KAIBAN_HALL）在\(date)不是现行区划",
                en: "the hall's division code \(hall) (KAIBAN_HALL) is not a division in force on \(date)")
        }
        return name.split(separator: " ").map(String.init)
    }

    /// A proposed name taken apart and checked against the rules and the names registered here;
    /// with `openApplications`, also the hall's open applications under the same trade name and
    /// industry (read with the registered names).
    func analyzeName(
        _ name: String, type: EnterpriseType, hall: String, on date: CivilDate, openApplications: Bool = false
    ) async throws -> (analysis: NameAnalysis, open: [String]) {
        var analysis: NameAnalysis
        let records: NameRecords
        if openApplications, let read = Self.readName, read.name == name, read.type == type, read.hall == hall,
            read.date == date
        {
            // Read with the portal's earlier submission (``Desk/submit(_:through:idempotencyKey:requestBody:)``).
            analysis = read.analysis
            records = read.records
        } else if openApplications {
            analysis = try await nameAnalysis(name, type: type, hall: hall, on: date)
            records = try await store.nameRecords(
                division: hall, tradeName: analysis.tradeName, industry: analysis.industry)
        } else {
            analysis = try await nameAnalysis(name, type: type, hall: hall, on: date)
            records = NameRecords(
                registered: try await store.registeredNames(
                    division: hall, tradeName: analysis.tradeName, industry: analysis.industry),
                open: [])
        }
        // A name whose registration was revoked three years ago or more is free again.
        let registered = records.registered.filter { NameRules.isHeld(releasedAt: $0.releasedAt, on: date) }
        // A name held after a revocation is told apart below, not as registered.
        let standing = registered.filter { $0.releasedAt == nil }
        analysis.check(
            against: standing.map {
                var other = analysis
                other.name = $0.name
                other.tradeName = $0.tradeName
                other.industry = $0.industry
                return other
            })
        // A revoked registration's name held: say so, and from when it is free again.
        let key = (
            EnterpriseNameText.comparisonKey(analysis.tradeName), EnterpriseNameText.comparisonKey(analysis.industry)
        )
        for held in registered {
            guard let released = held.releasedAt, EnterpriseNameText.comparisonKey(held.tradeName) == key.0,
                EnterpriseNameText.comparisonKey(held.industry) == key.1
            else { continue }
            let (revoked, free) = (HallTime.localDate(of: released), NameRules.holdEnds(releasedAt: released))
            analysis.problems.append(
                LocalizedText(
                    zh: "“\(held.name)”的登记已于\(revoked)撤销，其名称三年内不得使用，\(free)起方可再用",
                    en:
                        "the registration of \"\(held.name)\" was revoked on \(revoked); its name is held for three years, free again from \(free)"
                ))
        }
        return (analysis, records.open)
    }

    /// The warning that applications for the same trade name and industry are in progress
    /// (`pending`, their numbers), naming them or, for an applicant (`naming` false), counting
    /// them; nil when there are none.
    static func inProgressWarning(_ pending: [String], naming: Bool) -> LocalizedText? {
        guard !pending.isEmpty else { return nil }
        guard naming else {
            return LocalizedText(
                zh: "同一字号、行业的申请正在办理（\(pending.count)件），先发照者登记",
                en:
                    "\(pending.count) application(s) for the same trade name and industry are in progress; the first licensed keeps the name"
            )
        }
        let list = pending.joined(separator: ", ")
        return LocalizedText(
            zh: "同一字号、行业的申请正在办理（\(list)），先发照者登记",
            en:
                "an application for the same trade name and industry is in progress (\(list)); the first licensed keeps the name"
        )
    }

    /// `name` taken apart by the rules, as named in `hall` on `date` (not yet checked against
    /// other names).
    func nameAnalysis(_ name: String, type: EnterpriseType, hall: String, on date: CivilDate) async throws
        -> NameAnalysis
    {
        NameAnalysis(
            name: name, type: type, divisionNames: try await divisionNames(of: hall, on: date), rules: try nameRules())
    }

    /// A name taken apart and the records it is checked against, read before the checks (a
    /// portal's submission reads them with its earlier submission, in one round trip); the
    /// checks use them when they check the same name, in the same hall, on the same day.
    struct ReadName: Sendable {
        var name: String
        var type: EnterpriseType
        var hall: String
        var date: CivilDate
        var analysis: NameAnalysis
        var records: NameRecords
    }

    /// The name read for the checks running in this task, if any.
    @TaskLocal static var readName: ReadName?

    /// The checks intake runs on every name, division and ID number of an application.
    func review(_ application: CaseApplication, hall: String, at now: Date, namingCases: Bool = true) async throws
        -> IntakeReview
    {
        let date = HallTime.localDate(of: now)
        var problems: [FieldProblem] = []
        var warnings: [FieldProblem] = []
        let domicile = try await division(application.domicileDivision, on: date)
        let jurisdiction = settings.jurisdiction ?? [hall]
        // A case taken in for a partner authority: its domicile is the partner's, and so is the name's prefix.
        var naming = hall
        if let partnerCode = application.transferTo {
            let transfer = try await transferProblems(application, partnerCode: partnerCode, jurisdiction: jurisdiction)
            problems += transfer
            if domicile.state == .current, KaibanSettings.isCountyLevel(application.domicileDivision) {
                naming = application.domicileDivision
            }
        }
        if domicile.state == .current, !KaibanSettings.isCountyLevel(application.domicileDivision) {
            problems.append(
                FieldProblem(
                    field: "domicileDivision",
                    reason: LocalizedText(
                        zh: "住所所在区划\(application.domicileDivision)（\(domicile.fullName ?? "")）不是县级区划：住所应写到区县",
                        en:
                            "the domicile's division \(application.domicileDivision) (\(domicile.fullName ?? "")) is not county-level: give the district or county"
                    )))
        } else if domicile.state == .current, application.transferTo == nil,
            !jurisdiction.contains(application.domicileDivision)
        {
            let here = try await division(hall, on: date).fullName ?? hall
            problems.append(
                FieldProblem(
                    field: "domicileDivision",
                    reason: LocalizedText(
                        zh:
                            "住所所在区划\(application.domicileDivision)（\(domicile.fullName ?? "")）不属于本厅（\(here)）的管辖范围，应向住所地登记机关申请",
                        en:
                            "the domicile's division \(application.domicileDivision) (\(domicile.fullName ?? "")) is outside this hall's jurisdiction (\(here)); apply to the registration authority there"
                    )))
        }
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
        let (name, open) = try await analyzeName(
            application.proposedName, type: application.enterpriseType, hall: naming, on: date,
            openApplications: true)
        // The name's characters and length are the application's own rule, reported once.
        let characters = EnterpriseNameText.problems(application.proposedName)
        problems += name.problems.filter { !characters.contains($0) }.map {
            FieldProblem(field: "proposedName", reason: $0)
        }
        warnings += name.warnings.map { FieldProblem(field: "proposedName", reason: $0) }
        if name.isValid, let pending = Self.inProgressWarning(open, naming: namingCases) {
            warnings.append(FieldProblem(field: "proposedName", reason: pending))
        }
        // A minor shareholder (allowed in a limited liability company): the guardian acts.
        for minor in application.minorInvestors(on: date) {
            warnings.append(
                FieldProblem(
                    field: "investors[\(minor.place)].idNumber",
                    reason: CaseApplication.guardianNote(minor.investor, age: minor.age, on: date)))
        }
        var people = [("legalRepresentative.idNumber", application.legalRepresentative.idNumber)]
        for (index, investor) in application.investors.enumerated() where investor.kind == .person {
            people.append(("investors[\(index + 1)].idNumber", investor.idNumber))
        }
        for (field, number) in people {
            guard let id = try? CitizenID(number) else { continue }
            if let warning = try await division(id.divisionCode, on: date).lifelongIdentifierWarning(
                DivisionStatus.issuingDivision)
            {
                warnings.append(FieldProblem(field: field, reason: warning))
            }
        }
        return IntakeReview(problems: problems, warnings: warnings, name: name)
    }

    /// What is wrong with taking `application` in for partner `partnerCode` (川渝通办, 异地代收代办):
    /// the partner must be registered, the domicile within its division and outside this hall's
    /// jurisdiction, and no start-up task asked of this hall (the partner's region does them).
    func transferProblems(_ application: CaseApplication, partnerCode: String, jurisdiction: [String]) async throws
        -> [FieldProblem]
    {
        func problem(_ field: String, _ zh: String, _ en: String) -> FieldProblem {
            FieldProblem(field: field, reason: LocalizedText(zh: zh, en: en))
        }
        var problems: [FieldProblem] = []
        let partner = try await store.exchangePartner(partnerCode)
        let division = application.domicileDivision
        if partner == nil {
            problems.append(
                problem(
                    "transferTo", "“\(FreeText.showingHidden(partnerCode))”不是已登记的协同机构（kaiban partner list）",
                    "\"\(FreeText.showingHidden(partnerCode))\" is no registered exchange partner (kaiban partner list)"
                ))
        } else if jurisdiction.contains(division) {
            problems.append(
                problem(
                    "transferTo", "住所在本厅管辖范围内（\(division)），由本厅受理，不转办",
                    "the domicile (\(division)) is within this hall's jurisdiction: the case is decided here"))
        } else if let partner, let region = Self.partnerRegion(partner.code), !division.hasPrefix(region) {
            problems.append(
                problem(
                    "domicileDivision", "住所所在区划\(division)不属于办理地机关\(partner.name)的辖区",
                    "the domicile's division \(division) is outside the region of \(partner.name)"))
        }
        if application.domicileTenure == nil {
            problems.append(
                problem(
                    "domicileTenure", "转办须写明住所使用方式（自有、租赁或住所申报承诺）",
                    "a transfer states how the domicile is held (owned, leased or declared)"))
        }
        if !application.requestedTasks.isEmpty {
            problems.append(
                problem(
                    "requestedTasks", "代收转办的办件由办理地办理开办事项，本厅不受理开办事项",
                    "start-up tasks of a transferred case are done in the deciding authority's region, not here"))
        }
        return problems
    }

    /// The divisions an authority's credit code says it serves: its division code (characters 3 to
    /// 8) without the trailing zero pairs (`500103` → `500103`, `500100` → `5001`, `500000` → `50`).
    static func partnerRegion(_ code: String) -> String? {
        let characters = Array(code)
        guard characters.count == 18 else { return nil }
        var division = String(characters[2..<8])
        guard division.allSatisfy(\.isASCII), division.allSatisfy(\.isNumber) else { return nil }
        while division.hasSuffix("00") && division.count > 2 { division.removeLast(2) }
        return division
    }
}
