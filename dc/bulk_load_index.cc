#include "dc/bulk_load_index.h"

#include <rocksdb/db.h>

#include <memory>

#include "dc/index_prefix.h"

namespace dcemu::dc {
namespace {

constexpr size_t kGuidBytes = 16;

bool hasRegularStem(std::string_view key) {
  return key.size() > kGuidBytes && isSelfDelimitingPrincipalStem(key.substr(0, key.size() - kGuidBytes));
}

}  // namespace

Status BulkLoadIndex::read(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  // Each account name and SID is a key prefix of its own: the walk reads
  // in total order, across prefixes.
  rocksdb::ReadOptions everyPrefix;
  everyPrefix.total_order_seek = true;
  for (int family = 0; family < kNamingContextCount; ++family) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(everyPrefix, families[family]));
    for (char kind : {'c', 'i', 's'}) {
      for (it->Seek(std::string(1, kind)); it->Valid() && it->key()[0] == kind; it->Next()) {
        std::string key = it->key().ToString();
        if (kind == 'c' && it->value().size() == kGuidBytes)
          children_[family].emplace(key, Guid::fromBytes(it->value().ToStringView()));
        if (kind != 'c' && family == kDomain) notePrincipal(key, true);
      }
    }
    if (!it->status().ok())
      return Status(LdapResult::unavailable, "store: cannot read the index: " + it->status().ToString());
  }
  return Status::ok();
}

void BulkLoadIndex::note(int family, const std::string& key, const Guid& object, bool present) {
  if (key[0] == 'c') {
    if (present) {
      children_[family][key] = object;
    } else {
      children_[family].erase(key);
    }
  } else if ((key[0] == 's' || key[0] == 'i') && family == kDomain) {
    notePrincipal(key, present);
  }
}

void BulkLoadIndex::notePrincipal(const std::string& key, bool present) {
  if (!hasRegularStem(key)) {
    if (present) {
      irregularPrincipals_.insert(key);
    } else {
      irregularPrincipals_.erase(key);
    }
    return;
  }
  std::string stem = key.substr(0, key.size() - kGuidBytes);
  Guid guid = Guid::fromBytes(std::string_view(key).substr(stem.size()));
  auto [first, last] = principals_.equal_range(stem);
  for (auto it = first; it != last; ++it) {
    if (it->second != guid) continue;
    if (!present) principals_.erase(it);
    return;
  }
  if (present) principals_.emplace(std::move(stem), guid);
}

std::optional<Guid> BulkLoadIndex::leastGuidUnder(const std::string& stem) const {
  std::optional<Guid> least;
  auto [first, last] = principals_.equal_range(stem);
  for (auto it = first; it != last; ++it) {
    if (!least || it->second < *least) least = it->second;
  }
  return least;
}

std::optional<Guid> BulkLoadIndex::firstPrincipal(const std::string& prefix) const {
  // A seek's first key under a self-delimiting prefix is the prefix and
  // the least GUID filed under it, when no irregular key could come first.
  bool regular = isSelfDelimitingPrincipalStem(prefix);
  if (regular && irregularPrincipals_.empty()) return leastGuidUnder(prefix);

  std::optional<std::string> first;
  auto consider = [&](std::string key) {
    if (!first || key < *first) first = std::move(key);
  };
  if (auto least = leastGuidUnder(prefix)) consider(prefix + std::string(least->asBytes()));
  auto irregular = irregularPrincipals_.lower_bound(prefix);
  if (irregular != irregularPrincipals_.end() && irregular->starts_with(prefix)) consider(*irregular);
  if (!regular) {
    // A shorter self-delimiting stem's key starts with this prefix when
    // the first bytes of its GUID complete it.
    for (size_t length = prefix.size() > kGuidBytes ? prefix.size() - kGuidBytes : 1; length < prefix.size();
         ++length) {
      std::string stem = prefix.substr(0, length);
      if (!isSelfDelimitingPrincipalStem(stem)) continue;
      std::string_view rest = std::string_view(prefix).substr(length);
      auto [begin, end] = principals_.equal_range(stem);
      for (auto it = begin; it != end; ++it) {
        if (it->second.asBytes().starts_with(rest)) consider(stem + std::string(it->second.asBytes()));
      }
    }
  }
  if (!first || first->size() != prefix.size() + kGuidBytes) return std::nullopt;
  return Guid::fromBytes(std::string_view(*first).substr(prefix.size()));
}

std::optional<Guid> BulkLoadIndex::child(int family, const std::string& key) const {
  auto found = children_[family].find(key);
  if (found == children_[family].end()) return std::nullopt;
  return found->second;
}

}  // namespace dcemu::dc
