#include "crash_pull.h"

#include <fmt/format.h>

#include <deque>
#include <stdexcept>

#include "dc/provision.h"
#include "replication/in_process_transport.h"

namespace dcemu::replication::testing {
namespace {

constexpr int kUsers = 10000;
constexpr int kGroups = 20;

void check(const dc::Status& status) {
  if (!status.isOk()) throw std::runtime_error(status.toString());
}

class ImmediateTimer : public Timer {
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

std::unique_ptr<CrashDc> openDc(dc::StoreEnv& env, const std::string& path, uint64_t seed) {
  auto d = std::make_unique<CrashDc>();
  d->rng = dc::Xoshiro256(seed);
  d->dsa = dc::Guid::random(d->rng);
  auto store = dc::Store::open(env, path);
  check(store.status());
  d->store = std::move(*store);
  auto dir = dc::Directory::open(*d->store, {"corp.example.com", false}, d->clock, d->rng);
  check(dir.status());
  d->dir = std::move(*dir);
  return d;
}

}  // namespace

std::unique_ptr<CrashDc> openCrashSource(dc::StoreEnv& env, const std::string& path) {
  return openDc(env, path, 11);
}

std::unique_ptr<CrashDc> buildCrashSource(dc::StoreEnv& env, const std::string& path) {
  auto source = openCrashSource(env, path);
  check(dc::provisionForest(*source->dir, source->rng));
  const std::string users = "CN=Users,DC=corp,DC=example,DC=com";
  for (int i = 0; i < kUsers; ++i) {
    source->clock.advance(1000);
    check(source->dir
              ->add(fmt::format("CN=user{},{}", i, users),
                    {{"objectClass", {"user"}}, {"sAMAccountName", {fmt::format("user{}", i)}}})
              .status());
  }
  for (int g = 0; g < kGroups; ++g) {
    std::vector<std::string> members;
    for (int i = g; i < kUsers; i += 37) members.push_back(fmt::format("CN=user{},{}", i, users));
    check(source->dir
              ->add(fmt::format("CN=group{},{}", g, users),
                    {{"objectClass", {"group"}}, {"sAMAccountName", {fmt::format("group{}", g)}}, {"member", members}})
              .status());
  }
  // Edits move some users after the groups in USN order.
  for (int i = 0; i < kUsers; i += 7)
    check(source->dir->modify(fmt::format("CN=user{},{}", i, users),
                              {{dc::Change::Op::Replace, "description", {"edited"}}}));
  return source;
}

std::unique_ptr<CrashDc> openCrashDestination(dc::StoreEnv& env, const std::string& path) {
  return openDc(env, path, 12);
}

PullResult pullEverything(CrashDc& destination, CrashDc& source) {
  ImmediateTimer timer;
  InProcessTransport transport(timer);
  transport.addSource(source.dsa, *source.dir);
  PullOptions options;
  options.maxObjects = 25;
  PullResult total;
  for (auto nc : {dc::NamingContext::Schema, dc::NamingContext::Configuration, dc::NamingContext::Domain}) {
    PullResult result;
    pullNamingContext(*destination.dir, destination.dsa, source.dsa, nc, transport, options,
                      [&](PullResult r) { result = std::move(r); });
    timer.run();
    total.counts += result.counts;
    total.chunks += result.chunks;
    if (result.win32 != 0) {
      total.win32 = result.win32;
      total.error = result.error;
      break;
    }
  }
  return total;
}

}  // namespace dcemu::replication::testing
