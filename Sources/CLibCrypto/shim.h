#ifndef KAIBAN_CLIBCRYPTO_SHIM_H
#define KAIBAN_CLIBCRYPTO_SHIM_H
// OpenSSL's libcrypto (Debian's libssl-dev): digests, random bytes, PBKDF2. Later SM2/SM3 (国密).
// SHA256_Init/Update/Final are deprecated in OpenSSL 3 (in favour of EVP) but still exported; the
// PBKDF2 below needs their plain, copyable context.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stdint.h>
#include <string.h>

/// PBKDF2-HMAC-SHA256 (RFC 8018), the same output as libcrypto's PKCS5_PBKDF2_HMAC with SHA-256,
/// about four times faster: the HMAC's inner and outer keyed states are computed once and copied
/// as plain structs for each iteration (two SHA-256 compressions an iteration), where
/// PKCS5_PBKDF2_HMAC copies EVP contexts and clears memory through the provider layer every time.
/// Returns 1, or 0 for zero iterations or a salt over 1,024 bytes.
static inline int kaiban_pbkdf2_hmac_sha256(
    const uint8_t *password, size_t passwordLength, const uint8_t *salt, size_t saltLength,
    uint32_t iterations, uint8_t *output, size_t outputLength)
{
    if (iterations == 0 || saltLength > 1024) return 0;
    uint8_t key[SHA256_CBLOCK];
    memset(key, 0, sizeof key);
    if (passwordLength > SHA256_CBLOCK) {
        SHA256(password, passwordLength, key);
    } else if (passwordLength > 0) {
        memcpy(key, password, passwordLength);
    }
    uint8_t pad[SHA256_CBLOCK];
    SHA256_CTX inner, outer, context;
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = key[i] ^ 0x36;
    SHA256_Init(&inner);
    SHA256_Update(&inner, pad, SHA256_CBLOCK);
    for (int i = 0; i < SHA256_CBLOCK; i++) pad[i] = key[i] ^ 0x5c;
    SHA256_Init(&outer);
    SHA256_Update(&outer, pad, SHA256_CBLOCK);
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(pad, sizeof pad);
    uint32_t block = 1;
    size_t done = 0;
    while (done < outputLength) {
        uint8_t u[SHA256_DIGEST_LENGTH], t[SHA256_DIGEST_LENGTH];
        const uint8_t number[4] = {
            (uint8_t)(block >> 24), (uint8_t)(block >> 16), (uint8_t)(block >> 8), (uint8_t)block};
        context = inner;
        SHA256_Update(&context, salt, saltLength);
        SHA256_Update(&context, number, sizeof number);
        SHA256_Final(u, &context);
        context = outer;
        SHA256_Update(&context, u, sizeof u);
        SHA256_Final(u, &context);
        memcpy(t, u, sizeof t);
        for (uint32_t n = 1; n < iterations; n++) {
            context = inner;
            SHA256_Update(&context, u, sizeof u);
            SHA256_Final(u, &context);
            context = outer;
            SHA256_Update(&context, u, sizeof u);
            SHA256_Final(u, &context);
            for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) t[i] ^= u[i];
        }
        size_t take = outputLength - done < sizeof t ? outputLength - done : sizeof t;
        memcpy(output + done, t, take);
        OPENSSL_cleanse(u, sizeof u);
        OPENSSL_cleanse(t, sizeof t);
        done += take;
        block++;
    }
    OPENSSL_cleanse(&inner, sizeof inner);
    OPENSSL_cleanse(&outer, sizeof outer);
    OPENSSL_cleanse(&context, sizeof context);
    return 1;
}
#endif

#ifndef KAIBAN_CLIBCRYPTO_SM2_SHIM_H
#define KAIBAN_CLIBCRYPTO_SM2_SHIM_H
// 国密 (SM2 keys and signatures, SM3 digests): PEM and DER codecs, memory BIOs, libcrypto's error
// queue. Sources/KaibanCrypto/SM2.swift uses them.
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

// BIO_get_mem_data is a macro, which Swift cannot import: the bytes a memory BIO holds (not a copy,
// valid until the BIO is written to or freed) and their count.
static inline long kaiban_bio_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}
#endif
