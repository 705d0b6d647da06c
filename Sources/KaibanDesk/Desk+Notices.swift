import Foundation
import KaibanCore

/// The notices a case gives the applicant to take home (issue 9): what the hall decided, on paper.
public enum NoticeKind: String, Sendable, Codable, CaseIterable {
    /// 受理通知书: the application was accepted, with the promised completion.
    case acceptance
    /// 一次性补正告知书: every document still missing, told at once.
    case correction
    /// 容缺受理承诺书: the applicant's signed promise to bring the deferred documents in time.
    case deferralCommitment = "deferral-commitment"
    /// 容缺受理通知书: accepted with documents deferred, each with its deadline.
    case deferralAcceptance = "deferral-acceptance"
    /// 不予受理通知书: the application was refused, with the reason.
    case refusal

    /// The notice's title as printed.
    public var title: LocalizedText {
        switch self {
        case .acceptance: LocalizedText(zh: "受理通知书", en: "notice of acceptance")
        case .correction: LocalizedText(zh: "一次性补正告知书", en: "notice of documents to supply (all at once)")
        case .deferralCommitment: LocalizedText(zh: "容缺受理承诺书", en: "commitment for deferred documents")
        case .deferralAcceptance: LocalizedText(zh: "容缺受理通知书", en: "notice of acceptance with deferred documents")
        case .refusal: LocalizedText(zh: "不予受理通知书", en: "notice of refusal")
        }
    }

    /// The name a clerk types (`kaiban notice N acceptance|correction|commitment|deferral|refusal`).
    public var argument: String {
        switch self {
        case .acceptance: "acceptance"
        case .correction: "correction"
        case .deferralCommitment: "commitment"
        case .deferralAcceptance: "deferral"
        case .refusal: "refusal"
        }
    }

    /// The kind a clerk named, by its argument name (or its raw value).
    public init?(argument: String) {
        guard let kind = Self.allCases.first(where: { $0.argument == argument || $0.rawValue == argument }) else {
            return nil
        }
        self = kind
    }
}

extension Desk {
    /// The step that accepts a case (受理) and the one that refuses it (不予受理).
    static let acceptTransition = "accept"
    static let refuseTransition = "refuse"

