// During a bulk load, which account names, SIDs and RDNs may be in use.
// Each add asks whether its account name, SID and RDN are in use; the
// answer is nearly always no, and RocksDB gives it by searching the
// memtable and every level-0 file a bulk load leaves unmerged (43 % of
// provisioning a million users). This index holds a 64-bit hash of the
// key (without the object's GUID) of every account-name, SID and child
// entry, read from the store when the load begins and added to by every
// write after it. A lookup whose hash is absent is answered "not in use"
// without RocksDB; any other (in use, a hash collision, a name the load
// removed) goes to RocksDB as outside a load, so every answer is RocksDB's.
// Internal to dc/store.cc.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

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

  // A write added index entry `key` to `family`. Removals are not noted:
  // a removed entry's hash stays, and its lookups go to RocksDB.
  void noteAdded(int family, std::string_view key);

  // False when the domain holds no account-name or SID key of stem
  // `prefix` (the key without its GUID), so Store::firstGuidWithPrefix
  // would find none.
  bool mayHavePrincipal(std::string_view prefix) const;
  // False when `family` holds no child entry `key`.
  bool mayHaveChild(int family, std::string_view key) const;

 private:
  // An open-addressing set of 64-bit hashes, one cache line read per
  // lookup, where a hash map of the keys themselves took three.
  class HashSet {
   public:
    void insert(uint64_t hash);
    bool contains(uint64_t hash) const;

   private:
    size_t slotOf(uint64_t hash) const;
    std::vector<uint64_t> slots_;  // 0: empty
    size_t size_ = 0;
  };

  static uint64_t principalHash(std::string_view stem);
  static uint64_t childHash(int family, std::string_view key);

  HashSet hashes_;
};

}  // namespace dcemu::dc
