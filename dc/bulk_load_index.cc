#include "dc/bulk_load_index.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <bit>
#include <functional>
#include <memory>
#include <string>

#include "dc/index_prefix.h"

namespace dcemu::dc {
namespace {

constexpr uint64_t kGoldenRatio = 0x9e3779b97f4a7c15ULL;

}  // namespace

void BulkLoadIndex::HashSet::insert(uint64_t hash) {
  if (hash == 0) hash = 1;
  if ((size_ + 1) * 2 > slots_.size()) {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(std::max<size_t>(1024, old.size() * 2), 0);
    size_ = 0;
    for (uint64_t kept : old) {
      if (kept != 0) insert(kept);
    }
  }
  for (size_t slot = slotOf(hash);; slot = (slot + 1) & (slots_.size() - 1)) {
    if (slots_[slot] == hash) return;
    if (slots_[slot] == 0) {
      slots_[slot] = hash;
      ++size_;
      return;
    }
  }
}

bool BulkLoadIndex::HashSet::contains(uint64_t hash) const {
  if (hash == 0) hash = 1;
  if (slots_.empty()) return false;
  for (size_t slot = slotOf(hash);; slot = (slot + 1) & (slots_.size() - 1)) {
    if (slots_[slot] == hash) return true;
    if (slots_[slot] == 0) return false;
  }
}

size_t BulkLoadIndex::HashSet::slotOf(uint64_t hash) const {
  // The table's size is a power of two: its top bits of a multiplicative
  // mix, so that hashes alike in their low bits spread.
  return static_cast<size_t>((hash * kGoldenRatio) >> (64 - std::countr_zero(slots_.size())));
}

uint64_t BulkLoadIndex::principalHash(std::string_view stem) {
  return std::hash<std::string_view>()(stem);
}

uint64_t BulkLoadIndex::childHash(int family, std::string_view key) {
  return std::hash<std::string_view>()(key) ^ (static_cast<uint64_t>(family) + 1) * kGoldenRatio;
}

Status BulkLoadIndex::read(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families) {
  // Each account name and SID is a key prefix of its own: the walk reads
  // in total order, across prefixes.
  rocksdb::ReadOptions everyPrefix;
  everyPrefix.total_order_seek = true;
  for (int family = 0; family < kNamingContextCount; ++family) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(everyPrefix, families[family]));
    for (char kind : {'c', 'i', 's'}) {
      for (it->Seek(std::string(1, kind)); it->Valid() && it->key()[0] == kind; it->Next())
        noteAdded(family, it->key().ToStringView());
    }
    if (!it->status().ok())
      return Status(LdapResult::unavailable, "store: cannot read the index: " + it->status().ToString());
  }
  return Status::ok();
}

void BulkLoadIndex::noteAdded(int family, std::string_view key) {
  if (key.empty()) return;
  if (key[0] == 'c') {
    hashes_.insert(childHash(family, key));
  } else if ((key[0] == 's' || key[0] == 'i') && family == static_cast<int>(NamingContext::Domain)) {
    hashes_.insert(principalHash(principalStem(key)));
  }
}

bool BulkLoadIndex::mayHavePrincipal(std::string_view prefix) const {
  // A lookup finds a GUID only when the first key under `prefix` is the
  // prefix and a GUID: a key whose stem is `prefix`, whose hash is here.
  return hashes_.contains(principalHash(prefix));
}

bool BulkLoadIndex::mayHaveChild(int family, std::string_view key) const {
  return hashes_.contains(childHash(family, key));
}

}  // namespace dcemu::dc
