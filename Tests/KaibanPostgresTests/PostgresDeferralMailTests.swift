import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanPostgres

/// 容缺受理 and 寄递办 on PostgreSQL, where the desk's suites cannot look: several servers flagging
/// applicants at once (two stores on one database), what the database itself refuses, and the
/// rows kept beside the history to the second, as the SQLite store keeps them.
@Suite(
    .enabled(
        if: TestPostgres.server != nil,
        "no PostgreSQL server for tests: Scripts/test starts one (apt-get install postgresql) and sets KAIBAN_TEST_POSTGRES"
    ))
struct PostgresDeferralMailTests {
    let window = DeskActor.clerk("wangfang")

    /// A desk on a fresh PostgreSQL database with the fixtures' staff, and its store.
    static func desk(at instant: Date) async throws -> (Desk, PostgresStore) {
        let desk = try await Fixtures.desk(at: instant, store: .postgres)
        return (desk, try #require(desk.store as? PostgresStore))
    }

    @Test func applicantFlagsAreAppendOnlyInTheDatabaseItself() async throws {
        let (desk, store) = try await Self.desk(at: Fixtures.at(9, 0))
        _ = try await desk.flagApplicant(Fixtures.idLi, flagged: true, reason: "列入严重失信主体名单", as: .clerk("zhouqiang"))
        let before = try await store.applicantFlags(Fixtures.idLi)
        #expect(before.count == 1 && before.first?.flagged == true)
        for change in [
            "UPDATE applicant_flag SET flagged = false", "DELETE FROM applicant_flag", "TRUNCATE applicant_flag",
        ] {
            await #expect {
                try await store.execute(change)
            } throws: { error in
                guard case .refused(let message) = error as? PostgresStoreError else { return false }
                return message.contains("applicant_flag is append-only")
            }
        }
        #expect(try await store.applicantFlags(Fixtures.idLi) == before)
    }

    @Test func twoServersFlaggingOnePersonAtOnceRecordOneFlag() async throws {
        let (_, first) = try await Self.desk(at: Fixtures.at(9, 0))
        let second = try TestPostgres.secondServer(first)
        defer { second.close() }
        // Each person flagged by both servers at once: one flag is recorded, the other refused.
        let people = (1...12).map { "11010119900101\(String(format: "%04d", $0))" }
        let outcomes = try await withThrowingTaskGroup(of: (String, Bool).self) { group in
            for person in people {
                for store in [first, second] {
                    group.addTask {
                        let flag = ApplicantFlag(
                            idNumber: person, flagged: true, at: Fixtures.at(9, 0), actor: "zhouqiang", reason: "失信")
                        do {
                            try await store.recordApplicantFlag(flag)
                            return (person, true)
                        } catch let error as StoreError where error == .applicantFlagUnchanged(flagged: true) {
                            return (person, false)
                        }
                    }
                }
            }
            var outcomes: [(String, Bool)] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        for person in people {
            #expect(outcomes.filter { $0.0 == person }.map(\.1).sorted { !$0 && $1 } == [false, true], "\(person)")
            #expect(try await first.applicantFlags(person).count == 1, "\(person)")
        }
    }

    @Test func aFlagByAClerkWhoIsNoSupervisorIsRefusedAndWritesNothing() async throws {
        let (_, store) = try await Self.desk(at: Fixtures.at(9, 0))
        let flag = ApplicantFlag(
            idNumber: Fixtures.idLi, flagged: true, at: Fixtures.at(9, 0), actor: "wangfang", reason: "失信")
        await #expect {
            try await store.recordApplicantFlag(flag)
        } throws: { error in
            guard case .supervisorRequired(let clerk, _) = error as? StoreError else { return false }
            return clerk == "wangfang"
        }
        var unknown = flag
        unknown.actor = "nobody"
        await #expect(throws: StoreError.clerkNotFound("nobody")) { try await store.recordApplicantFlag(unknown) }
        #expect(try await store.applicantFlags(Fixtures.idLi).isEmpty)
    }

