#pragma once
// ES256 JWTs the way distribution's token auth reads them: the signing
// certificate in the `x5c` header, chained to the registry's rootcertbundle.
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "adapters/registry/base64.hpp"

namespace ua::test {

class JwtSigner {
 public:
  // `key_pem` signs; `cert_pem` (its certificate) goes into x5c.
  JwtSigner(const std::string& key_pem, const std::string& cert_pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> kb(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), BIO_free);
    key_.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
    std::unique_ptr<BIO, decltype(&BIO_free)> cb(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())), BIO_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr), X509_free);
    if (!key_ || !cert) throw std::runtime_error("jwt: cannot read the key or certificate");
    unsigned char* der = nullptr;
    const int n = i2d_X509(cert.get(), &der);
    cert_der_b64_ = adapters::registry::detail::base64_encode(std::string(reinterpret_cast<char*>(der), static_cast<std::size_t>(n)));
    OPENSSL_free(der);
  }

  [[nodiscard]] std::string sign(const std::string& claims_json) const {
    using adapters::registry::detail::base64_encode;
    const std::string header = R"({"typ":"JWT","alg":"ES256","x5c":[")" + cert_der_b64_ + "\"]}";
    const std::string input = base64_encode(header, true) + "." + base64_encode(claims_json, true);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::size_t length = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      throw std::runtime_error("jwt: cannot sign");
    }
    std::string der(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
      throw std::runtime_error("jwt: cannot sign");
    }
    // JWS wants r || s, 32 bytes each, not OpenSSL's DER.
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(length)),
                                                              ECDSA_SIG_free);
    if (!sig) throw std::runtime_error("jwt: bad signature encoding");
    unsigned char raw[64];
    BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + 32, 32);
    return input + "." + base64_encode(std::string(reinterpret_cast<char*>(raw), 64), true);
  }

 private:
  struct FreeKey {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  };
  std::unique_ptr<EVP_PKEY, FreeKey> key_;
  std::string cert_der_b64_;
};

}  // namespace ua::test
