#include "dc/store.h"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>
#include <rocksdb/write_buffer_manager.h>

#include <algorithm>
#include <list>
#include <map>
#include <unordered_map>
#include <vector>

#include "dc/bulk_load_index.h"
#include "dc/index_prefix.h"
#include "dc/memory_file_system.h"
#include "dc/schema.h"
#include "dc/text.h"

namespace dcemu::dc {

std::string_view namingContextName(NamingContext nc) {
  switch (nc) {
    case NamingContext::Schema: return "schema";
    case NamingContext::Configuration: return "configuration";
    case NamingContext::Domain: return "domain";
  }
  return "unknown";
}

struct StoreEnv::Impl {
  std::unique_ptr<rocksdb::Env> memoryEnv;  // RocksDB's memory Env, under ownedEnv; null on disk
  std::unique_ptr<rocksdb::Env> ownedEnv;   // the memory Env with its directories indexed; null on disk
  rocksdb::Env* env = nullptr;
  std::shared_ptr<rocksdb::Cache> blockCache;
  std::shared_ptr<rocksdb::WriteBufferManager> writeBuffers;
  bool inMemory = false;
};

StoreEnv::StoreEnv(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StoreEnv::~StoreEnv() = default;

namespace {

std::unique_ptr<StoreEnv::Impl> makeEnvImpl(rocksdb::Env* base, bool inMemory, size_t cacheBytes) {
  auto impl = std::make_unique<StoreEnv::Impl>();
  if (inMemory) {
    impl->memoryEnv.reset(rocksdb::NewMemEnv(base));
    impl->ownedEnv =
        rocksdb::NewCompositeEnv(std::make_shared<IndexedMemoryFileSystem>(impl->memoryEnv->GetFileSystem()));
    impl->env = impl->ownedEnv.get();
  } else {
    impl->env = base;
  }
  impl->inMemory = inMemory;
  impl->blockCache = rocksdb::NewLRUCache(cacheBytes);
  // Memtables of all stores count against one budget of their own. Charged
  // to the block cache, hundreds of memtables crowd every data block out.
  impl->writeBuffers = std::make_shared<rocksdb::WriteBufferManager>(cacheBytes * 4);
  return impl;
}

}  // namespace

std::unique_ptr<StoreEnv> StoreEnv::inMemory(size_t cacheBytes) {
  return std::unique_ptr<StoreEnv>(new StoreEnv(makeEnvImpl(rocksdb::Env::Default(), true, cacheBytes)));
}

std::unique_ptr<StoreEnv> StoreEnv::onDisk(size_t cacheBytes) {
  return std::unique_ptr<StoreEnv>(new StoreEnv(makeEnvImpl(rocksdb::Env::Default(), false, cacheBytes)));
}

namespace {

constexpr const char* kFamilyNames[] = {"schema", "configuration", "domain"};
constexpr int kStateFamily = kNamingContextCount;  // after the naming contexts
constexpr int kFamilyCount = kStateFamily + 1;

std::string bigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(v >> (8 * (7 - i)));
  return out;
}

std::string bigEndian32(uint32_t v) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(v >> (8 * (3 - i)));
  return out;
}

uint32_t readBigEndian32(std::string_view bytes) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(bytes[i]);
  return v;
}

uint64_t readBigEndian64(std::string_view bytes) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(bytes[i]);
  return v;
}

std::string objectKey(const Guid& guid) {
  return "o" + std::string(guid.asBytes());
}
std::string usnKey(uint64_t usn) {
  return "u" + bigEndian64(usn);
}
std::string childKey(const Guid& parent, std::string_view rdn) {
  return "c" + std::string(parent.asBytes()) + toLower(rdn);
}
std::string backLinkKey(const Guid& target, int linkId, const Guid& source) {
  return "b" + std::string(target.asBytes()) + bigEndian32(static_cast<uint32_t>(linkId)) +
         std::string(source.asBytes());
}
// Replication can bring two live accounts with one sAMAccountName (AD lets
// it, and reports the duplicate), so these keys end with the object's GUID.
std::string accountPrefix(std::string_view sam) {
  return "s" + toLower(sam) + '\0';
}
std::string sidPrefix(const std::string& sidBytes) {
  return "i" + sidBytes;  // a SID's bytes carry their own length
}

