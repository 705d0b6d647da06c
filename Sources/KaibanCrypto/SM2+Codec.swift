import CLibCrypto
import Foundation

/// Reads SM2 keys from PEM and DER through libcrypto, after the checks that let it see only
/// plausible input, and checks what it read is an SM2 key and a valid one.
enum PEMReader {
    enum Want {
        case privateKey
        case publicKey

        var name: String { self == .privateKey ? "private key" : "public key" }
    }

    /// The key in `pem`, of the kind wanted; not yet checked to be SM2 (``check(_:want:)``).
    static func read(_ input: some Collection<UInt8>, want: Want) throws(SM2.Failure) -> PKey {
        // Sized before anything is copied: a huge text costs nothing but its count.
        let count = input.count
        guard count > 0 else { throw .notAKey(expected: want.name, reason: "it is empty") }
        guard count <= SM2.pemLimit else { throw .tooLarge(bytes: count, limit: SM2.pemLimit) }
        let pem = Array(input)
        let text = String(decoding: pem, as: UTF8.self)
        guard let label = firstLabel(text) else {
            throw .notAKey(expected: want.name, reason: "it is not PEM (there is no -----BEGIN line)")
        }
        if label == "ENCRYPTED PRIVATE KEY" || text.contains("Proc-Type: 4,ENCRYPTED") { throw .encryptedKey }
        switch (want, label) {
        case (.privateKey, "PRIVATE KEY"), (.privateKey, "EC PRIVATE KEY"), (.publicKey, "PUBLIC KEY"): break
        case (.privateKey, "PUBLIC KEY"):
            throw .notAKey(expected: want.name, reason: "it holds a public key")
        case (.publicKey, "PRIVATE KEY"), (.publicKey, "EC PRIVATE KEY"):
            throw .notAKey(
                expected: want.name,
                reason:
                    "it holds a private key, which must not be given out (openssl pkey -pubout gives its public key)")
        case (_, let other) where other.hasSuffix(" PRIVATE KEY"):
            throw .notSM2(found: String(other.dropLast(" PRIVATE KEY".count)))
        case (_, let other) where other.hasSuffix(" PUBLIC KEY"):
            throw .notSM2(found: String(other.dropLast(" PUBLIC KEY".count)))
        case (_, let other):
            throw .notAKey(expected: want.name, reason: "it holds a PEM \"\(other)\", not a key")
        }
        LibCryptoErrors.clear()
        let read: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress, let bio = BIO_new_mem_buf(base, Int32(buffer.count)) else {
                return nil
            }
            defer { BIO_free(bio) }
            switch want {
            // A passphrase is never asked for: the callback refuses (libcrypto's default would
            // prompt on the terminal).
            case .privateKey: return PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in -1 }, nil)
            case .publicKey: return PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in -1 }, nil)
            }
        }
        guard let read else {
            throw .notAKey(expected: want.name, reason: "its \(label) block is damaged (\(LibCryptoErrors.drain()))")
        }
        return PKey(read)
    }

    /// The public key in a DER-encoded SubjectPublicKeyInfo, all of whose bytes it must use.
    static func readDER(_ der: [UInt8]) throws(SM2.Failure) -> PKey {
        LibCryptoErrors.clear()
        var used = 0
        let read: OpaquePointer? = der.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            let key = d2i_PUBKEY(nil, &cursor, buffer.count)
            if let cursor { used = cursor - base }
            return key
        }
        guard let read else {
            throw .notAKey(expected: "public key", reason: "its DER is damaged (\(LibCryptoErrors.drain()))")
        }
        let key = PKey(read)
        guard used == der.count else {
            throw .notAKey(expected: "public key", reason: "\(der.count - used) bytes follow its DER")
        }
        return key
    }

    /// Refuses a key that is not SM2 (another algorithm, an EC key on another curve) or whose
    /// numbers make no valid SM2 key.
    static func check(_ key: PKey, want: Want) throws(SM2.Failure) {
        let type = EVP_PKEY_get0_type_name(key.pointer).map { String(cString: $0) } ?? "unknown"
        let group = groupName(key)
        guard EVP_PKEY_is_a(key.pointer, "SM2") == 1, group == "SM2" else {
            LibCryptoErrors.clear()
            throw .notSM2(found: group.map { "\(type) (\($0))" } ?? type)
        }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, key.pointer, nil) else {
            throw .libcrypto(operation: "check an SM2 key", detail: LibCryptoErrors.drain())
        }
        defer { EVP_PKEY_CTX_free(context) }
        // A private key: the scalar in range and the public point its multiple; a public key:
        // a point on the curve, not the point at infinity, of the group's order.
        let valid = want == .privateKey ? EVP_PKEY_check(context) : EVP_PKEY_public_check(context)
        guard valid == 1 else { throw .invalidKey(reason: LibCryptoErrors.drain()) }
    }

    /// The key's curve ("SM2", "prime256v1", …), nil for a key that has none (RSA).
    static func groupName(_ key: PKey) -> String? {
        var name = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(key.pointer, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length) == 1
        else {
            LibCryptoErrors.clear()
            return nil
        }
        return String(decoding: name.prefix(min(length, name.count)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The label of the first `-----BEGIN LABEL-----` line, nil when there is none.
    static func firstLabel(_ text: String) -> String? {
        guard let begin = text.range(of: "-----BEGIN ") else { return nil }
        let rest = text[begin.upperBound...]
        guard let end = rest.range(of: "-----") else { return nil }
        let label = rest[..<end.lowerBound]
        guard !label.contains("\n") else { return nil }
        return String(label)
    }
}

/// Writes keys out through libcrypto.
enum PEMWriter {
    /// What `write` puts in a memory BIO, as text. A `secret` goes through a BIO that clears its
    /// memory when freed.
    static func write(secret: Bool, _ write: (OpaquePointer) -> Int32) throws(SM2.Failure) -> String {
        LibCryptoErrors.clear()
        guard let bio = BIO_new(secret ? BIO_s_secmem() : BIO_s_mem()) else {
            throw .libcrypto(operation: "create a memory BIO", detail: LibCryptoErrors.drain())
        }
        defer { BIO_free(bio) }
        var data: UnsafeMutablePointer<CChar>?
        guard write(bio) == 1 else { throw .libcrypto(operation: "encode a key", detail: LibCryptoErrors.drain()) }
        let count = kaiban_bio_get_mem_data(bio, &data)
        guard count > 0, let data else { throw .libcrypto(operation: "encode a key", detail: "no output") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
    }

    /// The key's public half as DER-encoded SubjectPublicKeyInfo.
    static func publicKeyDER(_ key: PKey) throws(SM2.Failure) -> [UInt8] {
        LibCryptoErrors.clear()
        let length = i2d_PUBKEY(key.pointer, nil)
        guard length > 0 else {
            throw .libcrypto(operation: "encode a public key", detail: LibCryptoErrors.drain())
        }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(key.pointer, &cursor)
        }
        guard written == length else {
            throw .libcrypto(operation: "encode a public key", detail: LibCryptoErrors.drain())
        }
        return der
    }
}

/// libcrypto's error queue (per thread): cleared before each operation, so that one failure's
/// errors are never reported as another's, and read into text when an operation fails.
enum LibCryptoErrors {
    static func clear() { ERR_clear_error() }

    /// The queued errors as text, oldest first; the queue is left empty.
    static func drain() -> String {
        var texts: [String] = []
        while texts.count < 16 {
            let code = ERR_get_error()
            guard code != 0 else { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            texts.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        ERR_clear_error()
        return texts.joined(separator: "; ")
    }
}

/// Standard base64 (RFC 4648 §4), with padding.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }

    /// The bytes `text` encodes; nil when it is not base64.
    static func decode(_ text: String) -> [UInt8]? { Data(base64Encoded: text).map { Array($0) } }
}
