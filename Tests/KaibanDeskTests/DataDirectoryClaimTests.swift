import Foundation
import KaibanCore
import KaibanTestSupport
import Synchronization
import Testing

@testable import KaibanDesk

#if canImport(Glibc)
    import Glibc
#endif

/// A data directory belongs to one hall (its document files, its exchange key and files): the
/// hall that first writes there claims it; every process checks the claim, and another hall's is
/// refused. Reading never claims.
struct DataDirectoryClaimTests {
    static func settings(hall: String, folder: URL) -> KaibanSettings {
        var settings = KaibanSettings(
            database: "postgres://kaiban@127.0.0.1/kaiban", hall: hall, formsRoot: Fixtures.formsRoot)
        settings.dataDirectory = folder
        return settings
    }

    static func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-claim-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    static func marker(_ folder: URL) -> URL { folder.appendingPathComponent(KaibanSettings.dataDirectoryHallFile) }

    @Test func theFirstHallToWriteClaimsTheFolderAndAnotherIsRefused() throws {
        try Self.withFolder { folder in
            let zhaohua = Self.settings(hall: "510811", folder: folder)
            let lizhou = Self.settings(hall: "510802", folder: folder)
            // A check (every process's start) never claims: not a missing folder, nor one with files
            // (a mistyped KAIBAN_HALL, even in a command that then fails, locks no one out).
            try lizhou.checkDataDirectory()
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent("ab"), withIntermediateDirectories: true)
            try lizhou.checkDataDirectory()
            #expect(!FileManager.default.fileExists(atPath: Self.marker(folder).path))

            // The first write claims it.
            try zhaohua.claimDataDirectory()
            #expect(try String(contentsOf: Self.marker(folder), encoding: .utf8) == "510811\n")
            try zhaohua.claimDataDirectory()
            try zhaohua.checkDataDirectory()
            for claiming in [false, true] {
                let refusal = #expect(throws: Problem.self) {
                    if claiming { try lizhou.claimDataDirectory() } else { try lizhou.checkDataDirectory() }
                }
                #expect(refusal?.code == "data-directory.other-hall")
                #expect(refusal?.message(.en).contains("belongs to hall 510811") == true)
                #expect(refusal?.message(.en).contains("not to this hall 510802") == true)
            }
            #expect(try String(contentsOf: Self.marker(folder), encoding: .utf8) == "510811\n")
            let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            #expect(
                left == ["ab", KaibanSettings.dataDirectoryDatabaseFile, KaibanSettings.dataDirectoryHallFile],
                "no temporary file stays behind")
        }
    }

    /// A rebuild sweeps (removes files no record names) only a folder its hall has claimed, or an
    /// empty one: an unclaimed folder with files may be another hall's too, and is only checked.
    @Test func onlyAClaimedOrEmptyFolderIsSwept() throws {
        try Self.withFolder { folder in
            let zhaohua = Self.settings(hall: "510811", folder: folder)
            #expect(try zhaohua.maySweepDataDirectory())
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent("ab"), withIntermediateDirectories: true)
            #expect(try zhaohua.maySweepDataDirectory() == false)
            #expect(!FileManager.default.fileExists(atPath: Self.marker(folder).path))
            try zhaohua.claimDataDirectory()
            #expect(try zhaohua.maySweepDataDirectory())
            #expect(throws: Problem.self) { try Self.settings(hall: "510802", folder: folder).maySweepDataDirectory() }
        }
    }

    /// Halls claiming one new folder at the same moment: one claim stands, and every other hall
    /// is refused.
    @Test func claimsAtTheSameMomentLeaveOneOwner() throws {
        try Self.withFolder { folder in
            let halls = ["510811", "510802", "510812", "510821"]
            let won = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 16) { index in
                let hall = halls[index % halls.count]
                if (try? Self.settings(hall: hall, folder: folder).claimDataDirectory()) != nil {
                    won.withLock { $0.append(hall) }
                }
            }
            let owner = try String(contentsOf: Self.marker(folder), encoding: .utf8)
            let winners = won.withLock { $0 }
            #expect(Set(winners).count == 1 && winners.count == 4, "\(winners)")
            #expect(owner == "\(winners.first ?? "?")\n")
        }
    }

    /// An empty claim (a process stopped as it wrote it) is none, and the next write replaces it;
    /// a claim written by hand with a byte-order mark and CRLF is read; a claim that is no file
    /// is refused, saying so, rather than taken as none.
    @Test func claimsAreReadAsPeopleWriteThemAndRefusedWhenUnreadable() throws {
        try Self.withFolder { folder in
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let zhaohua = Self.settings(hall: "510811", folder: folder)
            FileManager.default.createFile(atPath: Self.marker(folder).path, contents: Data())
            try Self.settings(hall: "510802", folder: folder).checkDataDirectory()
            try zhaohua.claimDataDirectory()
            #expect(try String(contentsOf: Self.marker(folder), encoding: .utf8) == "510811\n")

            try Data("\u{FEFF}510811\r\n".utf8).write(to: Self.marker(folder))
            try zhaohua.checkDataDirectory()
            #expect(throws: Problem.self) { try Self.settings(hall: "510802", folder: folder).checkDataDirectory() }

            // A link to a file is followed (configuration tools deliver files so).
            let elsewhere = folder.appendingPathComponent("claim.txt")
            try Data("510802\n".utf8).write(to: elsewhere)
            try FileManager.default.removeItem(at: Self.marker(folder))
            try FileManager.default.createSymbolicLink(at: Self.marker(folder), withDestinationURL: elsewhere)
            #expect(throws: Problem.self) { try zhaohua.checkDataDirectory() }

            try FileManager.default.removeItem(at: Self.marker(folder))
            #expect(mkfifo(Self.marker(folder).path, 0o644) == 0)
            let fifo = #expect(throws: Problem.self) { try zhaohua.checkDataDirectory() }
            #expect(fifo?.code == "data-directory.claim-unreadable")
            try FileManager.default.removeItem(at: Self.marker(folder))
            // Spaces before the code are spaces (a first version read 64 bytes and saw none).
            try Data((String(repeating: " ", count: 70) + "510802\n").utf8).write(to: Self.marker(folder))
            let spaced = #expect(throws: Problem.self) { try zhaohua.claimDataDirectory() }
            #expect(spaced?.code == "data-directory.other-hall")
            try Data(repeating: 0x20, count: 5_000).write(to: Self.marker(folder))
            let large = #expect(throws: Problem.self) { try zhaohua.claimDataDirectory() }
            #expect(large?.code == "data-directory.claim-unreadable")
            try Data("昭化区\n".utf8).write(to: Self.marker(folder))
            let junk = #expect(throws: Problem.self) { try zhaohua.claimDataDirectory() }
            #expect(junk?.code == "data-directory.claim-unreadable")
        }
    }

    /// From a review: an empty record (its writer stopped before writing) was never written
    /// again, so the folder was never swept; a byte-order mark hid the database; a rebuild logged
    /// in as another PostgreSQL role than the server's was told the folder was another database's.
    @Test func theDatabaseRecordIsRepairedReadWithABOMAndNamesNoUser() throws {
        try Self.withFolder { folder in
            let zhaohua = Self.settings(hall: "510811", folder: folder)
            let record = folder.appendingPathComponent(KaibanSettings.dataDirectoryDatabaseFile)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data().write(to: record)
            try zhaohua.claimDataDirectory()
            #expect(try String(contentsOf: record, encoding: .utf8) == zhaohua.databaseIdentity + "\n")
            #expect(try zhaohua.maySweepDataDirectory())
            try Data(("\u{FEFF}" + zhaohua.databaseIdentity + "\r\n").utf8).write(to: record)
            #expect(try zhaohua.maySweepDataDirectory())
            var admin = zhaohua
            admin.database = "postgres://admin:secret@127.0.0.1/kaiban"
            #expect(admin.databaseIdentity == zhaohua.databaseIdentity)
            #expect(!admin.databaseIdentity.contains("admin") && !admin.databaseIdentity.contains("secret"))
            var other = zhaohua
            other.database = "postgres://kaiban@127.0.0.1/kaiban_copy"
            #expect(try other.dataDirectorySweep()?.en.contains("belong to the database") == true)
        }
    }
}
