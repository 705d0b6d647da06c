import CLibCrypto

/// SM2, the Chinese government's elliptic-curve signature (GB/T 32918-2016), through libcrypto:
/// key pairs, their PEM forms (the ones `openssl genpkey -algorithm SM2` and `openssl pkey -pubout`
/// write), and signatures over SM3 with a distinguishing id (SM2+Signatures.swift).
///
/// A key read from text is checked before it is used: it must be PEM, an SM2 key (not RSA, not an
/// EC key on another curve), and mathematically valid; anything else is a ``Failure`` that says
/// what was found, never a crash.
public enum SM2 {
    /// The distinguishing id GB/T 32918 and GM/T 0009 name as the default, "1234567812345678".
    /// OpenSSL 3.0 does not apply it by itself, so every signature here sets it explicitly.
    public static let defaultDistinguishingID = "1234567812345678"

    /// The longest PEM text read as a key. An SM2 key's PEM is about 250 bytes; anything this
    /// large is refused before libcrypto sees it.
    public static let pemLimit = 65_536

    /// An SM2 private key (it holds its public key too). Immutable; may be shared by threads.
    public struct PrivateKey: Sendable {
        let key: PKey
        /// The public half of this key pair.
        public let publicKey: PublicKey

        init(key: PKey) throws(Failure) {
            self.key = key
            self.publicKey = try PublicKey(key: key)
        }

        /// A new key pair from libcrypto's cryptographically secure generator.
        public static func generate() throws(Failure) -> PrivateKey {
            guard let context = EVP_PKEY_CTX_new_from_name(nil, "SM2", nil) else {
                throw .libcrypto(operation: "create an SM2 key generator", detail: LibCryptoErrors.drain())
            }
            defer { EVP_PKEY_CTX_free(context) }
            var generated: OpaquePointer?
            guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_generate(context, &generated) == 1,
                let generated
            else { throw .libcrypto(operation: "generate an SM2 key pair", detail: LibCryptoErrors.drain()) }
            return try PrivateKey(key: PKey(generated))
        }

        /// The private key a PEM text holds: PKCS#8 (`-----BEGIN PRIVATE KEY-----`, what
        /// `openssl genpkey -algorithm SM2` writes) or SEC 1 (`-----BEGIN EC PRIVATE KEY-----`),
        /// unencrypted. Refuses anything else with a ``Failure`` that says what it found.
        public init(pem: some Collection<UInt8>) throws(Failure) {
            let key = try PEMReader.read(pem, want: .privateKey)
            try PEMReader.check(key, want: .privateKey)
            try self.init(key: key)
        }

        /// The private key a PEM text holds (its UTF-8 bytes, as above).
        public init(pem: String) throws(Failure) { try self.init(pem: pem.utf8) }

