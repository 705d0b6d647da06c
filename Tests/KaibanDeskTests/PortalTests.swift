import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

/// Issue 10: portals, their tokens, idempotent submissions and applicants' query passwords.
@Suite struct PortalTests {
    let supervisor = DeskActor.clerk("zhouqiang")
    let window = DeskActor.clerk("wangfang")

    func body(_ text: String = "{\"name\":\"青禾\"}") -> Data { Data(text.utf8) }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .portals))
    func onlyASupervisorRegistersAPortalAndItsTokenIsShownOnceAndKeptHashed(store: TestStoreKind)
        async throws
    {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let byClerk = await Fixtures.problem {
            _ = try await desk.addPortal(id: "gov-web", name: "四川政务服务网", channel: .online, as: window)
        }
        #expect(byClerk?.code == "role.supervisor-required")
        let bad = await Fixtures.problem {
            _ = try await desk.addPortal(id: "Gov Web", name: "", channel: .window, as: supervisor)
        }
        #expect(bad?.code == "portal.invalid")
        #expect(Set(bad?.fields.map(\.field) ?? []) == ["id", "name", "channel"])
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        #expect(web.token.count == 43 && web.portal.createdBy == "zhouqiang")
        let again = await Fixtures.problem {
            _ = try await desk.addPortal(id: "gov-web", name: "重复", channel: .online, as: supervisor)
        }
        #expect(again?.code == "portal.exists")
        #expect(try await desk.portal(token: web.token).id == "gov-web")
        let wrong = await Fixtures.problem { _ = try await desk.portal(token: web.token + "x") }
        #expect(wrong?.code == "portal.unauthorized")
        // Revoked: the token stops working at once; a portal is revoked once.
        _ = try await desk.revokePortal("gov-web", reason: "令牌泄露", as: supervisor)
        let revoked = await Fixtures.problem { _ = try await desk.portal(token: web.token) }
        #expect(revoked?.code == "portal.unauthorized")
        let twice = await Fixtures.problem {
            _ = try await desk.revokePortal("gov-web", reason: "再次", as: supervisor)
        }
        #expect(twice?.code == "portal.already-revoked")
        #expect(try await desk.portals().first?.revokeReason == "令牌泄露")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .portals, .cases, .portalSubmissions))
    func aSubmissionIsTakenInOnceWhateverTheRetriesAndItsChannelIsThePortals(store: TestStoreKind)
        async throws
    {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let app = try await desk.addPortal(
            id: "gov-app", name: "天府通办", channel: .mobile, as: supervisor)
        let first = try await desk.submit(
            Fixtures.application(channel: .window), through: app.portal, idempotencyKey: "k-1",
            requestBody: body())
        #expect(!first.replayed && first.case.application.channel == .mobile)
        #expect(first.case.application.legalRepresentative.idNumber == "110105********002X")
        #expect(first.queryPassword.count == 10)
        let history = try await desk.history(first.case.number)
        #expect(history.first?.actor == "portal:gov-app")
        // A retry: the same answer, no second case.
        let retry = try await desk.submit(
            Fixtures.application(channel: .window), through: app.portal, idempotencyKey: "k-1",
            requestBody: body())
        #expect(
            retry.replayed && retry.case.number == first.case.number
                && retry.queryPassword == first.queryPassword)
        // A request is told by the application it describes, not by its bytes or its form: the
        // same application written otherwise is the same request.
        let upgraded = try await desk.submit(
            Fixtures.application(channel: .window), through: app.portal, idempotencyKey: "k-1",
            requestBody: body("other bytes"), canonicalBody: body("canonical"))
        #expect(upgraded.replayed && upgraded.queryPassword == first.queryPassword)
        // The same key with another application: refused.
        var another = Fixtures.application()
        another.registeredCapital = try #require(Money(yuan: "500001"))
        let other = await Fixtures.problem {
            _ = try await desk.submit(another, through: app.portal, idempotencyKey: "k-1", requestBody: body())
        }
        #expect(other?.code == "idempotency.key-reused" && other?.kind == .conflict)
        let badKey = await Fixtures.problem {
            _ = try await desk.submit(
                Fixtures.application(), through: app.portal, idempotencyKey: "键", requestBody: body())
        }
        #expect(badKey?.code == "idempotency.key-invalid")
        #expect(try await desk.summary().total == 1)
        // The same checks as at the window, every problem at once.
        var broken = Fixtures.application()
        broken.proposedName = "青禾"
        broken.legalRepresentative.idNumber = "123"
        let rejected = await Fixtures.problem {
            _ = try await desk.submit(
                broken, through: app.portal, idempotencyKey: "k-2", requestBody: body("2"))
        }
        #expect(rejected?.code == "application.invalid" && (rejected?.fields.count ?? 0) >= 2)
    }

    /// A submission reads its earlier submission and, for a new key, its name's records in one
    /// lookup: the same as the reads apart, and what the checks then use.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .portals, .cases, .portalSubmissions))
    func aSubmissionReadsItsEarlierSubmissionOrItsNamesRecordsInOneLookup(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let web = try await desk.addPortal(id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor).portal
        let first = try await desk.submit(
            Fixtures.application(), through: web, idempotencyKey: "k-1", requestBody: body())
        let details = try await desk.checkName(first.case.application.proposedName, type: .limitedLiabilityCompany)
            .details
        let names = NameQuery(
            division: "510811", tradeName: try #require(details.tradeName), industry: try #require(details.industry))
        // A new key: the name's records, as read apart (the first submission is open under the name).
        let fresh = try await desk.store.submissionLookup(
            portalID: "gov-web", keySHA256: Secrets.sha256Hex("k-2"), names: names)
        let apart = try await desk.store.nameRecords(
            division: names.division, tradeName: names.tradeName, industry: names.industry)
        #expect(fresh == .new(apart))
        #expect(apart.open == [first.case.number.description])
        // The key used: its earlier submission, as read apart, and no names.
        let used = try await desk.store.submissionLookup(
            portalID: "gov-web", keySHA256: Secrets.sha256Hex("k-1"), names: names)
        let earlier = try #require(
            try await desk.store.earlierSubmission(portalID: "gov-web", keySHA256: Secrets.sha256Hex("k-1")))
        #expect(used == .earlier(earlier) && earlier.number == first.case.number)
        // Another portal's key of the same text is not this one's.
        #expect(
            try await desk.store.submissionLookup(
                portalID: "gov-app", keySHA256: Secrets.sha256Hex("k-1"), names: names) == .new(apart))
        // The checks use the records read: a second application under the name is told of the first.
        let second = try await desk.playing(Fixtures.at(9, 5)).submit(
            Fixtures.application(), through: web, idempotencyKey: "k-2", requestBody: body("2"))
        #expect(
            second.warnings.contains { $0.field == "proposedName" && $0.reason.zh.contains("正在办理（1件）") },
            "\(second.warnings)")
        // A retry is answered as the submission was, warnings and all, though a third application
        // under the name has come in since.
        _ = try await desk.playing(Fixtures.at(9, 6)).submit(
            Fixtures.application(), through: web, idempotencyKey: "k-3", requestBody: body("3"))
        let retried = try await desk.playing(Fixtures.at(9, 7)).submit(
            Fixtures.application(), through: web, idempotencyKey: "k-2", requestBody: body("2"))
        #expect(retried.replayed && retried.case.number == second.case.number)
        #expect(retried.warnings == second.warnings && !retried.warnings.isEmpty, "\(retried.warnings)")
        // Kept beside the idempotency record, as both reads of it give it.
        let kept = try #require(
            try await desk.store.earlierSubmission(portalID: "gov-web", keySHA256: Secrets.sha256Hex("k-2")))
        let keptWarnings = try JSONDecoder().decode([FieldProblem].self, from: Data((kept.warningsJSON ?? "").utf8))
        #expect(keptWarnings == second.warnings)
    }

    /// From a trial: ten applications of one name submitted at once. Each is told of those in
    /// progress before it (read at once, they had seen none of the others, or one): the case
    /// numbered n-th is warned of n-1.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .portals))
    func applicationsOfOneNameSubmittedAtOnceAreEachToldOfThoseBefore(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let web = try await desk.addPortal(id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let receipts = try await withThrowingTaskGroup(of: SubmissionReceipt.self) { group in
            for index in 0..<10 {
                group.addTask {
                    try await desk.submit(
                        Fixtures.application(), through: web.portal, idempotencyKey: "same-\(index)",
                        requestBody: self.body("\(index)"))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let told = receipts.sorted { $0.case.number.description < $1.case.number.description }.map { receipt in
            receipt.warnings.first { $0.field == "proposedName" && $0.reason.zh.contains("正在办理") }?.reason.zh
        }
        #expect(told.first == .some(nil), "\(told)")
        for (index, warning) in told.enumerated().dropFirst() {
            #expect(warning?.contains("正在办理（\(index)件）") == true, "\(index): \(told)")
        }
        #expect(desk.namesBeingSubmittedCount == 0)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .portals, .cases, .portalSubmissions))
    func concurrentRetriesMakeOneCase(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let receipts = try await withThrowingTaskGroup(of: SubmissionReceipt.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await desk.submit(
                        Fixtures.application(), through: web.portal, idempotencyKey: "same",
                        requestBody: self.body())
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(receipts.map(\.case.number)).count == 1)
        #expect(Set(receipts.map(\.queryPassword)).count == 1)
        #expect(receipts.filter { !$0.replayed }.count == 1)
        #expect(try await desk.summary().total == 1)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .portals, .cases, .portalSubmissions))
    func anApplicantReadsOnlyTheirCaseWithItsPasswordAndGuessingIsStopped(store: TestStoreKind)
        async throws
    {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let app = try await desk.addPortal(
            id: "gov-app", name: "天府通办", channel: .mobile, as: supervisor)
        let receipt = try await desk.submit(
            Fixtures.application(), through: web.portal, idempotencyKey: "a", requestBody: body())
        let number = receipt.case.number
        let view = try await desk.portalCase(
            number, password: receipt.queryPassword, through: web.portal)
        #expect(
            view.case.number == number
                && view.case.application.investors[0].idNumber == "110105********002X")
        // Another portal does not see it, nor a case taken in at the window.
        let elsewhere = await Fixtures.problem {
            _ = try await desk.portalCase(number, password: receipt.queryPassword, through: app.portal)
        }
        #expect(elsewhere?.code == "case.not-found")
        var other = Fixtures.application()
        other.proposedName = "广元市昭化区青木农业科技有限公司"
        let counter = try await desk.intake(other, as: window).case.number
        let windowCase = await Fixtures.problem {
            _ = try await desk.portalCase(counter, password: receipt.queryPassword, through: web.portal)
        }
        #expect(windowCase?.code == "case.not-found")
        // Wrong passwords: counted, then refused for a while even with the right one.
        for attempt in 1...4 {
            // The first at 09:00, the others at 09:03.
            if attempt == 2 { _ = desk.playing(Fixtures.at(9, 3)) }
            let wrong = await Fixtures.problem {
                _ = try await desk.portalCase(number, password: "WRONG\(attempt)", through: web.portal)
            }
            #expect(wrong?.code == "access.password-wrong")
            #expect(wrong?.retryAfterSeconds == nil)
        }
        let fifth = await Fixtures.problem {
            _ = try await desk.portalCase(number, password: "WRONG5", through: web.portal)
        }
        #expect(fifth?.code == "access.rate-limited")
        // Counted are the failures at or after now − 15 min: the one of 09:00:00 leaves the count
        // at 09:15:01, leaving four; the lock lifts then, 12 min 1 s after 09:03.
        #expect(fifth?.retryAfterSeconds == 721)
        _ = desk.playing(Fixtures.at(9, 15))
        let locked = await Fixtures.problem {
            _ = try await desk.portalCase(number, password: receipt.queryPassword, through: web.portal)
        }
        #expect(locked?.code == "access.rate-limited" && locked?.retryAfterSeconds == 1)
        _ = desk.playing(Fixtures.at(9, 15).addingTimeInterval(1))
        #expect(
            try await desk.portalCase(number, password: receipt.queryPassword, through: web.portal).case
                .number
                == number)
        // One more wrong guess: five again, and now the earliest counted is of 09:03.
        let again = await Fixtures.problem {
            _ = try await desk.portalCase(number, password: "WRONG6", through: web.portal)
        }
        #expect(again?.code == "access.rate-limited" && again?.retryAfterSeconds == 180)
        _ = desk.playing(Fixtures.at(9, 20))
        #expect(
            try await desk.portalCase(number, password: receipt.queryPassword, through: web.portal).case
                .number
                == number)
    }

    @Test func aRepeatedReadShowsTheCaseAsItStandsEvenWithinTheSameSecond() async throws {
        // The server's desk and a clerk's command in another process, on one file.
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), path: path)
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let receipt = try await desk.submit(
            Fixtures.application(), through: web.portal, idempotencyKey: "r", requestBody: body())
        let number = receipt.case.number
        let first = try await desk.portalCase(
            number, password: receipt.queryPassword, through: web.portal)
        #expect(first.case.version == 1)
        // A password verified once is remembered; another one is still checked, and refused.
        let wrong = await Fixtures.problem {
            _ = try await desk.portalCase(
                number, password: receipt.queryPassword + "X", through: web.portal)
        }
        #expect(wrong?.code == "access.password-wrong")
        // Typed in lower case, or in the full-width forms of a Chinese input method, it is the same.
        let fullWidth = String(
            String.UnicodeScalarView(
                receipt.queryPassword.unicodeScalars.compactMap { Unicode.Scalar($0.value + 0xFEE0) }))
        for typed in [receipt.queryPassword.lowercased(), fullWidth] {
            #expect(try await desk.portalCase(number, password: typed, through: web.portal).case.number == number)
        }
        let settings = KaibanSettings(
            database: path, formsRoot: Fixtures.formsRoot,
            calendarFolder: Fixtures.packageRoot.appendingPathComponent("seeds/calendar"))
        let clerk = Desk(
            settings: settings, store: try CaseStore(path: path), clock: ManualClock(Fixtures.at(9, 0)))
        _ = try await clerk.receiveDocuments(
            number, [ReceivedDocument(code: "articles", form: .paper)], as: window)
        // Same second, same desk: the step taken elsewhere shows at once.
        let second = try await desk.portalCase(
            number, password: receipt.queryPassword, through: web.portal)
        #expect(second.case.version == 2 && second.asOf == first.asOf)
        #expect(second.case.version != first.case.version)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .portals, .cases, .portalSubmissions))
    func aCaseReadAgainLaterGivesWhatShowGivesThen(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let receipt = try await desk.submit(
            Fixtures.application(), through: web.portal, idempotencyKey: "t", requestBody: body())
        let number = receipt.case.number
        // The same version read at later instants (the second read reuses the case of the first):
        // the figures and steps move with the clock, as `kaiban show` has them then.
        let instants = [
            Fixtures.at(9, 0), Fixtures.at(9, 30), Fixtures.at(12, 10), Fixtures.at(16, 59),
            Fixtures.at(9, 0, day: 27),
        ]
        var minutes: [Int] = []
        for instant in instants {
            _ = desk.playing(instant)
            let read = try await desk.portalCase(
                number, password: receipt.queryPassword, through: web.portal)
            let shown = try await desk.caseView(number, at: instant).maskingIDs()
            #expect(read == shown, "at \(instant)")
            #expect(read.asOf == instant && read.case.version == 1)
            minutes.append(read.sla.governmentMinutes)
        }
        // Winter hours 09:00–12:00 and 13:30–17:30: 0, 30, 180, 180 + 209, then the whole day, 420.
        #expect(minutes == [0, 30, 180, 389, 420])
    }

    @Test func aPortalRevokedByAnotherProcessIsRefusedOnceItsTokenIsReadAgain() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let server = try await Fixtures.desk(at: Fixtures.at(9, 0), path: path)
        let web = try await server.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        #expect(try await server.portal(token: web.token).id == "gov-web")
        let settings = KaibanSettings(
            database: path, formsRoot: Fixtures.formsRoot,
            calendarFolder: Fixtures.packageRoot.appendingPathComponent("seeds/calendar"))
        let command = Desk(
            settings: settings, store: try CaseStore(path: path), clock: ManualClock(Fixtures.at(9, 1)))
        _ = try await command.revokePortal("gov-web", reason: "令牌泄露", as: supervisor)
        // The server trusts a token it found active for at most its lifetime, then reads it again.
        try await Task.sleep(for: Desk.portalTokenLifetime + .milliseconds(100))
        let refused = await Fixtures.problem { _ = try await server.portal(token: web.token) }
        #expect(refused?.code == "portal.unauthorized")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .portals, .cases, .portalSubmissions))
    func aPortalsWarningCountsOtherApplicationsForTheNameWithoutNamingThem(store: TestStoreKind)
        async throws
    {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let counter = try await desk.intake(Fixtures.application(), as: window).case.number
        let receipt = try await desk.submit(
            Fixtures.application(), through: web.portal, idempotencyKey: "n", requestBody: body())
        let warning = try #require(receipt.warnings.first { $0.reason.en.contains("in progress") })
        #expect(warning.reason.en.hasPrefix("1 application(s)") && warning.reason.zh.contains("1件"))
        #expect(
            !warning.reason.en.contains(counter.description)
                && !warning.reason.zh.contains(counter.description))
        // At the window the clerk sees which.
        let again = try await desk.intake(Fixtures.application(), as: window)
        #expect(again.warnings.contains { $0.reason.en.contains(counter.description) })
    }

    @Test func aSubmissionJustAfterItsPortalWasRevokedElsewhereIsUnauthorized() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let server = try await Fixtures.desk(at: Fixtures.at(9, 0), path: path)
        let web = try await server.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let portal = try await server.portal(token: web.token)
        let settings = KaibanSettings(
            database: path, formsRoot: Fixtures.formsRoot,
            calendarFolder: Fixtures.packageRoot.appendingPathComponent("seeds/calendar"))
        let command = Desk(
            settings: settings, store: try CaseStore(path: path), clock: ManualClock(Fixtures.at(9, 1)))
        _ = try await command.revokePortal("gov-web", reason: "令牌泄露", as: supervisor)
        // Still trusted by the server's desk, refused by the store's own check in the transaction.
        let refused = await Fixtures.problem {
            _ = try await server.submit(
                Fixtures.application(), through: portal, idempotencyKey: "late", requestBody: body())
        }
        #expect(refused?.code == "portal.unauthorized")
        #expect(try await server.store.caseCount() == 0)
    }

    @Test(
        arguments: Fixtures.stores(
            for: .reference, .clerks, .portals, .cases, .portalSubmissions, .deferrals, .attachments))
    func anApplicantWithdrawsAndSuppliesThroughTheirPortal(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), store: store)
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let receipt = try await desk.submit(
            Fixtures.application(), through: web.portal, idempotencyKey: "w", requestBody: body())
        let number = receipt.case.number
        // The window receives the papers, the applicant signs for the officers' appointment.
        let needed = try await desk.documents(number).documents.map(\.requirement.code).filter {
            $0 != "officer-appointment"
        }
        _ = try await desk.playing(Fixtures.at(9, 10)).receiveDocuments(
            number, needed.map { ReceivedDocument(code: $0, form: .paper) }, as: window)
        _ = try await desk.playing(Fixtures.at(9, 12)).commitDeferral(
            number, codes: ["officer-appointment"], signer: "张伟", signerID: Fixtures.idZhang, as: window)
        let digest = String(repeating: "ab", count: 32)
        let notDeferred = await Fixtures.problem {
            _ = try await desk.portalSupplement(
                number, password: receipt.queryPassword,
                documents: [ReceivedDocument(code: "articles", form: .electronic, sha256: digest)],
                through: web.portal)
        }
        #expect(notDeferred?.code == "document.invalid")
        // From a hostile trial: a digest alone had closed the deferral with no file at the hall.
        let digestOnly = await Fixtures.problem {
            _ = try await desk.playing(Fixtures.at(9, 20)).portalSupplement(
                number, password: receipt.queryPassword,
                documents: [ReceivedDocument(code: "officer-appointment", form: .electronic, sha256: digest)],
                through: web.portal)
        }
        #expect(digestOnly?.code == "document.file-required", "\(String(describing: digestOnly))")
        #expect(digestOnly?.text.en.contains("/cases/\(number)/documents/{code}") == true)
        #expect(try await desk.caseView(number).case.deferral?.isOpen == true)
        // The file sent is the supply, and the last one closes the deferral.
        let supplied = try await desk.playing(Fixtures.at(9, 21)).attachDocument(
            number,
            DocumentUpload(code: "officer-appointment", content: SampleFiles.pdf(), contentType: "application/pdf"),
            password: receipt.queryPassword, through: web.portal)
        #expect(supplied.attachment.supplied)
        #expect(
            supplied.state.deferral?.isOpen == false && supplied.events.first?.actor == "portal:gov-web")
        let wrong = await Fixtures.problem {
            _ = try await desk.portalWithdraw(
                number, password: "NOPE", reason: "不办了", through: web.portal)
        }
        #expect(wrong?.code == "access.password-wrong")
        let withdrawn = try await desk.playing(Fixtures.at(9, 30)).portalWithdraw(
            number, password: receipt.queryPassword, reason: "申请人撤回", through: web.portal)
        #expect(withdrawn.state.stage == "withdrawn")
        let history = try await desk.portalHistory(
            number, password: receipt.queryPassword, through: web.portal)
        #expect(history.last?.transition == "withdraw" && history.last?.actor == "portal:gov-web")
        #expect(history.first?.application?.legalRepresentative.idNumber == "110105********002X")
    }

    /// The sample application as a portal sends it.
    static let formJSON = """
        {"enterpriseType": "llc", "proposedName": "广元市昭化区青禾农业科技有限公司", "registeredCapital": "500000",
         "domicile": "四川省广元市昭化区元坝镇中街12号", "domicileDivision": "510811", "domicileTenure": "owned",
         "businessScope": "农业技术推广服务", "legalRepresentative": {"name": "张伟", "idNumber": "11010519491231002X"},
         "investors": [{"name": "张伟", "idNumber": "11010519491231002X", "contribution": "300000"},
                       {"name": "李秀英", "idNumber": "510811198503120178", "contribution": "200000.00"}],
         "contact": {"name": "张伟", "phone": "13800000000"}, "requestedTasks": ["seal", "tax"]}
        """

    @Test func aPortalsFormBecomesTheApplicationOrSaysEveryFieldWrong() throws {
        let form = try JSONDecoder().decode(ApplicationForm.self, from: Data(Self.formJSON.utf8))
        var expected = Fixtures.application(channel: .online, tasks: ["seal", "tax"])
        expected.domicileTenure = .owned
        #expect(try form.application(channel: .online) == expected)
        let broken = try JSONDecoder().decode(
            ApplicationForm.self,
            from: Data(
                #"{"enterpriseType": "plc", "registeredCapital": "50万", "investors": [{"kind": "alien"}]}"#
                    .utf8))
        let rejected = #expect(throws: ApplicationRejected.self) {
            try broken.application(channel: .online)
        }
        let fields = Set(rejected?.problems.map(\.field) ?? [])
        #expect(
            fields.isSuperset(of: [
                "enterpriseType", "registeredCapital", "proposedName", "domicile",
                "legalRepresentative.name",
                "investors[1].name", "investors[1].kind", "investors[1].idNumber", "contact.phone",
            ]), "\(fields)")
        // An amount well written but too large is told so, not called unreadable.
        let large = try JSONDecoder().decode(
            ApplicationForm.self,
            from: Data(Self.formJSON.replacingOccurrences(of: #""500000""#, with: #""1,000,000,000,000,000""#).utf8))
        let refused = #expect(throws: ApplicationRejected.self) {
            try large.application(channel: .online)
        }
        let capital = refused?.problems.first { $0.field == "registeredCapital" }
        #expect(capital?.reason.zh == "金额过大：至多999999999999999.99元", "\(String(describing: refused))")
    }
}
