import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

@testable import KaibanDesk

/// A data directory belongs to one hall (its document files, its exchange key): the first
/// process of a hall to find files there claims it, and another hall's is refused.
struct DataDirectoryClaimTests {
    static func settings(hall: String, folder: URL) -> KaibanSettings {
        var settings = KaibanSettings(
            database: "postgres://kaiban@127.0.0.1/kaiban", hall: hall, formsRoot: Fixtures.formsRoot)
        settings.dataDirectory = folder
        return settings
    }

    static func newFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-claim-\(UUID())")
    }

    @Test func theFirstHallWithFilesThereClaimsTheFolderAndAnotherIsRefused() throws {
        let folder = Self.newFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let zhaohua = Self.settings(hall: "510811", folder: folder)
        let lizhou = Self.settings(hall: "510802", folder: folder)
        let marker = folder.appendingPathComponent(KaibanSettings.dataDirectoryHallFile)

        // A missing folder, then an empty one, is nobody's yet: a mistyped KAIBAN_HALL locks no one out.
        try lizhou.claimDataDirectory()
        #expect(!FileManager.default.fileExists(atPath: folder.path))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try lizhou.claimDataDirectory()
        #expect(!FileManager.default.fileExists(atPath: marker.path))

        // Files there (the hall's documents): the first process claims the folder.
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("documents"), withIntermediateDirectories: true)
        try zhaohua.claimDataDirectory()
        #expect(try String(contentsOf: marker, encoding: .utf8) == "510811\n")
        try zhaohua.claimDataDirectory()
        let refusal = #expect(throws: Problem.self) { try lizhou.claimDataDirectory() }
        #expect(refusal?.code == "data-directory.other-hall")
        #expect(refusal?.message(.en).contains("510811") == true && refusal?.message(.en).contains("510802") == true)
        #expect(try String(contentsOf: marker, encoding: .utf8) == "510811\n")
    }

    /// An empty claim (a process stopped between making the file and writing it) is none.
    @Test func anEmptyClaimRefusesNobody() throws {
        let folder = Self.newFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        FileManager.default.createFile(
            atPath: folder.appendingPathComponent(KaibanSettings.dataDirectoryHallFile).path, contents: Data())
        FileManager.default.createFile(atPath: folder.appendingPathComponent("exchange").path, contents: Data("x".utf8))
        try Self.settings(hall: "510802", folder: folder).claimDataDirectory()
        try Self.settings(hall: "510811", folder: folder).claimDataDirectory()
    }
}
