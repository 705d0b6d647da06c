import Foundation
import Testing

@testable import KaibanCrypto

/// Kaiban's SM2 and SM3 checked against the `openssl` command line, both ways: openssl verifies
/// what Kaiban signs and reads the keys it writes; Kaiban verifies what openssl signs and reads the
/// keys it writes.
@Suite struct SM2OpenSSLInteropTests {
    static let distid = "distid:\(SM2.defaultDistinguishingID)"

    @Test func opensslVerifiesKaibansSignatures() throws {
        let openssl = try OpenSSLCommand()
        try withTemporaryDirectory { directory in
            let key = try SM2.PrivateKey.generate()
            let message = Array("<Envelope>川渝通办 case transfer</Envelope>\n".utf8)
            try KeyFiles.writePublicKey(key.publicKey, to: directory.appendingPathComponent("pub.pem").path)
            try Data(key.sign(message)).write(to: directory.appendingPathComponent("sig.der"))
            try Data(message).write(to: directory.appendingPathComponent("msg"))
            var tampered = message
            tampered[1] ^= 0x20
            try Data(tampered).write(to: directory.appendingPathComponent("tampered"))

            let verify = ["dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig.der", "-sigopt", Self.distid]
            let good = try openssl.run(verify + ["msg"], in: directory)
            #expect(good.status == 0, "\(good.output)")
            #expect(good.output.contains("Verified OK"))
            let bad = try openssl.run(verify + ["tampered"], in: directory)
            #expect(bad.status != 0, "\(bad.output)")
            #expect(bad.output.contains("Verification failure"))
            // Without the id openssl 3.0 hashes an empty one: the signature does not verify, which
            // shows Kaiban set the standard's id rather than none.
            let noID = try openssl.run(
                ["dgst", "-sm3", "-verify", "pub.pem", "-signature", "sig.der", "msg"], in: directory)
            #expect(noID.status != 0, "\(noID.output)")
        }
    }

    @Test func kaibanVerifiesOpensslsSignaturesAndReadsItsKeys() throws {
        let openssl = try OpenSSLCommand()
        try withTemporaryDirectory { directory in
            func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
            let message = Array("status update 7: 已受理\n".utf8)
            try Data(message).write(to: directory.appendingPathComponent("msg"))
            for arguments in [
                ["genpkey", "-algorithm", "SM2", "-out", "k.pem"],
                ["pkey", "-in", "k.pem", "-pubout", "-out", "p.pem"],
                ["dgst", "-sm3", "-sign", "k.pem", "-sigopt", Self.distid, "-out", "s.der", "msg"],
            ] {
                let run = try openssl.run(arguments, in: directory)
                try #require(run.status == 0, "openssl \(arguments.joined(separator: " ")): \(run.output)")
            }
            let publicKey = try KeyFiles.readPublicKey(from: path("p.pem"))
            let signature = try Array(Data(contentsOf: URL(fileURLWithPath: path("s.der"))))
            #expect(try publicKey.verify(signature, of: message))
            #expect(try !publicKey.verify(signature, of: message.dropLast()))
            #expect(try !publicKey.verify(signature, of: message, distinguishingID: "1234567812345679"))
            // Kaiban writes the same public key PEM openssl does.
            #expect(try publicKey.pem == String(contentsOfFile: path("p.pem"), encoding: .utf8))

            // Kaiban reads openssl's private key (kept owner-only) and signs; openssl verifies.
            #expect(chmod(path("k.pem"), 0o600) == 0)
            let privateKey = try KeyFiles.readPrivateKey(from: path("k.pem"))
            #expect(privateKey.publicKey == publicKey)
            try Data(privateKey.sign(message)).write(to: directory.appendingPathComponent("kaiban.der"))
            let verify = try openssl.run(
                ["dgst", "-sm3", "-verify", "p.pem", "-signature", "kaiban.der", "-sigopt", Self.distid, "msg"],
                in: directory)
            #expect(verify.status == 0, "\(verify.output)")
            // And openssl reads the private key PEM Kaiban writes back: the same public key.
            try KeyFiles.writePrivateKey(privateKey, to: path("kaiban.pem"))
            let derived = try openssl.run(["pkey", "-in", "kaiban.pem", "-pubout"], in: directory)
            #expect(derived.status == 0 && derived.output == publicKey.pem, "\(derived.output)")
        }
    }

    @Test func theFingerprintIsWhatOpensslComputesOverTheKeysDER() throws {
        let openssl = try OpenSSLCommand()
        try withTemporaryDirectory { directory in
            let key = try SM2.PrivateKey.generate().publicKey
            try Data(key.pem.utf8).write(to: directory.appendingPathComponent("pub.pem"))
            let der = try openssl.run(
                ["pkey", "-pubin", "-in", "pub.pem", "-outform", "DER", "-out", "pub.der"], in: directory)
            try #require(der.status == 0, "\(der.output)")
            let digest = try openssl.run(["dgst", "-sm3", "-r", "pub.der"], in: directory)
            #expect(digest.status == 0)
            #expect(digest.output.hasPrefix(key.fingerprint + " "), "\(digest.output)")
        }
    }

    @Test func sm3AgreesWithOpensslOnMessagesOfManyLengths() throws {
        let openssl = try OpenSSLCommand()
        try withTemporaryDirectory { directory in
            var generator = SystemRandomNumberGenerator()
            for length in [0, 1, 55, 56, 63, 64, 65, 1000, 100_003] {
                let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try Data(bytes).write(to: directory.appendingPathComponent("m"))
                let run = try openssl.run(["dgst", "-sm3", "-r", "m"], in: directory)
                #expect(run.status == 0)
                #expect(run.output.hasPrefix(SM3.hex(bytes) + " "), "length \(length): \(run.output)")
            }
        }
    }
}