rocksdb::Slice slice(std::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

// The attribute IDs the indexes read, looked up once.
struct IndexedAttributes {
  uint32_t name, sam, sid, isDeleted;
  IndexedAttributes() {
    const Schema& s = Schema::builtin();
    name = s.attribute("name")->id;
    sam = s.attribute("sAMAccountName")->id;
    sid = s.attribute("objectSid")->id;
    isDeleted = s.attribute("isDeleted")->id;
  }
};

const IndexedAttributes& indexed() {
  static const IndexedAttributes ids;
  return ids;
}

bool isLive(const Object& obj) {
  const std::string* deleted = obj.firstValue(indexed().isDeleted);
  return !(deleted && !deleted->empty() && (*deleted)[0]);
}

// The object a USN index entry names, from its stored bytes.
Result<Object> decodeChanged(const std::optional<std::string>& bytes) {
  if (!bytes) return Status(LdapResult::other, "store: USN index names a missing object");
  return Object::decode(*bytes);
}

// The USN index's value: the object's GUID, then for each invocationID its
// attributes and link values were written at (in GUID order), the highest
// originating USN among them. An object with more origins than a source
// would gain from listing lists none, and is read.
constexpr size_t kListedOrigins = 16;
constexpr size_t kOriginBytes = 16 + 8;

std::string usnIndexValue(const Object& obj) {
  std::vector<std::pair<Guid, uint64_t>> origins;
  auto note = [&](const Stamp& stamp) {
    for (auto& [id, usn] : origins) {
      if (id == stamp.originatingInvocationId) {
        usn = std::max(usn, stamp.originatingUsn);
        return;
      }
    }
    origins.emplace_back(stamp.originatingInvocationId, stamp.originatingUsn);
  };
  for (const AttributeEntry& a : obj.attributes) note(a.stamp);
  for (const LinkEntry& l : obj.links) note(l.stamp);
  std::string value(obj.guid.asBytes());
  if (origins.size() > kListedOrigins) return value;
  std::sort(origins.begin(), origins.end());
  for (const auto& [id, usn] : origins) value += std::string(id.asBytes()) + bigEndian64(usn);
  return value;
}

// Index entries an object contributes; putObject writes the difference.
std::vector<std::string> indexKeysOf(const Object& obj) {
  const IndexedAttributes& ids = indexed();
  std::vector<std::string> keys;
  keys.push_back(usnKey(obj.usnChanged));
  if (obj.parent) {
    if (const std::string* name = obj.firstValue(ids.name)) keys.push_back(childKey(*obj.parent, *name));
  }
  if (isLive(obj)) {
    std::string guid(obj.guid.asBytes());
    if (const std::string* sam = obj.firstValue(ids.sam)) keys.push_back(accountPrefix(*sam) + guid);
    if (const std::string* sid = obj.firstValue(ids.sid)) keys.push_back(sidPrefix(*sid) + guid);
  }
  for (const LinkEntry& link : obj.links) {
    if (!link.active) continue;
    const AttributeDef* def = Schema::builtin().attributeById(link.attributeId);
    if (def) keys.push_back(backLinkKey(link.target, def->linkId, obj.guid));
  }
  return keys;
}

}  // namespace

struct WriteBatch::Impl {
  // A readable batch keeps the last write of each key, by family, so that
  // reads through it see them (std::nullopt: deleted), and becomes a RocksDB
  // batch in key order when written. RocksDB's WriteBatchWithIndex, used
  // before, searched and inserted into a skip list of offsets into the
  // batch for every key, a tenth of applying a full sync; and memtable
  // inserts in key order are cheaper. Originating operations write one
  // object and use the plain batch directly.
  using PendingWrites = std::map<std::string, std::optional<std::string>, std::less<>>;
  bool readable = false;
  PendingWrites pending[kFamilyCount];
  rocksdb::WriteBatch plain;
  const std::vector<rocksdb::ColumnFamilyHandle*>* families;  // the store's

  std::vector<std::pair<NamingContext, Guid>> objectsWritten;  // for the store's object cache
  // Index keys added or removed, in the order the batch wrote them: the
  // store drops their cached lookups, and its bulk-load index notes the
  // added ones.
  struct IndexKeyChange {
    int family;
    std::string key;
    bool present;  // added, not removed
  };
  std::vector<IndexKeyChange> indexKeysChanged;
  // The DC state records the batch writes, in order: the store's cache of
  // them takes their values once the batch is written.
  std::vector<std::pair<std::string, std::optional<std::string>>> stateWritten;  // nullopt: erased
  void noteIndexKey(int family, std::string_view key, bool present) {
    indexKeysChanged.push_back({family, std::string(key), present});
  }

  void put(int family, std::string key, std::string value) {
    if (!readable) {
      plain.Put((*families)[family], slice(key), slice(value));
      return;
    }
    record(family, std::move(key), std::move(value));
  }
  void erase(int family, std::string key) {
    if (!readable) {
      plain.Delete((*families)[family], slice(key));
      return;
    }
    record(family, std::move(key), std::nullopt);
  }
  void record(int family, std::string key, std::optional<std::string> value) {
    PendingWrites& writes = pending[family];
    auto at = writes.lower_bound(key);
    if (at != writes.end() && at->first == key) {
      at->second = std::move(value);
    } else {
      writes.emplace_hint(at, std::move(key), std::move(value));
    }
  }
  // The batch's last write of `key`, or null when it has none.
  const std::optional<std::string>* pendingWrite(int family, std::string_view key) const {
    if (!readable) return nullptr;
    auto at = pending[family].find(key);
    return at == pending[family].end() ? nullptr : &at->second;
  }
  // What Store::write hands RocksDB: its buffer sized once, where growing
  // it copied a chunk's megabytes several times over.
  rocksdb::WriteBatch ordered() const {
    constexpr size_t kRecordOverhead = 16;  // tag, family and two lengths, as varints
    size_t bytes = 12;                      // the batch's header
    for (const PendingWrites& writes : pending) {
      for (const auto& [key, value] : writes) bytes += kRecordOverhead + key.size() + (value ? value->size() : 0);
    }
    rocksdb::WriteBatch out(bytes);
    for (int family = 0; family < kFamilyCount; ++family) {
      for (const auto& [key, value] : pending[family]) {
        if (value) {
          out.Put((*families)[family], slice(key), slice(*value));
        } else {
          out.Delete((*families)[family], slice(key));
        }
      }
    }
    return out;
  }
};

