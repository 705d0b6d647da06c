import Foundation

extension WorkflowEngine {
    /// The transition that takes a mail case out of its stage for documents in the post.
    public static let mailArrivalTransition = "receive-documents"

    /// The arrival of a mail case's documents: the post's event, then the transition out of the
    /// stage for documents in the post (the clock starts there). Refused for a case that is not a
    /// mail case or whose post arrived already; for one that left the stage before (a document
    /// handed in at the window first), the post's event alone.
    func receiveMail(_ post: PostalItem, on state: RegistrationCase, by clerk: Clerk, held: Set<String>, at now: Date)
        throws(WorkflowError) -> [CaseEvent]
    {
        func refuse(_ code: String, _ zh: String, _ en: String) -> WorkflowError {
            .mailRefused(case: state.number, code: code, reason: LocalizedText(zh: zh, en: en))
        }
        let channel = state.application.channel
        guard channel == .mail else {
            throw refuse(
                "not-mail", "本件为\(channel.name.zh)，不是寄递办，没有寄来的材料",
                "the case came by the \(channel.name.en) channel, not by mail: no post is expected")
        }
        if let received = state.mail?.received {
            throw refuse(
                "already-received",
                "寄递材料已于\(HallTime.localText(of: received.at))由\(received.by)签收（\(received.post.carrier.name.zh) \(received.post.tracking)）",
                "the posted documents were received already, at \(HallTime.localText(of: received.at)) by \(received.by) (\(received.post.carrier.name.en) \(received.post.tracking))"
            )
        }
        guard let transition = definition.transition(Self.mailArrivalTransition) else {
            throw refuse(
                "not-in-transit", "当前为“\(definition.stageName(state.stage).zh)”，材料已不在寄递中（已签收）",
                "the case is at \(definition.stageName(state.stage).en): its documents are no longer in the post")
        }
        try checkTracking(post, on: state)
        let step = LocalizedText(zh: "邮件签收", en: "receive the post")
        let role = try requireRole(transition.roles, held: held, clerk: clerk, step: step)
        var arrival = CaseEvent(
            sequence: state.version + 1, at: now, kind: .mailReceived, actor: clerk.id, role: role)
        arrival.post = PostalItem(carrier: post.carrier, tracking: post.tracking)
        // The case left the post's stage already (the applicant handed a document in at the
        // window first): the post that comes after is recorded with what it held, its clock
        // running since the hand-in.
        guard state.stage == definition.initialStage(for: .mail),
            definition.transition(transition, leavesFrom: state.stage)
        else { return [arrival] }
        try check(transition.guards, on: state, at: now, step: transition.name)
        let moved = CaseEvent(
            sequence: state.version + 2, at: now, kind: .transitioned, actor: clerk.id, role: role,
            transition: transition.id, fromStage: state.stage, toStage: transition.to)
        return [arrival, moved]
    }

    /// Whether `state` is a mail case still in its stage for documents in the post, its post not
    /// recorded.
    func awaitsPost(_ state: RegistrationCase) -> Bool {
        state.application.channel == .mail && state.mail?.received == nil && state.isOpen
            && state.stage == definition.initialStage(for: .mail)
    }

    /// Refuses the step out of the stage for documents in the post taken by hand on a mail case
    /// whose post was never recorded and who handed nothing in otherwise: its arrival is recorded
    /// with `kaiban mail receive` (the post, then the step). Taken by hand, the case had left
    /// the stage with "documents still in the post" and its time until then the applicant's.
    /// A document handed in at the window or sent electronically takes the case out of the stage
    /// by itself (``follow(_:from:by:at:)``); a case that got one before that rule still in the
    /// stage may have the step taken by hand (the applicant came instead of posting them).
    func refuseArrivalWithoutPost(_ transition: String, on state: RegistrationCase) throws(WorkflowError) {
        guard transition == Self.mailArrivalTransition, awaitsPost(state),
            !state.documents.values.contains(where: { $0.document.form != .post })
        else { return }
        throw .mailRefused(
            case: state.number, code: "use-mail-receive",
            reason: LocalizedText(
                zh: "寄递办的材料到达时用 kaiban mail receive 签收（记下承运商和运单号）；申请人改为到窗口递交的，先登记收到的纸质材料",
                en:
                    "a mail case's documents are received with kaiban mail receive (with the carrier and tracking number); if the applicant brought them instead, record the paper documents first"
            ))
    }

