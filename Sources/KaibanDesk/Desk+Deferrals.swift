import Foundation
import KaibanCore

/// Which open deferrals to list.
public enum DeferralFilter: String, Sendable, Codable, CaseIterable {
    /// Every open deferral.
    case open
    /// Those whose next deadline falls within the coming ``Desk/dueWindowDays`` working days.
    case due
    /// Those with an item past its deadline: for a supervisor.
    case overdue
}

/// One open deferral as the list shows it.
public struct DeferralListing: Sendable, Equatable, Codable {
    public var number: CaseNumber
    public var proposedName: String
    public var stage: String
    public var stageName: LocalizedText
    public var signer: String
    /// The signer's ID number, masked.
    public var signerID: String
    /// Items outstanding, each with its deadline as it stands.
    public var outstanding: [DeferredItem]
    public var nextDeadline: Date?
    public var overdue: Bool
    public var extended: Bool
}

extension Desk {
    /// How far ahead `deferrals --due` looks, in working days.
    public static let dueWindowDays = 2

    /// Records the applicant's signed commitment (容缺受理承诺书) to supply `codes` later, on case
    /// `number`: each deadline is `days` working days (default: the most the checklist allows
    /// the item) after the step, never beyond the workflow's promised time limit. Refused for a
    /// signer who is not the legal representative, and for an application whose people are
    /// flagged (失信) or broke an earlier commitment.
    public func commitDeferral(
        _ number: CaseNumber, codes: [String], signer: String, signerID: String, days: Int? = nil,
        as actor: DeskActor, at instant: Date? = nil, late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await run {
            let state = try await store.registrationCase(number)
            let definition = try await definition(state.definition)
            guard let policy = definition.deferral, let checklist = state.checklist else {
                throw WorkflowError.deferralRefused(
                    case: number, code: "not-offered",
                    reason: LocalizedText(zh: "本件的流程不办理容缺受理", en: "this case's workflow takes no deferrals"))
            }
            let name = try reason(
                signer, field: "signer", label: LocalizedText(zh: "签署人姓名", en: "the signer's name"), required: true)
            let id = signerID.trimmingCharacters(in: .whitespaces).uppercased()
            // A number that is none says so, as intake does (a full-width one read "does not
            // match the application", as if another person's; from a hostile trial).
            do {
                _ = try CitizenID(id)
            } catch let invalid as CitizenID.Problem {
                throw Problem(
                    .invalid, "deferral.signer-id", zh: "签署人身份证号码有误：", en: "the signer's ID number is not valid:",
                    fields: [
                        FieldProblem(
                            field: "signerID", reason: LocalizedText(zh: invalid.message(.zh), en: invalid.message(.en))
                        )
                    ])
            }
            // The applicant signs: the legal representative (负责人, 执行事务合伙人…), by name and ID.
            let representative = state.application.legalRepresentative
            // Trimmed on both sides: cases taken in before intake trimmed people's names keep the blanks.
            guard id == representative.idNumber.uppercased(),
                PersonName.canonical(name).lowercased() == PersonName.canonical(representative.name).lowercased()
            else {
                throw Problem(
                    .refused, "deferral.signer",
                    zh: "承诺书须由本件的\(state.application.enterpriseType.representativeRole.zh)本人签署（姓名、身份证号与申请一致）",
                    en:
                        "the commitment is signed by the case's \(state.application.enterpriseType.representativeRole.en) in person (name and ID number as in the application)",
                    fields: [
                        FieldProblem(
                            field: id == representative.idNumber.uppercased() ? "signer" : "signerID",
                            reason: LocalizedText(zh: "与申请不符", en: "does not match the application"))
                    ])
            }
            let people =
                [representative.idNumber.uppercased()]
                + state.application.investors.filter { $0.kind == .person }.map { $0.idNumber.uppercased() }
            if let days, !(1...policy.promisedDays).contains(days) {
                throw Problem(
                    .refused, "deferral.days",
                    zh: "补交期限\(days)个工作日不在1至\(policy.promisedDays)之间（本事项承诺期限\(policy.promisedDays)个工作日）",
                    en:
                        "a deadline of \(days) working days is not between 1 and \(policy.promisedDays) (the matter's promised limit)"
                )
            }
            let (clerk, at, recording) = try await recording(instant, as: actor, late: late)
            let standing = try await store.applicantStanding(Array(Set(people)).sorted(), at: at)
            if let excluded = standing.first(where: \.excluded) {
                let masked = CitizenID.masked(excluded.idNumber)
                let why =
                    excluded.flag.map {
                        LocalizedText(
                            zh: "被\($0.actor)标记为失信（\($0.reason)）",
                            en: "flagged as dishonest by \($0.actor) (\($0.reason))")
                    }
                    ?? LocalizedText(
                        zh: "曾未按承诺补交材料（办件\(excluded.brokenCommitments.map(\.description).joined(separator: "、"))）",
                        en:
                            "broke an earlier commitment (case \(excluded.brokenCommitments.map(\.description).joined(separator: ", ")))"
                    )
                throw Problem(
                    .refused, "deferral.applicant-excluded",
                    zh: "申请人\(masked)\(why.zh)，不适用容缺受理，须补齐材料后受理；负责人解除标记后方可容缺",
                    en:
                        "applicant \(masked) \(why.en): no deferral until a supervisor clears them; the case needs every document"
                )
            }
            let calendar = try await workingCalendar()
            var items: [DeferredItem] = []
            for code in codes {
                let requirement = checklist.documents.first { $0.code == code }
                let allowed = min(requirement?.maxDeferralDays ?? policy.promisedDays, policy.promisedDays)
                if let days, days > allowed, let requirement {
                    throw Problem(
                        .refused, "deferral.days",
                        zh: "“\(requirement.name.zh)”至多容缺\(allowed)个工作日",
                        en: "\(requirement.name.en) may be deferred at most \(allowed) working days")
                }
                let deadline = calendar.adding(workingDays: days ?? allowed, to: at)
                // A deadline the applicant signs for is counted on a known calendar, never guessed.
                if deadline.provisional {
                    throw Problem(
                        .refused, "deferral.calendar-unknown",
                        zh: "补交期限\(HallTime.localText(of: deadline.instant))所在年份的节假日安排尚未载入，不能计算工作日；请负责人先导入",
                        en:
                            "the deadline \(HallTime.localText(of: deadline.instant)) falls in a year whose holiday notice is not loaded; working days cannot be counted until a supervisor imports it"
                    )
                }
                items.append(DeferredItem(code: code, deadline: deadline.instant))
            }
            // The signer is the representative (matched above): kept as the application names them,
            // not as typed (ｌｉ ｎａ signs for Li Na), so the notice and the record say one name.
            let commitment = DeferralCommitment(
                signer: PersonName.canonical(representative.name), signerID: id, signedAt: at, items: items)
            try await bringInStep(.workflow)
            return try await store.apply(
                .commitDeferral(commitment), to: number, by: clerk, at: at, expectedVersion: nil, recording: recording,
                clock: try await slaClock())
        }
    }

