import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanTestSupport
import Testing

@testable import KaibanStore

/// The documents' files: kept by their SHA-256, durably, before any record names them; a record
/// never names a file that is not kept.
@Suite struct AttachmentStoreTests {
    let store: CaseStore
    let folder: URL

    init() throws {
        let path = Fixtures.temporaryDatabasePath()
        store = try Fixtures.store(path: path)
        folder = KaibanSettings.defaultDataDirectory(forDatabase: path)
        try store.addPortal(
            Portal(
                id: "gov-web", name: "四川政务服务网", channel: .online, createdAt: Fixtures.at(8, 0), createdBy: "zhouqiang"),
            tokenHash: Secrets.sha256Hex("token"))
    }

    /// Every file under the data directory, relative to it (temporary ones too).
    func keptFiles() -> [String] { SampleFiles.kept(under: folder) }

    func attachment(_ content: Data, code: String, minute: Int) -> DocumentAttachment {
        DocumentAttachment(
            code: code, sha256: Secrets.sha256Hex(content), size: content.count, mediaType: "application/pdf",
            fileName: nil, receivedAt: Fixtures.at(9, minute), portal: "gov-web", supplied: false)
    }

    func attach(_ content: Data, code: String, to number: CaseNumber, minute: Int) throws -> AttachmentOutcome {
        let kept = attachment(content, code: code, minute: minute)
        return try store.attach(
            kept, content: content, in: folder,
            command: .receiveDocument(ReceivedDocument(code: code, form: .electronic, sha256: kept.sha256)),
            to: number, by: "wangfang", recording: Recording(at: Fixtures.at(9, minute)), clock: try Fixtures.sla())
    }

    @Test func aFileIsKeptOnceUnderItsDigestWithNoTemporaryFileLeft() throws {
        let content = SampleFiles.pdf(size: 50_000)
        let sha256 = Secrets.sha256Hex(content)
        let files = DocumentFiles(root: folder)
        #expect(try files.keep(content, sha256: sha256))
        #expect(try !files.keep(content, sha256: sha256))
        #expect(keptFiles() == ["\(sha256.prefix(2))/\(sha256)"])
        #expect(try files.read(sha256) == content)
        #expect(try files.read(String(repeating: "0", count: 64)) == nil)
        // A name that is no SHA-256 names no path (nothing outside the folder).
        #expect(files.path("../../etc/passwd") == nil)
        #expect(throws: StoreError.self) { try files.keep(content, sha256: "../x") }
    }

    @Test func anAttachmentIsRecordedWithTheEventThatReceivesItsDocument() throws {
        let number = try store.intake(
            Fixtures.application(tasks: []), workflowID: "company-formation", hall: "510811", by: "wangfang",
            at: Fixtures.at(9, 0), clock: try Fixtures.sla()
        ).number
        let content = SampleFiles.pdf()
        let outcome = try attach(content, code: "articles", to: number, minute: 5)
        #expect(outcome.attachment.sequence == 2)
        #expect(outcome.events.map(\.kind) == [.documentReceived])
        #expect(try store.attachments(number) == [outcome.attachment])
        // Refused in the transaction (the document is in already): no record, and the file written
        // before it stays, named by no record (the one leftover a refusal found this late can leave).
        let other = SampleFiles.pdf(size: 3_000)
        #expect(throws: WorkflowError.self) { _ = try attach(other, code: "articles", to: number, minute: 6) }
        #expect(try store.attachments(number) == [outcome.attachment])
        #expect(keptFiles().count == 2)
        #expect(try store.registrationCase(number).documents["articles"]?.document.sha256 == Secrets.sha256Hex(content))
    }

    @Test func aCheckRemovesOldFilesNoRecordNamesAndReportsMissingOnes() throws {
        let number = try store.intake(
            Fixtures.application(tasks: []), workflowID: "company-formation", hall: "510811", by: "wangfang",
            at: Fixtures.at(9, 0), clock: try Fixtures.sla()
        ).number
        let recorded = SampleFiles.pdf(size: 2_000)
        _ = try attach(recorded, code: "application-form", to: number, minute: 5)
        let other = SampleFiles.pdf(size: 3_000)
        _ = try attach(other, code: "articles", to: number, minute: 6)
        let files = DocumentFiles(root: folder)
        // Kept before a transaction that never committed (a refusal, a kill -9): no record names them.
        let orphan = SampleFiles.pdf(size: 4_000)
        let young = SampleFiles.pdf(size: 5_000)
        try files.keep(orphan, sha256: Secrets.sha256Hex(orphan))
        try files.keep(young, sha256: Secrets.sha256Hex(young))
        // A temporary file an interrupted write left, and a file that is none of ours.
        let digest = Secrets.sha256Hex(orphan)
        let temporary = folder.appendingPathComponent("\(digest.prefix(2))/.\(digest).0000.tmp")
        try Data("half".utf8).write(to: temporary)
        let foreign = folder.appendingPathComponent("\(digest.prefix(2))/README")
        try Data("not a document".utf8).write(to: foreign)
        // One recorded file lost.
        let lost = Secrets.sha256Hex(other)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("\(lost.prefix(2))/\(lost)"))
        // Everything but the young orphan is two hours old.
        let old = Date().addingTimeInterval(-7_200)
        for file in [
            folder.appendingPathComponent("\(digest.prefix(2))/\(digest)"), temporary, foreign,
            folder.appendingPathComponent("\(Secrets.sha256Hex(recorded).prefix(2))/\(Secrets.sha256Hex(recorded))"),
        ] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)
        }
        let check = try store.checkDocumentFiles(in: folder, olderThan: Date().addingTimeInterval(-3_600))
        #expect(check.verified == 1 && check.missing == [lost])
        #expect(check.orphansRemoved == 1 && check.temporaryRemoved == 1)
        let left = Set(keptFiles())
        #expect(left.contains("\(Secrets.sha256Hex(recorded).prefix(2))/\(Secrets.sha256Hex(recorded))"))
        #expect(left.contains("\(Secrets.sha256Hex(young).prefix(2))/\(Secrets.sha256Hex(young))"))
        #expect(left.contains("\(digest.prefix(2))/README"))
        #expect(
            !left.contains("\(digest.prefix(2))/\(digest)") && !left.contains("\(digest.prefix(2))/.\(digest).0000.tmp")
        )
        // The file no record names is moved aside, never deleted; the temporary one is gone.
        #expect(left.contains("orphans/\(digest)") && !left.contains("orphans/.\(digest).0000.tmp"))
        // A second check finds nothing more to remove.
        let again = try store.checkDocumentFiles(in: folder, olderThan: Date().addingTimeInterval(-3_600))
        #expect(again.orphansRemoved == 0 && again.temporaryRemoved == 0 && again.verified == 1)
    }
}
