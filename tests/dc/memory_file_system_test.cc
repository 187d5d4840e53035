// The indexed memory file system answers every listing and existence check
// exactly as RocksDB's memory file system it wraps would, whatever files
// and directories were created, linked, renamed and deleted before.
#include "dc/memory_file_system.h"

#include <rocksdb/env.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

namespace dcemu::dc {
namespace {

using rocksdb::FileOptions;
using rocksdb::IOOptions;

std::pair<bool, std::vector<std::string>> listing(rocksdb::FileSystem& fs, const std::string& dir) {
  std::vector<std::string> children;
  bool ok = fs.GetChildren(dir, IOOptions(), &children, nullptr).ok();
  std::sort(children.begin(), children.end());
  children.erase(std::unique(children.begin(), children.end()), children.end());
  return {ok, ok ? children : std::vector<std::string>{}};
}

TEST_CASE(
    "The indexed memory file system lists and finds what RocksDB's memory file system does, after any "
    "creates, links, renames and deletes",
    "[store]") {
  std::unique_ptr<rocksdb::Env> plainEnv(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  std::unique_ptr<rocksdb::Env> wrappedEnv(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  rocksdb::FileSystem& plain = *plainEnv->GetFileSystem();
  IndexedMemoryFileSystem indexed(wrappedEnv->GetFileSystem());
  // Names that sort between a directory and what is under it ("s-1" sorts
  // between "s" and "s/x"), nested directories, and paths with doubled or
  // trailing slashes.
  const std::vector<std::string> dirs = {"/", "/s", "/s-1", "/s/a", "/s/a/b", "/t", "/s.d"};
  const std::vector<std::string> names = {"CURRENT", "000001.sst", "LOCK", "x", "a", "b"};
  std::mt19937_64 rng(23);
  auto pick = [&](const std::vector<std::string>& from) { return from[rng() % from.size()]; };
  auto path = [&] {
    std::string p = pick(dirs);
    p += (p == "/" ? "" : rng() % 5 == 0 ? "//" : "/") + pick(names);
    return rng() % 7 == 0 ? p + "/" : p;
  };
  for (int step = 0; step < 3000; ++step) {
    std::string a = path(), b = path(), d = pick(dirs);
    // Linking or renaming a path onto itself or into itself frees the file
    // in the memory file system; RocksDB never asks for it.
    auto trimmed = [](std::string p) {
      while (p.size() > 1 && p.back() == '/') p.pop_back();
      for (size_t at = p.find("//"); at != std::string::npos; at = p.find("//")) p.erase(at, 1);
      return p;
    };
    if (trimmed(b).starts_with(trimmed(a)) || trimmed(a).starts_with(trimmed(b))) b = "/t/other";
    if (trimmed(a) == "/t/other") a = "/t/x";
    std::unique_ptr<rocksdb::FSWritableFile> w1, w2;
    rocksdb::IOStatus s1, s2;
    const int op = static_cast<int>(rng() % 7);
    switch (op) {
      case 0:
      case 1:
        s1 = plain.NewWritableFile(a, FileOptions(), &w1, nullptr);
        s2 = indexed.NewWritableFile(a, FileOptions(), &w2, nullptr);
        if (s1.ok()) (void)w1->Append("bytes", IOOptions(), nullptr);
        if (s2.ok()) (void)w2->Append("bytes", IOOptions(), nullptr);
        break;
      case 2:
        s1 = plain.LinkFile(a, b, IOOptions(), nullptr);
        s2 = indexed.LinkFile(a, b, IOOptions(), nullptr);
        break;
      case 3:
        s1 = plain.RenameFile(a, b, IOOptions(), nullptr);
        s2 = indexed.RenameFile(a, b, IOOptions(), nullptr);
        break;
      case 4:
        s1 = plain.DeleteFile(a, IOOptions(), nullptr);
        s2 = indexed.DeleteFile(a, IOOptions(), nullptr);
        break;
      case 5:
        s1 = plain.CreateDirIfMissing(d, IOOptions(), nullptr);
        s2 = indexed.CreateDirIfMissing(d, IOOptions(), nullptr);
        break;
      case 6:
        s1 = plain.CreateDir(d, IOOptions(), nullptr);
        s2 = indexed.CreateDir(d, IOOptions(), nullptr);
        break;
    }
    INFO("step " << step << ", operation " << op << ": " << a << " " << b << " " << d);
    REQUIRE(s1.ok() == s2.ok());
    for (const std::string& dir : dirs) {
      auto joined = [](const std::pair<bool, std::vector<std::string>>& l) {
        std::string text = l.first ? "found:" : "not found:";
        for (const std::string& name : l.second) text += " " + name;
        return text;
      };
      INFO("listing " << dir << ": memory " << joined(listing(plain, dir)) << "; indexed "
                      << joined(listing(indexed, dir)));
      REQUIRE(listing(plain, dir) == listing(indexed, dir));
      REQUIRE(plain.FileExists(dir, IOOptions(), nullptr).ok() == indexed.FileExists(dir, IOOptions(), nullptr).ok());
    }
    for (const std::string& dir : dirs)
      for (const std::string& name : names) {
        std::string p = (dir == "/" ? "" : dir) + "/" + name;
        REQUIRE(plain.FileExists(p, IOOptions(), nullptr).ok() == indexed.FileExists(p, IOOptions(), nullptr).ok());
      }
  }
}

}  // namespace
}  // namespace dcemu::dc
