#include "node/node.h"

namespace dcemu::node {

Node::Node(DcSettings settings, Harness& harness, const std::vector<replication::Connection>& connections,
           dc::Clock& clock, dc::Xoshiro256 rng)
    : settings_(std::move(settings)),
      clock_(clock),
      rng_(rng),
      scheduler_(settings_.index, harness, settings_.replication, connections) {}

Node::~Node() {
  close();
}

dc::Status Node::open(dc::StoreEnv& env, const std::string& path) {
  close();  // RocksDB locks a store: the one open may be the one asked for
  auto store = dc::Store::open(env, path);
  if (!store) return store.status();
  return open(std::move(*store));
}

dc::Status Node::open(std::unique_ptr<dc::Store> store) {
  close();
  auto directory = dc::Directory::open(*store, settings_.directory, clock_, rng_);
  if (!directory) return directory.status();
  store_ = std::move(store);
  directory_ = std::move(*directory);
  directory_->setWriteObserver(observer_);
  scheduler_.attach(directory_.get(), settings_.dsa);
  return dc::Status::ok();
}

void Node::start() {
  if (directory_) scheduler_.attach(directory_.get(), settings_.dsa);
  scheduler_.start();
}

void Node::close() {
  if (directory_) scheduler_.attach(nullptr, settings_.dsa);
  directory_.reset();
  store_.reset();
}

void Node::setWriteObserver(dc::Directory::WriteObserver observer) {
  observer_ = std::move(observer);
  if (directory_) directory_->setWriteObserver(observer_);
}

}  // namespace dcemu::node
