import Foundation
import KaibanCore
import KaibanForms

/// One document of a case's checklist and where it stands.
public struct DocumentStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// Received.
        case present
        /// A main document not received: the case cannot be accepted (补正).
        case missingMain = "missing-main"
        /// A secondary document not received that may be deferred against a commitment (容缺).
        case missingDeferrable = "missing-secondary-deferrable"
        /// A secondary document not received that may not be deferred.
        case missingSecondary = "missing-secondary"
        /// Deferred under the applicant's commitment (容缺), not yet supplied: see the deadline.
        case deferred
        /// Deferred, and supplied after its deadline.
        case suppliedLate = "supplied-late"
    }

    public var requirement: DocumentRequirement
    public var state: State
    /// The latest receipt, when received.
    public var receipt: DocumentReceipt?
    /// For a deferred document: its deadline as it stands (after any extension).
    public var deadline: Date?
    /// For a deferrable document: the working days it may be deferred on this case (the
    /// checklist's limit, never beyond the workflow's promised time limit).
    public var deferralDays: Int?
    /// The file, when the document came as one through a portal.
    public var attachment: DocumentAttachment?
}

/// A case's documents against its checklist (`kaiban documents N`).
public struct CaseDocuments: Sendable, Equatable, Codable {
    public var number: CaseNumber
    public var checklist: DocumentChecklist.Key
    public var documents: [DocumentStatus]

    /// The codes of the main documents still missing (what 补正 asks for, all at once).
    public var missingMain: [String] { documents.filter { $0.state == .missingMain }.map(\.requirement.code) }
}

/// Documents handed in with an application.
public enum DocumentSelection: Sendable, Equatable {
    case none
    /// Every document the application needs (the clerk checked the whole checklist).
    case all
    case some([ReceivedDocument])

    /// The receipts this selection stands for under `checklist`, on paper for `all`.
    func documents(of checklist: CaseChecklist) -> [ReceivedDocument] {
        switch self {
        case .none: []
        case .all: checklist.documents.map { ReceivedDocument(code: $0.code, form: .paper) }
        case .some(let documents): documents
        }
    }
}

