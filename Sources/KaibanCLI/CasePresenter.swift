import Foundation
import KaibanCore
import KaibanDesk

/// Renders cases, histories and worklists for people, in the clerk's language.
struct CasePresenter {
    let definition: WorkflowDefinition
    let language: Language

    var zh: Bool { language == .zh }

    func stage(_ id: String?) -> String {
        guard let id else { return "" }
        return definition.stageName(id).text(language)
    }

    func time(_ date: Date?) -> String {
        date.map(HallTime.localText(of:)) ?? ""
    }

    func taskName(_ id: String) -> String {
        definition.task(id)?.name.text(language) ?? id
    }

    /// What an event did, in a few words.
    func action(_ event: CaseEvent) -> String {
        switch event.kind {
        case .opened:
            let count = event.documentsReceived?.count ?? 0
            let special = event.application?.special.map {
                zh ? "，特殊办：\($0.kind.name.zh)" : ", special service: \($0.kind.name.en)"
            }
            guard count > 0 else {
                return special.map { zh ? "收件（\($0.dropFirst())）" : "intake (\($0.dropFirst(2)))" }
                    ?? (zh ? "收件" : "intake")
            }
            return zh
                ? "收件（随附材料\(count)件\(special ?? "")）" : "intake (\(count) documents handed in\(special ?? ""))"
        case .transitioned:
            let name =
                event.transition.flatMap { definition.transition($0)?.name.text(language) } ?? event.transition ?? ""
            return event.automatic ? name + (zh ? "（自动）" : " (automatic)") : name
        case .taskCompleted:
            return (zh ? "完成：" : "done: ") + taskName(event.task ?? "")
        case .documentReceived:
            let form = event.document.map { documentForm($0.form) } ?? ""
            return (zh ? "材料：" : "document: ") + (event.document?.code ?? "") + (zh ? "（\(form)）" : " (\(form))")
        case .deferralCommitted:
            let items = event.commitment?.items.map { "\($0.code) \(HallTime.localText(of: $0.deadline))" } ?? []
            return (zh ? "容缺承诺：" : "deferral committed: ") + items.joined(separator: zh ? "、" : ", ")
                + (event.commitment.map { zh ? "（签署人\($0.signer)）" : " (signed by \($0.signer))" } ?? "")
        case .deferralExtended:
            let deadline = event.deferralExtension.map { HallTime.localText(of: $0.deadline) } ?? ""
            return (zh ? "容缺期限延至" : "deferral extended to ") + deadline
        case .deferralFulfilled:
            return zh ? "容缺材料已补齐（自动）" : "deferred documents all in (automatic)"
        case .specialFlagged, .specialUnflagged, .visitRecorded:
            return specialAction(event)
        case .mailReceived:
            return (zh ? "邮件签收：" : "post received: ") + (event.post.map(post) ?? "")
        case .mailSent:
            return (zh ? "邮寄送达：" : "posted: ") + (event.post.map(post) ?? "")
        }
    }

    /// A post in words: carrier, tracking number and, for one sent, its items and address.
    func post(_ post: PostalItem) -> String {
        var text = "\(post.carrier.name.text(language)) \(post.tracking)"
        if let items = post.items {
            text += (zh ? "（" : " (") + items.map { $0.name.text(language) }.joined(separator: zh ? "、" : ", ")
            if let address = post.address { text += (zh ? "，寄往" : ", to ") + address }
            text += zh ? "）" : ")"
        }
        return text
    }

    /// How a document came, in words.
    func documentForm(_ form: ReceivedDocument.Form) -> String {
        Self.documentForm(form, zh: zh)
    }

    static func documentForm(_ form: ReceivedDocument.Form, zh: Bool) -> String {
        switch form {
        case .paper: zh ? "纸质" : "paper"
        case .electronic: zh ? "电子" : "electronic"
        case .post: zh ? "邮寄" : "by post"
        }
    }

    func role(_ id: String?) -> String {
        id.map { definition.roleName($0).text(language) } ?? ""
    }

    /// Who took a step, by the role it was taken in: an applicant's act through their portal, or the
    /// partner authority's through the exchange (the one receiving or deciding the case), is not a
    /// window clerk's (the portal acts in an intake role of the workflow; its withdrawal had read
    /// "window clerk").
    func actorRole(_ event: CaseEvent) -> String {
        if event.actor.hasPrefix("portal:") { return zh ? "申请人（门户）" : "applicant (portal)" }
        if event.actor.hasPrefix("exchange:") { return zh ? "川渝通办合作方" : "partner authority (川渝通办)" }
        return role(event.role)
    }

