import Testing

@testable import KaibanCrypto

@Suite struct SM2Tests {
    /// A published SM2 example on the recommended curve: the public key of private key
    /// 3945208f…f4df7c5b8, and its signature (r, s) of "message digest" with id
    /// "1234567812345678". `openssl dgst -sm3 -verify … -sigopt distid:1234567812345678` accepts it.
    static let examplePublicKeyPEM = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAECfnfMR5UIaFQ3X0WHkvFxnIXn60Y
        M/wHa7CP81bzUCDM6kkM4md1pS3G6nGMwapgCu0F+/NeCEpmMvYHLamtEw==
        -----END PUBLIC KEY-----

        """
    /// The example's private key alone (PKCS#8 without the public point, made with `openssl pkey`).
    static let examplePrivateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MEECAQAwEwYHKoZIzj0CAQYIKoEcz1UBgi0EJzAlAgEBBCA5RSCPeyFEsT8244rG
        05+ViJOTaShgtRpC+4HvTffFuA==
        -----END PRIVATE KEY-----

        """
    static let exampleSignature =
        "3046022100f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3"
        + "022100b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa"

    @Test func thePublishedExampleSignatureVerifies() throws {
        let key = try SM2.PublicKey(pem: Self.examplePublicKeyPEM)
        let signature = try #require(Secrets.bytes(hex: Self.exampleSignature))
        #expect(try key.verify(signature, of: Array("message digest".utf8)))
        #expect(try !key.verify(signature, of: Array("message digesT".utf8)))
        // Under another distinguishing id it does not verify: the id is part of what is signed.
        #expect(try !key.verify(signature, of: Array("message digest".utf8), distinguishingID: "ALICE123@YAHOO.COM"))
        // The private key derives the example's public key, and its signatures verify under it.
        let privateKey = try SM2.PrivateKey(pem: Self.examplePrivateKeyPEM)
        #expect(privateKey.publicKey == key)
        #expect(try key.verify(privateKey.sign(Array("message digest".utf8)), of: Array("message digest".utf8)))
    }

    @Test func aSignatureVerifiesUnderItsKeyOnly() throws {
        let key = try SM2.PrivateKey.generate()
        let message = Array("<exchange>川渝通办</exchange>".utf8)
        let signature = try key.sign(message)
        // DER: a SEQUENCE of two INTEGERs, at most 72 bytes.
        #expect(signature.first == 0x30 && (8...72).contains(signature.count))
        #expect(try key.publicKey.verify(signature, of: message))
        // Randomised: another signature of the same message differs and verifies too.
        let again = try key.sign(message)
        #expect(again != signature)
        #expect(try key.publicKey.verify(again, of: message))

        var tamperedMessage = message
        tamperedMessage[3] ^= 0x01
        #expect(try !key.publicKey.verify(signature, of: tamperedMessage))
        #expect(try !key.publicKey.verify(signature, of: message + [0x0A]))
        #expect(try !key.publicKey.verify(signature, of: []))
        for index in [4, signature.count / 2, signature.count - 1] {
            var tampered = signature
            tampered[index] ^= 0x40
            #expect(try !key.publicKey.verify(tampered, of: message), "byte \(index) flipped")
        }
        #expect(try !key.publicKey.verify(signature.dropLast(), of: message))
        #expect(try !key.publicKey.verify(signature + [0], of: message))
        #expect(try !key.publicKey.verify([], of: message))
        #expect(try !key.publicKey.verify([UInt8](repeating: 0x30, count: 200), of: message))
        #expect(try !key.publicKey.verify(Array("not a signature".utf8), of: message))

        let other = try SM2.PrivateKey.generate()
        #expect(other.publicKey != key.publicKey)
        #expect(try !other.publicKey.verify(signature, of: message))
        #expect(try !key.publicKey.verify(other.sign(message), of: message))
    }

