import Foundation
import GRDB
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// Issue 11: the mail rows are derived from the history (rebuilt like every projection) and the
/// pending lists read through their partial indexes.
@Suite struct MailStoreTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")
    let supervisor = DeskActor.clerk("zhouqiang")

    @Test func aMailRowThatDriftedIsFoundAndRepairedFromTheHistory() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), path: path)
        let number = try await desk.playing(Fixtures.at(9, 0)).intake(Fixtures.application(channel: .mail), as: window)
            .case.number
        _ = try await desk.playing(Fixtures.at(9, 30)).receiveMail(
            number, post: try Desk.postalItem(carrier: "EMS", tracking: "EA123456789CN"), documents: .all, as: window)
        for (index, (step, actor)) in [("accept", window), ("review", reviewer), ("approve", reviewer)].enumerated() {
            _ = try await desk.playing(Fixtures.at(9, 35 + index * 5)).step(number, step, as: actor)
        }
        _ = try await desk.playing(Fixtures.at(9, 55)).step(number, "issue-licence", as: window)
        _ = desk.playing(Fixtures.at(18, 0))
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
        #expect(try await desk.mailPending().awaitingLicencePost.map(\.number) == [number])
        for drift in [
            "UPDATE case_mail SET licence_waiting_since = NULL", "UPDATE case_mail SET inbound_waiting_since = 0",
            "DELETE FROM case_mail",
        ] {
            try await RebuildTests.shell(path).write { db in try db.execute(sql: drift) }
            #expect(try await desk.rebuild(as: supervisor).repaired == [number.description], "\(drift)")
            let pending = try await desk.mailPending()
            #expect(pending.awaitingLicencePost.map(\.number) == [number], "\(drift)")
            #expect(pending.awaitingDocuments.isEmpty, "\(drift)")
            #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty, "\(drift)")
        }
    }

    @Test func theMigrationDerivesTheRowsOfCasesTakenInBeforePostsWereRecorded() async throws {
        let path = Fixtures.temporaryDatabasePath()
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 0), path: path)
        let posted = try await desk.playing(Fixtures.at(9, 0)).intake(Fixtures.application(channel: .mail), as: window)
        // Received without a post (a paper handed in at the window takes it out of the post's
        // stage), then licensed.
        let licensed = try await desk.playing(Fixtures.at(9, 5)).intake(
            Fixtures.application(channel: .mail, tasks: ["seal"]), as: window
        ).case.number
        let codes = try await desk.documents(licensed).documents.map(\.requirement.code)
        _ = try await desk.playing(Fixtures.at(9, 9)).receiveDocuments(
            licensed, [ReceivedDocument(code: codes[0], form: .paper)], as: window)
        _ = try await desk.playing(Fixtures.at(9, 11)).receiveDocuments(
            licensed, codes.dropFirst().map { ReceivedDocument(code: $0, form: .paper) }, as: window)
        for (index, (step, actor)) in [("accept", window), ("review", reviewer), ("approve", reviewer)].enumerated() {
            _ = try await desk.playing(Fixtures.at(9, 15 + index * 5)).step(licensed, step, as: actor)
        }
        _ = try await desk.playing(Fixtures.at(9, 35)).step(licensed, "issue-licence", as: window)
        _ = desk.playing(Fixtures.at(18, 0))
        let before = try await desk.mailPending()
        #expect(before.awaitingDocuments.map(\.number) == [posted.case.number])
        #expect(before.awaitingLicencePost.map(\.number) == [licensed])
        try await RebuildTests.shell(path).write { db in
            try db.execute(sql: "DELETE FROM case_mail")
            try KaibanMigrations.backfillMail(db)
        }
        #expect(try await desk.mailPending() == before)
        #expect(try await desk.rebuild(as: supervisor).repaired.isEmpty)
    }

    @Test func thePendingListsAndTheWorklistReadThroughIndexes() throws {
        let store = try Fixtures.store()
        let plan = try store.mailPendingPlan()
        #expect(plan.contains("case_mail_inbound_waiting") && plan.contains("case_mail_licence_waiting"), "\(plan)")
        #expect(!plan.contains("SCAN m") && !plan.contains("SCAN c"), "\(plan)")
        let queue = try store.queuePlan(stages: nil)
        #expect(!queue.contains("SCAN case_mail"), "\(queue)")
    }
}
