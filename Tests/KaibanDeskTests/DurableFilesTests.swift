import Foundation
import KaibanDesk
import Testing

@Suite struct DurableFilesTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-durable-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func writesEveryFileUnderItsNameAndLeavesNoTemporaryFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nested = folder.appendingPathComponent("receipts/2026")
        let files = (0..<50).map { index in
            (target: nested.appendingPathComponent("r-\(index).xml"), content: Data("<r n=\"\(index)\"/>".utf8))
        }
        try DurableFiles.write(files, mode: 0o640)
        for file in files {
            #expect(FileManager.default.contents(atPath: file.target.path) == file.content)
            let mode = try FileManager.default.attributesOfItem(atPath: file.target.path)[.posixPermissions] as? Int
            #expect(mode.map { $0 & 0o077 & ~0o040 } == 0, "no more than the mode asked for")
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: nested.path).sorted()
                == files.map(\.target.lastPathComponent).sorted())
    }

    @Test func replacesAFileOfTheSameNameWhole() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("a.xml")
        try Data("old content, longer than the new".utf8).write(to: target)
        try DurableFiles.write([(target, Data("new".utf8))])
        #expect(FileManager.default.contents(atPath: target.path) == Data("new".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["a.xml"])
    }

    @Test func aFileThatCannotBeWrittenRenamesNothingAndLeavesNoTemporaryFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The first file's temporary file is written; the second's name is too long for one.
        let files = [
            (target: folder.appendingPathComponent("first.xml"), content: Data("1".utf8)),
            (target: folder.appendingPathComponent(String(repeating: "n", count: 250)), content: Data("2".utf8)),
        ]
        #expect(throws: StoreError.self) { try DurableFiles.write(files) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [])
    }

    /// What a killed writer left (`.NAME.RANDOM.tmp`, ten minutes old) is removed; a write going on
    /// now, a file of another pattern and a folder are left alone.
    @Test func removesOnlyAbandonedTemporaryFiles() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let now = Date()
        let files = [
            (".receipt-1.xml.k3v9x2.tmp", 1_200.0), (".receipt-2.xml.a1b2c3.tmp", 60.0),
            ("receipt-3.xml.k3v9x2.tmp", 1_200.0), (".notes.tmp", 1_200.0), (".receipt-4.xml.not-base36!.tmp", 1_200.0),
        ]
        for (name, age) in files {
            let path = folder.appendingPathComponent(name).path
            #expect(FileManager.default.createFile(atPath: path, contents: Data("x".utf8)))
            try FileManager.default.setAttributes(
                [.modificationDate: now.addingTimeInterval(-age)], ofItemAtPath: path)
        }
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent(".dir.k3v9x2.tmp"), withIntermediateDirectories: false)
        DurableFiles.removeAbandoned(in: folder, now: now)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == [
                ".dir.k3v9x2.tmp", ".notes.tmp", ".receipt-2.xml.a1b2c3.tmp", ".receipt-4.xml.not-base36!.tmp",
                "receipt-3.xml.k3v9x2.tmp",
            ])
    }
}
