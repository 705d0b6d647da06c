import CLibCrypto

// SM2 signatures over SM3 (GB/T 32918.2, GM/T 0009): the signer hashes Z (the SM3 of the
// distinguishing id, the curve and the public key) with the message. A signature is DER, the
// SEQUENCE of two INTEGERs r and s that `openssl dgst -sm3 -sign` writes and `-verify` reads.
//
// OpenSSL 3.0 does not set the standard's default id by itself (it uses an empty one), and it
// refuses the id among the parameters of EVP_DigestSignInit_ex (its SM2 code takes the id only
// once the Z digest is due): so the id is set with EVP_PKEY_CTX_set1_id, which copies it, after the
// init and before the first update, on both sides.

extension SM2.PrivateKey {
    /// The SM2 signature of `message` (DER, at most 72 bytes), over SM3, with
    /// `distinguishingID` (GB/T 32918's default unless told). Randomised: two signatures of
    /// one message differ, and both verify.
    public func sign(
        _ message: some Collection<UInt8>, distinguishingID: String = SM2.defaultDistinguishingID
    ) throws(SM2.Failure) -> [UInt8] {
        let id = try SignatureContext.checkedID(distinguishingID)
        let context = try SignatureContext(key: key, id: id, signing: true)
        guard SignatureContext.withBytes(message, { EVP_DigestSignUpdate(context.md, $0.baseAddress, $0.count) }) == 1
        else { throw .libcrypto(operation: "sign with SM2", detail: LibCryptoErrors.drain()) }
        var length = 0
        guard EVP_DigestSignFinal(context.md, nil, &length) == 1, length > 0 else {
            throw .libcrypto(operation: "sign with SM2", detail: LibCryptoErrors.drain())
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSignFinal(context.md, &signature, &length) == 1 else {
            throw .libcrypto(operation: "sign with SM2", detail: LibCryptoErrors.drain())
        }
        return Array(signature.prefix(length))
    }

    /// ``sign(_:distinguishingID:)``'s signature in standard base64, for a text field.
    public func signBase64(
        _ message: some Collection<UInt8>, distinguishingID: String = SM2.defaultDistinguishingID
    ) throws(SM2.Failure) -> String {
        Base64.encode(try sign(message, distinguishingID: distinguishingID))
    }
}

extension SM2.PublicKey {
    /// Whether `signature` (DER) is this key's SM2 signature of `message` over SM3 with
    /// `distinguishingID`. A wrong, damaged, empty or oversized signature, another key's, another
    /// message's or another id's is `false`; it throws only for an unusable id or a libcrypto
    /// failure that is no signature's fault.
    public func verify(
        _ signature: some Collection<UInt8>, of message: some Collection<UInt8>,
        distinguishingID: String = SM2.defaultDistinguishingID
    ) throws(SM2.Failure) -> Bool {
        let id = try SignatureContext.checkedID(distinguishingID)
        // An SM2 signature is at most 72 bytes of DER; libcrypto need not see a longer one.
        guard !signature.isEmpty, signature.count <= 128 else { return false }
        let context = try SignatureContext(key: key, id: id, signing: false)
        guard SignatureContext.withBytes(message, { EVP_DigestVerifyUpdate(context.md, $0.baseAddress, $0.count) }) == 1
        else { throw .libcrypto(operation: "verify with SM2", detail: LibCryptoErrors.drain()) }
        let verified = Array(signature).withUnsafeBufferPointer { buffer in
            EVP_DigestVerifyFinal(context.md, buffer.baseAddress, buffer.count)
        }
        // 0 is a mismatch, a negative value a signature libcrypto could not decode: both false.
        LibCryptoErrors.clear()
        return verified == 1
    }

    /// ``verify(_:of:distinguishingID:)`` for a signature in standard base64; text that is not
    /// base64 is `false`.
    public func verify(
        base64Signature: String, of message: some Collection<UInt8>,
        distinguishingID: String = SM2.defaultDistinguishingID
    ) throws(SM2.Failure) -> Bool {
        guard base64Signature.utf8.count <= 256, let signature = Base64.decode(base64Signature) else {
            _ = try SignatureContext.checkedID(distinguishingID)
            return false
        }
        return try verify(signature, of: message, distinguishingID: distinguishingID)
    }
}

/// One signing or verifying operation: an `EVP_MD_CTX` set up for SM2 with SM3 and the id.
/// Not shared: each call makes its own.
final class SignatureContext {
    let md: OpaquePointer

    init(key: PKey, id: [UInt8], signing: Bool) throws(SM2.Failure) {
        LibCryptoErrors.clear()
        let operation = signing ? "sign with SM2" : "verify with SM2"
        guard let md = EVP_MD_CTX_new() else {
            throw .libcrypto(operation: operation, detail: LibCryptoErrors.drain())
        }
        self.md = md
        // The key context is owned by the digest context and freed with it.
        var keyContext: OpaquePointer?
        let initialised =
            signing
            ? EVP_DigestSignInit(md, &keyContext, SM3Digest.shared.md, nil, key.pointer)
            : EVP_DigestVerifyInit(md, &keyContext, SM3Digest.shared.md, nil, key.pointer)
        guard initialised == 1, let keyContext else {
            throw .libcrypto(operation: operation, detail: LibCryptoErrors.drain())
        }
        guard id.withUnsafeBytes({ EVP_PKEY_CTX_set1_id(keyContext, $0.baseAddress, Int32($0.count)) }) == 1 else {
            throw .libcrypto(operation: "set the SM2 distinguishing id", detail: LibCryptoErrors.drain())
        }
    }

    deinit { EVP_MD_CTX_free(md) }

    /// The id's bytes; refuses an empty one and one longer than the standard's 16-bit bit length
    /// (ENTL) can count.
    static func checkedID(_ id: String) throws(SM2.Failure) -> [UInt8] {
        let bytes = Array(id.utf8)
        guard (1...8191).contains(bytes.count) else { throw .invalidDistinguishingID(bytes: bytes.count) }
        return bytes
    }

    /// `body` over `bytes` as one contiguous buffer (copied only when the collection has none).
    static func withBytes<R>(_ bytes: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        bytes.withContiguousStorageIfAvailable { body(UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes(body)
    }
}
