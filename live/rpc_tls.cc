#include "live/rpc_tls.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <kj/compat/tls.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dc/text.h"
#include "scenario/scenario.h"

namespace dcemu::live {

namespace {

constexpr long kValiditySeconds = 10L * 365 * 24 * 3600;

dc::Status failed(const std::string& what) {
  return dc::Status(dc::LdapResult::other, what);
}

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertificateDeleter {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyDeleter>;
using Certificate = std::unique_ptr<X509, CertificateDeleter>;

bool addExtension(X509* certificate, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!extension) return false;
  bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// A certificate for `key` named `name`, signed by `issuerKey` as `issuer`
// (itself when null: the CA).
Certificate issue(EVP_PKEY* key, const std::string& name, EVP_PKEY* issuerKey, X509* issuer) {
  Certificate certificate(X509_new());
  if (!certificate) return nullptr;
  X509* x = certificate.get();
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return nullptr;
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  bool ok = number && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x));
  BN_free(number);
  ok = ok && X509_set_version(x, 2) && X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
       X509_gmtime_adj(X509_getm_notAfter(x), kValiditySeconds) && X509_set_pubkey(x, key) &&
       X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0) &&
       X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
  X509* signer = issuer ? issuer : x;
  if (issuer) {
    std::string altName = "DNS:" + name;
    ok = ok && addExtension(x, signer, NID_basic_constraints, "critical,CA:FALSE") &&
         addExtension(x, signer, NID_key_usage, "critical,digitalSignature") &&
         addExtension(x, signer, NID_ext_key_usage, "serverAuth,clientAuth") &&
         addExtension(x, signer, NID_subject_alt_name, altName.c_str()) &&
         addExtension(x, signer, NID_subject_key_identifier, "hash") &&
         addExtension(x, signer, NID_authority_key_identifier, "keyid:always");
  } else {
    ok = ok && addExtension(x, signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
         addExtension(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign") &&
         addExtension(x, signer, NID_subject_key_identifier, "hash");
  }
  ok = ok && X509_sign(x, issuerKey, EVP_sha256()) > 0;
  return ok ? std::move(certificate) : nullptr;
}

// Writes `text` to a new file, readable by its owner alone when `secret`.
dc::Status writeNew(const std::string& path, const std::string& text, bool secret) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, secret ? 0600 : 0644);
  if (fd < 0) return failed(fmt::format("{}: cannot be created", path));
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return written ? dc::Status::ok() : failed(fmt::format("{}: writing failed", path));
}

template <typename Write>
std::string pem(Write write) {
  BIO* bio = BIO_new(BIO_s_mem());
  std::string text;
  if (bio && write(bio)) {
    char* data = nullptr;
    long size = BIO_get_mem_data(bio, &data);
    text.assign(data, static_cast<size_t>(size));
  }
  BIO_free(bio);
  return text;
}

dc::Result<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return failed(fmt::format("{}: cannot be read", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string tlsName(const std::string& party) {
  return dc::toLower(party);
}

struct RpcTls::Material {
  kj::TlsCertificate ca;
  kj::TlsKeypair own;
};

RpcTls::~RpcTls() {
  context_.reset();
}

dc::Result<std::unique_ptr<RpcTls>> RpcTls::load(const std::string& directory, const std::string& party) {
  const std::string name = tlsName(party);
  auto ca = readText(directory + "/ca.crt");
  if (!ca) return ca.status();
  auto certificate = readText(fmt::format("{}/{}.crt", directory, name));
  if (!certificate) return certificate.status();
  auto key = readText(fmt::format("{}/{}.key", directory, name));
  if (!key) return key.status();
  std::unique_ptr<RpcTls> tls(new RpcTls());
  KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&] {
                 tls->material_ = std::make_unique<Material>(
                     Material{kj::TlsCertificate(ca->c_str()),
                              {kj::TlsPrivateKey(key->c_str()), kj::TlsCertificate(certificate->c_str())}});
                 kj::TlsContext::Options options;
                 options.useSystemTrustStore = false;
                 options.verifyClients = true;
                 options.trustedCertificates = kj::arrayPtr(&tls->material_->ca, 1);
                 options.defaultKeypair = tls->material_->own;
                 tls->context_ = std::make_unique<kj::TlsContext>(kj::mv(options));
               })) {
    return failed(fmt::format("{}: {} certificates: {}", directory, name, exception->getDescription().cStr()));
  }
  return tls;
}

dc::Status issueClusterCertificates(const std::string& directory, const std::vector<std::string>& parties) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return failed(fmt::format("{}: {}", directory, error.message()));
  Key caKey(EVP_EC_gen("P-256"));
  Certificate ca = caKey ? issue(caKey.get(), "dcemu cluster CA", caKey.get(), nullptr) : nullptr;
  if (!ca) return failed("the cluster CA could not be made");
  DCEMU_RETURN_IF_ERROR(
      writeNew(directory + "/ca.crt", pem([&](BIO* bio) { return PEM_write_bio_X509(bio, ca.get()); }), false));
  for (const std::string& party : parties) {
    const std::string name = tlsName(party);
    Key key(EVP_EC_gen("P-256"));
    Certificate certificate = key ? issue(key.get(), name, caKey.get(), ca.get()) : nullptr;
    if (!certificate) return failed(fmt::format("no certificate could be made for {}", name));
    DCEMU_RETURN_IF_ERROR(writeNew(fmt::format("{}/{}.crt", directory, name),
                                   pem([&](BIO* bio) { return PEM_write_bio_X509(bio, certificate.get()); }), false));
    DCEMU_RETURN_IF_ERROR(writeNew(
        fmt::format("{}/{}.key", directory, name),
        pem([&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); }),
        true));
  }
  return dc::Status::ok();
}

}  // namespace dcemu::live