WriteBatch::WriteBatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;

void WriteBatch::putObject(NamingContext nc, const Object& after, const Object* before) {
  int family = static_cast<int>(nc);
  std::vector<std::string> newKeys = indexKeysOf(after);
  std::vector<std::string> oldKeys = before ? indexKeysOf(*before) : std::vector<std::string>();
  auto contains = [](const std::vector<std::string>& keys, const std::string& key) {
    return std::find(keys.begin(), keys.end(), key) != keys.end();
  };
  for (const std::string& key : oldKeys) {
    if (contains(newKeys, key)) continue;
    impl_->erase(family, key);
    impl_->noteIndexKey(family, key, false);
  }
  // Index entries the object already had stay as they are: an entry's value
  // is the object's GUID (or empty), which no write changes. The USN entry
  // is the exception: it lists the object's origins.
  std::string guidBytes(after.guid.asBytes());
  for (const std::string& key : newKeys) {
    if (key[0] == 'u') {
      impl_->put(family, key, usnIndexValue(after));
      continue;
    }
    if (contains(oldKeys, key)) continue;
    bool guidInKey = key[0] == 'b' || key[0] == 's' || key[0] == 'i';
    impl_->put(family, key, guidInKey ? std::string() : guidBytes);
    impl_->noteIndexKey(family, key, true);
  }
  impl_->put(family, objectKey(after.guid), after.encode());
  impl_->objectsWritten.push_back({nc, after.guid});
}

void WriteBatch::removeObject(NamingContext nc, const Object& before) {
  int family = static_cast<int>(nc);
  for (const std::string& key : indexKeysOf(before)) {
    impl_->erase(family, key);
    impl_->noteIndexKey(family, key, false);
  }
  impl_->erase(family, objectKey(before.guid));
  impl_->objectsWritten.push_back({nc, before.guid});
}

void WriteBatch::putState(std::string_view key, std::string_view value) {
  impl_->put(kStateFamily, std::string(key), std::string(value));
  impl_->stateWritten.emplace_back(key, std::string(value));
}

void WriteBatch::eraseState(std::string_view key) {
  impl_->erase(kStateFamily, std::string(key));
  impl_->stateWritten.emplace_back(key, std::nullopt);
}

// Decoded objects recently read, so that reading the same few objects
// again and again (the KDC's accounts and groups, the containers a DN walks
// through) does not unpack and decode them each time. Bounded, least
// recently used first out; a written object leaves it when its batch is
// written. Reads through a batch use it but do not fill it.
class ObjectCache {
 public:
  static constexpr size_t kCapacity = 128;

  std::shared_ptr<const Object> find(NamingContext nc, const Guid& guid) {
    auto it = index_.find({nc, guid});
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }
  void insert(NamingContext nc, std::shared_ptr<const Object> obj) {
    Key key{nc, obj->guid};
    if (index_.count(key)) return;
    order_.emplace_front(key, std::move(obj));
    index_[key] = order_.begin();
    if (order_.size() > kCapacity) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }
  void erase(NamingContext nc, const Guid& guid) {
    auto it = index_.find({nc, guid});
    if (it == index_.end()) return;
    order_.erase(it->second);
    index_.erase(it);
  }

 private:
  using Key = std::pair<NamingContext, Guid>;
  // Shared so that readers keep an object a later write evicts.
  std::list<std::pair<Key, std::shared_ptr<const Object>>> order_;  // most recently used first
  std::map<Key, std::list<std::pair<Key, std::shared_ptr<const Object>>>::iterator> index_;
};

// The DC's state records as last read or written (the UTD vector of each
// naming context, each partner's repsFrom, the USN counter): every pull
// reads several of them, on both sides, and each read searched the
// memtables and table files of the state family, whose blocks the objects
// crowd out of the block cache. Every write of a record goes through
// Store::write, which keeps its cached value in step; a record absent from
// the store is remembered as absent. Bounded in bytes, since a replica's
// UTD vector grows with the forest (a hub of 3,000 sites: 96 KiB each);
// when full it starts again empty.
class StateCache {
 public:
  static constexpr size_t kCapacityBytes = 64 << 10;

  // The cached value of `key` (std::nullopt inside: absent from the store),
  // or null when it is not cached.
  const std::optional<std::string>* find(std::string_view key) const {
    auto found = records_.find(key);
    return found == records_.end() ? nullptr : &found->second;
  }
  void set(std::string_view key, std::optional<std::string> value) {
    auto found = records_.find(key);
    if (found != records_.end()) {
      bytes_ -= sizeOf(found->first, found->second);
      records_.erase(found);
    }
    size_t size = sizeOf(key, value);
    if (size > kCapacityBytes) return;
    if (bytes_ + size > kCapacityBytes) {
      records_.clear();
      bytes_ = 0;
    }
    bytes_ += size;
    records_.emplace(std::string(key), std::move(value));
  }

 private:
  static size_t sizeOf(std::string_view key, const std::optional<std::string>& value) {
    constexpr size_t kEntryOverhead = 64;
    return kEntryOverhead + key.size() + (value ? value->size() : 0);
  }

  std::map<std::string, std::optional<std::string>, std::less<>> records_;
  size_t bytes_ = 0;
};

