import Foundation
import Testing

@testable import KaibanCrypto

@Suite struct SecretsTests {
    @Test func sha256MatchesTheStandardVectors() {
        // FIPS 180-2 examples.
        #expect(Secrets.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Secrets.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            Secrets.sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func pbkdf2MatchesTheRFC7914Vector() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256 ("passwd", "salt", 1 iteration, 64 bytes).
        let derived = Secrets.pbkdf2("passwd", salt: Array("salt".utf8), iterations: 1, length: 64)
        #expect(
            Secrets.hex(derived)
                == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
    }

    @Test func pbkdf2GivesLibcryptosOutput() async {
        // The shim's PBKDF2 against libcrypto's PKCS5_PBKDF2_HMAC: passwords shorter and longer
        // than SHA-256's block (a long one is hashed first), outputs of one, several and a partial
        // block, iteration counts around the query password's.
        let long = String(repeating: "口令", count: 40)
        for password in ["", "ABCD2345EF", long] {
            for salt in [[], Array("salt".utf8), (0..<16).map { UInt8($0 * 13) }] {
                // Yields between salts: the tests share two threads with servers under test.
                await Task.yield()
                for iterations in [1, 2, 3, 1_000] {
                    for length in [1, 32, 33, 64, 80] {
                        #expect(
                            Secrets.pbkdf2(password, salt: salt, iterations: iterations, length: length)
                                == Secrets.libcryptoPBKDF2(password, salt: salt, iterations: iterations, length: length),
                            "\(password.count) \(salt.count) \(iterations) \(length)")
                    }
                }
            }
        }
    }

    @Test func aHashStoredThroughLibcryptoStillVerifies() {
        // Hashes stored before the shim's PBKDF2 were libcrypto's: the same scheme, still verified.
        let salt: [UInt8] = Array(0..<16)
        let old = Secrets.libcryptoPBKDF2("K7MQ2XW9PA", salt: salt, iterations: 2_000)
        let stored = "pbkdf2-sha256$2000$\(Secrets.hex(salt))$\(Secrets.hex(old))"
        #expect(Secrets.verify("K7MQ2XW9PA", against: stored))
        #expect(!Secrets.verify("K7MQ2XW9PB", against: stored))
        // An oversized salt or an empty hash in a damaged row is refused, not computed.
        let hugeSalt = String(repeating: "00", count: 1_025)
        #expect(!Secrets.verify("K7MQ2XW9PA", against: "pbkdf2-sha256$2000$\(hugeSalt)$\(Secrets.hex(old))"))
    }

    @Test func aStoredPasswordVerifiesOnlyItself() throws {
        let stored = try Secrets.passwordHash("ABCD2345EF", iterations: 1_000)
        #expect(stored.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(Secrets.verify("ABCD2345EF", against: stored))
        #expect(!Secrets.verify("ABCD2345EG", against: stored))
        #expect(!Secrets.verify("", against: stored))
        // Salted anew each time: the same password is stored differently.
        #expect(try Secrets.passwordHash("ABCD2345EF", iterations: 1_000) != stored)
        for broken in ["", "pbkdf2-sha256$x$00$00", "md5$1$00$00", "pbkdf2-sha256$1000$zz$00", "a$b$c"] {
            #expect(!Secrets.verify("ABCD2345EF", against: broken), "\(broken)")
        }
    }

    @Test func tokensAndPasswordsAreFreshAndReadable() throws {
        let tokens = try (0..<50).map { _ in try Secrets.token() }
        #expect(Set(tokens).count == 50)
        #expect(
            tokens.allSatisfy {
                $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
            })
        let passwords = try (0..<200).map { _ in try Secrets.queryPassword() }
        #expect(Set(passwords).count == 200)
        let alphabet = Set(Secrets.passwordAlphabet)
        #expect(passwords.allSatisfy { $0.count == 10 && $0.allSatisfy(alphabet.contains) })
        // Every character of the alphabet turns up: the draw covers it.
        #expect(Set(passwords.joined()) == alphabet)
    }

    @Test func aSealedSecretOpensOnlyWithItsKey() {
        let sealed = Secrets.seal("ABCD2345EF", key: "idempotency-1")
        #expect(sealed.count == 20 && !sealed.contains("ABCD"))
        #expect(Secrets.unseal(sealed, key: "idempotency-1") == "ABCD2345EF")
        #expect(Secrets.unseal(sealed, key: "idempotency-2") != "ABCD2345EF")
        #expect(Secrets.seal("ABCD2345EF", key: "idempotency-2") != sealed)
        #expect(Secrets.unseal("zz", key: "idempotency-1") == nil)
        #expect(Secrets.unseal("abc", key: "idempotency-1") == nil)
    }
}
