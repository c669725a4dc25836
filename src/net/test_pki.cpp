// A throwaway CA and server certificate made with OpenSSL, so that local TLS
// servers can be verified exactly like real ones (chain and host name).
#include <boost/asio/ip/address.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "upgrade_agent/net/server.hpp"

namespace ua::net {

namespace {

struct FreeKey { void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); } };
struct FreeCert { void operator()(X509* p) const { X509_free(p); } };
struct FreeBio { void operator()(BIO* p) const { BIO_free(p); } };
struct FreeExt { void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); } };
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;
using Cert = std::unique_ptr<X509, FreeCert>;
using Bio = std::unique_ptr<BIO, FreeBio>;
using Ext = std::unique_ptr<X509_EXTENSION, FreeExt>;

Key make_key() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  return Key(key);
}

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ext ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  return ext && X509_add_ext(cert, ext.get(), -1) == 1;
}

Cert make_cert(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key, long serial) {
  Cert cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  (void)issuer_key;
  return cert;
}

std::string to_pem(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string to_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

core::Expected<TestPki> make_test_pki(const std::vector<std::string>& names) {
  if (names.empty()) return core::make_error("a certificate needs at least one name");
  Key ca_key = make_key();
  Key leaf_key = make_key();
  if (!ca_key || !leaf_key) return core::make_error("cannot generate EC keys");

  Cert ca = make_cert(ca_key.get(), "upgrade-agent test CA", nullptr, nullptr, 1);
  if (!ca || !add_ext(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE") ||
      !add_ext(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !add_ext(ca.get(), ca.get(), NID_subject_key_identifier, "hash") ||
      X509_sign(ca.get(), ca_key.get(), EVP_sha256()) == 0) {
    return core::make_error("cannot make the test CA certificate");
  }

  std::string san;
  for (const auto& n : names) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(n, ec);
    if (!san.empty()) san += ",";
    san += (ec ? "DNS:" : "IP:") + n;
  }
  Cert leaf = make_cert(leaf_key.get(), names.front(), ca.get(), ca_key.get(), 2);
  if (!leaf || !add_ext(leaf.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_ext(leaf.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment") ||
      !add_ext(leaf.get(), ca.get(), NID_ext_key_usage, "serverAuth") ||
      !add_ext(leaf.get(), ca.get(), NID_subject_alt_name, san) ||
      !add_ext(leaf.get(), ca.get(), NID_authority_key_identifier, "keyid:always") ||
      X509_sign(leaf.get(), ca_key.get(), EVP_sha256()) == 0) {
    return core::make_error("cannot make the test server certificate");
  }

  Key client_key = make_key();
  Cert client = client_key ? make_cert(client_key.get(), "upgrade-agent test client", ca.get(), ca_key.get(), 3) : nullptr;
  if (!client || !add_ext(client.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_ext(client.get(), ca.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_ext(client.get(), ca.get(), NID_ext_key_usage, "clientAuth") ||
      !add_ext(client.get(), ca.get(), NID_authority_key_identifier, "keyid:always") ||
      X509_sign(client.get(), ca_key.get(), EVP_sha256()) == 0) {
    return core::make_error("cannot make the test client certificate");
  }

  TestPki pki;
  pki.client.certificate_chain_pem = to_pem(client.get());
  pki.client.private_key_pem = to_pem(client_key.get());
  pki.ca_pem = to_pem(ca.get());
  pki.server.certificate_chain_pem = to_pem(leaf.get());
  pki.server.private_key_pem = to_pem(leaf_key.get());
  return pki;
}

}  // namespace ua::net
