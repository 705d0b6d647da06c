import Foundation

extension WorkflowEngine {
    /// The event of a special-service act (特殊办): a supervisor flags an unflagged case with a
    /// kind and a reason, or removes the flag with a reason; a window clerk (or a supervisor)
    /// records a visit to a flagged case, with its place and the clerks who went.
    func special(
        _ command: CaseCommand, on state: RegistrationCase, by clerk: Clerk, held: Set<String>, at now: Date
    ) throws(WorkflowError) -> CaseEvent {
        func refuse(_ code: String, _ zh: String, _ en: String) -> WorkflowError {
            .specialRefused(case: state.number, code: code, reason: LocalizedText(zh: zh, en: en))
        }
        let sequence = state.version + 1
        switch command {
        case .flagSpecial(let request):
            let role = try requireRole(
                [Clerk.supervisorRole], held: held, clerk: clerk,
                step: LocalizedText(zh: "标记特殊办", en: "flag for special service"))
            if let problem = request.problems.first {
                throw .textNotAccepted(field: problem.field, problem: problem.reason)
            }
            if let flag = state.special {
                throw refuse(
                    "already-flagged", "已标记为特殊办（\(flag.kind.name.zh)：\(flag.reason)），须先取消标记",
                    "already flagged for special service (\(flag.kind.name.en): \(flag.reason)); remove the flag first")
            }
            var event = CaseEvent(
                sequence: sequence, at: now, kind: .specialFlagged, actor: clerk.id, role: role,
                reason: request.reason.trimmingCharacters(in: .whitespacesAndNewlines))
            event.special = SpecialRequest(kind: request.kind, reason: event.reason ?? request.reason)
            return event
        case .unflagSpecial(let reason):
            let step = LocalizedText(zh: "取消特殊办标记", en: "remove the special-service flag")
            let role = try requireRole([Clerk.supervisorRole], held: held, clerk: clerk, step: step)
            let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { throw .reasonRequired(step: step) }
            if let problem = FreeText.problem(trimmed, limit: FreeText.reasonLimit) {
                throw .textNotAccepted(field: "reason", problem: problem)
            }
            guard state.special != nil else {
                throw refuse("not-flagged", "未标记为特殊办", "not flagged for special service")
            }
            return CaseEvent(
                sequence: sequence, at: now, kind: .specialUnflagged, actor: clerk.id, role: role, reason: trimmed)
        case .recordVisit(let details):
            let role = try requireRole(
                definition.intakeRoles, held: held, clerk: clerk,
                step: LocalizedText(zh: "登记上门服务", en: "record a visit"))
            guard state.special != nil else {
                throw refuse(
                    "not-flagged", "未标记为特殊办，不登记上门服务；须先由负责人标记",
                    "not flagged for special service, so no visit is recorded; a supervisor flags it first")
            }
            let place = details.place.trimmingCharacters(in: .whitespacesAndNewlines)
            if place.isEmpty {
                throw .textNotAccepted(field: "place", problem: LocalizedText(zh: "不能为空", en: "is empty"))
            }
            if let problem = FreeText.problem(place, limit: FreeText.addressLimit) {
                throw .textNotAccepted(field: "place", problem: problem)
            }
            let note = details.note?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let note, !note.isEmpty, let problem = FreeText.problem(note, limit: FreeText.reasonLimit) {
                throw .textNotAccepted(field: "note", problem: problem)
            }
            if details.clerks.isEmpty {
                throw refuse("no-clerks", "未写明上门的工作人员", "the visit names no clerk who went")
            }
            var event = CaseEvent(
                sequence: sequence, at: now, kind: .visitRecorded, actor: clerk.id, role: role)
            event.visit = VisitDetails(
                place: place, clerks: details.clerks, note: note.flatMap { $0.isEmpty ? nil : $0 })
            return event
        default:
            throw refuse("unknown", "不是特殊办的办理", "not a special-service act")
        }
    }
}
