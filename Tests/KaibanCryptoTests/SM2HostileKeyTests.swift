import Testing

@testable import KaibanCrypto

/// Keys that are not SM2 keys, or not keys at all, are refused with a failure that says what was
/// found; none crashes.
@Suite struct SM2HostileKeyTests {
    static let rsaPrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIIBVgIBADANBgkqhkiG9w0BAQEFAASCAUAwggE8AgEAAkEAwsRZ62OFciSR6a43
        lJqBJsS20npnALHMM4QnsB6nxGxUzkyZb0FV1zg3pLo6lpFKGfqe2GjZDwKp8Kj6
        +nLPrwIDAQABAkEAopWuSmUFnMcSVvPryc1AStCjnQg4u8ewIsELMGYmvjwJwxwJ
        umpBZiDEQWGYMlMBmZqt9du0ngsNk2cGIDEGgQIhAPc3wOgMNHWwWK/Zk+UUeh6L
        YQAPABaDyvIHffSAsMKfAiEAya+ZnWdfxsmrF2c+2LzBS1r1AFvdxT/rIMFL/5wl
        aPECIGTDPMVX9Cnj7sH+FOHSLtQ0Sx0TAB4tKZLsqtH1ghZRAiEAwRJ7SfW1+EUC
        pmrN/QnlONAgDnHjQXrJChhBOrcuEOECIQDauwxDdjEBQPNXnRFOuuxFkyT7PH2l
        yK+VJK/S4ToLXg==
        -----END PRIVATE KEY-----
        """
    static let p256PrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+HNrXU3O3fnL7EBA
        /SYZboNHyQ1uUAODWgWMtp9QDhqhRANCAASytAv5TABlEbqNWbipXgiZeUQmXuVK
        9RxdpCdaxnvQ10OHG8gR+4dXa5QY/KT4T+NrQDm3JKWwXECVjc6685xl
        -----END PRIVATE KEY-----
        """
    static let p256PublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsrQL+UwAZRG6jVm4qV4ImXlEJl7l
        SvUcXaQnWsZ70NdDhxvIEfuHV2uUGPyk+E/ja0A5tySlsFxAlY3OuvOcZQ==
        -----END PUBLIC KEY-----
        """
    static let ed25519PrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VwBCIEILw750pg8ptuODgWXakZ0dmJicFb5OYPyHbMyKews4NR
        -----END PRIVATE KEY-----
        """
    /// An SM2 key encrypted with the passphrase "secret" (`openssl pkcs8 -topk8 -v2 aes-256-cbc`).
    static let encryptedPrivateKey = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAgmH8LOZOdxdQICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEE8tGBe6Ja3AVTirSEeDwbMEgZCY
        NFqybNOcMKZyWf35OSbfSb360BWrm/gVJokttNGzbicMdyIFiTPDaD/oJiwzjHi7
        Ri5o35VGigPz/Hp/m/9s83kpWd3p42nbA4wJ/wt/wdf5/b+hOUzmvDjPNfE2QwJW
        yBC2XKwSTbYVHinQ+6wFlV4Tl40sEAW61Al/t1lzuf2BWbwkwiBJVziI+ehyoD0=
        -----END ENCRYPTED PRIVATE KEY-----
        """
    /// SM2 "private keys" whose scalar is the group order n, and zero: no valid key.
    static let privateKeyOfOrderN = """
        -----BEGIN PRIVATE KEY-----
        MEECAQAwEwYHKoZIzj0CAQYIKoEcz1UBgi0EJzAlAgEBBCD////+////////////
        ////cgPfayHGBStTu/QJOdVBIw==
        -----END PRIVATE KEY-----
        """
    static let privateKeyZero = """
        -----BEGIN PRIVATE KEY-----
        MEECAQAwEwYHKoZIzj0CAQYIKoEcz1UBgi0EJzAlAgEBBCAAAAAAAAAAAAAAAAAA
        AAAAAAAAAAAAAAAAAAAAAAAAAA==
        -----END PRIVATE KEY-----
        """
    /// The example public key with the last bit of y flipped: a point off the curve.
    static let pointOffTheCurve = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAECfnfMR5UIaFQ3X0WHkvFxnIXn60Y
        M/wHa7CP81bzUCDM6kkM4md1pS3G6nGMwapgCu0F+/NeCEpmMvYHLamtEg==
        -----END PUBLIC KEY-----
        """

    static func privateKeyFailure(_ pem: String) -> SM2.Failure? {
        do {
            _ = try SM2.PrivateKey(pem: pem)
            return nil
        } catch { return error }
    }

    static func publicKeyFailure(_ pem: String) -> SM2.Failure? {
        do {
            _ = try SM2.PublicKey(pem: pem)
            return nil
        } catch { return error }
    }

