// During a bulk load, the index entries an add reads to learn that its
// account name, SID and RDN are unused: every account-name and SID entry
// of the domain naming context and every child entry. The answer is nearly
// always no, and RocksDB gives it by searching the memtable and every
// level-0 file a bulk load leaves unmerged, which was 43 % of provisioning
// a million users. Filled from the store when the load begins and kept in
// step with every write, so it answers exactly what the index would.
// Internal to dc/store.cc.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "dc/ids.h"
#include "dc/status.h"
#include "dc/store.h"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
}  // namespace rocksdb

namespace dcemu::dc {

class BulkLoadIndex {
 public:
  // Reads the entries the load starts with from `families` (the naming
  // contexts', in NamingContext order).
  Status read(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families);

  // A write added (`present`) or removed index entry `key` of `object`.
  void note(int family, const std::string& key, const Guid& object, bool present);

  // What Store::firstGuidWithPrefix's scan finds: the first key under
  // `prefix` (an account name's or a SID's), if it is the prefix and a GUID.
  std::optional<Guid> firstPrincipal(const std::string& prefix) const;

  std::optional<Guid> child(int family, const std::string& key) const;

 private:
  static constexpr int kDomain = static_cast<int>(NamingContext::Domain);

  void notePrincipal(const std::string& key, bool present);
  std::optional<Guid> leastGuidUnder(const std::string& stem) const;

  // Account-name and SID entries by stem (the key without the object's
  // GUID), several objects to a stem when replication left two with one
  // name: a hash lookup each, where an ordered set of every key (two
  // million at a million users, all sharing the domain SID's bytes) cost
  // 16 % of the load in comparisons. Only stems that end where their own
  // encoding says (dc/index_prefix.h): no other stem starts with them.
  std::unordered_multimap<std::string, Guid> principals_;
  // Whole keys of any other stem (an account name holding a 0, SID bytes
  // whose length disagrees with their count), kept in order: their stems
  // can start with another's, so a seek for that one may find them first.
  std::set<std::string, std::less<>> irregularPrincipals_;
  std::unordered_map<std::string, Guid> children_[kNamingContextCount];
};

}  // namespace dcemu::dc