struct Store::Impl {
  std::unique_ptr<rocksdb::DB> db;
  mutable ObjectCache objects;
  // Index lookups the KDC repeats at every logon (an account's groups
  // through the back links, accounts by name and SID) and every DN walks
  // (children by name), until a write adds or removes the index entry they
  // read. Cleared when they grow large.
  static constexpr size_t kLookupsKept = 1024;
  mutable std::map<Guid, std::vector<std::pair<int, Guid>>> backLinks;
  mutable std::map<std::string, std::optional<Guid>, std::less<>> firstWithPrefix;
  mutable bool irregularLookupKept = false;  // firstWithPrefix holds a prefix that is no self-delimiting stem
  mutable std::map<std::pair<int, std::string>, std::optional<Guid>> children;  // (family, child key) → GUID
  std::unique_ptr<BulkLoadIndex> bulkLoadIndex;                                 // during a bulk load
  mutable StateCache state;
  std::vector<rocksdb::ColumnFamilyHandle*> families;  // naming contexts, then state
  rocksdb::ReadOptions readOptions = scanOptions();
  rocksdb::WriteOptions writeOptions;

  static rocksdb::ReadOptions scanOptions() {
    rocksdb::ReadOptions options;
    options.prefix_same_as_start = true;
    return options;
  }

  ~Impl() {
    // Debian's RocksDB asserts that handles are gone before the DB.
    for (auto* handle : families) {
      if (db && handle) db->DestroyColumnFamilyHandle(handle);
    }
    families.clear();
    db.reset();
  }

  // Drops the cached lookup that read index key `key` of `family`.
  void forgetLookup(int family, const std::string& key) {
    constexpr size_t kGuidBytes = 16;
    switch (key[0]) {
      case 'b': backLinks.erase(Guid::fromBytes(std::string_view(key).substr(1, kGuidBytes))); break;
      case 's':
      case 'i': forgetPrincipalLookups(key); break;
      case 'c': children.erase({family, key}); break;
    }
  }

  // A write of account-name or SID key `key` changes what a seek for any
  // prefix of it finds. For keys and lookups whose stems end where their
  // encoding says (the rest are names holding a 0 or malformed SIDs) that
  // is only the lookup of the key's own stem.
  void forgetPrincipalLookups(const std::string& key) {
    std::string_view stem = principalStem(key);
    if (!irregularLookupKept && isSelfDelimitingPrincipalStem(stem)) {
      if (auto cached = firstWithPrefix.find(stem); cached != firstWithPrefix.end()) firstWithPrefix.erase(cached);
      return;
    }
    for (size_t length = 1; length <= key.size(); ++length) firstWithPrefix.erase(key.substr(0, length));
  }

  rocksdb::ColumnFamilyHandle* family(NamingContext nc) const { return families[static_cast<int>(nc)]; }

  // Reads see `through`'s writes over the DB's when it is given.
  std::optional<std::string> get(int family, std::string_view key, const WriteBatch* through = nullptr) const {
    if (through) {
      if (const auto* written = through->impl_->pendingWrite(family, key)) return *written;
    }
    std::string value;
    if (!db->Get(readOptions, families[family], slice(key), &value).ok()) return std::nullopt;
    return value;
  }

  // Point reads of `keys` in one RocksDB MultiGet, which sorts them and
  // searches the memtables and each table once for them all: values in
  // `keys`' order, std::nullopt for a key the store lacks.
  Result<std::vector<std::optional<std::string>>> multiGet(int family, const std::vector<std::string>& keys) const {
    if (keys.empty()) return std::vector<std::optional<std::string>>();
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db->MultiGet(readOptions, families[family], keys.size(), slices.data(), values.data(), statuses.data());
    std::vector<std::optional<std::string>> found(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].ok()) {
        found[i] = values[i].ToString();
      } else if (!statuses[i].IsNotFound()) {
        return Status(LdapResult::unavailable, "store: read failed: " + statuses[i].ToString());
      }
    }
    return found;
  }

  // Calls fn(key, value) for keys starting with `prefix`, until it returns
  // false. `from` lies inside one key prefix (dc/index_prefix.h) holding
  // every key `prefix` starts, so the scan never reads past it.
  void scan(int family, std::string_view prefix, std::string_view from,
            const std::function<bool(std::string_view, std::string_view)>& fn,
            const WriteBatch* through = nullptr) const {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(readOptions, families[family]));
    it->Seek(slice(from));
    if (!through || !through->impl_->readable) {
      for (; it->Valid(); it->Next()) {
        std::string_view key = view(it->key());
        if (!key.starts_with(prefix) || !fn(key, view(it->value()))) break;
      }
      return;
    }
    // The store's keys and the batch's, merged in order; where both have a
    // key, the batch's write (a value or a delete) is what reads see.
    const WriteBatch::Impl::PendingWrites& pending = through->impl_->pending[family];
    auto written = pending.lower_bound(from);
    for (;;) {
      bool inStore = it->Valid() && view(it->key()).starts_with(prefix);
      bool inBatch = written != pending.end() && std::string_view(written->first).starts_with(prefix);
      if (!inStore && !inBatch) return;
      int order = !inBatch ? -1 : !inStore ? 1 : view(it->key()).compare(written->first);
      if (order < 0) {
        if (!fn(view(it->key()), view(it->value()))) return;
        it->Next();
        continue;
      }
      if (order == 0) it->Next();
      if (written->second && !fn(written->first, *written->second)) return;
      ++written;
    }
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;

