import Foundation
import Testing

@testable import KaibanCrypto

@Suite struct KeyFilesTests {
    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test func aPrivateKeyFileIsCreatedOwnerOnlyAndReadBack() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("kaiban-sm2.pem").path
            let key = try SM2.PrivateKey.generate()
            try KeyFiles.writePrivateKey(key, to: path)
            #expect(try Self.mode(path) == 0o600)
            #expect(try String(contentsOfFile: path, encoding: .utf8) == key.pkcs8PEM())
            #expect(try KeyFiles.readPrivateKey(from: path).publicKey == key.publicKey)
            // Nothing but the key is left in the directory (no temporary file).
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["kaiban-sm2.pem"])

            let publicPath = directory.appendingPathComponent("kaiban-sm2.pub.pem").path
            try KeyFiles.writePublicKey(key.publicKey, to: publicPath)
            #expect(try Self.mode(publicPath) == 0o644)
            #expect(try KeyFiles.readPublicKey(from: publicPath) == key.publicKey)
        }
    }

    @Test func anExistingKeyFileIsReplacedOnlyWhenAsked() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("key.pem").path
            let first = try SM2.PrivateKey.generate()
            let second = try SM2.PrivateKey.generate()
            try KeyFiles.writePrivateKey(first, to: path)
            #expect(throws: SM2.Failure.keyFileExists(path: path)) { try KeyFiles.writePrivateKey(second, to: path) }
            #expect(try KeyFiles.readPrivateKey(from: path).publicKey == first.publicKey)
            try KeyFiles.writePrivateKey(second, to: path, replacingExisting: true)
            #expect(try KeyFiles.readPrivateKey(from: path).publicKey == second.publicKey)
            #expect(try Self.mode(path) == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["key.pem"])
            // Any existing file counts, not only a key.
            let other = directory.appendingPathComponent("notes.txt").path
            try Data("notes".utf8).write(to: URL(fileURLWithPath: other))
            #expect(throws: SM2.Failure.keyFileExists(path: other)) { try KeyFiles.writePrivateKey(first, to: other) }
            #expect(try String(contentsOfFile: other, encoding: .utf8) == "notes")
        }
    }

    @Test func aPrivateKeyFileOthersMayReadIsRefusedNamingPathAndMode() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("key.pem").path
            try KeyFiles.writePrivateKey(try SM2.PrivateKey.generate(), to: path)
            for mode in [0o644, 0o640, 0o604, 0o660, 0o602] {
                #expect(chmod(path, mode_t(mode)) == 0)
                #expect(throws: SM2.Failure.keyFileTooOpen(path: path, mode: UInt32(mode))) {
                    try KeyFiles.readPrivateKey(from: path)
                }
            }
            #expect(
                "\(SM2.Failure.keyFileTooOpen(path: path, mode: 0o644))"
                    == "permissions 0644 for '\(path)' are too open: a private key file must be readable by its "
                    + "owner only (chmod 600 '\(path)')")
            for mode in [0o600, 0o400] {
                #expect(chmod(path, mode_t(mode)) == 0)
                #expect(throws: Never.self) { try KeyFiles.readPrivateKey(from: path) }
            }
        }
    }

    @Test func missingDirectoriesAndOversizedFilesAreRefused() throws {
        try withTemporaryDirectory { directory in
            let missing = directory.appendingPathComponent("missing.pem").path
            guard
                case .file(let path, "open", let code, _) = Self.failure({
                    _ = try KeyFiles.readPrivateKey(from: missing)
                })
            else {
                Issue.record("reading a missing file did not fail with open")
                return
            }
            #expect(path == missing && code == ENOENT)
            #expect(throws: SM2.Failure.keyFileNotRegular(path: directory.path)) {
                try KeyFiles.readPrivateKey(from: directory.path)
            }
            #expect(throws: SM2.Failure.keyFileNotRegular(path: directory.path)) {
                try KeyFiles.readPublicKey(from: directory.path)
            }
            // A FIFO is refused at once, not waited on.
            let fifo = directory.appendingPathComponent("fifo.pem").path
            #expect(mkfifo(fifo, 0o600) == 0)
            #expect(throws: SM2.Failure.keyFileNotRegular(path: fifo)) { try KeyFiles.readPrivateKey(from: fifo) }
            let empty = directory.appendingPathComponent("empty.pem")
            try Data().write(to: empty)
            #expect(chmod(empty.path, 0o600) == 0)
            #expect(throws: SM2.Failure.notAKey(expected: "private key", reason: "it is empty")) {
                try KeyFiles.readPrivateKey(from: empty.path)
            }
            let big = directory.appendingPathComponent("big.pem")
            try Data(repeating: 0x41, count: SM2.pemLimit + 10).write(to: big)
            #expect(chmod(big.path, 0o600) == 0)
            #expect(throws: SM2.Failure.tooLarge(bytes: SM2.pemLimit + 10, limit: SM2.pemLimit)) {
                try KeyFiles.readPrivateKey(from: big.path)
            }
            let nowhere = directory.appendingPathComponent("no/such/dir/key.pem").path
            guard
                case .file(_, "create", let createCode, _) = Self.failure({
                    try KeyFiles.writePrivateKey(try SM2.PrivateKey.generate(), to: nowhere)
                })
            else {
                Issue.record("writing into a missing directory did not fail with create")
                return
            }
            #expect(createCode == ENOENT)
        }
    }

    static func failure(_ body: () throws -> Void) -> SM2.Failure? {
        do {
            try body()
            return nil
        } catch { return error as? SM2.Failure }
    }
}
