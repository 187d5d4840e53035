#include "dc/index_prefix.h"

#include <rocksdb/slice_transform.h>

#include <algorithm>

namespace dcemu::dc {

size_t indexPrefixLength(std::string_view key) {
  if (key.empty()) return 0;
  constexpr size_t kGuidPrefix = 1 + 16;
  switch (key[0]) {
    case 'o':
    case 'u': return 1;
    case 'c':
    case 'b': return key.size() >= kGuidPrefix ? kGuidPrefix : key.size();
    case 's': {
      size_t end = key.find('\0', 1);
      return end == std::string_view::npos ? key.size() : end + 1;
    }
    case 'i': {
      // A SID: revision, sub-authority count, 6 bytes of authority, then
      // 4 bytes per sub-authority.
      if (key.size() < 3) return key.size();
      size_t sid = 8 + 4 * static_cast<unsigned char>(key[2]);
      return key.size() >= 1 + sid ? 1 + sid : key.size();
    }
    default: return key.size();
  }
}

std::string_view principalStem(std::string_view key) {
  constexpr size_t kGuidBytes = 16;
  return key.substr(0, key.size() - std::min(key.size(), kGuidBytes));
}

bool isSelfDelimitingPrincipalStem(std::string_view stem) {
  if (stem.size() >= 2 && stem[0] == 's') return stem.find('\0', 1) == stem.size() - 1;
  if (stem.size() >= 3 && stem[0] == 'i') return stem.size() == 9 + 4 * size_t{static_cast<unsigned char>(stem[2])};
  return false;
}

namespace {

// Every key is in the domain, and a prefix is its own prefix: each rule
// above cuts at a length read from the bytes it keeps.
class IndexPrefixExtractor : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "dcemu.IndexPrefix.1"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    return rocksdb::Slice(key.data(), indexPrefixLength({key.data(), key.size()}));
  }
  bool InDomain(const rocksdb::Slice&) const override { return true; }
};

// Only the kinds with few prefixes: the memtable keeps a hint (some 250
// bytes) per prefix it has seen, which for account names and SIDs would be
// one per key.
class InsertHintExtractor : public IndexPrefixExtractor {
 public:
  const char* Name() const override { return "dcemu.InsertHint.1"; }
  bool InDomain(const rocksdb::Slice& key) const override {
    return !key.empty() && (key[0] == 'o' || key[0] == 'u' || key[0] == 'c');
  }
};

}  // namespace

std::shared_ptr<const rocksdb::SliceTransform> newIndexPrefixExtractor() {
  return std::make_shared<IndexPrefixExtractor>();
}

std::shared_ptr<const rocksdb::SliceTransform> newInsertHintExtractor() {
  return std::make_shared<InsertHintExtractor>();
}

}  // namespace dcemu::dc