namespace {

constexpr int kLastLevel = 6;
constexpr int kWriteBufferBytes = 8 << 20;
constexpr int kLevel0SlowdownFiles = 20, kLevel0StopFiles = 36;  // RocksDB's defaults
constexpr std::string_view kFormatKey = "storeFormat";
// 3: objects as flat (unpacked) Cap'n Proto messages, the DC's state in
// the default family. Format 2 kept the state in a family of its own.
constexpr std::string_view kFormat = "3";
constexpr const char* kOldStateFamilyName = "dsa-state";

Status ioError(std::string_view what, const std::string& path, const rocksdb::Status& s) {
  return Status(LdapResult::unavailable, fmt::format("store {}: {}: {}", path, what, s.ToString()));
}

Status olderStore(const std::string& path) {
  return Status(LdapResult::unavailable,
                fmt::format("store {}: written by an older dcemu, whose store format this one does not read; "
                            "provision it again",
                            path));
}

Status createDirectories(rocksdb::Env* env, const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    rocksdb::Status s = env->CreateDirIfMissing(path.substr(0, slash));
    if (!s.ok()) return ioError("cannot create directory", path, s);
  }
  rocksdb::Status s = env->CreateDirIfMissing(path);
  if (!s.ok()) return ioError("cannot create directory", path, s);
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(StoreEnv& storeEnv, const std::string& path) {
  StoreEnv::Impl& shared = storeEnv.impl();
  DCEMU_RETURN_IF_ERROR(createDirectories(shared.env, path));

  rocksdb::BlockBasedTableOptions table;
  table.block_size = 16 << 10;  // larger blocks compress the many alike security descriptors better
  table.block_cache = shared.blockCache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Index blocks uncompressed: a table reader in memory then reads its
  // index in place instead of holding a decompressed copy, and each of a
  // run's thousands of stores opened from the first's checkpoint would
  // hold one per table (at a hub of 3,000 sites, 100 MiB and 28,000 page
  // faults of the run's start).
  table.enable_index_compression = false;
  table.cache_index_and_filter_blocks = false;  // pinned with the table reader: no cache lookup per Get

  rocksdb::ColumnFamilyOptions familyOptions;
  familyOptions.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  familyOptions.write_buffer_size = kWriteBufferBytes;
  familyOptions.level0_slowdown_writes_trigger = kLevel0SlowdownFiles;
  familyOptions.level0_stop_writes_trigger = kLevel0StopFiles;
  familyOptions.max_write_buffer_number = 2;
  // Hundreds of stores share one write-buffer budget: small arena blocks
  // keep an idle column family's memtable from charging a megabyte.
  familyOptions.arena_block_size = 64 << 10;
  familyOptions.num_levels = kLastLevel + 1;
  // ZSTD on every level: a memory Env keeps every table file in the
  // process, and flushes compress on a background thread. Against LZ4 in the
  // upper levels it cut enterprise-50's table files after 7 simulated days
  // from 3,435 to 3,155 MiB (its peak RSS from 1,807 to 1,277 MiB) at the
  // same speed in memory; on disk the same 7 days took 304 s instead of
  // 206 s, as every block the cache misses is decompressed again.
  familyOptions.compression = rocksdb::kZSTD;
  // The state family's keys follow no index layout: it has no prefixes.
  rocksdb::ColumnFamilyOptions stateOptions = familyOptions;
  familyOptions.prefix_extractor = newIndexPrefixExtractor();
  // A replication batch writes its keys in order, and new changes go to the
  // end of the USN index: each memtable insert starts its search at the
  // last insert under the same prefix instead of at the top of the list.
  familyOptions.memtable_insert_with_hint_prefix_extractor = newInsertHintExtractor();

  rocksdb::DBOptions dbOptions;
  dbOptions.env = shared.env;
  dbOptions.create_if_missing = true;
  dbOptions.create_missing_column_families = true;
  dbOptions.write_buffer_manager = shared.writeBuffers;
  // In memory every table stays open: a table reader there holds no file
  // and no copy of the table's index and filter (they are read in place),
  // where reopening evicted readers cost a provisioning of 500,000 users a
  // third of its time. On disk, 147 stores share the process's files.
  dbOptions.max_open_files = shared.inMemory ? -1 : 64;
  dbOptions.max_background_jobs = 1;
  // Opening a store loads its table files with this many threads, started
  // and joined per column family: 16 by default, so some 75 threads per
  // store, a third of starting a run of 1,000 DCs in system time. The
  // files are few and in memory or the page cache; the opening thread
  // loads them faster itself.
  dbOptions.max_file_opening_threads = 1;
  // One shard for the cache of open tables instead of 64: a store's
  // tables are few and read by one thread at a time, and 64 shards cost
  // each store some 27 KiB (80 MiB at 3,000 stores).
  dbOptions.table_cache_numshardbits = 0;
  dbOptions.info_log_level = rocksdb::InfoLogLevel::ERROR_LEVEL;
  dbOptions.keep_log_file_num = 1;

  // The DC's own state lives in RocksDB's default family, which every
  // store has: each family costs a store's open some 30 KiB of caches and
  // statistics and a section of its OPTIONS file, written and read back.
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilyNames) families.emplace_back(name, familyOptions);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, stateOptions);
  // A new store gets its families in one call: RocksDB rewrites and
  // re-reads its OPTIONS file after each family it creates, which made
  // opening a store the largest cost of a short run.
  std::vector<std::string> existing;
  bool fresh = !rocksdb::DB::ListColumnFamilies(dbOptions, path, &existing).ok() || existing.size() <= 1;
  if (std::find(existing.begin(), existing.end(), kOldStateFamilyName) != existing.end()) return olderStore(path);
  if (!fresh) descriptors.insert(descriptors.end(), families.begin(), families.end());

  auto impl = std::make_unique<Impl>();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(dbOptions, path, descriptors, &handles, &raw);
  if (!s.ok()) return ioError("cannot open", path, s);
  impl->db.reset(raw);
  if (fresh) {
    std::vector<rocksdb::ColumnFamilyHandle*> created;
    s = raw->CreateColumnFamilies(families, &created);
    if (!s.ok()) {
      for (auto* handle : handles) raw->DestroyColumnFamilyHandle(handle);
      for (auto* handle : created) raw->DestroyColumnFamilyHandle(handle);
      impl->db.reset();
      return ioError("cannot create the column families of", path, s);
    }
    handles.insert(handles.end(), created.begin(), created.end());
  }
  // A memory Env's files die with the process, so its WAL protects nothing;
  // a clean close flushes the memtables. On disk the WAL stays: it is what
  // makes a killed process keep every committed batch.
  impl->writeOptions.disableWAL = shared.inMemory;
  impl->families.assign(handles.begin() + 1, handles.end());
  impl->families.push_back(handles[0]);  // the state, after the naming contexts
  // How the store is laid out. Stores before format 2 held objects packed
  // and wrote no format; reading those as unpacked would call every object
  // corrupt, so they are refused whole, as is any other format.
  if (fresh) {
    s = raw->Put(impl->writeOptions, impl->families[kStateFamily], slice(kFormatKey), slice(kFormat));
    if (!s.ok()) return ioError("cannot write the format of", path, s);
  } else if (impl->get(kStateFamily, kFormatKey) != std::optional<std::string>(kFormat)) {
    return olderStore(path);
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

Status Store::checkpoint(const std::string& path) {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(impl_->db.get(), &raw);
  if (!s.ok()) return ioError("cannot checkpoint", path, s);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // 0: always flush first, since a memory Env's store writes no WAL.
  s = checkpoint->CreateCheckpoint(path, 0);
  if (!s.ok()) return ioError("cannot checkpoint", path, s);
  return Status::ok();
}

namespace {

// Options a bulk load changes, with their values during it and after.
struct BulkLoadOption {
  const char* name;
  std::string during, after;
};

std::vector<BulkLoadOption> bulkLoadOptions() {
  constexpr int kNever = 1 << 30;
  return {
      {"disable_auto_compactions", "true", "false"},
      // Level 0 may hold every file of the load: no write waits for it.
      {"level0_slowdown_writes_trigger", std::to_string(kNever), std::to_string(kLevel0SlowdownFiles)},
      {"level0_stop_writes_trigger", std::to_string(kNever), std::to_string(kLevel0StopFiles)},
  };
}

Status setOptions(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& families, bool during) {
  std::unordered_map<std::string, std::string> values;
  for (const BulkLoadOption& option : bulkLoadOptions()) values[option.name] = during ? option.during : option.after;
  for (int family = 0; family < kNamingContextCount; ++family) {
    rocksdb::Status s = db.SetOptions(families[family], values);
    if (!s.ok()) return Status(LdapResult::unavailable, "store: cannot set options: " + s.ToString());
  }
  return Status::ok();
}

}  // namespace

Status Store::beginBulkLoad() {
  auto index = std::make_unique<BulkLoadIndex>();
  DCEMU_RETURN_IF_ERROR(index->read(*impl_->db, impl_->families));
  impl_->bulkLoadIndex = std::move(index);
  return setOptions(*impl_->db, impl_->families, true);
}

Status Store::compactToLastLevel() {
  impl_->bulkLoadIndex.reset();
  rocksdb::CompactRangeOptions options;
  options.change_level = true;
  options.target_level = kLastLevel;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  // The caller waits for it: the store's one background thread and the
  // caller's idle core split the key range between them.
  options.max_subcompactions = 2;
  for (rocksdb::ColumnFamilyHandle* family : impl_->families) {
    rocksdb::Status s = impl_->db->CompactRange(options, family, nullptr, nullptr);
    if (!s.ok()) return Status(LdapResult::unavailable, "store: compaction failed: " + s.ToString());
  }
  return setOptions(*impl_->db, impl_->families, false);
}

WriteBatch Store::newBatch() {
  auto impl = std::make_unique<WriteBatch::Impl>();
  impl->families = &impl_->families;
  return WriteBatch(std::move(impl));
}

WriteBatch Store::newReadableBatch() {
  auto impl = std::make_unique<WriteBatch::Impl>();
  impl->families = &impl_->families;
  impl->readable = true;
  return WriteBatch(std::move(impl));
}

Status Store::write(WriteBatch& batch) {
  for (const auto& [nc, guid] : batch.impl_->objectsWritten) impl_->objects.erase(nc, guid);
  for (const auto& change : batch.impl_->indexKeysChanged) impl_->forgetLookup(change.family, change.key);
  rocksdb::Status s;
  if (batch.impl_->readable) {
    rocksdb::WriteBatch ordered = batch.impl_->ordered();
    s = impl_->db->Write(impl_->writeOptions, &ordered);
  } else {
    s = impl_->db->Write(impl_->writeOptions, &batch.impl_->plain);
  }
  if (!s.ok()) return Status(LdapResult::unavailable, "store: write failed: " + s.ToString());
  for (auto& [key, value] : batch.impl_->stateWritten) impl_->state.set(key, std::move(value));
  batch.impl_->stateWritten.clear();
  if (impl_->bulkLoadIndex) {
    for (const auto& change : batch.impl_->indexKeysChanged) {
      if (change.present) impl_->bulkLoadIndex->noteAdded(change.family, change.key);
    }
  }
  return Status::ok();
}

Result<std::optional<Object>> Store::getObject(NamingContext nc, const Guid& guid, const WriteBatch* through) const {
  if (!through) {
    auto shared = getShared(nc, guid);
    if (!shared) return shared.status();
    if (!*shared) return std::optional<Object>();
    return std::optional<Object>(**shared);
  }
  // What the batch has not written is read as without it, through the
  // cache of recent reads (not filled by reads through a batch: replication
  // reads thousands of objects once).
  std::string key = objectKey(guid);
  std::optional<std::string> bytes;
  if (const auto* written = through->impl_->pendingWrite(static_cast<int>(nc), key)) {
    bytes = *written;
  } else if (auto cached = impl_->objects.find(nc, guid)) {
    return std::optional<Object>(*cached);
  } else {
    bytes = impl_->get(static_cast<int>(nc), key);
  }
  if (!bytes) return std::optional<Object>();
  auto obj = Object::decode(*bytes);
  if (!obj) return obj.status();
  return std::optional<Object>(std::move(*obj));
}

std::vector<Result<Object>> Store::readChangedObjects(NamingContext nc, const std::vector<Guid>& guids) const {
  std::vector<std::string> keys;
  keys.reserve(guids.size());
  for (const Guid& guid : guids) keys.push_back(objectKey(guid));
  std::vector<Result<Object>> objects;
  objects.reserve(guids.size());
  auto values = impl_->multiGet(static_cast<int>(nc), keys);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!values) {
      objects.emplace_back(values.status());
    } else {
      objects.push_back(decodeChanged((*values)[i]));
    }
  }
  return objects;
}