extension Desk {
    /// What is wrong with `received` against the codes a case needs: unknown codes, codes given
    /// twice, malformed digests. Field names count from 1.
    static func receiptProblems(
        _ received: [ReceivedDocument], needed: [String], case number: CaseNumber?, list: LocalizedText? = nil
    ) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        var seen: Set<String> = []
        let whose =
            list ?? number.map { LocalizedText(zh: "办件\($0)的材料清单", en: "the checklist of case \($0)") }
            ?? LocalizedText(zh: "本申请的材料清单", en: "this application's checklist")
        for (index, document) in received.enumerated() {
            let field = "documents[\(index + 1)]"
            if !needed.contains(document.code) {
                problems.append(
                    FieldProblem(
                        field: field,
                        reason: LocalizedText(
                            zh: "\(whose.zh)中没有“\(document.code)”（可选：\(needed.joined(separator: "、"))）",
                            en: "\(whose.en) has no \"\(document.code)\" (known: \(needed.joined(separator: ", ")))")))
            } else if !seen.insert(document.code).inserted {
                problems.append(
                    FieldProblem(
                        field: field,
                        reason: LocalizedText(zh: "“\(document.code)”重复", en: "\"\(document.code)\" is given twice")))
            }
            if let problem = document.problem { problems.append(FieldProblem(field: field, reason: problem)) }
        }
        return problems
    }

    /// The hall's document checklist: the newest version in Forms/checklists.
    public func checklist() throws -> DocumentChecklist {
        if let checklist = cache.withLock({ $0.checklist }) { return checklist }
        let loader = try forms().checklistLoader
        var newest: DocumentChecklist?
        for url in FormsLibrary.checklistFiles(in: settings.formsRoot) {
            let data: Data
            do throws(Problem) {
                data = try DataFile.read(url)
            } catch {
                throw Problem(.brokenData, "data.unreadable", error.text)
            }
            let checklist = try loader.load(data, source: url.path)
            if checklist.key.version > newest?.key.version ?? 0 { newest = checklist }
        }
        guard let newest else {
            throw Problem(
                .brokenData, "checklist.none", zh: "\(settings.formsRoot.path)/checklists中没有材料清单",
                en: "no document checklist in \(settings.formsRoot.path)/checklists")
        }
        cache.withLock { $0.checklist = newest }
        return newest
    }

    /// Case `number`'s documents: every one its application needs, received or missing.
    public func documents(_ number: CaseNumber) async throws -> CaseDocuments {
        try await run {
            let state = try await store.registrationCase(number)
            let promised = try await definition(state.definition).deferral?.promisedDays
            return try documents(of: state, promisedDays: promised, attachments: try await store.attachments(number))
        }
    }

    /// The documents an application needs under the checklist in force now: what a new case
    /// keeps for life.
    func caseChecklist(for application: CaseApplication) throws -> CaseChecklist {
        let checklist = try checklist()
        return CaseChecklist(key: checklist.key, documents: checklist.requirements(for: application))
    }

    /// The documents case `state` needs: those fixed at its intake (or, for a case taken in
    /// before checklists, the current checklist's).
    func neededDocuments(_ state: RegistrationCase) throws -> CaseChecklist {
        try state.checklist ?? caseChecklist(for: state.application)
    }

    func documents(of state: RegistrationCase, promisedDays: Int? = nil, attachments: [DocumentAttachment] = [])
        throws -> CaseDocuments
    {
        let checklist = try neededDocuments(state)
        let statuses = checklist.documents.map { requirement -> DocumentStatus in
            let receipt = state.documents[requirement.code]
            // Deferred while the deferral runs; once it ended with the case, missing as any other.
            let deferred =
                state.deferral.map { deferral in
                    deferral.endedAt == nil || deferral.supplied[requirement.code] != nil
                } == true ? state.deferral?.commitment.items.first { $0.code == requirement.code } : nil
            let deadline = deferred.flatMap { state.deferral?.deadline(of: $0) }
            let status: DocumentStatus.State
            if let receipt {
                status = deadline.map { receipt.at > $0 } == true ? .suppliedLate : .present
            } else if deferred != nil {
                status = .deferred
            } else {
                status =
                    requirement.importance == .main
                    ? .missingMain : requirement.deferrable ? .missingDeferrable : .missingSecondary
            }
            let days =
                requirement.deferrable
                ? [requirement.maxDeferralDays, promisedDays].compactMap { $0 }.min() : nil
            return DocumentStatus(
                requirement: requirement, state: status, receipt: receipt, deadline: deadline, deferralDays: days,
                attachment: attachments.first { $0.code == requirement.code })
        }
        return CaseDocuments(number: state.number, checklist: checklist.key, documents: statuses)
    }

    /// Refuses documents received that case `state`'s checklist does not ask for, that are given
    /// twice or whose digests are malformed (every problem at once). The engine refuses the rest
    /// (a document already received, a closed case) inside the write.
    func checkReceipt(_ received: [ReceivedDocument], on state: RegistrationCase) throws {
        let needed = try neededDocuments(state).documents.map(\.code)
        let problems = Self.receiptProblems(received, needed: needed, case: state.number)
        guard problems.isEmpty else {
            throw Problem(
                .refused, "document.invalid", zh: "材料签收有误：", en: "the documents cannot be recorded:", fields: problems)
        }
    }

    /// Records documents received for case `number` (at the window, electronically with the
    /// file's SHA-256, or by post), each one an event of the history, all in one transaction. Every code
    /// must be one the case's checklist asks for.
    public func receiveDocuments(
        _ number: CaseNumber, _ received: [ReceivedDocument], as actor: DeskActor, at instant: Date? = nil,
        late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await run {
            guard !received.isEmpty else {
                throw Problem(.invalid, "document.none", zh: "未指明收到的材料", en: "no document given")
            }
            try checkReceipt(received, on: try await store.registrationCase(number))
            let (clerk, at, recording) = try await recording(instant, as: actor, late: late)
            try await bringInStep(.workflow)
            return try await store.apply(
                all: received.map { .receiveDocument($0) }, to: number, by: clerk, at: at, recording: recording,
                clock: try await slaClock())
        }
    }
}