    @Test func theDistinguishingIDIsPartOfTheSignature() throws {
        let key = try SM2.PrivateKey.generate()
        let message = Array("receipt".utf8)
        let signature = try key.sign(message, distinguishingID: "kaiban@510811")
        #expect(try key.publicKey.verify(signature, of: message, distinguishingID: "kaiban@510811"))
        #expect(try !key.publicKey.verify(signature, of: message))
        #expect(try !key.publicKey.verify(key.sign(message), of: message, distinguishingID: "kaiban@510811"))
        // An id the standard cannot express is refused on both sides, not silently replaced.
        #expect(throws: SM2.Failure.invalidDistinguishingID(bytes: 0)) { try key.sign(message, distinguishingID: "") }
        let long = String(repeating: "x", count: 8192)
        #expect(throws: SM2.Failure.invalidDistinguishingID(bytes: 8192)) {
            try key.publicKey.verify(signature, of: message, distinguishingID: long)
        }
    }

    @Test func base64SignaturesAndEmptyAndLargeMessages() throws {
        let key = try SM2.PrivateKey.generate()
        let text = try key.signBase64([])
        #expect(try key.publicKey.verify(base64Signature: text, of: []))
        #expect(try !key.publicKey.verify(base64Signature: text, of: [0]))
        #expect(try !key.publicKey.verify(base64Signature: "%%% not base64", of: []))
        #expect(try !key.publicKey.verify(base64Signature: "", of: []))
        let large = [UInt8](repeating: 0xA5, count: 1 << 20)
        let signature = try key.sign(large)
        #expect(try key.publicKey.verify(signature, of: large))
        #expect(try !key.publicKey.verify(signature, of: large.dropLast()))
    }

    @Test func keysRoundTripThroughTheirPEMAndDERForms() throws {
        let key = try SM2.PrivateKey.generate()
        let pem = try key.pkcs8PEM()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n") && pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        let read = try SM2.PrivateKey(pem: pem)
        #expect(read.publicKey == key.publicKey)
        #expect(try read.publicKey.verify(key.sign([1, 2, 3]), of: [1, 2, 3]))
        #expect(try key.publicKey.verify(read.sign([1, 2, 3]), of: [1, 2, 3]))

        let publicPEM = key.publicKey.pem
        #expect(
            publicPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n") && publicPEM.hasSuffix("-----END PUBLIC KEY-----\n"))
        #expect(!publicPEM.contains("PRIVATE"))
        #expect(try SM2.PublicKey(pem: publicPEM) == key.publicKey)
        #expect(try SM2.PublicKey(der: key.publicKey.der) == key.publicKey)
        // SubjectPublicKeyInfo of an uncompressed point: 91 bytes on a 256-bit curve.
        #expect(key.publicKey.der.count == 91)
        #expect(try SM2.PublicKey(pem: Self.examplePublicKeyPEM).pem == Self.examplePublicKeyPEM)
    }

    @Test func theFingerprintIsTheSM3OfThePublicKeyDER() throws {
        let example = try SM2.PublicKey(pem: Self.examplePublicKeyPEM)
        #expect(example.fingerprint == SM3.hex(example.der))
        #expect(example.fingerprint.count == 64)
        #expect("\(example)" == "SM2 public key \(example.fingerprint)")
        let other = try SM2.PrivateKey.generate().publicKey
        #expect(other.fingerprint != example.fingerprint)
        #expect(Set([example, other, try SM2.PublicKey(der: example.der)]).count == 2)
    }

    @Test func oneKeySignsAndVerifiesFromManyTasksAtOnce() async throws {
        let key = try SM2.PrivateKey.generate()
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<16 {
                group.addTask {
                    let message = Array("message \(task)".utf8)
                    let signature = try key.sign(message)
                    return try key.publicKey.verify(signature, of: message)
                        && !key.publicKey.verify(signature, of: message + [1])
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16 && results.allSatisfy { $0 })
    }
}