Result<std::shared_ptr<const Object>> Store::getShared(NamingContext nc, const Guid& guid) const {
  if (auto cached = impl_->objects.find(nc, guid)) return cached;
  auto bytes = impl_->get(static_cast<int>(nc), objectKey(guid));
  if (!bytes) return std::shared_ptr<const Object>();
  auto obj = Object::decode(*bytes);
  if (!obj) return obj.status();
  auto shared = std::make_shared<const Object>(std::move(*obj));
  impl_->objects.insert(nc, shared);
  return shared;
}

std::optional<Guid> Store::childByName(NamingContext nc, const Guid& parent, std::string_view rdnValue,
                                       const WriteBatch* through) const {
  std::pair<int, std::string> key{static_cast<int>(nc), childKey(parent, rdnValue)};
  auto guidIn = [](const std::optional<std::string>& value) {
    return value && value->size() == 16 ? std::optional<Guid>(Guid::fromBytes(*value)) : std::nullopt;
  };
  if (through) {
    if (const auto* written = through->impl_->pendingWrite(key.first, key.second)) return guidIn(*written);
  }
  if (impl_->bulkLoadIndex && !impl_->bulkLoadIndex->mayHaveChild(key.first, key.second)) return std::nullopt;
  auto cached = impl_->children.find(key);
  if (cached != impl_->children.end()) return cached->second;
  std::optional<Guid> found = guidIn(impl_->get(key.first, key.second));
  // Not filled by reads through a batch: replication looks up thousands of
  // new names once.
  if (through) return found;
  if (impl_->children.size() >= Impl::kLookupsKept) impl_->children.clear();
  impl_->children.emplace(std::move(key), found);
  return found;
}

