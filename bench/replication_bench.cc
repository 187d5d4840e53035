// Prints replication's figures: a full sync of 100,000 user objects from one
// DC's store to an empty one through the in-process transport and over
// Cap'n Proto RPC on loopback TCP (objects/s, bytes/object on the wire), in
// the same run the raw RocksDB write rate of the same object records with
// the ratio, the cost per object of a full sync of 10,000 users beside that
// of 100,000 (how it grows with the directory), and an incremental pull of
// 1,000 changes; then, from a separate full sync with RocksDB's timers on,
// how many microseconds of each object's cost were spent inside RocksDB.
// Memory Env, one thread (the RPC server and client share one io_context).
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/write_batch.h>

#include <asio.hpp>
#include <chrono>
#include <deque>
#include <functional>

#include "bench/rocksdb_time.h"
#include "dc/directory.h"
#include "dc/provision.h"
#include "dc/store.h"
#include "live/rpc_server.h"
#include "live/rpc_transport.h"
#include "replication/in_process_transport.h"
#include "replication/pull.h"

using namespace dcemu;

namespace {

constexpr int64_t kEpochMicros = 1767571200LL * 1000000;
constexpr int kUsers = 100'000;
constexpr int kSmallUsers = 10'000;
constexpr int kChanges = 1'000;

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs delayed calls in order; the bench's transport has no latency.
class QueueTimer : public replication::Timer {
 public:
  void after(int64_t, std::function<void()> fn) override { queue_.push_back(std::move(fn)); }
  void run() {
    while (!queue_.empty()) {
      auto fn = std::move(queue_.front());
      queue_.pop_front();
      fn();
    }
  }

 private:
  std::deque<std::function<void()>> queue_;
};

struct Dc {
  std::unique_ptr<dc::Store> store;
  dc::ManualClock clock{kEpochMicros};
  dc::Xoshiro256 rng;
  std::unique_ptr<dc::Directory> dir;
  dc::Guid dsa;
  Dc(dc::StoreEnv& env, const std::string& path, uint64_t seed) : rng(seed) {
    store = dc::Store::open(env, path).value();
    dir = dc::Directory::open(*store, {"corp.example.com", false}, clock, rng).value();
    dsa = dc::Guid::random(rng);
  }
};

void check(const dc::Status& s) {
  if (!s.isOk()) throw std::runtime_error(s.toString());
}

// Adds `count` users under CN=Users, a millisecond apart.
void addUsers(Dc& dc, int count) {
  const std::string users = "CN=Users," + dc.dir->namingContextDn(dc::NamingContext::Domain).toString();
  for (int i = 0; i < count; ++i) {
    dc.clock.advance(1000);
    auto added =
        dc.dir->add(fmt::format("CN=user{:06},{}", i, users), {{"objectClass", {"user"}},
                                                               {"sAMAccountName", {fmt::format("user{:06}", i)}},
                                                               {"displayName", {fmt::format("User {}", i)}},
                                                               {"description", {"benchmark account"}}});
    check(added.status());
  }
}

// Pulls every naming context; `run` drives the transport until `finished`.
replication::PullResult pullAll(Dc& to, Dc& from, replication::PullTransport& transport,
                                const std::function<void(const std::function<bool()>& finished)>& run) {
  replication::PullResult total;
  for (auto nc : {dc::NamingContext::Configuration, dc::NamingContext::Schema, dc::NamingContext::Domain}) {
    std::optional<replication::PullResult> result;
    replication::pullNamingContext(*to.dir, to.dsa, from.dsa, nc, transport, {},
                                   [&](replication::PullResult r) { result = std::move(r); });
    run([&] { return result.has_value(); });
    if (result->win32 != 0) throw std::runtime_error("pull failed: " + result->error);
    total.counts += result->counts;
    total.chunks += result->chunks;
  }
  return total;
}

// The same object records written straight into RocksDB, 1,000 per batch.
double rawWriteRate(const std::vector<std::string>& records) {
  std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  rocksdb::Options options;
  options.env = env.get();
  options.create_if_missing = true;
  options.write_buffer_size = 8 << 20;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, "/raw", &raw).ok()) throw std::runtime_error("raw open failed");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions writeOptions;
  writeOptions.disableWAL = true;
  auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < records.size(); i += 1000) {
    rocksdb::WriteBatch batch;
    for (size_t j = i; j < std::min(records.size(), i + 1000); ++j) batch.Put(fmt::format("o{:016x}", j), records[j]);
    db->Write(writeOptions, &batch);
  }
  return static_cast<double>(records.size()) / secondsSince(start);
}

}  // namespace

