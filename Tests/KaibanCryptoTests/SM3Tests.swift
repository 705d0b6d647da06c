import Testing

@testable import KaibanCrypto

@Suite struct SM3Tests {
    @Test func sm3MatchesTheStandardVectors() {
        // GB/T 32905-2016 Annex A (STANDARDS.md §7).
        #expect(SM3.hex("abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        #expect(
            SM3.hex(String(repeating: "abcd", count: 16))
                == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        // The empty message, as `openssl dgst -sm3` computes it.
        #expect(SM3.hex("") == "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b")
    }

    @Test func theDigestIsThirtyTwoBytesWhateverTheCollection() {
        let bytes = Array("abc".utf8)
        let digest = SM3.digest(bytes)
        #expect(digest.count == SM3.digestLength)
        #expect(Secrets.hex(digest) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        // A collection without contiguous storage gives the same digest.
        #expect(SM3.digest(bytes.lazy.map { $0 }) == digest)
        #expect(SM3.digest(bytes[1...]) == SM3.digest(Array("bc".utf8)))
        #expect(SM3.digest(Array("abd".utf8)) != digest)
    }
}
