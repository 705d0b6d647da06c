import CLibCrypto
import Foundation

/// Digests, secrets and password hashes through OpenSSL's libcrypto: what the desk keeps of a
/// portal's token or an applicant's query password is never the secret itself.
public enum Secrets {
    /// Why a secret could not be made (libcrypto's random generator failed: no entropy).
    public struct Failure: Error, Sendable, Equatable {
        public var what: String
    }

    /// The SHA-256 of `bytes`, 64 lowercase hexadecimal digits.
    public static func sha256Hex(_ bytes: some Collection<UInt8>) -> String { hex(sha256(bytes)) }

    /// The SHA-256 of `bytes`, 32 bytes.
    static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let md = Digests.sha256.md
        let done =
            bytes.withContiguousStorageIfAvailable { buffer in
                EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, md, nil)
            }
            ?? Array(bytes).withUnsafeBytes { buffer in
                EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, md, nil)
            }
        precondition(done == 1, "libcrypto could not compute a SHA-256")
        return Array(digest.prefix(Int(length)))
    }

    /// `secret` (at most 32 bytes of UTF-8) sealed under `key`: XOR with the SHA-256 of the key
    /// (a one-time pad as long as each key seals one secret), hex. Only who holds the key opens it.
    public static func seal(_ secret: String, key: String) -> String {
        let pad = sha256(Array(("kaiban:seal:" + key).utf8))
        return hex(Array(secret.utf8).enumerated().map { $1 ^ pad[$0 % pad.count] })
    }

    /// What ``seal(_:key:)`` sealed under `key`; nil when `sealed` is not such a text.
    public static func unseal(_ sealed: String, key: String) -> String? {
        guard let bytes = bytes(hex: sealed) else { return nil }
        let pad = sha256(Array(("kaiban:seal:" + key).utf8))
        return String(bytes: bytes.enumerated().map { $1 ^ pad[$0 % pad.count] }, encoding: .utf8)
    }

    /// The SHA-256 of a text's UTF-8 bytes.
    public static func sha256Hex(_ text: String) -> String { sha256Hex(Array(text.utf8)) }

    /// `count` bytes from libcrypto's cryptographically secure generator.
    public static func randomBytes(_ count: Int) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw Failure(what: "random bytes") }
        return bytes
    }

    /// A new bearer token: 32 random bytes, base64url without padding (43 characters).
    public static func token() throws(Failure) -> String {
        Data(try randomBytes(32)).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Letters and digits an applicant cannot mistake for one another (no 0/O, 1/I/L).
    static let passwordAlphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

    /// A new query password (查询密码) for an applicant: 10 characters of ``passwordAlphabet``
    /// (about 49 bits), drawn without bias.
    public static func queryPassword() throws(Failure) -> String {
        var characters: [Character] = []
        let alphabet = passwordAlphabet.count
        let limit = 256 - 256 % alphabet
        while characters.count < 10 {
            for byte in try randomBytes(16) where Int(byte) < limit && characters.count < 10 {
                characters.append(passwordAlphabet[Int(byte) % alphabet])
            }
        }
        return String(characters)
    }

    /// Iterations of PBKDF2-HMAC-SHA256 for stored passwords.
    public static let passwordIterations = 100_000

    /// A stored form of `password`: `pbkdf2-sha256$ITERATIONS$SALT$HASH` (hex), salted anew.
    public static func passwordHash(_ password: String, iterations: Int = passwordIterations) throws(Failure)
        -> String
    {
        let salt = try randomBytes(16)
        return "pbkdf2-sha256$\(iterations)$\(hex(salt))$\(hex(pbkdf2(password, salt: salt, iterations: iterations)))"
    }

    /// Whether `password` is the one `stored` was made from (compared in constant time).
    public static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]),
            (1...10_000_000).contains(iterations), let salt = bytes(hex: parts[2]), salt.count <= 1_024,
            let expected = bytes(hex: parts[3]), !expected.isEmpty
        else { return false }
        let actual = pbkdf2(password, salt: salt, iterations: iterations, length: expected.count)
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// PBKDF2-HMAC-SHA256 of `password` (RFC 8018), through the shim's
    /// `kaiban_pbkdf2_hmac_sha256`: the output of libcrypto's `PKCS5_PBKDF2_HMAC` (see
    /// ``libcryptoPBKDF2(_:salt:iterations:length:)``) at about a quarter of its cost, so the same
    /// stored hashes verify and the same iterations cost an attacker just as much.
    static func pbkdf2(_ password: String, salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        let secret = Array(password.utf8)
        let done = kaiban_pbkdf2_hmac_sha256(
            secret, secret.count, salt, salt.count, UInt32(clamping: iterations), &output, length)
        precondition(done == 1, "PBKDF2 refused \(iterations) iterations or a salt of \(salt.count) bytes")
        return output
    }

    /// libcrypto's own PBKDF2-HMAC-SHA256, the reference ``pbkdf2(_:salt:iterations:length:)`` is
    /// checked against.
    static func libcryptoPBKDF2(_ password: String, salt: [UInt8], iterations: Int, length: Int = 32) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: length)
        let secret = Array(password.utf8)
        _ = secret.withUnsafeBufferPointer { secretBuffer in
            secretBuffer.withMemoryRebound(to: CChar.self) { chars in
                PKCS5_PBKDF2_HMAC(
                    chars.baseAddress, Int32(chars.count), salt, Int32(salt.count), Int32(iterations),
                    Digests.sha256.md,
                    Int32(length), &output)
            }
        }
        return output
    }

    /// `bytes` as lowercase hexadecimal digits, two a byte.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static let hexDigits = Array("0123456789abcdef".utf8)

    /// The bytes lowercase hexadecimal digits stand for; nil for any other text.
    public static func bytes(hex text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

/// Digest algorithms fetched from libcrypto's provider once: `EVP_sha256()` alone makes every
/// digest look its implementation up again (OpenSSL 3's implicit fetch), a cost paid on each
/// portal request.
struct Digests: @unchecked Sendable {
    // An EVP_MD is immutable once fetched and may be shared by threads (OpenSSL 3 documentation).
    let md: OpaquePointer?

    static let sha256 = Digests(md: EVP_MD_fetch(nil, "SHA256", nil) ?? EVP_sha256())
}