int main() {
  auto env = dc::StoreEnv::inMemory(64 << 20);
  Dc source(*env, "/source", 1);
  check(dc::provisionForest(*source.dir, source.rng));
  const std::string users = "CN=Users," + source.dir->namingContextDn(dc::NamingContext::Domain).toString();
  addUsers(source, kUsers);
  size_t attributes = 0;
  std::vector<std::string> records;
  check(source.store->forEachChangeSince(dc::NamingContext::Domain, 0, [&](const dc::Object& obj) {
    attributes += obj.attributes.size();
    records.push_back(obj.encode());
    return true;
  }));

  QueueTimer timer;
  replication::InProcessTransport transport(timer);
  transport.addSource(source.dsa, *source.dir);
  Dc destination(*env, "/destination", 2);
  auto start = std::chrono::steady_clock::now();
  auto runQueue = [&](const std::function<bool()>&) { timer.run(); };
  replication::PullResult full = pullAll(destination, source, transport, runQueue);
  double seconds = secondsSince(start);
  double perSecond = static_cast<double>(full.counts.objectsCreated) / seconds;
  double raw = rawWriteRate(records);
  fmt::print("replication_bench: full sync of {} objects ({} users, {:.1f} attributes each), in-process\n",
             full.counts.objectsCreated, kUsers, static_cast<double>(attributes) / records.size());
  fmt::print(
      "full sync    objects/s {:>9.0f}   bytes/object {:>5.0f}   chunks {:>4}   raw RocksDB objects/s {:>9.0f}"
      "   ratio {:.2f}\n",
      perSecond, static_cast<double>(full.counts.bytesReceived) / full.counts.objectsCreated, full.chunks, raw,
      perSecond / raw);

  // The same full sync from a directory a tenth the size: an applied
  // object should cost about the same (aim: within 1.2).
  Dc smallSource(*env, "/small-source", 4);
  check(dc::provisionForest(*smallSource.dir, smallSource.rng));
  addUsers(smallSource, kSmallUsers);
  transport.addSource(smallSource.dsa, *smallSource.dir);
  Dc smallDestination(*env, "/small-destination", 5);
  start = std::chrono::steady_clock::now();
  replication::PullResult small = pullAll(smallDestination, smallSource, transport, runQueue);
  double smallMicros = secondsSince(start) * 1e6 / static_cast<double>(small.counts.objectsCreated);
  double largeMicros = 1e6 / perSecond;
  fmt::print("per object   {:.1f} us at {} objects   {:.1f} us at {} objects   ratio {:.2f}\n", smallMicros,
             small.counts.objectsCreated, largeMicros, full.counts.objectsCreated, largeMicros / smallMicros);

  for (int i = 0; i < kChanges; ++i) {
    source.clock.advance(1000);
    check(source.dir->modify(fmt::format("CN=user{:06},{}", i * 97 % kUsers, users),
                             {{dc::Change::Op::Replace, "description", {fmt::format("change {}", i)}}}));
  }
  start = std::chrono::steady_clock::now();
  replication::PullResult incremental = pullAll(destination, source, transport, runQueue);
  seconds = secondsSince(start);
  fmt::print(
      "incremental  {} changes in {:.1f} ms   objects/s {:>9.0f}   bytes/object {:>5.0f}\n",
      incremental.counts.objectsUpdated, seconds * 1000,
      static_cast<double>(incremental.counts.objectsUpdated) / seconds,
      static_cast<double>(incremental.counts.bytesReceived) / std::max<uint64_t>(1, incremental.counts.objectsUpdated));

  // The same full sync again, to a third empty DC, over loopback TCP.
  asio::io_context io;
  live::KjAsioLoop loop(io);
  live::AsioTimer asioTimer(io);
  replication::DsaInfo self{source.dsa, {source.dir->invocationId()}, "HQ", "DC1", "dc1.corp.example.com"};
  replication::DsaNames names;
  names.add(self);
  const std::string secret = "replication bench cluster secret";
  live::ReplicationServer server(loop, *source.dir, self, names, secret);
  uint16_t port = server.listen("127.0.0.1", 0).value();
  live::RpcPullTransport rpc(loop, asioTimer, secret);
  rpc.addSource(source.dsa, "127.0.0.1", port);
  Dc overRpc(*env, "/over-rpc", 3);
  start = std::chrono::steady_clock::now();
  replication::PullResult viaRpc =
      pullAll(overRpc, source, rpc, [&](const std::function<bool()>& finished) { loop.runUntil(finished); });
  seconds = secondsSince(start);
  double rpcPerSecond = static_cast<double>(viaRpc.counts.objectsCreated) / seconds;
  fmt::print("over RPC     objects/s {:>9.0f}   bytes/object {:>5.0f}   chunks {:>4}   ratio to in-process {:.2f}\n",
             rpcPerSecond, static_cast<double>(viaRpc.counts.bytesReceived) / viaRpc.counts.objectsCreated,
             viaRpc.chunks, rpcPerSecond / perSecond);

  // Where a full sync's time goes inside RocksDB (serving and applying
  // both run on this thread): the same full sync again, to a fourth DC,
  // with RocksDB's timers on, which slow it, so it is not a run timed above.
  Dc timed(*env, "/timed", 6);
  bench::startRocksdbTimers();
  replication::PullResult again = pullAll(timed, source, transport, runQueue);
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  fmt::print("in RocksDB   per object of a full sync: {}\n",
             bench::rocksdbTimeBreakdown(static_cast<double>(again.counts.objectsCreated), 1e6, "us"));
  return 0;
}