void Store::forEachChild(NamingContext nc, const Guid& parent, const std::function<void(const Guid&)>& fn,
                         const WriteBatch* through) const {
  std::string prefix = "c" + std::string(parent.asBytes());
  impl_->scan(
      static_cast<int>(nc), prefix, prefix,
      [&](std::string_view, std::string_view value) {
        if (value.size() == 16) fn(Guid::fromBytes(value));
        return true;
      },
      through);
}

ChangeEntry::ChangeEntry(const Store& store, NamingContext nc, uint64_t usn, std::string_view value)
    : store_(store), nc_(nc), usn_(usn), guid_(Guid::fromBytes(value.substr(0, 16))), origins_(value.substr(16)) {}

bool ChangeEntry::allSeen(const std::function<bool(const Guid&, uint64_t)>& seen) const {
  if (origins_.empty()) return false;
  for (size_t at = 0; at + kOriginBytes <= origins_.size(); at += kOriginBytes) {
    if (!seen(Guid::fromBytes(origins_.substr(at, 16)), readBigEndian64(origins_.substr(at + 16, 8)))) return false;
  }
  return true;
}

Result<Object> ChangeEntry::read() const {
  return decodeChanged(store_.impl_->get(static_cast<int>(nc_), objectKey(guid_)));
}