    /// Records deferred documents supplied (补交) for case `number`; the last one closes the
    /// deferral. Every code must be one still outstanding.
    public func supplement(
        _ number: CaseNumber, _ supplied: [ReceivedDocument], as actor: DeskActor, at instant: Date? = nil,
        late: LateEntry? = nil
    ) async throws -> StepOutcome {
        try await run {
            try await checkSupply(supplied, on: number)
            let (clerk, at, recording) = try await recording(instant, as: actor, late: late)
            try await bringInStep(.workflow)
            return try await store.apply(
                all: supplied.map { .supplyDeferred($0) }, to: number, by: clerk, at: at, recording: recording,
                clock: try await slaClock())
        }
    }

    /// Refuses a supply (补交) that names no document, comes with no deferral open, or names a
    /// document that is not outstanding (with the list of those that are). The engine checks the
    /// same again inside the write.
    func checkSupply(_ supplied: [ReceivedDocument], on number: CaseNumber) async throws {
        guard !supplied.isEmpty else {
            throw Problem(.invalid, "document.none", zh: "未指明补交的材料", en: "no document given")
        }
        let state = try await store.registrationCase(number)
        guard let deferral = state.deferral, deferral.isOpen else {
            // A case that ended says so first (a hostile trial read only "nothing outstanding").
            let closed = state.isOpen ? nil : try await definition(state.definition).stageName(state.stage)
            throw WorkflowError.deferralRefused(
                case: number, code: "none",
                reason: closed.map {
                    LocalizedText(
                        zh: "办件已终结（\($0.zh)），没有待补交的容缺材料", en: "the case has ended (\($0.en)); no deferral is open")
                } ?? LocalizedText(zh: "没有待补交的容缺材料", en: "no deferral is open"))
        }
        let outstanding = deferral.outstanding.map(\.code)
        let problems = Self.receiptProblems(
            supplied, needed: outstanding, case: number,
            list: LocalizedText(
                zh: "办件\(number)待补交的容缺材料", en: "the deferred documents outstanding on case \(number)"))
        guard problems.isEmpty else {
            throw Problem(
                .refused, "document.invalid", zh: "补交材料有误（待补交：\(outstanding.joined(separator: "、"))）：",
                en: "the documents cannot be recorded (outstanding: \(outstanding.joined(separator: ", "))):",
                fields: problems)
        }
    }

