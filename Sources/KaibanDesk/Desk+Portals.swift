import Foundation
import KaibanCore
import KaibanCrypto

/// A portal just registered, with its token: shown once, kept only hashed.
public struct PortalRegistration: Sendable, Equatable, Codable {
    public var portal: Portal
    public var token: String
}

/// What a portal's submission answers: the case (ID numbers masked), the applicant's query
/// password (查询密码, the same on a retry with the same idempotency key) and whether this was such
/// a retry.
public struct SubmissionReceipt: Sendable, Equatable, Codable {
    public var `case`: RegistrationCase
    public var queryPassword: String
    public var replayed: Bool
    public var warnings: [FieldProblem]
}

extension Desk {
    /// Failed query passwords on one case within ``accessWindow`` before it is locked for the rest of it.
    public static let accessAttempts = 5
    public static let accessWindow: TimeInterval = 15 * 60
    /// PBKDF2 iterations of a stored query password. Fewer than for a clerk's own password, on
    /// purpose: a query password is made by the desk (10 characters of 31, about 49.5 bits), not
    /// chosen by a person; online guessing is stopped by the rate limit; and offline, whoever holds
    /// the database already holds the case it guards. At 2,000 iterations one hash costs about
    /// 1 ms here (20,000 cost 11 ms, which capped submissions at under 200 a second on two cores),
    /// and exhausting one password's space still takes years of a GPU's time.
    static let queryPasswordIterations = 2_000

    /// A supervisor registers a portal (the online site or the mobile app) and gets its token, once.
    public func addPortal(id: String, name: String, channel: Channel, as actor: DeskActor) async throws
        -> PortalRegistration
    {
        try await run {
            let supervisor = try await requireSupervisor(
                actor, for: LocalizedText(zh: "登记门户", en: "register a portal"))
            var fields: [FieldProblem] = []
            if let problem = Portal.idProblem(id) { fields.append(FieldProblem(field: "id", reason: problem)) }
            if !Portal.channels.contains(channel) {
                fields.append(
                    FieldProblem(
                        field: "channel",
                        reason: LocalizedText(zh: "门户的渠道为网上办或掌上办", en: "a portal is the online or the mobile channel")))
            }
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if let problem = trimmed.isEmpty
                ? LocalizedText(zh: "不能为空", en: "is empty") : FreeText.problem(trimmed, limit: 60)
            {
                fields.append(FieldProblem(field: "name", reason: problem))
            }
            guard fields.isEmpty else {
                throw Problem(
                    .invalid, "portal.invalid", zh: "门户登记有误：", en: "the portal cannot be registered:", fields: fields)
            }
            let token = try Self.secret { try Secrets.token() }
            let portal = Portal(
                id: id, name: trimmed, channel: channel, createdAt: instant(nowRounded: clock.now()),
                createdBy: supervisor.id)
            try await store.addPortal(portal, tokenHash: Secrets.sha256Hex(token))
            return PortalRegistration(portal: portal, token: token)
        }
    }

    public func portals() async throws -> [Portal] {
        try await run { try await store.portals() }
    }

    /// A supervisor revokes a portal, with a reason: its token no longer works.
    public func revokePortal(_ id: String, reason: String?, as actor: DeskActor) async throws -> Portal {
        try await run {
            let supervisor = try await requireSupervisor(actor, for: LocalizedText(zh: "停用门户", en: "revoke a portal"))
            let text = try self.reason(
                reason, field: "reason", label: LocalizedText(zh: "理由", en: "the reason"), required: true)
            let revoked = try await store.revokePortal(
                id, by: supervisor.id, reason: text, at: instant(nowRounded: clock.now()))
            portalsByToken.withLock { $0 = $0.filter { $0.value.portal.id != id } }
            return revoked
        }
    }