        /// This key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form
        /// `openssl genpkey` writes and `openssl dgst -sign` reads. It is the secret itself: write it
        /// only through ``KeyFiles/writePrivateKey(_:to:replacingExisting:)``.
        public func pkcs8PEM() throws(Failure) -> String {
            try PEMWriter.write(secret: true) { bio in
                PEM_write_bio_PKCS8PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil)
            }
        }
    }

    /// An SM2 public key: what a partner's configuration holds and what verifies its signatures.
    /// Two keys are equal when their SubjectPublicKeyInfo DER is.
    public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
        let key: PKey
        /// The key as DER-encoded SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): the bytes inside
        /// ``pem``'s base64, and what ``fingerprint`` is computed over.
        public let der: [UInt8]

        /// A public-only copy of `key`'s public half (never the private key itself).
        init(key: PKey) throws(Failure) {
            let der = try PEMWriter.publicKeyDER(key)
            try self.init(der: der)
        }

        /// The public key a PEM text holds: SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`,
        /// what `openssl pkey -pubout` writes). Refuses anything else, a private key included.
        public init(pem: some Collection<UInt8>) throws(Failure) {
            let key = try PEMReader.read(pem, want: .publicKey)
            try PEMReader.check(key, want: .publicKey)
            try self.init(der: PEMWriter.publicKeyDER(key))
        }

        /// The public key a PEM text holds (its UTF-8 bytes, as above).
        public init(pem: String) throws(Failure) { try self.init(pem: pem.utf8) }

        /// The public key a DER-encoded SubjectPublicKeyInfo holds; refuses trailing bytes.
        public init(der: [UInt8]) throws(Failure) {
            guard !der.isEmpty else { throw .notAKey(expected: "public key", reason: "it is empty") }
            guard der.count <= SM2.pemLimit else { throw .tooLarge(bytes: der.count, limit: SM2.pemLimit) }
            let key = try PEMReader.readDER(der)
            try PEMReader.check(key, want: .publicKey)
            self.key = key
            self.der = der
        }

        /// The key as SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`), what
        /// `openssl pkey -pubout` writes and `openssl dgst -verify` reads.
        public var pem: String {
            var text = "-----BEGIN PUBLIC KEY-----\n"
            let base64 = Array(Base64.encode(der).utf8)
            var start = 0
            while start < base64.count {
                let end = min(start + 64, base64.count)
                text += String(decoding: base64[start..<end], as: UTF8.self) + "\n"
                start = end
            }
            return text + "-----END PUBLIC KEY-----\n"
        }

        /// The key's fingerprint, for display and configuration: the SM3 digest of ``der`` (the
        /// DER-encoded SubjectPublicKeyInfo), 64 lowercase hexadecimal digits. The same as
        /// `openssl pkey -pubin -in pub.pem -outform DER | openssl dgst -sm3`.
        public var fingerprint: String { SM3.hex(der) }

        public var description: String { "SM2 public key \(fingerprint)" }

        public static func == (left: PublicKey, right: PublicKey) -> Bool { left.der == right.der }

        public func hash(into hasher: inout Hasher) { hasher.combine(der) }
    }

    /// Why an SM2 key, signature or key file could not be used. ``description`` says it in words a
    /// supervisor can act on.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The text holds no key of the `expected` kind ("private key", "public key"): empty, not
        /// PEM, damaged, or a key of the other kind; `reason` says which.
        case notAKey(expected: String, reason: String)
        /// The text or file is larger than any SM2 key.
        case tooLarge(bytes: Int, limit: Int)
        /// The private key is encrypted with a passphrase; Kaiban reads unencrypted keys only,
        /// which file mode 0600 protects.
        case encryptedKey
        /// A key of another algorithm or curve, e.g. "RSA" or "EC (prime256v1)".
        case notSM2(found: String)
        /// An SM2 key whose numbers are not a valid key (a point not on the curve, …).
        case invalidKey(reason: String)
        /// A distinguishing id must be 1 to 8191 bytes (its bit length is 16 bits in the standard).
        case invalidDistinguishingID(bytes: Int)
        /// libcrypto failed where no input was at fault (out of memory, a missing algorithm).
        case libcrypto(operation: String, detail: String)
        /// A key file already exists and replacing it was not asked for.
        case keyFileExists(path: String)
        /// A private key file that its group or others may read or write (`mode`, e.g. 0o644).
        case keyFileTooOpen(path: String, mode: UInt32)
        /// A key file path that names no regular file (a directory, a device, …).
        case keyFileNotRegular(path: String)
        /// A system call on a key file failed: `operation` (e.g. "open"), `errno` and its text.
        case file(path: String, operation: String, errno: Int32, message: String)

        public var description: String {
            switch self {
            case .notAKey(let expected, let reason): "not an SM2 \(expected): \(reason)"
            case .tooLarge(let bytes, let limit):
                "not an SM2 key: \(bytes) bytes is more than the \(limit) any SM2 key's PEM fits in"
            case .encryptedKey:
                "the private key is encrypted with a passphrase: store it unencrypted in a file of mode 0600"
            case .notSM2(let found): "not an SM2 key: its type is \(found)"
            case .invalidKey(let reason): "not a valid SM2 key: \(reason)"
            case .invalidDistinguishingID(let bytes):
                "an SM2 distinguishing id must be 1 to 8191 bytes, not \(bytes)"
            case .libcrypto(let operation, let detail):
                "libcrypto could not \(operation)" + (detail.isEmpty ? "" : " (\(detail))")
            case .keyFileExists(let path):
                "the key file '\(path)' already exists: it is not replaced unless that is asked for"
            case .keyFileTooOpen(let path, let mode):
                "permissions \(Self.octal(mode)) for '\(path)' are too open: a private key file must be "
                    + "readable by its owner only (chmod 600 '\(path)')"
            case .keyFileNotRegular(let path): "'\(path)' is not a regular file"
            case .file(let path, let operation, let errno, let message):
                "\(operation) '\(path)': \(message) (errno \(errno))"
            }
        }

        /// A file mode as ls and chmod write it: four octal digits, e.g. "0644".
        static func octal(_ mode: UInt32) -> String {
            let digits = String(mode & 0o7777, radix: 8)
            return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
        }
    }
}

/// An owned `EVP_PKEY`, freed with its last reference. OpenSSL 3 allows an `EVP_PKEY` to be used
/// by several threads at once as long as none modifies it; nothing here modifies one once made.
final class PKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }
}
