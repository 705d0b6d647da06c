#ifndef KAIBAN_CLIBCRYPTO_SHIM_H
#define KAIBAN_CLIBCRYPTO_SHIM_H
// OpenSSL's libcrypto (Debian's libssl-dev): digests, random bytes, PBKDF2. Later SM2/SM3 (国密).
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
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
