import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Synchronization
import Testing

@testable import KaibanCLI

/// `kaiban exchange import` takes a spool's messages in the order they came into it (by
/// modification time, then name), not by their names (random message ids): a withdrawal dropped
/// with its transfer had been applied first and refused as of an unknown case.
@Suite struct SpoolOrderTests {
    @Test func messagesAreTakenInTheOrderTheyArrived() throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-order-\(UUID())")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: spool) }
        // Written in the order transfer, status, withdrawal; their names sort the other way.
        let arrivals: [(name: String, at: TimeInterval)] = [
            ("f0-transfer.xml", 1_000), ("c3-status.xml", 2_000), ("a9-withdrawal.xml", 3_000), ("b1-tie.xml", 2_000),
        ]
        for (name, at) in arrivals {
            let file = spool.appendingPathComponent(name)
            try Data("<x/>".utf8).write(to: file)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: at)], ofItemAtPath: file.path)
        }
        let ordered = ExchangeCommand.Import.inArrivalOrder(arrivals.map(\.name), in: spool)
        // Equal times go by name; a name that is not there (gone since the listing) comes first.
        #expect(ordered == ["f0-transfer.xml", "b1-tie.xml", "c3-status.xml", "a9-withdrawal.xml"])
        #expect(
            ExchangeCommand.Import.inArrivalOrder(["gone.xml", "a9-withdrawal.xml"], in: spool)
                == ["gone.xml", "a9-withdrawal.xml"])
    }

    /// Files of the very same modification time (whole seconds kept, an archive unpacked) go by
    /// the send time their envelopes state: by name alone a withdrawal came before its transfer.
    @Test func filesOfOneInstantGoByTheirStatedSendTime() throws {
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-order-\(UUID())")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: spool) }
        let files: [(name: String, sent: String?)] = [
            ("a1-withdrawal.xml", "2026-11-26T10:45:00+08:00"), ("b2-status.xml", " 2026-11-26T02:42:00Z "),
            ("c3-transfer.xml", "2026-11-26T10:41:00+08:00"), ("d4-no-time.xml", nil), ("e5-bad-time.xml", "soon"),
        ]
        for (name, sent) in files {
            let file = spool.appendingPathComponent(name)
            let header = sent.map { "<ex:SendTime>\($0)</ex:SendTime>" } ?? ""
            try Data("<?xml version=\"1.0\"?><ex:Message><ex:Header>\(header)</ex:Header></ex:Message>".utf8)
                .write(to: file)
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: 1_000)], ofItemAtPath: file.path)
        }
        let later = spool.appendingPathComponent("0-later.xml")
        try Data("<ex:SendTime>2026-11-26T09:00:00+08:00</ex:SendTime>".utf8).write(to: later)
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSince1970: 2_000)], ofItemAtPath: later.path)
        let ordered = ExchangeCommand.Import.inArrivalOrder(files.map(\.name) + ["0-later.xml"], in: spool)
        // Stated times first, in their order (10:41, 10:42 as UTC, 10:45), then the files stating
        // none by name; a later file comes later whatever it states.
        #expect(
            ordered == [
                "c3-transfer.xml", "b2-status.xml", "a1-withdrawal.xml", "d4-no-time.xml", "e5-bad-time.xml",
                "0-later.xml",
            ])
    }
}

/// From a hostile partner trial: `exchange cases` printed a partner's enterprise names raw.
@Suite struct ExchangeCaseNamesTests {
    @Test func hiddenBlankAndLongNamesAreShownForWhatTheyAre() {
        let name = "重庆青禾农业科技有限公司"
        #expect(ExchangeCommand.Cases.shownName(name, zh: true) == name)
        #expect(ExchangeCommand.Cases.shownName("重庆青禾\u{200B}农业科技有限公司", zh: true) == "重庆青禾<U+200B>农业科技有限公司")
        #expect(ExchangeCommand.Cases.shownName("\u{3000}\u{3000}", zh: true) == "（空白）")
        #expect(ExchangeCommand.Cases.shownName("\u{3000}", zh: false) == "(blank)")
        let long = ExchangeCommand.Cases.shownName(String(repeating: "青", count: 200), zh: true)
        #expect(long.count == 40 && long.hasSuffix("…"))
        // A hidden character at the cut is shown whole.
        let hidden = ExchangeCommand.Cases.shownName(String(repeating: "青", count: 38) + "\u{200B}青青青", zh: true)
        #expect(hidden == String(repeating: "青", count: 38) + "<U+200B>…", "\(hidden)")
    }
}

