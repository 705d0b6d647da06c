import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanPostgres

/// Portal submissions and documents' files on PostgreSQL, where the desk's suites cannot look:
/// several servers on one database at once (two stores, two desks), and what the database itself
/// refuses.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresPortalTests {
    let supervisor = DeskActor.clerk("zhouqiang")
    let window = DeskActor.clerk("wangfang")

    /// A desk on a fresh PostgreSQL database with the fixtures' staff, its store, and a second
    /// desk on the same database through a store of its own: another server.
    func twoServers(at now: Date = Fixtures.at(9, 0)) async throws -> (
        Desk, PostgresStore, Desk, PostgresStore
    ) {
        let desk = try await Fixtures.desk(at: now, store: .postgres)
        let store = try #require(desk.store as? PostgresStore)
        let second = try TestPostgres.secondServer(store)
        let other = Desk(settings: desk.settings, store: second, clock: ManualClock(now))
        return (desk, store, other, second)
    }

    /// The error `body` throws, or nil.
    func failure(_ body: () async throws -> Void) async -> (any Error)? {
        do {
            try await body()
            return nil
        } catch {
            return error
        }
    }

    /// A submission through `portal` under `key` as the desk makes it (the password sealed under the key).
    func submission(_ portal: Portal, key: String) throws -> PortalSubmission {
        PortalSubmission(
            portal: portal, keySHA256: Secrets.sha256Hex(key), requestSHA256: Secrets.sha256Hex("{}"),
            passwordHash: "hash-of-\(key)", sealedPassword: Secrets.seal("PASSWORD01", key: key))
    }

    @Test func theSameKeyThroughTwoServersAtOnceMakesOneCaseAndEveryoneGetsItsAnswer() async throws {
        let (desk, _, other, _) = try await twoServers()
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let receipts = try await withThrowingTaskGroup(of: SubmissionReceipt.self) { group in
            for attempt in 0..<8 {
                let server = attempt % 2 == 0 ? desk : other
                group.addTask {
                    try await server.submit(
                        Fixtures.application(), through: web.portal, idempotencyKey: "same",
                        requestBody: Data("{}".utf8))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(receipts.count == 8)
        #expect(Set(receipts.map(\.case.number)).count == 1)
        #expect(Set(receipts.map(\.queryPassword)).count == 1)
        #expect(receipts.filter { !$0.replayed }.count == 1)
        #expect(try await desk.summary().total == 1)
    }

    @Test func theLoserOfARaceUnderOneKeyIsRefusedAndGivesItsNumberBack() async throws {
        let (desk, store, _, second) = try await twoServers()
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        // A window case first: the day's counter row exists, and is what both submissions wait for.
        let first = try await desk.intake(Fixtures.application(), as: window).case.number
        var online = Fixtures.application(channel: .online)
        online.proposedName = "广元市昭化区青木农业科技有限公司"
        let application = online
        let submission = try submission(web.portal, key: "raced")
        let portalClerk = Clerk(id: web.portal.actorID, name: web.portal.name, roles: ["window"])
        let clock = try Fixtures.sla()
        let now = Fixtures.at(9, 1)
        // Both pass the check for an earlier submission while a third holds the counter, then
        // run one after the other: the second finds the first's key at its insert.
        let raced = try await store.transaction { connection in
            _ = try await connection.query(
                "SELECT last FROM case_number_counter WHERE hall = '510811' FOR UPDATE",
                logger: store.logger)
            let attempts = [store, second].map { server in
                Task {
                    try await server.intake(
                        application, submission: submission, workflowID: "company-formation", hall: "510811",
                        as: portalClerk, at: now, nameParts: nil, recording: Recording(at: now), checklist: nil,
                        clock: clock)
                }
            }
            var waiting = 0
            for _ in 0..<600 where waiting < 2 {
                try await Task.sleep(for: .milliseconds(20))
                // The activity is read once per transaction unless its snapshot is cleared.
                _ = try await connection.query("SELECT pg_stat_clear_snapshot()", logger: store.logger)
                waiting =
                    try await connection.query(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND wait_event_type = 'Lock'
                        """, logger: store.logger
                    ).decode(Int.self).first(where: { _ in true }) ?? 0
            }
            return (attempts, waiting)
        }
        #expect(raced.1 == 2)
        var numbers: [CaseNumber] = []
        var refusals: [StoreError] = []
        for attempt in raced.0 {
            switch await attempt.result {
            case .success(let state): numbers.append(state.number)
            case .failure(let error): refusals.append(try #require(error as? StoreError))
            }
        }
        #expect(numbers.map(\.sequence) == [2])
        #expect(refusals == [.submissionExists])
        let earlier = try #require(
            try await second.earlierSubmission(portalID: "gov-web", keySHA256: submission.keySHA256))
        #expect(earlier.number == numbers.first && earlier.sealedPassword == submission.sealedPassword)
        #expect(try await store.caseCount() == 2)
        // The loser's number was given back: the next case follows without a gap.
        var third = Fixtures.application()
        third.proposedName = "广元市昭化区青松农业科技有限公司"
        let next = try await desk.intake(third, as: window).case.number
        #expect(first.sequence == 1 && next.sequence == 3)
    }

    @Test func aSubmissionJustAfterItsPortalWasRevokedOnAnotherServerIsUnauthorized() async throws {
        let (server, _, other, _) = try await twoServers()
        let web = try await server.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let portal = try await server.portal(token: web.token)
        _ = try await other.revokePortal("gov-web", reason: "令牌泄露", as: supervisor)
        // Still trusted by the first server's desk, refused by the store's own check in the transaction.
        let refused = await Fixtures.problem {
            _ = try await server.submit(
                Fixtures.application(), through: portal, idempotencyKey: "late",
                requestBody: Data("{}".utf8))
        }
        #expect(refused?.code == "portal.unauthorized")
        #expect(try await server.store.caseCount() == 0)
        #expect(
            try await server.store.earlierSubmission(
                portalID: "gov-web", keySHA256: Secrets.sha256Hex("late")) == nil)
        // Nor was a number taken: the day's first case is still number 1.
        #expect(try await server.intake(Fixtures.application(), as: window).case.number.sequence == 1)
    }

    /// A submission whose case keeps a row beside it (the mail channel's) is written in a
    /// transaction rather than in one statement: the same rows, the same refusals.
    @Test func aSubmissionByMailIsWrittenWithItsMailRowAndRefusedOnceItsPortalIsRevoked() async throws {
        let (desk, store, other, _) = try await twoServers()
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let clerk = Clerk(id: web.portal.actorID, name: web.portal.name, roles: ["window"])
        let now = Fixtures.at(9, 1)
        let clock = try Fixtures.sla()
        func submit(_ name: String, key: String) async throws -> RegistrationCase {
            var application = Fixtures.application(channel: .mail)
            application.proposedName = name
            return try await store.intake(
                application, submission: try submission(web.portal, key: key), workflowID: "company-formation",
                hall: "510811", as: clerk, at: now, nameParts: nil, recording: Recording(at: now), checklist: nil,
                clock: clock)
        }
        let posted = try await submit("广元市昭化区青木农业科技有限公司", key: "post")
        #expect(posted.number.sequence == 1 && posted.application.channel == .mail)
        let earlier = try await store.earlierSubmission(portalID: "gov-web", keySHA256: Secrets.sha256Hex("post"))
        #expect(earlier?.number == posted.number)
        #expect(try await store.caseAccess(posted.number, failuresSince: now)?.portalID == "gov-web")
        // The same mail row as the window's intake of a posted application writes.
        let window = try await desk.intake(Fixtures.application(channel: .mail), as: self.window).case.number
        func mailRows(_ number: CaseNumber) async throws -> Int {
            try await store.client.query(
                """
                SELECT count(*) FROM case_mail
                WHERE case_id = (SELECT id FROM registration_case WHERE number = \(number.description))
                """, logger: store.logger
            ).decode(Int.self).first(where: { _ in true }) ?? -1
        }
        #expect(try await mailRows(posted.number) == mailRows(window))
        _ = try await other.revokePortal("gov-web", reason: "令牌泄露", as: supervisor)
        let refused = await failure { _ = try await submit("广元市昭化区青松农业科技有限公司", key: "late") }
        #expect(refused as? StoreError == .portalNotFound("gov-web"))
        #expect(try await store.caseCount() == 2)
    }

    @Test func aRepeatedReadShowsAStepTakenOnAnotherServer() async throws {
        let (desk, _, other, _) = try await twoServers()
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let receipt = try await desk.submit(
            Fixtures.application(), through: web.portal, idempotencyKey: "r", requestBody: Data("{}".utf8)
        )
        let number = receipt.case.number
        let first = try await desk.portalCase(
            number, password: receipt.queryPassword, through: web.portal)
        #expect(first.case.version == 1)
        _ = try await other.receiveDocuments(
            number, [ReceivedDocument(code: "articles", form: .paper)], as: window)
        let second = try await desk.portalCase(
            number, password: receipt.queryPassword, through: web.portal)
        #expect(second.case.version == 2 && second.asOf == first.asOf)
    }

    @Test func wrongPasswordsOnTwoServersAtOnceAreCountedOneAfterTheOther() async throws {
        let (desk, store, _, second) = try await twoServers()
        let web = try await desk.addPortal(
            id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let receipt = try await desk.submit(
            Fixtures.application(), through: web.portal, idempotencyKey: "g", requestBody: Data("{}".utf8)
        )
        let number = receipt.case.number
        let since = Fixtures.at(9, 0)
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for attempt in 0..<12 {
                let server = attempt % 2 == 0 ? store : second
                group.addTask {
                    try await server.recordAccessFailure(
                        number, at: Fixtures.at(9, 1).addingTimeInterval(0.5), countingSince: since)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        // Each told the failures before it and its own: every count once.
        #expect(counts.sorted() == Array(1...12))
        let access = try #require(try await second.caseAccess(number, failuresSince: since))
        #expect(access.failures == 12 && access.portalID == "gov-web" && access.version == 1)
        #expect(try await store.caseAccess(number, failuresSince: Fixtures.at(9, 2))?.failures == 0)
        // Kept to the whole second, as on SQLite: the failure of 09:01:00.5 counts from 09:01:00.
        #expect(try await store.accessFailure(number, since: since, skipping: 0) == Fixtures.at(9, 1))
        #expect(try await store.accessFailure(number, since: since, skipping: 11) == Fixtures.at(9, 1))
        #expect(try await store.accessFailure(number, since: since, skipping: 12) == nil)
        #expect(
            try await store.caseAccess(
                CaseNumber(division: "510811", date: Fixtures.day, sequence: 9), failuresSince: since)
                == nil)
    }

    /// Every file below `folder`, relative to it.
    func keptFiles(_ folder: URL) -> [String] { SampleFiles.kept(under: folder) }

    @Test func anAttachmentIsRecordedWithItsEventAndTheDatabaseRefusesToChangeIt() async throws {
        let (desk, store, _, second) = try await twoServers()
        _ = try await desk.addPortal(id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let number = try await desk.intake(Fixtures.application(tasks: []), as: window).case.number
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kaiban-files-\(UUID().uuidString)")
        func attach(_ content: Data, code: String, at instant: Date, on server: PostgresStore)
            async throws
            -> AttachmentOutcome
        {
            let kept = DocumentAttachment(
                code: code, sha256: Secrets.sha256Hex(content), size: content.count,
                mediaType: "application/pdf",
                fileName: "章程.pdf", receivedAt: instant, portal: "gov-web", supplied: false)
            return try await server.attach(
                kept, content: content, in: folder,
                command: .receiveDocument(
                    ReceivedDocument(code: code, form: .electronic, sha256: kept.sha256)),
                to: number, by: "wangfang", recording: Recording(at: instant), clock: try Fixtures.sla())
        }
        let content = SampleFiles.pdf()
        let outcome = try await attach(
            content, code: "articles", at: Fixtures.at(9, 5).addingTimeInterval(0.25), on: store)
        #expect(outcome.attachment.sequence == 2 && outcome.events.map(\.kind) == [.documentReceived])
        // Kept to the whole second, as on SQLite.
        var stored = outcome.attachment
        stored.receivedAt = Fixtures.at(9, 5)
        #expect(try await second.attachments(number) == [stored])
        let sha256 = Secrets.sha256Hex(content)
        #expect(keptFiles(folder) == ["\(sha256.prefix(2))/\(sha256)"])
        #expect(try await second.attachmentContent(sha256: sha256, in: folder) == content)
        #expect(
            try await second.attachmentContent(sha256: String(repeating: "0", count: 64), in: folder)
                == nil)
        // Refused in the transaction on the other server (the document is in already): no record,
        // and the file written before it stays, named by no record.
        let refused = await failure {
            _ = try await attach(
                SampleFiles.pdf(size: 3_000), code: "articles", at: Fixtures.at(9, 6), on: second)
        }
        #expect(refused is WorkflowError)
        #expect(try await store.attachments(number) == [stored])
        #expect(keptFiles(folder).count == 2)
        #expect(
            try await store.registrationCase(number).documents["articles"]?.document.sha256 == sha256)
        for statement in [
            "UPDATE attachment SET size = 1", "DELETE FROM attachment", "TRUNCATE attachment",
        ] {
            let refusal = await failure { try await store.execute(statement) }
            guard case .refused(let message) = refusal as? PostgresStoreError else {
                Issue.record("\(statement): \(String(describing: refusal))")
                continue
            }
            #expect(message.contains("attachments are never"), "\(statement): \(message)")
        }
        #expect(try await store.attachments(number) == [stored])
    }

    @Test func aCheckRemovesOldFilesNoRecordNamesAndReportsMissingOnes() async throws {
        let (desk, store, _, _) = try await twoServers()
        _ = try await desk.addPortal(id: "gov-web", name: "四川政务服务网", channel: .online, as: supervisor)
        let number = try await desk.intake(Fixtures.application(tasks: []), as: window).case.number
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kaiban-files-\(UUID().uuidString)")
        for (minute, (code, content)) in [
            ("application-form", SampleFiles.pdf(size: 2_000)),
            ("articles", SampleFiles.pdf(size: 3_000)),
        ].enumerated() {
            let kept = DocumentAttachment(
                code: code, sha256: Secrets.sha256Hex(content), size: content.count,
                mediaType: "application/pdf",
                fileName: nil, receivedAt: Fixtures.at(9, 5 + minute), portal: "gov-web", supplied: false)
            _ = try await store.attach(
                kept, content: content, in: folder,
                command: .receiveDocument(
                    ReceivedDocument(code: code, form: .electronic, sha256: kept.sha256)),
                to: number, by: "wangfang", recording: Recording(at: kept.receivedAt),
                clock: try Fixtures.sla())
        }
        let recorded = Secrets.sha256Hex(SampleFiles.pdf(size: 2_000))
        let lost = Secrets.sha256Hex(SampleFiles.pdf(size: 3_000))
        // A file no record names (kept before a transaction that never committed), a young one, a
        // temporary file an interrupted write left, and a file that is none of ours.
        let orphan = SampleFiles.pdf(size: 4_000)
        let digest = Secrets.sha256Hex(orphan)
        let young = SampleFiles.pdf(size: 5_000)
        let youngDigest = Secrets.sha256Hex(young)
        for (content, sha256) in [(orphan, digest), (young, youngDigest)] {
            let target = folder.appendingPathComponent("\(sha256.prefix(2))/\(sha256)")
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: target)
        }
        let temporary = folder.appendingPathComponent("\(digest.prefix(2))/.\(digest).0000.tmp")
        try Data("half".utf8).write(to: temporary)
        let foreign = folder.appendingPathComponent("\(digest.prefix(2))/README")
        try Data("not a document".utf8).write(to: foreign)
        try FileManager.default.removeItem(
            at: folder.appendingPathComponent("\(lost.prefix(2))/\(lost)"))
        let old = Date().addingTimeInterval(-7_200)
        for file in [
            folder.appendingPathComponent("\(digest.prefix(2))/\(digest)"), temporary, foreign,
            folder.appendingPathComponent("\(recorded.prefix(2))/\(recorded)"),
        ] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)
        }
        let check = try await store.checkDocumentFiles(
            in: folder, olderThan: Date().addingTimeInterval(-3_600))
        #expect(check.verified == 1 && check.missing == [lost])
        #expect(check.orphansRemoved == 1 && check.temporaryRemoved == 1)
        #expect(
            Set(keptFiles(folder)) == [
                "\(recorded.prefix(2))/\(recorded)", "\(youngDigest.prefix(2))/\(youngDigest)",
                "\(digest.prefix(2))/README", "orphans/\(digest)",
            ])
        let again = try await store.checkDocumentFiles(
            in: folder, olderThan: Date().addingTimeInterval(-3_600))
        #expect(again.orphansRemoved == 0 && again.temporaryRemoved == 0 && again.verified == 1)
    }
}
