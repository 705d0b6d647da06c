import CLibCrypto

/// SM3, the Chinese government's hash (GB/T 32905-2016), through libcrypto: 32-byte digests, as
/// bytes or as 64 lowercase hexadecimal digits. The exchange's documents manifest and the digest a
/// receipt binds use it; SM2 signatures hash with it.
public enum SM3 {
    /// Bytes in an SM3 digest.
    public static let digestLength = 32

    /// The SM3 digest of `bytes`, 32 bytes.
    public static func digest(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let md = SM3Digest.shared.md
        let done =
            bytes.withContiguousStorageIfAvailable { buffer in
                EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, md, nil)
            }
            ?? Array(bytes).withUnsafeBytes { buffer in
                EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, md, nil)
            }
        // Only an allocation failure inside libcrypto makes this fail: there is no input it refuses.
        precondition(done == 1 && Int(length) == digestLength, "libcrypto could not compute an SM3 digest")
        return Array(digest.prefix(digestLength))
    }

    /// The SM3 digest of `bytes`, 64 lowercase hexadecimal digits.
    public static func hex(_ bytes: some Collection<UInt8>) -> String { Secrets.hex(digest(bytes)) }

    /// The SM3 digest of a text's UTF-8 bytes, 64 lowercase hexadecimal digits.
    public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }
}

/// SM3 fetched from libcrypto's default provider once (an `EVP_MD` is immutable once fetched and
/// may be shared by threads); `EVP_sm3()` would look the implementation up again on every digest.
struct SM3Digest: @unchecked Sendable {
    let md: OpaquePointer?

    static let shared = SM3Digest(md: EVP_MD_fetch(nil, "SM3", nil) ?? EVP_sm3())
}