    /// What notice `kind` of case `number` prints, read off the case and its history: the hall, the
    /// case, the applicant (ID numbers masked), the day of the step it records in words, and what
    /// the kind needs. Refused with `notice.not-applicable` when the kind does not fit the case: an
    /// acceptance before the case was accepted, a correction for a case never returned for
    /// correction, a refusal for a case not refused, 容缺 for a case without deferred documents.
    public func notice(_ number: CaseNumber, _ kind: NoticeKind) async throws -> NoticeContent {
        try await run {
            let state = try await store.registrationCase(number)
            let events = try await store.history(number)
            let definition = try await definition(state.definition)
            func notApplicable(zh: String, en: String) -> Problem {
                Problem(
                    .refused, "notice.not-applicable",
                    zh: "办件\(number)（当前为“\(definition.stageName(state.stage).zh)”）\(zh)，不能出具\(kind.title.zh)",
                    en:
                        "case \(number) (now \(definition.stageName(state.stage).en)) \(en): no \(kind.title.en) can be issued"
                )
            }
            let accepted = events.last { $0.kind == .transitioned && $0.transition == Self.acceptTransition }
            // Accepted with a deferral (容缺) only when documents were still outstanding then: by
            // the history's order, not by time (a supply in the same second as the acceptance had
            // read as before it; from a hostile trial).
            let fulfilled = events.first { $0.kind == .deferralFulfilled }
            let deferralAtAcceptance =
                state.deferral != nil
                && (accepted.map { accepted in fulfilled.map { $0.sequence > accepted.sequence } ?? true } ?? true)
            let deferred = deferralAtAcceptance ? deferralNoticeItems(of: state) ?? [] : []
            var content = try await baseNotice(kind, state, at: accepted?.at ?? state.updatedAt)
            switch kind {
            case .acceptance:
                guard let accepted else { throw notApplicable(zh: "尚未受理", en: "has not been accepted") }
                guard deferred.isEmpty else {
                    throw notApplicable(
                        zh: "为容缺受理，应出具容缺受理通知书", en: "was accepted with deferred documents (give the 容缺 notice)")
                }
                let then = try replayed(events, through: accepted, number: number, definition: definition)
                let budget = definition.budgetMinutes
                content.promisedMinutes = budget
                content.promisedLimitText = budget.map(Self.workingTimeText)
                let clock = try await slaClock()
                let due = clock.schedule(then, budgetMinutes: budget).dueAt
                // A promise past the working calendar's last year would be made up (its first
                // instant after the tables): none is printed then.
                if let due, HallTime.localDate(of: due).year <= WorkingCalendar.lastYear {
                    content.promisedBy = due
                    content.promisedByText = HallTime.chineseDateTime(of: due)
                    content.promisedProvisional = clock.calendar.adding(minutes: 0, to: due).provisional
                }
            case .correction:
                guard
                    let returned = events.last(where: {
                        $0.kind == .transitioned && $0.transition == Self.correctionTransition
                    })
                else { throw notApplicable(zh: "未曾退回补正", en: "was never returned for correction") }
                // What was told at once (一次性告知) when the case was returned, not what is missing now.
                let then = try replayed(events, through: returned, number: number, definition: definition)
                let documents = try documents(of: then).documents
                content.missingDocuments =
                    documents.filter { $0.state == .missingMain }.map { Self.missingItem($0) }
                    + documents.filter {
                        $0.state == .missingDeferrable || $0.state == .missingSecondary
                    }.map {
                        Self.missingItem($0)
                    }
                // Under the signed commitment, apart: due by their own deadlines, not with the
                // correction (a re-trial found them among "everything to correct", then "need not
                // come with it").
                content.deferredItems = documents.filter { $0.state == .deferred }.map { Self.missingItem($0) }
                content.reason = Self.clerksOwnWords(returned.reason, missing: documents)
                    .map(CitizenID.maskingIDs(inText:))
                guard !content.missingDocuments.isEmpty || content.reason != nil || !content.deferredItems.isEmpty
                else {
                    throw notApplicable(zh: "退回补正时没有缺少的材料或需补正的事项", en: "had nothing to supply when returned")
                }
                content.setDate(returned.at)
            case .refusal:
                guard definition.stage(state.stage)?.outcome == .refused,
                    let refused = events.last(where: {
                        $0.kind == .transitioned && $0.transition == Self.refuseTransition
                    })
                else { throw notApplicable(zh: "未被决定不予受理", en: "was not refused") }
                content.reason = refused.reason.map(CitizenID.maskingIDs(inText:))
                content.setDate(refused.at)
            case .deferralCommitment, .deferralAcceptance:
                guard !deferred.isEmpty else {
                    throw notApplicable(zh: "没有容缺受理的材料", en: "has no documents deferred (容缺)")
                }
                if kind == .deferralAcceptance, accepted == nil {
                    throw notApplicable(zh: "尚未受理", en: "has not been accepted")
                }
                if state.deferral?.endedAt != nil {
                    throw notApplicable(zh: "已终结，容缺材料不再补交", en: "has ended; nothing more is supplied")
                }
                content.deferredItems = deferred
                if let commitment = state.deferral?.commitment {
                    let representative = state.application.legalRepresentative.idNumber.uppercased()
                    content.signer = NoticeParty(
                        name: commitment.signer,
                        role: commitment.signerID == representative
                            ? state.application.enterpriseType.representativeRole.zh : "投资人",
                        idNumber: commitment.signerID)
                    // The commitment is dated when it was signed; the notice when the case was accepted.
                    if kind == .deferralCommitment { content.setDate(commitment.signedAt) }
                } else {
                    content.signer = content.applicant
                }
                content.consequence = NoticeContent.deferralConsequence
            }
            return content
        }
    }

    // MARK: 容缺

    /// The documents case `state` defers (容缺), each with its form (原件, 复印件, 电子) and deadline
    /// (``NoticeItem/init(code:name:form:deadline:note:)`` writes the deadline in words); nil when
    /// the case has none. The 容缺 notices print exactly these, signed by the applicant.
    ///
    /// A copy (复印件) is supplied as a copy; everything else as the original.
    func deferralNoticeItems(of state: RegistrationCase) -> [NoticeItem]? {
        guard let deferral = state.deferral else { return nil }
        let names = Dictionary(
            (state.checklist?.documents ?? []).map { ($0.code, $0.name.zh) }, uniquingKeysWith: { first, _ in first })
        return deferral.commitment.items.map { item in
            let name = names[item.code] ?? item.code
            // As signed and notified: an extension granted later is its own act, not a new notice.
            let deadline = item.deadline
            var notice = NoticeItem(
                code: item.code, name: name, form: name.contains("复印件") ? "复印件" : "原件",
                deadline: HallTime.localDate(of: deadline))
            // Due by the close of office that day.
            notice.deadlineText = HallTime.chineseDateTime(of: deadline)
            return notice
        }
    }