    /// A post sent back to the application's mailing address (邮寄送达): refused without an
    /// address, without items, with the licence before it is issued, after its registration was
    /// revoked or once it was posted, and under a tracking number already used on the case.
    func sendMail(_ post: PostalItem, on state: RegistrationCase, by clerk: Clerk, held: Set<String>, at now: Date)
        throws(WorkflowError) -> CaseEvent
    {
        func refuse(_ code: String, _ zh: String, _ en: String) -> WorkflowError {
            .mailRefused(case: state.number, code: code, reason: LocalizedText(zh: zh, en: en))
        }
        guard let address = state.application.mailingAddress, !address.isEmpty else {
            throw refuse("no-address", "申请未填写邮寄地址，不能邮寄送达", "the application gives no mailing address to post to")
        }
        var items: [MailItem] = []
        for item in post.items ?? [] where !items.contains(item) { items.append(item) }
        guard !items.isEmpty else {
            throw refuse("no-items", "未指明寄出的物品（营业执照、通知书……）", "nothing is named as posted (licence, notices, …)")
        }
        if items.contains(.licence) {
            guard state.creditCode != nil else {
                throw refuse(
                    "licence-not-issued", "尚未发照（当前为“\(definition.stageName(state.stage).zh)”），不能寄出营业执照",
                    "the licence is not issued yet (the case is at \(definition.stageName(state.stage).en)), so it cannot be posted"
                )
            }
            if definition.stage(state.stage)?.outcome == .revoked {
                throw refuse(
                    "licence-revoked", "登记已撤销，营业执照不再寄出", "the registration was revoked: its licence is not posted")
            }
            if let sent = state.mail?.licencePost {
                throw refuse(
                    "licence-already-sent",
                    "营业执照已于\(HallTime.localText(of: sent.at))寄出（\(sent.post.carrier.name.zh) \(sent.post.tracking)）",
                    "the licence was posted already, at \(HallTime.localText(of: sent.at)) (\(sent.post.carrier.name.en) \(sent.post.tracking))"
                )
            }
        }
        try checkTracking(post, on: state)
        let role = try requireRole(
            definition.intakeRoles, held: held, clerk: clerk,
            step: LocalizedText(zh: "邮寄送达", en: "post to the applicant"))
        var event = CaseEvent(sequence: state.version + 1, at: now, kind: .mailSent, actor: clerk.id, role: role)
        event.post = PostalItem(carrier: post.carrier, tracking: post.tracking, items: items, address: address)
        return event
    }

    /// Refuses a malformed tracking number, or one the case's posts already used.
    func checkTracking(_ post: PostalItem, on state: RegistrationCase) throws(WorkflowError) {
        if case .failure(let problem) = TrackingNumber.checked(post.tracking) {
            throw .mailRefused(case: state.number, code: "tracking-invalid", reason: problem.text)
        }
        let used = ([state.mail?.received].compactMap { $0 } + (state.mail?.sent ?? [])).first {
            $0.post.carrier == post.carrier && $0.post.tracking == post.tracking
        }
        if let used {
            throw .mailRefused(
                case: state.number, code: "tracking-used",
                reason: LocalizedText(
                    zh: "运单号\(post.tracking)已于\(HallTime.localText(of: used.at))用于本件的邮件",
                    en:
                        "tracking number \(post.tracking) was used on this case's post at \(HallTime.localText(of: used.at))"
                ))
        }
    }
}