    /// The active portal whose token `token` is; refused (`portal.unauthorized`) otherwise. A
    /// token found active is trusted for ``portalTokenLifetime`` without reading it again (see
    /// ``portalsByToken``); an unknown or revoked one is read every time.
    public func portal(token: String) async throws -> Portal {
        try await run {
            let unauthorized = Self.unauthorized
            guard !token.isEmpty, token.count <= 200 else { throw unauthorized }
            let hash = Secrets.sha256Hex(token)
            let now = ContinuousClock.now
            if let known = portalsByToken.withLock({ $0[hash] }), now - known.readAt < Self.portalTokenLifetime {
                return known.portal
            }
            guard let portal = try await store.portal(tokenHash: hash), portal.isActive else {
                portalsByToken.withLock { _ = $0.removeValue(forKey: hash) }
                throw unauthorized
            }
            portalsByToken.withLock {
                if $0.count >= 1_000 { $0.removeAll(keepingCapacity: true) }
                $0[hash] = (portal, now)
            }
            return portal
        }
    }

    /// Takes in an application submitted by `portal` (网上办/掌上办): the same checks as intake at
    /// the window, every problem at once; the channel is the portal's. The idempotency key makes a
    /// retry safe: the same key with the same request answers what the first answered, the same key
    /// with another request is refused (`idempotency.key-reused`). The request is compared by
    /// the application it describes (``requestFingerprint(_:)``: a client that writes its JSON again
    /// for a retry, keys in another order, other blanks or escapes, an amount as "500000.00" for
    /// "500000", an ID number's `x` as `X`, a default written out, sends the same request); a
    /// submission stored before by `canonicalBody` (the form as decoded, with sorted keys) or by its
    /// bytes still matches those.
    public func submit(
        _ application: CaseApplication, through portal: Portal, idempotencyKey: String, requestBody: Data,
        canonicalBody: Data? = nil
    ) async throws -> SubmissionReceipt {
        try await run {
            guard !idempotencyKey.isEmpty, idempotencyKey.count <= 200,
                idempotencyKey.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F })
            else {
                throw Problem(
                    .invalid, "idempotency.key-invalid", zh: "幂等键须为1至200个可见ASCII字符",
                    en: "an idempotency key is 1 to 200 visible ASCII characters")
            }
            let keySHA = Secrets.sha256Hex(idempotencyKey)
            let bytesSHA = Secrets.sha256Hex(Array(requestBody))
            let requestSHA = try Self.requestFingerprint(application)
            let requestSHAs: Set = [
                requestSHA, canonicalBody.map { Secrets.sha256Hex(Array($0)) } ?? bytesSHA, bytesSHA,
            ]
            let now = instant(nowRounded: clock.now())
            // The earlier submission under the key, and for a new one what its name is checked
            // against, in one read.
            let hall = settings.hall
            let date = HallTime.localDate(of: now)
            let analysis: NameAnalysis
            do {
                analysis = try await nameAnalysis(
                    application.proposedName, type: application.enterpriseType, hall: hall, on: date)
            } catch {
                // A retry is answered as before even when the name can no longer be analysed (the
                // hall's division changed, the rules unreadable): only a new submission needs it.
                if let earlier = try await store.earlierSubmission(portalID: portal.id, keySHA256: keySHA) {
                    return try await replay(earlier, key: idempotencyKey, requestSHAs: requestSHAs)
                }
                throw error
            }
            // Submissions of the same name wait for each other here, each until the one before it
            // has committed: read at once, ten submitted together had seen none of the others in
            // progress (or one), and none was warned. (Within this process; another server on the
            // same database can still take one at the same instant.)
            let gateKey = [hall, analysis.tradeName, analysis.industry].joined(separator: "\u{1F}")
            return try await namesBeingSubmitted.holding(gateKey) {
                try await submitNew(
                    application, through: portal, analysis: analysis, keySHA: keySHA, idempotencyKey: idempotencyKey,
                    requestSHA: requestSHA, requestSHAs: requestSHAs, now: now, hall: hall, date: date)
            }
        }
    }

    /// ``submit(_:through:idempotencyKey:requestBody:canonicalBody:)`` once its name is analysed
    /// and its turn has come: the earlier submission under the key, or the new case.
    func submitNew(
        _ application: CaseApplication, through portal: Portal, analysis: NameAnalysis, keySHA: String,
        idempotencyKey: String, requestSHA: String, requestSHAs: Set<String>, now: Date, hall: String, date: CivilDate
    ) async throws -> SubmissionReceipt {
        let lookup = try await store.submissionLookup(
            portalID: portal.id, keySHA256: keySHA,
            names: NameQuery(division: hall, tradeName: analysis.tradeName, industry: analysis.industry))
        let records: NameRecords
        switch lookup {
        case .earlier(let earlier):
            return try await replay(earlier, key: idempotencyKey, requestSHAs: requestSHAs)
        case .new(let read): records = read
        }
        var application = application
        application.channel = portal.channel
        let read = ReadName(
            name: application.proposedName, type: application.enterpriseType, hall: hall, date: date,
            analysis: analysis, records: records)
        let prepared = try await Self.$readName.withValue(read) {
            try await prepare(application, documents: .none, hall: hall, at: now, namingCases: false)
        }
        let definition = try await latestDefinition()
        let password = try Self.secret { try Secrets.queryPassword() }
        let submission = PortalSubmission(
            portal: portal, keySHA256: keySHA, requestSHA256: requestSHA,
            passwordHash: try Self.secret {
                try Secrets.passwordHash(password, iterations: Self.queryPasswordIterations)
            },
            sealedPassword: Secrets.seal(password, key: idempotencyKey),
            warningsJSON: Self.warningsJSON(prepared.review.warnings))
        // The engine takes the case in as the portal, in the workflow's intake role.
        let acting = Clerk(id: portal.actorID, name: portal.name, roles: Set(definition.intakeRoles))
        do {
            let state = try await store.intake(
                prepared.application, submission: submission, workflowID: settings.workflowID, hall: settings.hall,
                as: acting, at: now,
                nameParts: NameParts(
                    tradeName: prepared.review.name.tradeName, industry: prepared.review.name.industry),
                recording: Recording(at: now), checklist: prepared.checklist, clock: try await slaClock())
            return SubmissionReceipt(
                case: state.maskingIDs(), queryPassword: password, replayed: false,
                warnings: prepared.review.warnings)
        } catch StoreError.submissionExists {
            // A concurrent request under the same key was taken in first: answer as it was.
            guard let earlier = try await store.earlierSubmission(portalID: portal.id, keySHA256: keySHA) else {
                throw StoreError.submissionExists
            }
            return try await replay(earlier, key: idempotencyKey, requestSHAs: requestSHAs)
        } catch StoreError.portalNotFound {
            // Revoked since its token was last read (the store checks it in the transaction).
            portalsByToken.withLock { $0 = $0.filter { $0.value.portal.id != portal.id } }
            throw Self.unauthorized
        }
    }

    /// A form with fields missing or unreadable (`formProblems`) refused with every problem at
    /// once (一次性告知): those, and what the application's own rules find in the other fields as
    /// far as they read (a phone number that is no phone number had gone unsaid beside a missing
    /// field). A rule on a field the form could not read, or one that adds up amounts, counts
    /// investors or depends on the type when one of those could not be read, is left out: it
    /// would judge a placeholder.
    public func everyProblem(of application: CaseApplication, besides formProblems: [FieldProblem]) async
        -> ApplicationRejected
    {
        let tasks = (try? await latestDefinition().allTaskIDs) ?? Set(application.requestedTasks)
        let unread = formProblems.map(\.field)
        func related(_ field: String, _ other: String) -> Bool {
            field == other || field.hasPrefix(other + ".") || field.hasPrefix(other + "[")
                || other.hasPrefix(field + ".") || other.hasPrefix(field + "[")
        }
        let investorField = { (field: String) in field.hasPrefix("investors[") }
        let crossChecked = unread.contains {
            $0 == "enterpriseType" || $0 == "registeredCapital" || $0 == "investors"
                || (investorField($0) && ($0.hasSuffix(".contribution") || $0.hasSuffix(".kind") || $0.hasSuffix("]")))
        }
        // An investor whose kind or number could not be read stands as an organisation
        // (``ApplicationForm/decoded(channel:)``): their name and number are not judged as a
        // person's or an organisation's (a company's credit code had read as an invalid ID number).
        let unreadInvestors = unread.filter {
            investorField($0) && ($0.hasSuffix(".kind") || $0.hasSuffix(".idNumber"))
        }
        .compactMap { field in field.range(of: "].").map { field[..<$0.upperBound] } }
        // With the type unread, the name's form for it is not judged either (an llc's had been).
        let typeUnread = unread.contains("enterpriseType")
        let canonical = application.withCanonicalPeople()
        // The name's and the domicile's rules too (the hall's prefix, a name taken, a division out
        // of the jurisdiction), as intake reads them: a wrong type had hidden them.
        let reviewed = (try? await review(canonical, hall: settings.hall, at: clock.now()))?.problems ?? []
        let rest = (canonical.problems(knownTasks: tasks, on: today()) + reviewed).filter { problem in
            !unread.contains { related(problem.field, $0) }
                && !(crossChecked && (problem.field == "investors" || problem.field == "registeredCapital"))
                && !unreadInvestors.contains { problem.field.hasPrefix($0) }
                && !(typeUnread && problem.field == "proposedName")
        }
        return ApplicationRejected(problems: formProblems + rest)
    }

    /// What tells two submissions apart: the SHA-256 of the application as the desk keeps it (people
    /// written one way, the name in its normal form, amounts in fen), encoded with sorted keys.
    /// Two bodies that describe one application are one request (the retry of a portal that wrote
    /// its form again had been refused as another, and its applicant never got the password).
    static func requestFingerprint(_ application: CaseApplication) throws -> String {
        var kept = application.withCanonicalPeople()
        kept.proposedName = EnterpriseNameText.normalized(kept.proposedName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return "application:" + Secrets.sha256Hex(Array(try encoder.encode(kept)))
    }

    /// The answer to a retry: the same case and password, or a refusal when the key came with
    /// another request.
    func replay(_ earlier: EarlierSubmission, key: String, requestSHAs: Set<String>) async throws
        -> SubmissionReceipt
    {
        guard requestSHAs.contains(earlier.requestSHA256) else {
            throw Problem(
                .conflict, "idempotency.key-reused", zh: "该幂等键已用于另一份申请（办件\(earlier.number)）",
                en: "this idempotency key was used for another request (case \(earlier.number))")
        }
        guard let password = Secrets.unseal(earlier.sealedPassword, key: key) else {
            throw StoreError.storage("the sealed query password of case \(earlier.number) cannot be read")
        }
        let state = try await store.registrationCase(earlier.number)
        return SubmissionReceipt(
            case: state.maskingIDs(), queryPassword: password, replayed: true,
            warnings: earlier.warningsJSON.flatMap { Self.warnings(fromJSON: $0) } ?? [])
    }

    /// The warnings of a submission's answer as kept beside its idempotency record.
    static func warningsJSON(_ warnings: [FieldProblem]) -> String {
        guard !warnings.isEmpty, let data = try? JSONEncoder().encode(warnings) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The warnings kept by ``warningsJSON(_:)``; nil when the text is not theirs.
    static func warnings(fromJSON text: String) -> [FieldProblem]? {
        try? JSONDecoder().decode([FieldProblem].self, from: Data(text.utf8))
    }

    /// Case `number` as its applicant reads it through `portal` with its query password: the
    /// case, its SLA figures and next steps as `kaiban show` gives them (ID numbers masked).
    public func portalCase(_ number: CaseNumber, password: String, through portal: Portal) async throws -> CaseView {
        try await run {
            let (now, version) = try await access(number, password: password, through: portal)
            let key = number.description
            if let cached = portalViews.withLock({ $0[key] }), cached.version == version {
                if cached.view.asOf == now { return cached.view }
                // The same version a moment later: only the figures and the steps open move with
                // the clock; the case itself (read, decoded, masked) is the one kept.
                if now >= cached.view.case.updatedAt {
                    let view = try await movingOn(cached.view, to: now)
                    portalViews.withLock { $0[key] = (version, view) }
                    return view
                }
            }
            let view = try await caseView(number, at: now).maskingIDs()
            // Kept only when the view is of the version the access read saw (no step came between).
            if view.case.version == version {
                portalViews.withLock {
                    if $0.count >= Self.portalViewsCapacity { $0.removeAll(keepingCapacity: true) }
                    $0[key] = (version, view)
                }
            }
            return view
        }
    }

    /// `view` (not reconstructed) as of the later instant `now`, the case unchanged: what
    /// ``caseView(_:at:)`` gives for the same case then.
    func movingOn(_ view: CaseView, to now: Date) async throws -> CaseView {
        let definition = try await definition(view.case.definition)
        var moved = view
        moved.sla = try await slaClock().measure(view.case, definition: definition, now: now)
        moved.nextSteps = nextSteps(view.case, definition, at: now)
        moved.asOf = now
        return moved
    }

    /// Case `number`'s history as its applicant reads it (ID numbers masked).
    public func portalHistory(_ number: CaseNumber, password: String, through portal: Portal) async throws
        -> [CaseEvent]
    {
        try await run {
            _ = try await authorize(number, password: password, through: portal)
            return try await store.history(number).maskingIDs()
        }
    }

    /// The applicant withdraws case `number` (撤回) through its portal, with a reason (the outcome
    /// with ID numbers masked).
    public func portalWithdraw(_ number: CaseNumber, password: String, reason: String?, through portal: Portal)
        async throws -> StepOutcome
    {
        try await run {
            let now = try await authorize(number, password: password, through: portal)
            return try await actAsPortal(
                portal, .transition(Self.withdrawTransition, reason: reason), on: number, at: now
            ).maskingIDs()
        }
    }

    /// The applicant's supply of deferred documents (补交) through the case's portal by their
    /// SHA-256 alone: refused, naming the route that takes the files. A portal's document is
    /// supplied by sending its file (``attachDocument(_:_:password:through:)``), which records
    /// the supply; a digest alone had closed a deferral with no file at the hall (from a hostile
    /// trial: the licence then went out on documents nobody had, and the file sent later was
    /// refused as received already). Checked first as a supply is (access, outstanding codes), so
    /// that the refusal says what is wrong with the request before what to send instead.
    public func portalSupplement(
        _ number: CaseNumber, password: String, documents: [ReceivedDocument], through portal: Portal
    ) async throws -> StepOutcome {
        try await run {
            _ = try await authorize(number, password: password, through: portal)
            try await checkSupply(documents, on: number)
            let codes = documents.map(\.code).joined(separator: ", ")
            throw Problem(
                .refused, "document.file-required",
                zh: "容缺材料须上传文件补交（\(codes)）：逐件 POST /cases/\(number)/documents/{材料代码} 上传文件，上传即记为补交，最后一件补齐后容缺办结",
                en:
                    "deferred documents are supplied by sending their files (\(codes)): POST each to /cases/\(number)/documents/{code}; the upload records the supply, and the last one closes the deferral"
            )
        }
    }

    /// A token unknown or revoked.
    static let unauthorized = Problem(
        .forbidden, "portal.unauthorized", zh: "门户令牌无效或已停用", en: "the portal token is unknown or revoked")

    /// The step withdrawing a case.
    static let withdrawTransition = "withdraw"

    /// The portal as the engine sees it: acting in the workflow's intake role.
    func portalClerk(_ portal: Portal) async throws -> Clerk {
        Clerk(id: portal.actorID, name: portal.name, roles: Set(try await latestDefinition().intakeRoles))
    }

    func actAsPortal(_ portal: Portal, _ command: CaseCommand, on number: CaseNumber, at now: Date) async throws
        -> StepOutcome
    {
        try await bringInStep(.workflow)
        let clerk = try await portalClerk(portal)
        return try await store.apply(
            command, to: number, by: clerk.id, at: now, expectedVersion: nil,
            recording: Recording(at: now, doneByThen: clerk, datedNow: true), clock: try await slaClock())
    }

    /// Passes when `password` opens case `number` for `portal` (``authorize(_:password:through:)``:
    /// a wrong one is counted), for a check before a request's body is read.
    public func portalAccess(_ number: CaseNumber, password: String, through portal: Portal) async throws {
        _ = try await authorize(number, password: password, through: portal)
    }

    /// Now, once `password` opens case `number` for `portal`: a case of another portal (or of the
    /// window) is not found; wrong passwords are counted and, after ``accessAttempts`` within
    /// ``accessWindow``, refused for the rest of it, the right one too.
    func authorize(_ number: CaseNumber, password: String, through portal: Portal) async throws -> Date {
        try await access(number, password: password, through: portal).now
    }

    /// ``authorize(_:password:through:)``, with the case's version as read with its access.
    func access(_ number: CaseNumber, password: String, through portal: Portal) async throws -> (
        now: Date, version: Int
    ) {
        let now = instant(nowRounded: clock.now())
        let since = now.addingTimeInterval(-Self.accessWindow)
        guard let access = try await store.caseAccess(number, failuresSince: since), access.portalID == portal.id
        else {
            throw StoreError.caseNotFound(number.description)
        }
        if access.failures >= Self.accessAttempts {
            throw try await rateLimited(number, failures: access.failures, at: now, since: since)
        }
        guard verify(Self.typedQueryPassword(password), against: access.passwordHash) else {
            let failures = try await store.recordAccessFailure(number, at: now, countingSince: since)
            if failures >= Self.accessAttempts {
                throw try await rateLimited(number, failures: failures, at: now, since: since)
            }
            throw Problem(.forbidden, "access.password-wrong", zh: "查询密码不正确", en: "the query password is wrong")
        }
        return (now, access.version)
    }

    /// A query password as the applicant typed it, in the form the desk made it (upper-case Latin
    /// letters and digits): lower case, and the full-width forms of a Chinese input method, are
    /// the same password (they had counted as wrong guesses toward the lock). The desk's alphabet
    /// has no lower-case letter, so folding case makes no password easier to guess.
    static func typedQueryPassword(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            guard text.utf8.contains(where: { (0x61...0x7A).contains($0) }) else { return text }
            return String(decoding: text.utf8.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
        }
        return text.precomposedStringWithCompatibilityMapping.uppercased()
    }

    /// Whether `password` is the one `stored` hashes, remembering a success (see
    /// ``verifiedSecrets``); a failure is never remembered, so each wrong guess pays the slow hash.
    func verify(_ password: String, against stored: String) -> Bool {
        let key = Secrets.sha256Hex(stored + "\u{0}" + password)
        if verifiedSecrets.withLock({ $0.contains(key) }) { return true }
        guard Secrets.verify(password, against: stored) else { return false }
        verifiedSecrets.withLock {
            if $0.count >= Self.verifiedSecretsCapacity { $0.removeAll(keepingCapacity: true) }
            $0.insert(key)
        }
        return true
    }

    /// Case `number` locked at `now` by `failures` wrong passwords counted since `since`: it opens
    /// again when so many have left the window that fewer than ``accessAttempts`` remain (more than
    /// that many only when guesses raced each other past the lock).
    func rateLimited(_ number: CaseNumber, failures: Int, at now: Date, since: Date) async throws -> Problem {
        let leaving =
            try await store.accessFailure(number, since: since, skipping: failures - Self.accessAttempts) ?? now
        // A failure counts while it is at or after now − window: it leaves a second after that.
        let seconds = max(1, Int(leaving.addingTimeInterval(Self.accessWindow).timeIntervalSince(now).rounded(.up)) + 1)
        let minutes = (seconds + 59) / 60
        var problem = Problem(
            .forbidden, "access.rate-limited",
            zh: "办件\(number)的查询密码错误次数过多，请\(minutes)分钟后再试",
            en:
                "too many wrong query passwords for case \(number); try again in \(minutes) minute\(minutes == 1 ? "" : "s")"
        )
        problem.retryAfterSeconds = seconds
        return problem
    }

    /// Runs a secret's making; a failure of the system's random generator is a storage problem.
    static func secret<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw Problem(.storage, "secret.unavailable", zh: "无法生成随机密钥", en: "no random secret could be made")
        }
    }
}
