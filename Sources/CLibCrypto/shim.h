#ifndef KAIBAN_CLIBCRYPTO_SHIM_H
#define KAIBAN_CLIBCRYPTO_SHIM_H
// OpenSSL's libcrypto (Debian's libssl-dev): digests, random bytes, PBKDF2. Later SM2/SM3 (国密).
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#endif