    /// A supervisor extends case `number`'s open deferral once, with a reason: every item still
    /// outstanding is then due `days` working days after its latest deadline (or after now, when
    /// that is later), at most the matter's promised time limit. Once more only when a correction
    /// of the calendar made the latest deadline's day a day off (``CalendarStranded`` lists it).
    public func extendDeferral(
        _ number: CaseNumber, days: Int, reason: String?, as actor: DeskActor, at instant: Date? = nil
    ) async throws -> StepOutcome {
        try await run {
            let state = try await store.registrationCase(number)
            let definition = try await definition(state.definition)
            guard let policy = definition.deferral, let deferral = state.deferral else {
                throw WorkflowError.deferralRefused(
                    case: number, code: "none", reason: LocalizedText(zh: "没有容缺承诺", en: "no deferral"))
            }
            guard (1...policy.promisedDays).contains(days) else {
                throw Problem(
                    .refused, "deferral.days",
                    zh: "延长\(days)个工作日不在1至\(policy.promisedDays)之间（本事项承诺期限\(policy.promisedDays)个工作日）",
                    en: "an extension of \(days) working days is not between 1 and \(policy.promisedDays)")
            }
            let (clerk, at, recording) = try await recording(instant, as: actor, late: nil)
            let from = max(at, deferral.lastDeadline)
            let counted = try await workingCalendar().adding(workingDays: days, to: from)
            if counted.provisional {
                throw Problem(
                    .refused, "deferral.calendar-unknown",
                    zh: "延长后的期限所在年份的节假日安排尚未载入，不能计算工作日；请先导入",
                    en: "the new deadline falls in a year whose holiday notice is not loaded; import it first")
            }
            let deadline = counted.instant
            // Extended already: again only when a correction of the calendar closed the hall on
            // the latest deadline's day (the deadline would pass while no one could supply).
            let calendar = try await workingCalendar()
            let closedOnDeadline =
                deferral.extensionGranted != nil
                && !calendar.kind(of: HallTime.localDate(of: deferral.lastDeadline)).isWorking
            try await bringInStep(.workflow)
            return try await store.apply(
                .extendDeferral(
                    DeferralExtension(deadline: deadline, calendarMoved: closedOnDeadline ? true : nil), reason: reason),
                to: number, by: clerk, at: at, expectedVersion: nil, recording: recording, clock: try await slaClock())
        }
    }