    @Test func keysOfOtherAlgorithmsAndCurvesAreRefusedByName() {
        #expect(Self.privateKeyFailure(Self.rsaPrivateKey) == .notSM2(found: "RSA"))
        #expect(Self.privateKeyFailure(Self.p256PrivateKey) == .notSM2(found: "EC (prime256v1)"))
        #expect(Self.publicKeyFailure(Self.p256PublicKey) == .notSM2(found: "EC (prime256v1)"))
        #expect(Self.privateKeyFailure(Self.ed25519PrivateKey) == .notSM2(found: "ED25519"))
        #expect(
            Self.privateKeyFailure("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")
                == .notSM2(found: "RSA"))
        #expect(
            "\(SM2.Failure.notSM2(found: "EC (prime256v1)"))" == "not an SM2 key: its type is EC (prime256v1)")
    }

    @Test func emptyGarbageAndHugeTextsAreRefused() {
        #expect(Self.privateKeyFailure("") == .notAKey(expected: "private key", reason: "it is empty"))
        #expect(Self.publicKeyFailure("") == .notAKey(expected: "public key", reason: "it is empty"))
        #expect(throws: SM2.Failure.notAKey(expected: "public key", reason: "it is empty")) {
            try SM2.PublicKey(der: [])
        }
        let notPEM = SM2.Failure.notAKey(
            expected: "private key", reason: "it is not PEM (there is no -----BEGIN line)")
        #expect(Self.privateKeyFailure("hello") == notPEM)
        #expect(throws: notPEM) { try SM2.PrivateKey(pem: [0, 0xFF, 0xFE, 0x80, 0, 0x2D, 0x2D]) }
        let huge = String(repeating: "A", count: SM2.pemLimit + 1)
        #expect(Self.privateKeyFailure(huge) == .tooLarge(bytes: SM2.pemLimit + 1, limit: SM2.pemLimit))
        #expect(throws: SM2.Failure.tooLarge(bytes: SM2.pemLimit + 1, limit: SM2.pemLimit)) {
            try SM2.PublicKey(der: [UInt8](repeating: 0x30, count: SM2.pemLimit + 1))
        }
        // A 64 KiB PEM block of base64 garbage gets as far as libcrypto, which refuses it.
        let body = String(repeating: "QUJD", count: 15_000)
        let bigBlock = "-----BEGIN PRIVATE KEY-----\n\(body)\n-----END PRIVATE KEY-----\n"
        #expect(Self.isDamaged(Self.privateKeyFailure(bigBlock)))
        // Damaged blocks: not base64, truncated DER, no END line, an empty body.
        for damaged in [
            "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE\n-----END PUBLIC KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAE\n",
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n",
        ] {
            #expect(Self.isDamaged(Self.publicKeyFailure(damaged)), "\(damaged)")
        }
        #expect(throws: SM2.Failure.self) { try SM2.PublicKey(der: [0x30, 0x03, 0x02, 0x01, 0x00]) }
        #expect(throws: SM2.Failure.self) { try SM2.PublicKey(der: Array("not der".utf8)) }
    }

    static func isDamaged(_ failure: SM2.Failure?) -> Bool {
        guard case .notAKey(_, let reason) = failure else { return false }
        return reason.contains("damaged")
    }

    @Test func theWrongKindOfPEMIsRefusedWithWhatItHolds() throws {
        let key = try SM2.PrivateKey.generate()
        #expect(
            Self.privateKeyFailure(key.publicKey.pem)
                == .notAKey(expected: "private key", reason: "it holds a public key"))
        guard case .notAKey(let expected, let reason) = Self.publicKeyFailure(try key.pkcs8PEM()) else {
            Issue.record("a private key was read as a public key")
            return
        }
        #expect(expected == "public key" && reason.contains("holds a private key"))
        #expect(
            Self.privateKeyFailure("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                == .notAKey(expected: "private key", reason: "it holds a PEM \"CERTIFICATE\", not a key"))
        #expect(Self.privateKeyFailure(Self.encryptedPrivateKey) == .encryptedKey)
        let legacyEncrypted = """
            -----BEGIN EC PRIVATE KEY-----
            Proc-Type: 4,ENCRYPTED
            DEK-Info: AES-128-CBC,5A1F3E0B8C2D4E6F708192A3B4C5D6E7

            AAAA
            -----END EC PRIVATE KEY-----
            """
        #expect(Self.privateKeyFailure(legacyEncrypted) == .encryptedKey)
        #expect(
            Self.publicKeyFailure("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n")
                == .notSM2(found: "RSA"))
        // The right kind of PEM reads.
        #expect(try SM2.PublicKey(pem: key.publicKey.pem) == key.publicKey)
    }

    @Test func sm2KeysWhoseNumbersAreNoKeyAreRefused() {
        // libcrypto reads these, and the key check refuses them: n·G and 0·G are the point at infinity.
        for pem in [Self.privateKeyOfOrderN, Self.privateKeyZero] {
            guard case .invalidKey(let reason) = Self.privateKeyFailure(pem) else {
                Issue.record("an SM2 private key with an invalid scalar was not refused as invalid")
                continue
            }
            #expect(reason.contains("point at infinity"))
        }
        // A point off the curve is refused while decoding.
        #expect(Self.isDamaged(Self.publicKeyFailure(Self.pointOffTheCurve)))
    }

    @Test func everyOneCharacterChangeToAKeyIsRefusedOrReadsTheSameKey() throws {
        // Kaiban's PKCS#8 carries the public point beside the scalar: a changed scalar no longer
        // matches it, a changed point is off the curve or no longer matches, a changed structure
        // does not decode. No change may give another key, and none may crash.
        let key = try SM2.PrivateKey.generate()
        let pem = Array(try key.pkcs8PEM().utf8)
        let bodyStart = try #require(pem.firstIndex(of: UInt8(ascii: "\n"))) + 1
        let bodyEnd = try #require(
            pem.indices.last { $0 > 0 && pem[$0] == UInt8(ascii: "-") && pem[$0 - 1] == UInt8(ascii: "\n") })
        var refused = 0
        for index in bodyStart..<bodyEnd - 5 where pem[index] != UInt8(ascii: "\n") {
            var mutant = pem
            mutant[index] = mutant[index] == UInt8(ascii: "A") ? UInt8(ascii: "z") : UInt8(ascii: "A")
            do {
                let read = try SM2.PrivateKey(pem: mutant)
                #expect(read.publicKey == key.publicKey, "a change at \(index) gave another key")
            } catch { refused += 1 }
        }
        #expect(refused > 100)
    }
}
