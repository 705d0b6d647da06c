import Foundation
import KaibanCrypto
import Testing

@testable import KaibanExchange

#if canImport(Glibc)
    import Glibc
#endif

/// A transfer's document files are received into private files on disk and mapped from there,
/// never held in the process's own memory (a message of ten 50 MiB files had taken 579 MB).
struct StagedDocumentsTests {
    /// A spool folder and a staging folder of their own, removed afterwards.
    static func folders(_ body: (URL, URL) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-staged-\(UUID())")
        let spool = root.appendingPathComponent("spool")
        let staging = root.appendingPathComponent("exchange/files")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(spool, staging)
    }

    /// What a staging folder holds (no temporary file may stay behind).
    static func left(in staging: URL) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: staging.path)) ?? []
    }

    @Test func aSpoolFileIsReadThroughAPrivateCopyThatLeavesNothingBehind() async throws {
        try await Self.folders { spool, staging in
            let content = Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let sm3 = SM3.hex(content)
            let source = spool.appendingPathComponent(sm3)
            try content.write(to: source)
            let read = try #require(
                await SpoolDocuments(folder: spool).file(sm3: sm3, limit: 50_000_000, staging: staging))
            #expect(read == content)
            #expect(Self.left(in: staging).isEmpty)
            // The spool's file changed or shortened afterwards (its writer at work) changes nothing
            // read: a map of that file itself would have ended the process with SIGBUS.
            #expect(truncate(source.path, 10) == 0)
            try Data("other".utf8).write(to: source)
            #expect(read.count == content.count && SM3.hex(read) == sm3)
        }
    }

    @Test func aFileOverTheLimitIsReadToOneOctetPastIt() async throws {
        try await Self.folders { spool, staging in
            let sm3 = String(repeating: "a", count: 64)
            try Data(repeating: 7, count: 5_000_000).write(to: spool.appendingPathComponent(sm3))
            let read = await SpoolDocuments(folder: spool).file(sm3: sm3, limit: 1_048_576, staging: staging)
            #expect(read?.count == 1_048_577)
            let empty = String(repeating: "b", count: 64)
            try Data().write(to: spool.appendingPathComponent(empty))
            #expect(await SpoolDocuments(folder: spool).file(sm3: empty, limit: 10, staging: staging) == Data())
            #expect(Self.left(in: staging).isEmpty)
        }
    }

    /// A small file is read into memory while the budget lasts, and its part of the budget comes
    /// back when the content is released; past the budget the caller stages it instead.
    @Test func smallFilesAreReadIntoMemoryWithinABudget() async throws {
        try await Self.folders { spool, staging in
            let content = Data((0..<60).map { UInt8($0) })
            let path = spool.appendingPathComponent("small").path
            try content.write(to: URL(fileURLWithPath: path))
            let descriptor = open(path, O_RDONLY)
            #expect(descriptor >= 0)
            defer { close(descriptor) }
            let memory = DocumentMemory(budget: 100)
            var first = memory.read(descriptor, count: 60)
            #expect(first == content)
            #expect(memory.available == 40)
            #expect(memory.read(descriptor, count: 60) == nil)
            #expect(memory.available == 40)
            first = nil
            #expect(memory.available == 100)
            #expect(memory.read(descriptor, count: DocumentMemory.largestInMemory + 1) == nil)
            // Through the spool: the same content whichever way it was read, nothing left behind.
            let sm3 = SM3.hex(content)
            try content.write(to: spool.appendingPathComponent(sm3))
            #expect(await SpoolDocuments(folder: spool).file(sm3: sm3, limit: 100, staging: staging) == content)
            #expect(Self.left(in: staging).isEmpty)
        }
    }

    /// No place to receive the file (the staging folder is a file, or cannot be written): the file
    /// counts as not obtained, which refuses the transfer with a receipt, rather than a crash.
    @Test func noPlaceToReceiveIsNoFile() async throws {
        try await Self.folders { spool, staging in
            // Larger than what is read into memory: it must be staged.
            let sm3 = String(repeating: "c", count: 64)
            try Data(repeating: 1, count: DocumentMemory.largestInMemory + 10).write(
                to: spool.appendingPathComponent(sm3))
            try FileManager.default.createDirectory(
                at: staging.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: staging)
            #expect(await SpoolDocuments(folder: spool).file(sm3: sm3, limit: 50_000_000, staging: staging) == nil)
        }
    }
}