    // MARK: Parts

    /// The parts every notice prints: the hall, the case, the applicant, the day.
    func baseNotice(_ kind: NoticeKind, _ state: RegistrationCase, at instant: Date) async throws -> NoticeContent {
        let application = state.application
        let type = application.enterpriseType
        var content = NoticeContent(
            kind: kind, title: kind.title.zh, hallCode: settings.hall,
            hallName: await hallName(on: HallTime.localDate(of: instant)), number: state.number,
            enterpriseName: application.proposedName, enterpriseType: type.name.zh,
            applicant: NoticeParty(
                name: application.legalRepresentative.name, role: type.representativeRole.zh,
                idNumber: application.legalRepresentative.idNumber),
            agent: application.agent.map { NoticeParty(name: $0.name, role: "委托代理人", idNumber: $0.idNumber) },
            submittedAt: state.openedAt, submittedOnText: HallTime.chineseDate(of: state.openedAt), at: instant,
            date: HallTime.localDate(of: instant), dateText: "", atText: "", missingDocuments: [], deferredItems: [])
        content.setDate(instant)
        return content
    }

    /// The hall's name from the division data (广元市昭化区政务服务中心: the province left out).
    func hallName(on date: CivilDate) async -> String {
        let code = settings.hall
        if let full = try? await division(code, on: date).fullName {
            let parts = full.split(separator: " ").map(String.init)
            if !parts.isEmpty { return parts.dropFirst(parts.count >= 3 ? 1 : 0).joined() + "政务服务中心" }
        }
        return code == "510811" ? "广元市昭化区政务服务中心" : "政务服务中心（\(code)）"
    }

    /// The case as it stood just after `event`.
    func replayed(
        _ events: [CaseEvent], through event: CaseEvent, number: CaseNumber, definition: WorkflowDefinition
    ) throws -> RegistrationCase {
        try RegistrationCase.replay(
            events.filter { $0.sequence <= event.sequence }, number: number, definition: definition)
    }

    static func missingItem(_ status: DocumentStatus) -> NoticeItem {
        let note: String
        switch status.state {
        case .missingMain: note = "主要材料"
        case .missingDeferrable: note = "次要材料，可容缺"
        // Under the signed commitment: due by its own deadline, not with the correction (from a
        // hostile trial: the notice asked for it "一次补齐" with the rest, against the deadline signed).
        case .deferred:
            note = status.deadline.map { "\(HallTime.chineseDateTime(of: $0))前补交" } ?? "按承诺书期限补交"
        default: note = "次要材料"
        }
        return NoticeItem(code: status.requirement.code, name: status.requirement.name.zh, note: note)
    }

    /// The clerk's own words in a request for correction: the reason without the list of
    /// missing documents the desk appended to it (``correctionNotice(_:reason:)``), made again
    /// from the documents missing then and taken off its end only; nil when there are none.
    /// (Cut at the list's headings, the clerk's words lost whatever followed a heading they had
    /// typed themselves: 缺少其他材料：住所证明复印件字迹不清.)
    static func clerksOwnWords(_ reason: String?, missing documents: [DocumentStatus]) -> String? {
        guard let reason else { return nil }
        var own = reason
        for byName in [true, false] {
            let list = missingDocumentsText(documents, byName: byName).joined(separator: "；")
            guard !list.isEmpty else { break }
            if own == list {
                own = ""
                break
            }
            if own.hasSuffix("；" + list) {
                own = String(own.dropLast(list.count + 1))
                break
            }
        }
        own = own.trimmingCharacters(in: .whitespacesAndNewlines)
        return own.isEmpty ? nil : own
    }

    /// A budget in working time as a notice writes it: 0.4个工作日 (a working day is 8 hours).
    static func workingTimeText(_ minutes: Int) -> String {
        let day = 8 * 60
        if minutes % day == 0 { return "\(minutes / day)个工作日" }
        if (minutes * 10) % day == 0 { return "\(minutes * 10 / day / 10).\(minutes * 10 / day % 10)个工作日" }
        return "\(minutes)个工作分钟"
    }
}

extension NoticeContent {
    /// Dates the notice at `instant`: its day, in words, with the time of day.
    mutating func setDate(_ instant: Date) {
        at = instant
        date = HallTime.localDate(of: instant)
        dateText = date.chineseText
        atText = HallTime.chineseDateTime(of: instant)
    }
}