    /// The one-line result of a step.
    func stepSummary(_ outcome: StepOutcome) -> String {
        outcome.events.map { event in
            var line = (zh ? "办件" : "case ") + "\(outcome.state.number) \(action(event))"
            if event.kind == .transitioned || event.kind == .opened {
                line += (zh ? "：" : ": ") + "\(stage(event.fromStage)) → \(stage(event.toStage))"
            }
            if let code = event.creditCode { line += zh ? "，统一社会信用代码\(code)" : ", unified social credit code \(code)" }
            return line
        }.joined(separator: "\n")
    }

    func history(_ events: [CaseEvent]) -> String {
        var table = TextTable(
            zh
                ? ["序号", "时间", "办理人", "角色", "操作", "从", "到", "说明", "录入"]
                : ["#", "time", "clerk", "role", "action", "from", "to", "reason", "recorded"])
        for event in events {
            table.add([
                "\(event.sequence)", time(event.at), event.actor, actorRole(event), action(event),
                stage(event.fromStage), stage(event.toStage), event.reason ?? "", recorded(event),
            ])
        }
        return table.rendered
    }

    /// When the event was written, and for a late entry (补录) by whom and why.
    func recorded(_ event: CaseEvent) -> String {
        let when = event.recordedAt.map(time) ?? "—"
        guard let reason = event.lateReason else { return when }
        let by = event.recordedBy ?? "?"
        return zh ? "\(when) 补录（\(by)：\(reason)）" : "\(when) late entry (\(by): \(reason))"
    }

    /// A case's deferral (容缺): who signed, each item with its deadline and where it stands.
    func deferral(_ deferral: Deferral, of state: RegistrationCase, at now: Date) -> String {
        let commitment = deferral.commitment
        var lines = [
            zh
                ? "容缺承诺：\(commitment.signer) \(commitment.signerID)于\(time(commitment.signedAt))签署，\(deferral.recordedBy)登记"
                : "deferral: signed by \(commitment.signer) \(commitment.signerID) at \(time(commitment.signedAt)), recorded by \(deferral.recordedBy)"
        ]
        if let extended = deferral.extensionGranted {
            lines.append(
                zh
                    ? "延期：\(deferral.extendedBy ?? "")于\(time(deferral.extendedAt))延至\(time(extended.deadline))（\(deferral.extensionReason ?? "")）"
                    : "extended by \(deferral.extendedBy ?? "") at \(time(deferral.extendedAt)) to \(time(extended.deadline)) (\(deferral.extensionReason ?? ""))"
            )
        }
        let names = Dictionary(
            (state.checklist?.documents ?? []).map { ($0.code, $0.name.text(language)) },
            uniquingKeysWith: { first, _ in first })
        var table = TextTable(
            zh ? ["容缺材料", "补交期限", "状态", "补交时间"] : ["deferred document", "deadline", "state", "supplied"])
        for item in commitment.items {
            let deadline = deferral.deadline(of: item)
            let supplied = deferral.supplied[item.code]
            let status: String
            switch supplied {
            case let at? where at > deadline: status = zh ? "逾期补交" : "supplied late"
            case .some: status = zh ? "已补交" : "supplied"
            case nil where deferral.endedAt != nil: status = zh ? "随办件终结" : "ended with the case"
            case nil where now > deadline: status = zh ? "逾期未补" : "overdue"
            case nil: status = zh ? "待补交" : "outstanding"
            }
            // To the second when off the minute: supplied at 17:30:01 is late against 17:30, and
            // had read 17:30 (from a hostile trial).
            table.add([
                names[item.code] ?? item.code, time(deadline), status,
                supplied.map(HallTime.localTextToTheSecond(of:)) ?? "",
            ])
        }
        lines.append(table.rendered)
        if let fulfilled = deferral.fulfilledAt {
            lines.append(zh ? "容缺材料已于\(time(fulfilled))补齐" : "all deferred documents in at \(time(fulfilled))")
        }
        return lines.joined(separator: "\n")
    }

