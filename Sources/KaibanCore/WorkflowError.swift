import Foundation

/// Why the engine refused a step. A refusal writes nothing.
public enum WorkflowError: ClerkReadable, ProblemConvertible, Sendable, Equatable {
    /// The case's stage does not allow the transition; lists what is allowed.
    case notAllowedFromStage(
        case: CaseNumber, stage: LocalizedText, transition: LocalizedText, allowed: [LocalizedText])
    /// No transition of that id exists in the case's workflow version.
    case unknownTransition(case: CaseNumber, transition: String, allowed: [String])
    /// The clerk holds none of the roles the step needs.
    case roleRequired(clerk: String, step: LocalizedText, required: [LocalizedText], held: [LocalizedText])
    case reasonRequired(step: LocalizedText)
    /// A guard failed; for all-tasks-done, the tasks still open.
    case tasksPending(case: CaseNumber, pending: [LocalizedText])
    case unknownTask(case: CaseNumber, task: String, known: [String])
    case taskNotOpen(case: CaseNumber, task: LocalizedText, stage: LocalizedText)
    case taskAlreadyDone(case: CaseNumber, task: LocalizedText, doneBy: String)
    case caseClosed(case: CaseNumber, stage: LocalizedText)
    /// The clerk decided on an older state of the case than the one stored.
    case stale(case: CaseNumber, expected: Int, actual: Int)
    case clerkInactive(clerk: String)
    /// A reason or note that is not one line of visible text of bounded length.
    case textNotAccepted(field: String, problem: LocalizedText)
    /// A step dated before the case's previous event: the history would run backwards.
    case beforeLastEvent(case: CaseNumber, at: Date, last: Date)
    /// Documents the step needs are missing (acceptance, the licence).
    case documentsMissing(case: CaseNumber, step: LocalizedText, missing: [LocalizedText])
    /// Deferrable documents are missing and not deferred: a commitment (容缺) or 补正 is needed.
    case deferralRequired(case: CaseNumber, missing: [LocalizedText])
    /// A step a case with its licence issued no longer takes (withdrawal: the registration is revoked instead).
    case afterLicence(case: CaseNumber, step: LocalizedText)
    /// A document already received (a second receipt would replace the first).
    case documentAlreadyReceived(case: CaseNumber, code: String, at: Date)
    /// A deferral act refused; `code` is the last part of `deferral.CODE`.
    case deferralRefused(case: CaseNumber, code: String, reason: LocalizedText)
    /// A special-service act refused; `code` is the last part of `special.CODE`.
    case specialRefused(case: CaseNumber, code: String, reason: LocalizedText)
    /// A post (寄递办) refused; `code` is the last part of `mail.CODE`.
    case mailRefused(case: CaseNumber, code: String, reason: LocalizedText)
    /// A step of the 川渝通办 exchange refused; `code` is the last part of `exchange.CODE`.
    case exchangeRefused(case: CaseNumber, code: String, reason: LocalizedText)

    /// The stable code and kind of each refusal.
    public var problem: Problem {
        let (kind, code): (ProblemKind, String)
        switch self {
        case .notAllowedFromStage: (kind, code) = (.refused, "step.not-allowed")
        case .unknownTransition: (kind, code) = (.refused, "step.unknown")
        case .roleRequired: (kind, code) = (.forbidden, "role.required")
        case .reasonRequired: (kind, code) = (.refused, "step.reason-required")
        case .tasksPending: (kind, code) = (.refused, "task.pending")
        case .unknownTask: (kind, code) = (.refused, "task.unknown")
        case .taskNotOpen: (kind, code) = (.refused, "task.not-open")
        case .taskAlreadyDone: (kind, code) = (.conflict, "task.already-done")
        case .caseClosed: (kind, code) = (.refused, "case.closed")
        case .stale: (kind, code) = (.conflict, "case.stale")
        case .clerkInactive: (kind, code) = (.forbidden, "clerk.inactive")
        case .beforeLastEvent: (kind, code) = (.refused, "step.before-last-event")
        case .textNotAccepted: (kind, code) = (.refused, "text.not-accepted")
        case .documentsMissing: (kind, code) = (.refused, "document.missing")
        case .deferralRequired: (kind, code) = (.refused, "deferral.required")
        case .documentAlreadyReceived: (kind, code) = (.conflict, "document.already-received")
        case .afterLicence: (kind, code) = (.refused, "step.after-licence")
        case .deferralRefused(_, let suffix, _):
            (kind, code) = (
                suffix == "already-extended" || suffix == "exists" ? .conflict : .refused, "deferral.\(suffix)"
            )
        case .specialRefused(_, let suffix, _):
            (kind, code) = (suffix == "already-flagged" ? .conflict : .refused, "special.\(suffix)")
        case .exchangeRefused(_, let suffix, _): (kind, code) = (.refused, "exchange.\(suffix)")
        case .mailRefused(_, let suffix, _):
            (kind, code) = (
                suffix == "already-received" || suffix == "licence-already-sent" ? .conflict : .refused,
                "mail.\(suffix)"
            )
        }
        var fields: [FieldProblem] = []
        if case .textNotAccepted(let field, let problem) = self {
            fields = [FieldProblem(field: field, reason: problem)]
        }
        return Problem(kind, code, LocalizedText(zh: message(.zh), en: message(.en)), fields: fields)
    }