/// `admin migrate-to` gives up a copy whose target stopped answering: a stopped server (its
/// connection left open) had held the command for the day's time limit, saying nothing.
@Suite struct MigrationWatchTests {
    /// Waits, cancellation or not, until `release` is signalled (30 s at most).
    static func stuck(until release: DispatchSemaphore) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                _ = release.wait(timeout: .now() + 30)
                continuation.resume()
            }.start()
        }
    }

    @Test func aCopyWithNoStepDoneForTheLimitIsGivenUpWithoutWaitingForIt() async throws {
        let release = DispatchSemaphore(value: 0)
        let ended = Mutex(false)
        let refused = await #expect(throws: Problem.self) {
            _ = try await MigrateToCommand.watched(stallLimit: .milliseconds(300)) { _ in
                // Stuck where cancellation does not reach (a commit waiting on a stopped server),
                // on a thread of its own: no cooperative thread is held (two such tests at once
                // had held both, and the watch could not run).
                await Self.stuck(until: release)
                ended.withLock { $0 = true }
                return MigrateToCommand.Report()
            }
        }
        #expect(refused?.code == "migrate.stalled" && refused?.kind == .storage)
        #expect(refused?.text.zh.contains("没有写入任何记录") == true)
        // Answered while the copy was still stuck, not after it.
        #expect(ended.withLock { $0 } == false)
        release.signal()
    }

    @Test func aCopyStalledOnItsCommitSaysItsOutcomeIsNotKnown() async throws {
        let release = DispatchSemaphore(value: 0)
        let refused = await #expect(throws: Problem.self) {
            _ = try await MigrateToCommand.watched(stallLimit: .milliseconds(300)) { progress in
                progress.commit()
                await Self.stuck(until: release)
                return MigrateToCommand.Report()
            }
        }
        #expect(refused?.code == "migrate.commit-unconfirmed" && refused?.text.zh.contains("可能已保存") == true)
        release.signal()
    }

    @Test func aCopyThatKeepsGettingStepsDoneRunsPastTheLimit() async throws {
        // Steps done a tenth of a second apart for two seconds, past a limit of one and a half.
        // They are done on a thread of their own, as the copy's statements complete on the
        // database's: ticks from a task had waited for a cooperative thread while the CLI suite's
        // processes held both, and the copy was taken for stalled.
        let done = Mutex(false)
        let report = try await MigrateToCommand.watched(stallLimit: .milliseconds(1_500)) { progress in
            Thread {
                while !done.withLock({ $0 }) {
                    progress.tick()
                    Thread.sleep(forTimeInterval: 0.1)
                }
            }.start()
            defer { done.withLock { $0 = true } }
            try await Task.sleep(for: .seconds(2))
            var report = MigrateToCommand.Report()
            report.cases = 7
            return report
        }
        #expect(report.cases == 7)
    }

    @Test func aCopyThatFailsIsAnsweredWithItsOwnError() async throws {
        let failed = await #expect(throws: Problem.self) {
            _ = try await MigrateToCommand.watched(stallLimit: .seconds(60)) { _ in
                throw Problem(.refused, "migrate.target-not-empty", zh: "非空", en: "not empty")
            }
        }
        #expect(failed?.code == "migrate.target-not-empty")
    }
}

/// From a trial of calendars: `calendar status` told a supervisor who had corrected a year to
/// import its file again, which would undo the correction.
@Suite struct CalendarStatusNotesTests {
    @Test func aCorrectedYearIsSaidToDifferOnPurpose() {
        let replaced = CalendarChange(at: Date(), subject: "2026", change: "replaced", reason: "更正", by: "zhouqiang")
        let added = CalendarChange(at: Date(), subject: "2025", change: "added", reason: "载入", by: nil)
        let notes = CalendarCommand.Status.holidayFileNotes(
            differing: [2025, 2026], changes: [added, replaced], zh: false)
        #expect(notes.count == 2, "\(notes)")
        #expect(notes.first?.contains("2026 was corrected by a supervisor") == true)
        #expect(notes.last?.contains("file of 2025 differs") == true && notes.last?.contains("2026") == false)
        #expect(CalendarCommand.Status.holidayFileNotes(differing: [], changes: [replaced], zh: true).isEmpty)
    }
}

/// From a trial: `--as ""` read "no clerk  (…)", and KAIBAN_CLERK with a trailing blank named a
/// clerk unknown, the blank invisible in the message.
@Suite struct ActingClerkTests {
    @Test func theActingClerkIsTrimmedAndAnEmptyOneIsNone() throws {
        let kaiban = try KaibanProcess()
        #expect(try kaiban.run(["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor"]).status == 0)
        let empty = try kaiban.run(["clerk", "add", "wangfang", "--name", "王芳", "--role", "window", "--as", ""])
        #expect(empty.status != 0 && empty.stderr.contains("KAIBAN_CLERK"), "\(empty)")
        let blank = try kaiban.run(
            ["clerk", "add", "wangfang", "--name", "王芳", "--role", "window"],
            extraEnvironment: ["KAIBAN_CLERK": "zhouqiang "])
        #expect(blank.status == 0, "\(blank)")
    }
}
