// Expected failures as values, in the manner of LevelDB's Status: a code and
// a message that names the object and the reason. The codes are LDAP result
// codes because every failure a DC reports to a client is one of them.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace dcemu::dc {

enum class LdapResult : int {
  success = 0,
  operationsError = 1,
  protocolError = 2,
  referral = 10,
  noSuchAttribute = 16,
  undefinedAttributeType = 17,
  constraintViolation = 19,
  attributeOrValueExists = 20,
  invalidAttributeSyntax = 21,
  noSuchObject = 32,
  invalidDnSyntax = 34,
  insufficientAccessRights = 50,
  busy = 51,
  unavailable = 52,
  unwillingToPerform = 53,
  namingViolation = 64,
  objectClassViolation = 65,
  notAllowedOnNonLeaf = 66,
  notAllowedOnRdn = 67,
  entryAlreadyExists = 68,
  objectClassModsProhibited = 69,
  other = 80,
};

// The LDAP name of a result code, e.g. "noSuchObject".
std::string_view ldapResultName(LdapResult code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  Status(LdapResult code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return Status(); }

  bool isOk() const { return code_ == LdapResult::success; }
  LdapResult code() const { return code_; }
  const std::string& message() const { return message_; }

  // "noSuchObject (32): CN=x,DC=corp: no such object" or "success".
  std::string toString() const;

 private:
  LdapResult code_ = LdapResult::success;
  std::string message_;
};

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(state_).isOk() && "a Result needs a value or a failure");
  }

  bool isOk() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return isOk(); }

  const T& value() const& { return std::get<T>(state_); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  Status status() const { return isOk() ? Status::ok() : std::get<Status>(state_); }
  T valueOr(T fallback) const { return isOk() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace dcemu::dc

// Returns early from the enclosing function when an expression yields a
// failed Status. Keeps the happy path flat, as LevelDB's code does by hand.
#define DCEMU_RETURN_IF_ERROR(expr)   \
  do {                                \
    ::dcemu::dc::Status _st = (expr); \
    if (!_st.isOk()) return _st;      \
  } while (false)