    public func message(_ language: Language) -> String {
        let zh = language == .zh
        switch self {
        case .notAllowedFromStage(let number, let stage, let step, let allowed):
            let list = allowed.isEmpty ? (zh ? "无" : "none") : allowed.joined(language)
            return zh
                ? "办件\(number)当前为“\(stage.zh)”，不能“\(step.zh)”；可办理：\(list)"
                : "case \(number) is at \(stage.en); it cannot go to \(step.en), only: \(list)"
        case .unknownTransition(let number, let step, let allowed):
            let list = allowed.isEmpty ? (zh ? "无" : "none") : allowed.joined(separator: ", ")
            return zh
                ? "流程中没有“\(step)”这一步（办件\(number)当前可办理：\(list)）"
                : "the workflow has no step \"\(step)\" (case \(number) can now take: \(list))"
        case .roleRequired(let clerk, let step, let required, let held):
            let heldList = held.isEmpty ? (zh ? "无" : "none") : held.joined(language)
            return zh
                ? "\(clerk)没有“\(step.zh)”所需的角色（需要：\(required.joined(language))；现有：\(heldList)）"
                : "\(clerk) lacks the role for \(step.en) (needs: \(required.joined(language)); holds: \(heldList))"
        case .reasonRequired(let step):
            return zh ? "“\(step.zh)”须说明理由" : "\(step.en) needs a reason"
        case .tasksPending(let number, let pending):
            return zh
                ? "办件\(number)尚有开办事项未办结：\(pending.joined(language))"
                : "case \(number) still has start-up tasks open: \(pending.joined(language))"
        case .unknownTask(let number, let task, let known):
            let list =
                known.isEmpty
                ? (zh ? "申请人未申请开办事项" : "the applicant asked for none") : known.joined(separator: zh ? "、" : ", ")
            return zh
                ? "办件\(number)没有开办事项“\(task)”（本件事项：\(list)）"
                : "case \(number) has no start-up task \"\(task)\" (its tasks: \(list))"
        case .taskNotOpen(let number, let task, let stage):
            return zh
                ? "办件\(number)当前为“\(stage.zh)”，开办事项“\(task.zh)”尚未开始或已结束"
                : "case \(number) is at \(stage.en); task \(task.en) is not open now"
        case .taskAlreadyDone(let number, let task, let doneBy):
            return zh
                ? "办件\(number)的“\(task.zh)”已由\(doneBy)办结"
                : "task \(task.en) of case \(number) was already done by \(doneBy)"
        case .caseClosed(let number, let stage):
            return zh ? "办件\(number)已结束（\(stage.zh)），不能再办理" : "case \(number) is closed (\(stage.en))"
        case .stale(let number, let expected, let actual):
            return zh
                ? "办件\(number)已被他人更新（您看到的是第\(expected)版，现为第\(actual)版），请重新查看后再办理"
                : "case \(number) changed meanwhile (you saw version \(expected), it is now \(actual)); look again and retry"
        case .clerkInactive(let clerk):
            return zh ? "工作人员\(clerk)已停用" : "clerk \(clerk) is deactivated"
        case .textNotAccepted(let field, let problem):
            let label = field == "note" ? "备注" : field == "place" ? "地点" : "理由"
            return zh ? "\(label)\(problem.zh)" : "the \(field == "special.reason" ? "reason" : field) \(problem.en)"
        case .beforeLastEvent(let number, let at, let last):
            let (atText, lastText) = HallTime.localTexts(of: at, last)
            return zh
                ? "办件\(number)的上一条记录在\(lastText)，不能在其之前（\(atText)）办理（如系他人刚刚办理，请先查看办件）"
                : "case \(number) was last changed at \(lastText); a step cannot be dated earlier (\(atText)); if someone has just changed it, look at the case first"
        case .documentsMissing(let number, let step, let missing):
            return zh
                ? "办件\(number)尚缺材料，不能“\(step.zh)”：\(missing.joined(language))"
                : "case \(number) lacks documents, so it cannot \(step.en): \(missing.joined(language))"
        case .deferralRequired(let number, let missing):
            return zh
                ? "办件\(number)尚缺次要材料：\(missing.joined(language))；须由申请人签署容缺受理承诺书，或一次性告知补正"
                : "case \(number) lacks secondary documents: \(missing.joined(language)); the applicant signs a commitment to supply them, or the case is returned for correction"
        case .afterLicence(let number, let step):
            return zh
                ? "办件\(number)已发照，不能“\(step.zh)”；已登记的须依法撤销或注销"
                : "case \(number) has its licence, so it cannot \(step.en); a registration is revoked or deregistered instead"
        case .documentAlreadyReceived(let number, let code, let at):
            return zh
                ? "办件\(number)已于\(HallTime.localText(of: at))收到“\(code)”"
                : "case \(number) received \"\(code)\" already, at \(HallTime.localText(of: at))"
        case .deferralRefused(let number, _, let reason), .specialRefused(let number, _, let reason),
            .mailRefused(let number, _, let reason), .exchangeRefused(let number, _, let reason):
            return zh ? "办件\(number)：\(reason.zh)" : "case \(number): \(reason.en)"
        }
    }
}