Status Store::forEachChangeEntry(NamingContext nc, uint64_t usn,
                                 const std::function<bool(const ChangeEntry&)>& fn) const {
  Status failure;
  impl_->scan(static_cast<int>(nc), "u", usnKey(usn + 1), [&](std::string_view key, std::string_view value) {
    if (key.size() != 9 || value.size() < 16 || (value.size() - 16) % kOriginBytes != 0) {
      failure = Status(LdapResult::other, "store: a USN index entry is malformed");
      return false;
    }
    return fn(ChangeEntry(*this, nc, readBigEndian64(key.substr(1)), value));
  });
  return failure;
}

Status Store::forEachChangeSince(NamingContext nc, uint64_t usn, const std::function<bool(const Object&)>& fn) const {
  Status failure;
  Status scan = forEachChangeEntry(nc, usn, [&](const ChangeEntry& entry) {
    auto obj = entry.read();
    if (!obj) {
      failure = obj.status();
      return false;
    }
    return fn(*obj);
  });
  return scan.isOk() ? failure : scan;
}

void Store::forEachEncodedObject(NamingContext nc, const std::function<bool(const Guid&, std::string_view)>& fn) const {
  impl_->scan(static_cast<int>(nc), "o", "o", [&](std::string_view key, std::string_view value) {
    return key.size() != 17 || fn(Guid::fromBytes(key.substr(1)), value);
  });
}

void Store::forEachBackLink(const Guid& target, const std::function<void(int, const Guid&)>& fn,
                            const WriteBatch* through) const {
  if (!through) {
    auto cached = impl_->backLinks.find(target);
    if (cached != impl_->backLinks.end()) {
      for (const auto& [linkId, source] : cached->second) fn(linkId, source);
      return;
    }
  }
  std::vector<std::pair<int, Guid>> found;
  std::string prefix = "b" + std::string(target.asBytes());
  for (int family = 0; family < kNamingContextCount; ++family) {
    impl_->scan(
        family, prefix, prefix,
        [&](std::string_view key, std::string_view) {
          found.push_back({static_cast<int>(readBigEndian32(key.substr(17, 4))), Guid::fromBytes(key.substr(21, 16))});
          return true;
        },
        through);
  }
  for (const auto& [linkId, source] : found) fn(linkId, source);
  if (through) return;
  if (impl_->backLinks.size() >= Impl::kLookupsKept) impl_->backLinks.clear();
  impl_->backLinks.emplace(target, std::move(found));
}

std::optional<Guid> Store::firstGuidWithPrefix(const std::string& prefix) const {
  if (impl_->bulkLoadIndex && !impl_->bulkLoadIndex->mayHavePrincipal(prefix)) return std::nullopt;
  auto cached = impl_->firstWithPrefix.find(prefix);
  if (cached != impl_->firstWithPrefix.end()) return cached->second;
  std::optional<Guid> found;
  impl_->scan(static_cast<int>(NamingContext::Domain), prefix, prefix, [&](std::string_view key, std::string_view) {
    if (key.size() == prefix.size() + 16) found = Guid::fromBytes(key.substr(prefix.size()));
    return false;
  });
  if (impl_->firstWithPrefix.size() >= Impl::kLookupsKept) {
    impl_->firstWithPrefix.clear();
    impl_->irregularLookupKept = false;
  }
  impl_->firstWithPrefix.emplace(prefix, found);
  if (!isSelfDelimitingPrincipalStem(prefix)) impl_->irregularLookupKept = true;
  return found;
}

std::optional<Guid> Store::guidByAccountName(std::string_view samAccountName) const {
  return firstGuidWithPrefix(accountPrefix(samAccountName));
}

std::optional<Guid> Store::guidBySid(const Sid& sid) const {
  return firstGuidWithPrefix(sidPrefix(sid.toBytes()));
}

std::optional<std::string> Store::getState(std::string_view key, const WriteBatch* through) const {
  if (through) {
    if (const auto* written = through->impl_->pendingWrite(kStateFamily, key)) return *written;
  }
  if (const auto* cached = impl_->state.find(key)) return *cached;
  std::optional<std::string> value = impl_->get(kStateFamily, key);
  impl_->state.set(key, value);
  return value;
}

void Store::forEachState(std::string_view prefix,
                         const std::function<void(std::string_view key, std::string_view value)>& fn) const {
  impl_->scan(kStateFamily, std::string(prefix), std::string(prefix),
              [&](std::string_view key, std::string_view value) {
                fn(key, value);
                return true;
              });
}

uint64_t Store::memoryUsage() const {
  uint64_t total = 0;
  for (auto* handle : impl_->families) {
    uint64_t value = 0;
    for (const char* property : {"rocksdb.cur-size-all-mem-tables", "rocksdb.estimate-table-readers-mem"}) {
      if (impl_->db->GetIntProperty(handle, property, &value)) total += value;
    }
  }
  return total;
}

uint64_t Store::tableFileBytes() const {
  uint64_t total = 0;
  for (auto* handle : impl_->families) {
    uint64_t value = 0;
    if (impl_->db->GetIntProperty(handle, "rocksdb.live-sst-files-size", &value)) total += value;
  }
  return total;
}

}  // namespace dcemu::dc
