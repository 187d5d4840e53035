// One DC's replica persisted in its own RocksDB: a column family per naming
// context (schema, configuration, domain) holding objects and their indexes,
// and one for the DC's own state (invocationID, USN counter, later high-water
// marks and the UTD vector). Every change is one atomic WriteBatch.
//
// Keys inside a naming context's column family:
//   'o' guid                      -> encoded Object
//   'u' usnChanged(be64)          -> guid origins    changes in USN order
//   'c' parentGuid lower(rdn)     -> guid            children, RDN uniqueness
//   'b' target linkId(be32) source -> ""             back links (active values)
//   's' lower(sAMAccountName) 0 guid -> ""           live accounts
//   'i' sid guid                  -> ""              live security principals
//
// rocksdb/db.h stays out of this header: it is included widely.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "dc/ids.h"
#include "dc/object.h"
#include "dc/status.h"

namespace dcemu::dc {

enum class NamingContext : uint8_t { Schema = 0, Configuration = 1, Domain = 2 };
inline constexpr int kNamingContextCount = 3;
std::string_view namingContextName(NamingContext nc);

class Store;

// An entry of the USN index: an object changed at `usn`, and the writes its
// contents came from. A GetNCChanges source reads the object only when its
// destination lacks one of those writes.
class ChangeEntry {
 public:
  ChangeEntry(const Store& store, NamingContext nc, uint64_t usn, std::string_view value);

  uint64_t usn() const { return usn_; }
  const Guid& guid() const { return guid_; }
  // Whether `seen(invocationID, USN)` holds for every originating write the
  // object's attributes and link values carry: for each originating
  // invocationID, the highest originating USN among them. False when the
  // index does not list them (an object with many origins).
  bool allSeen(const std::function<bool(const Guid& invocationId, uint64_t originatingUsn)>& seen) const;
  Result<Object> read() const;

 private:
  const Store& store_;
  NamingContext nc_;
  uint64_t usn_;
  Guid guid_;
  std::string_view origins_;  // (invocationID, be64 USN) pairs; empty when not listed
};

// What many stores in one process share: the Env (memory or a directory),
// one block cache and one write-buffer manager.
class StoreEnv {
 public:
  struct Impl;
  static std::unique_ptr<StoreEnv> inMemory(size_t cacheBytes = 32 << 20);
  static std::unique_ptr<StoreEnv> onDisk(size_t cacheBytes = 32 << 20);
  ~StoreEnv();
  Impl& impl() { return *impl_; }

 private:
  explicit StoreEnv(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Store;

// An atomic set of changes; Store::write applies all of it or none. Reads
// given a readable batch as `through` see its writes over the store's.
class WriteBatch {
 public:
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;

  // Writes `after` over `before` (none for a new object), keeping every
  // index consistent with the object's new contents.
  void putObject(NamingContext nc, const Object& after, const Object* before);
  // Removes `before` and its index entries, as garbage collection does.
  void removeObject(NamingContext nc, const Object& before);
  void putState(std::string_view key, std::string_view value);
  void eraseState(std::string_view key);

 private:
  friend class Store;
  struct Impl;
  explicit WriteBatch(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Store {
 public:
  // Opens or creates the store at `path` (parents are created).
  static Result<std::unique_ptr<Store>> open(StoreEnv& env, const std::string& path);
  ~Store();

  WriteBatch newBatch();
  // A batch that reads may look through (the `through` arguments below).
  WriteBatch newReadableBatch();
  Status write(WriteBatch& batch);

  Result<std::optional<Object>> getObject(NamingContext nc, const Guid& guid,
                                          const WriteBatch* through = nullptr) const;
  // The object as stored now, shared with the store's cache of recent reads
  // (null when there is none): for reads that only look.
  Result<std::shared_ptr<const Object>> getShared(NamingContext nc, const Guid& guid) const;
  std::optional<Guid> childByName(NamingContext nc, const Guid& parent, std::string_view rdnValue,
                                  const WriteBatch* through = nullptr) const;
  // Calls `fn` for each child GUID of `parent`, in RDN order.
  void forEachChild(NamingContext nc, const Guid& parent, const std::function<void(const Guid&)>& fn,
                    const WriteBatch* through = nullptr) const;
  // The objects change entries name (ChangeEntry::read for each, in one
  // RocksDB call), in `guids`' order.
  std::vector<Result<Object>> readChangedObjects(NamingContext nc, const std::vector<Guid>& guids) const;
  // Objects whose usnChanged is above `usn`, in USN order, until fn says stop.
  Status forEachChangeSince(NamingContext nc, uint64_t usn, const std::function<bool(const Object&)>& fn) const;
  // The same walk over the USN index alone: `fn` reads an object only when
  // it needs it (a source skips what the destination has seen).
  Status forEachChangeEntry(NamingContext nc, uint64_t usn, const std::function<bool(const ChangeEntry&)>& fn) const;
  // Every object's stored encoding, in GUID order, until fn says stop.
  void forEachEncodedObject(NamingContext nc,
                            const std::function<bool(const Guid& guid, std::string_view bytes)>& fn) const;
  // Objects holding an active forward link to `target`, with the link's ID.
  void forEachBackLink(const Guid& target, const std::function<void(int linkId, const Guid& source)>& fn,
                       const WriteBatch* through = nullptr) const;
  std::optional<Guid> guidByAccountName(std::string_view samAccountName) const;
  std::optional<Guid> guidBySid(const Sid& sid) const;

  std::optional<std::string> getState(std::string_view key, const WriteBatch* through = nullptr) const;
  // Calls `fn` for each state entry whose key starts with `prefix`, in key order.
  void forEachState(std::string_view prefix,
                    const std::function<void(std::string_view key, std::string_view value)>& fn) const;

  // Bytes RocksDB holds in memory for this store (memtables and table readers).
  uint64_t memoryUsage() const;
  // Bytes of the table files the store uses now. Files a checkpoint shares
  // count in every store that uses them.
  uint64_t tableFileBytes() const;

  // Writes a consistent copy of the store to `path` (which must not exist)
  // in the same Env, as RocksDB's checkpoints do: table files are shared,
  // not copied, so a copy costs little until the two diverge. Store::open
  // opens the copy as a store of its own.
  Status checkpoint(const std::string& path);
  // Until compactToLastLevel, writes collect in large memtables flushed
  // into level 0 and left there unmerged: a store filled once and then
  // compacted whole (provisioning) merges its objects once instead of at
  // every flush, each merge rewriting what earlier ones wrote.
  Status beginBulkLoad();
  // Compacts every column family into the last level, and ends a bulk
  // load. Later writes compact among themselves in the upper levels for a
  // long while, so stores copied from this one by checkpoint keep sharing
  // its files.
  Status compactToLastLevel();

 private:
  friend class ChangeEntry;
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::optional<Guid> firstGuidWithPrefix(const std::string& prefix) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dcemu::dc