    @Test func deferralsAreListedByTheirDeadlineToTheSecond() async throws {
        let (desk, store) = try await Self.desk(at: Fixtures.at(9, 5))
        let application = Fixtures.application()
        let needed = try desk.checklist().requirements(for: application).map(\.code)
        let handed = needed.filter { $0 != "officer-appointment" }.map { ReceivedDocument(code: $0, form: .paper) }
        let number = try await desk.playing(Fixtures.at(9, 5)).intake(application, documents: .some(handed), as: window)
            .case.number
        let committed = try await desk.playing(Fixtures.at(9, 10)).commitDeferral(
            number, codes: ["officer-appointment"], signer: "张伟", signerID: Fixtures.idZhang, days: 1, as: window)
        let deadline = try #require(committed.state.deferral?.nextDeadline)
        #expect(try await store.deferrals(dueFrom: nil, dueBy: nil, limit: 10) == [number])
        #expect(try await store.deferrals(dueFrom: deadline, dueBy: deadline, limit: 10) == [number])
        #expect(try await store.deferrals(dueFrom: deadline.addingTimeInterval(1), dueBy: nil, limit: 10).isEmpty)
        #expect(try await store.deferrals(dueFrom: nil, dueBy: deadline.addingTimeInterval(-1), limit: 10).isEmpty)
        // Its people, as the SQLite store lists them: the signer, the representative, each investor.
        let standing = try await store.applicantStanding(
            [Fixtures.idZhang, Fixtures.idLi], at: deadline.addingTimeInterval(1))
        #expect(standing.map(\.brokenCommitments) == [[number], [number]])
        #expect(try await store.applicantStanding([Fixtures.idZhang], at: deadline).first?.excluded == false)
    }

    @Test func aRebuildRestoresTheDeferralAndMailRowsAndSaysWhichCasesItRepaired() async throws {
        let (desk, store) = try await Self.desk(at: Fixtures.at(9, 5))
        let application = Fixtures.application()
        let needed = try desk.checklist().requirements(for: application).map(\.code)
        let handed = needed.filter { $0 != "officer-appointment" }.map { ReceivedDocument(code: $0, form: .paper) }
        let deferred = try await desk.playing(Fixtures.at(9, 5)).intake(
            application, documents: .some(handed), as: window
        ).case.number
        _ = try await desk.playing(Fixtures.at(9, 10)).commitDeferral(
            deferred, codes: ["officer-appointment"], signer: "张伟", signerID: Fixtures.idZhang, days: 1, as: window)
        var posted = Fixtures.application(channel: .mail)
        posted.proposedName = "广元市昭化区青木农业科技有限公司"
        let mail = try await desk.playing(Fixtures.at(9, 20)).intake(posted, as: window).case.number
        var plain = Fixtures.application()
        plain.proposedName = "广元市昭化区青松农业科技有限公司"
        let untouched = try await desk.playing(Fixtures.at(9, 25)).intake(plain, as: window).case.number
        var other = Fixtures.application()
        other.proposedName = "广元市昭化区青竹农业科技有限公司"
        let notPosted = try await desk.playing(Fixtures.at(9, 26)).intake(other, as: window).case.number
        let supervisor = DeskActor.clerk("zhouqiang")
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
        let deadlines = try await store.deferrals(dueFrom: nil, dueBy: nil, limit: 10)
        let waiting = try await store.mailPending(limit: 10)
        #expect(deadlines == [deferred] && waiting.inbound.map(\.number) == [mail])
        func parties() async throws -> [String] {
            var ids: [String] = []
            for try await id in try await store.client.query(
                "SELECT id_number || ' ' || case_id FROM deferral_party ORDER BY 1", logger: store.logger
            ).decode(String.self) {
                ids.append(id)
            }
            return ids
        }
        let bound = try await parties()
        #expect(bound.count == 2)
        // Damaged beside the history: a deadline cleared, a person dropped, a stray person and a
        // deferral for a case without one, the mail row gone, a mail row for a case not posted.
        func id(_ number: CaseNumber) -> String {
            "(SELECT id FROM registration_case WHERE number = '\(number.description)')"
        }
        for damage in [
            "UPDATE case_deferral SET next_deadline = NULL WHERE case_id = \(id(deferred))",
            "DELETE FROM deferral_party WHERE id_number = '\(Fixtures.idLi)' AND case_id = \(id(deferred))",
            "INSERT INTO deferral_party (id_number, case_id) VALUES ('110101199001010000', \(id(deferred)))",
            """
            INSERT INTO case_deferral (case_id, signer_id, committed_at, last_deadline, broken, extended)
            VALUES (\(id(untouched)), 'X', now(), now(), 0, false)
            """,
            "DELETE FROM case_mail WHERE case_id = \(id(mail))",
            "INSERT INTO case_mail (case_id, inbound_waiting_since) VALUES (\(id(notPosted)), now())",
        ] {
            try await store.execute(damage)
        }
        #expect(try await store.deferrals(dueFrom: nil, dueBy: nil, limit: 10).isEmpty)
        let report = try await desk.rebuild(as: supervisor)
        #expect(Set(report.repaired) == Set([deferred, mail, untouched, notPosted].map(\.description)))
        #expect(try await store.deferrals(dueFrom: nil, dueBy: nil, limit: 10) == deadlines)
        #expect(try await store.mailPending(limit: 10) == waiting)
        #expect(try await parties() == bound)
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
    }
}
