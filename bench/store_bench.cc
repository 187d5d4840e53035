// Prints the directory store's figures: originating single-attribute
// modifies per second and reads per second on one DC (memory Env and disk),
// raw RocksDB WriteBatch puts of the same records in the same run with the
// ratio, and the memory one open DC with 10,000 objects takes.
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "dc/provision.h"
#include "dc/store.h"

using namespace dcemu::dc;

namespace {

constexpr int64_t kEpochMicros = 1767571200LL * 1000000;
constexpr int kUsers = 10'000;
constexpr int kModifies = 200'000;
constexpr int kReads = 200'000;

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

uint64_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

struct Dc {
  std::unique_ptr<Store> store;
  ManualClock clock{kEpochMicros};
  Xoshiro256 rng;
  std::unique_ptr<Directory> dir;
  explicit Dc(uint64_t seed) : rng(seed) {}
};

std::unique_ptr<Dc> openPopulated(StoreEnv& env, const std::string& path, uint64_t seed, int users) {
  auto dc = std::make_unique<Dc>(seed);
  auto store = Store::open(env, path);
  if (!store) throw std::runtime_error(store.status().toString());
  dc->store = std::move(*store);
  auto dir = Directory::open(*dc->store, {"corp.example.com", false}, dc->clock, dc->rng);
  if (!dir) throw std::runtime_error(dir.status().toString());
  dc->dir = std::move(*dir);
  Status st = provisionForest(*dc->dir, dc->rng);
  if (!st.isOk()) throw std::runtime_error(st.toString());
  for (int i = 0; i < users; ++i) {
    dc->clock.advance(1000);
    std::string name = fmt::format("user{:05}", i);
    auto added = dc->dir->add(fmt::format("CN={},CN=Users,DC=corp,DC=example,DC=com", name),
                              {{"objectClass", {"user"}},
                               {"sAMAccountName", {name}},
                               {"displayName", {"User " + name}},
                               {"description", {"initial"}},
                               {"userAccountControl", {"512"}},
                               {"servicePrincipalName", {"HTTP/" + name + ".corp.example.com"}}});
    if (!added) throw std::runtime_error(added.status().toString());
  }
  return dc;
}

struct Figures {
  double modifiesPerSecond, readsPerSecond, rawPerSecond;
  size_t objectBytes;
};

// The records one modify writes, put raw: the object, its USN index entry
// (one delete, one put) and the USN counter.
// The WAL setting matches the store's: off in the memory Env, on on disk.
double rawWriteRate(rocksdb::Env* env, bool withWal, const std::string& path, const std::string& objectBytes,
                    int count) {
  rocksdb::Options options;
  options.env = env;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  env->CreateDirIfMissing(std::filesystem::path(path).parent_path().string());
  rocksdb::Status s = rocksdb::DB::Open(options, path, &raw);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string guid(16, 'g');
  rocksdb::WriteOptions writeOptions;
  writeOptions.disableWAL = !withWal;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    rocksdb::WriteBatch batch;
    std::string key = "o" + guid.substr(0, 12) + fmt::format("{:04}", i % kUsers);
    batch.Put(key, objectBytes);
    batch.Delete(fmt::format("u{:016}", i));
    batch.Put(fmt::format("u{:016}", i + 1), guid);
    batch.Put("nextUsn", std::string(8, 'n'));
    db->Write(writeOptions, &batch);
  }
  return count / secondsSince(start);
}

Figures measure(StoreEnv& env, rocksdb::Env* rawEnv, bool withWal, const std::string& root) {
  auto dc = openPopulated(env, root + "/dc", 1, kUsers);
  Xoshiro256 pick(42);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kModifies; ++i) {
    dc->clock.advance(1000);
    std::string dn = fmt::format("CN=user{:05},CN=Users,DC=corp,DC=example,DC=com", pick.next() % kUsers);
    Status st = dc->dir->modify(dn, {{Change::Op::Replace, "description", {fmt::format("change {}", i)}}});
    if (!st.isOk()) throw std::runtime_error(st.toString());
  }
  Figures f{};
  f.modifiesPerSecond = kModifies / secondsSince(start);
  start = std::chrono::steady_clock::now();
  size_t found = 0;
  for (int i = 0; i < kReads; ++i) {
    std::string dn = fmt::format("CN=user{:05},CN=Users,DC=corp,DC=example,DC=com", pick.next() % kUsers);
    auto obj = dc->dir->read(dn);
    found += obj.isOk();
  }
  f.readsPerSecond = kReads / secondsSince(start);
  if (found != kReads) throw std::runtime_error("reads missed objects");
  std::string sample = dc->dir->read("CN=user00000,CN=Users,DC=corp,DC=example,DC=com")->encode();
  f.objectBytes = sample.size();
  f.rawPerSecond = rawWriteRate(rawEnv, withWal, root + "/raw", sample, kModifies);
  return f;
}

void print(const char* label, const Figures& f) {
  fmt::print(
      "{:<7} modifies/s {:>10.0f}   reads/s {:>10.0f}   raw WriteBatch/s {:>10.0f}   ratio {:.2f}   "
      "object {} bytes\n",
      label, f.modifiesPerSecond, f.readsPerSecond, f.rawPerSecond, f.modifiesPerSecond / f.rawPerSecond,
      f.objectBytes);
}

}  // namespace

int main() {
  fmt::print("store_bench: {} users, {} single-attribute modifies, {} reads by DN\n", kUsers, kModifies, kReads);
  {
    // Memory per open DC: several DCs of 10,000 objects in one process,
    // measured first, before other phases leave freed heap to reuse.
    constexpr int kDcs = 8;
    auto env = StoreEnv::inMemory(32 << 20);
    uint64_t before = residentBytes();
    std::vector<std::unique_ptr<Dc>> dcs;
    uint64_t rocksdbBytes = 0;
    for (int i = 0; i < kDcs; ++i) {
      dcs.push_back(openPopulated(*env, fmt::format("/mem/dc{}", i), 100 + i, kUsers));
      rocksdbBytes += dcs.back()->store->memoryUsage();
    }
    uint64_t after = residentBytes();
    fmt::print(
        "memory per open DC with {} objects (memory Env, {} DCs): {:.1f} MiB resident, {:.1f} MiB in RocksDB "
        "memtables and table readers\n",
        kUsers, kDcs, (after - before) / double(kDcs) / (1 << 20), rocksdbBytes / double(kDcs) / (1 << 20));
  }
  {
    auto env = StoreEnv::inMemory(64 << 20);
    std::unique_ptr<rocksdb::Env> rawEnv(rocksdb::NewMemEnv(rocksdb::Env::Default()));
    print("memory", measure(*env, rawEnv.get(), false, "/bench"));
  }
  {
    auto root = std::filesystem::temp_directory_path() / "dcemu-store-bench";
    std::filesystem::remove_all(root);
    auto env = StoreEnv::onDisk(64 << 20);
    print("disk", measure(*env, rocksdb::Env::Default(), true, root.string()));
    std::filesystem::remove_all(root);
  }
  return 0;
}