    /// The full view of one case, with the steps allowed next; `notes` are said under its
    /// investors (what the intake warned of).
    func detail(_ view: CaseView, notes: [LocalizedText] = []) -> String {
        let state = view.case
        let app = state.application
        let yuan = zh ? "元" : " yuan"
        var lines: [(String, String)] = [
            (zh ? "办件编号" : "case", state.number.description),
            (zh ? "当前环节" : "stage", stage(state.stage) + (state.isOpen ? "" : (zh ? "（已结束）" : " (closed)"))),
            (zh ? "流程" : "workflow", "\(definition.title.text(language)) (\(definition.key))"),
            (zh ? "版本" : "version", "\(state.version)"),
            (zh ? "渠道" : "channel", app.channel.name.text(language)),
            (zh ? "企业类型" : "type", app.enterpriseType.name.text(language)),
            (zh ? "名称" : "name", app.proposedName),
        ]
        if app.enterpriseType.hasRegisteredCapital {
            lines.append((zh ? "注册资本" : "registered capital", app.registeredCapital.yuanText + yuan))
        }
        lines += [
            (
                zh ? "住所" : "domicile",
                zh ? "\(app.domicile)（\(app.domicileDivision)）" : "\(app.domicile) (\(app.domicileDivision))"
            ),
            (zh ? "经营范围" : "business scope", app.businessScope),
            (
                app.enterpriseType.representativeRole.text(language),
                "\(app.legalRepresentative.name) \(app.legalRepresentative.idNumber)"
            ),
            (zh ? "联系人" : "contact", "\(app.contact.name) \(app.contact.phone)"),
        ]
        if let agent = app.agent { lines.append((zh ? "委托代理人" : "agent", "\(agent.name) \(agent.idNumber)")) }
        if let address = app.mailingAddress { lines.append((zh ? "邮寄地址" : "mailing address", address)) }
        lines += [
            (zh ? "收件" : "received", "\(time(state.openedAt)) \(state.openedBy)")
        ]
        if let received = state.mail?.received {
            lines.append((zh ? "邮件签收" : "post received", "\(time(received.at)) \(received.by) \(post(received.post))"))
        } else if app.channel == .mail && state.isOpen {
            lines.append((zh ? "邮件签收" : "post received", zh ? "材料寄递中，尚未送达" : "documents still in the post"))
        }
        if let code = state.creditCode { lines.append((zh ? "统一社会信用代码" : "credit code", code)) }
        for sent in state.mail?.sent ?? [] {
            lines.append((zh ? "邮寄送达" : "posted", "\(time(sent.at)) \(sent.by) \(post(sent.post))"))
        }
        if let since = state.licenceAwaitingPostSince(definition) {
            lines.append(
                (
                    zh ? "邮寄送达" : "posted",
                    zh ? "营业执照待寄出（\(time(since))发照）" : "licence waiting to be posted (issued \(time(since)))"
                ))
        }
        if let closed = state.closedAt { lines.append((zh ? "结束时间" : "closed", time(closed))) }
        if let reason = state.lastReason { lines.append((zh ? "最近说明" : "last reason", reason)) }
        let labelWidth = lines.map { TextTable.width($0.0) }.max() ?? 0
        var text = lines.map { TextTable.pad($0.0, to: labelWidth) + "  " + $0.1 }

        var investors = TextTable(
            zh ? ["出资人", "类型", "证件号码", "认缴出资", "方式"] : ["investor", "kind", "ID", "subscribed", "form"])
        for investor in app.investors {
            investors.add([
                investor.name, investor.kind.name.text(language), investor.idNumber,
                investor.contribution.yuanText + yuan, investor.form,
            ])
        }
        text += ["", investors.rendered]
        // Said again to whoever reviews or signs later (a minor shareholder's guardian acts):
        // the intake's warnings are not kept.
        for note in notes { text.append((zh ? "注：" : "note: ") + note.text(language)) }

        if !app.requestedTasks.isEmpty {
            var tasks = TextTable(zh ? ["开办事项", "状态", "办结时间", "办理人"] : ["start-up task", "status", "done at", "by"])
            for id in app.requestedTasks {
                let progress = state.tasks.first { $0.task == id }
                let status: String
                switch progress {
                case nil: status = zh ? "未开始" : "not started"
                case let p? where p.isDone: status = zh ? "已办结" : "done"
                default: status = zh ? "办理中" : "in progress"
                }
                tasks.add([taskName(id), status, time(progress?.doneAt), progress?.doneBy ?? ""])
            }
            text += ["", tasks.rendered]
        }
        if let deferral = state.deferral { text += ["", self.deferral(deferral, of: state, at: view.asOf)] }
        if state.special != nil || !state.visits.isEmpty { text += ["", special(state)] }
        if let hours = state.extendedHours {
            let span = "\(time(hours.opensAt))–\(time(hours.closesAt).suffix(5))"
            text += [
                "",
                zh
                    ? "延时服务受理（\(span)）：自收件至\(time(hours.closesAt))按工作时间计时"
                    : "taken in during extended hours (\(span)): the clock counts from intake to \(time(hours.closesAt)) as working time",
            ]
        }
        // A closed case shows the acts still open to it (撤销登记 of one completed with its
        // deferral overdue).
        if state.isOpen || !view.nextSteps.isEmpty {
            let sep = zh ? "、" : ", "
            let next = view.nextSteps.map {
                "\($0.id)" + (zh ? "（" : " (") + $0.name.text(language) + (zh ? "，" : ", ")
                    + $0.roles.map { role($0) }.joined(separator: "/") + (zh ? "）" : ")")
            }
            text += [
                "",
                (zh ? "可办理：" : "next steps: ") + (next.isEmpty ? (zh ? "无" : "none") : next.joined(separator: sep)),
            ]
        }
        return text.joined(separator: "\n")
    }
}