    /// The open deferrals `filter` selects as of `instant` (default now), earliest deadline first.
    public func deferrals(_ filter: DeferralFilter, at instant: Date? = nil, limit: Int = 500) async throws
        -> [DeferralListing]
    {
        try await run {
            try requireLimit(limit)
            let now = try self.instant(instant)
            let numbers: [CaseNumber]
            switch filter {
            case .open:
                numbers = try await store.deferrals(dueFrom: nil, dueBy: nil, limit: limit)
            case .due:
                let horizon = try await workingCalendar().adding(workingDays: Self.dueWindowDays, to: now).instant
                numbers = try await store.deferrals(dueFrom: now, dueBy: horizon, limit: limit)
            case .overdue:
                numbers = try await store.deferrals(dueFrom: nil, dueBy: now.addingTimeInterval(-1), limit: limit)
            }
            var listings: [DeferralListing] = []
            for number in numbers {
                let state = try await store.registrationCase(number)
                // As of `now`: a commitment signed later is not listed.
                guard let deferral = state.deferral, deferral.recordedAt <= now else { continue }
                let definition = try await definition(state.definition)
                let outstanding = deferral.outstanding.map {
                    DeferredItem(code: $0.code, deadline: deferral.deadline(of: $0))
                }
                listings.append(
                    DeferralListing(
                        number: number, proposedName: state.application.proposedName, stage: state.stage,
                        stageName: definition.stageName(state.stage), signer: deferral.commitment.signer,
                        signerID: CitizenID.masked(deferral.commitment.signerID), outstanding: outstanding,
                        nextDeadline: deferral.nextDeadline, overdue: deferral.isOverdue(at: now),
                        extended: deferral.extensionGranted != nil))
            }
            return listings
        }
    }

    /// A supervisor flags a person as dishonest (失信), or clears them (`flagged` false), with a
    /// reason; a clearing also forgives the commitments they broke before it.
    public func flagApplicant(
        _ idNumber: String, flagged: Bool, reason: String?, as actor: DeskActor
    ) async throws -> ApplicantFlag {
        try await run {
            let act =
                flagged
                ? LocalizedText(zh: "标记失信申请人", en: "flag an applicant as dishonest")
                : LocalizedText(zh: "解除申请人的失信标记", en: "clear an applicant's flag")
            let supervisor = try await requireSupervisor(actor, for: act)
            let id = try Self.citizenID(idNumber)
            let text = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "理由", en: "the reason"), required: true)
            let flag = ApplicantFlag(
                idNumber: id, flagged: flagged, at: instant(nowRounded: clock.now()), actor: supervisor.id, reason: text
            )
            try await store.recordApplicantFlag(flag)
            return flag
        }
    }

    /// A citizen ID number as typed, checked and in upper case.
    static func citizenID(_ text: String) throws -> String {
        let id = text.trimmingCharacters(in: .whitespaces).uppercased()
        do throws(CitizenID.Problem) {
            _ = try CitizenID(id)
        } catch {
            let reason = LocalizedText(zh: error.message(.zh), en: error.message(.en))
            throw Problem(
                .invalid, "applicant.id-invalid", zh: "身份证号有误：\(reason.zh)", en: "the ID number is wrong: \(reason.en)",
                fields: [FieldProblem(field: "idNumber", reason: reason)])
        }
        return id
    }

    /// A person's standing for a deferral now, with every flag and clearing.
    public func applicant(_ idNumber: String) async throws -> (standing: ApplicantStanding, flags: [ApplicantFlag]) {
        try await run {
            let id = try Self.citizenID(idNumber)
            let now = instant(nowRounded: clock.now())
            let standing = try await store.applicantStanding([id], at: now)
            return (
                standing.first ?? ApplicantStanding(idNumber: id, flag: nil, brokenCommitments: []),
                try await store.applicantFlags(id)
            )
        }
    }

    /// The 容缺 figures of the local days `first` to `last`, as of now.
    public func deferralFigures(from first: CivilDate, to last: CivilDate) async throws -> DeferralFigures {
        try await run {
            let definitions = try await definitions()
            let completed = Self.completionStages(definitions)
            let start = HallTime.instant(first, hour: 0, minute: 0)
            let end = HallTime.instant(
                HallTime.civilDate(fromDaysSinceEpoch: HallTime.daysSinceEpoch(last) + 1), hour: 0, minute: 0)
            return try await deferralFigures(from: start, to: end, stages: completed, definitions: definitions)
        }
    }
}
