// The memory Env's file system with an index of every directory's entries.
// RocksDB's in-memory file system (MockFileSystem) answers a directory
// listing, whether a directory exists, and a rename by walking every file
// it holds. With a store per simulated DC in one Env, opening and
// checkpointing N stores walked N times every file of every store; with
// 1,000 DCs that walk was a fifth of starting a run. This wrapper keeps each
// directory's entries itself, and renames a file by linking it under the
// new name and deleting the old one (one process, in memory: nothing can
// see the moment between), so each of these costs a lookup. Everything
// else goes to the memory file system as before. Internal to dc/store.cc.
#pragma once

#include <rocksdb/file_system.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace dcemu::dc {

class IndexedMemoryFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit IndexedMemoryFileSystem(const std::shared_ptr<rocksdb::FileSystem>& memory)
      : rocksdb::FileSystemWrapper(memory) {}
  const char* Name() const override { return "IndexedMemory"; }

  using IOStatus = rocksdb::IOStatus;
  using IOOptions = rocksdb::IOOptions;
  using FileOptions = rocksdb::FileOptions;
  using IODebugContext = rocksdb::IODebugContext;

  IOStatus NewRandomAccessFile(const std::string& f, const FileOptions& options,
                               std::unique_ptr<rocksdb::FSRandomAccessFile>* r, IODebugContext* dbg) override;
  IOStatus NewWritableFile(const std::string& f, const FileOptions& options,
                           std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) override;
  IOStatus ReopenWritableFile(const std::string& f, const FileOptions& options,
                              std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) override;
  IOStatus ReuseWritableFile(const std::string& f, const std::string& old, const FileOptions& options,
                             std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) override;
  IOStatus NewLogger(const std::string& f, const IOOptions& options, std::shared_ptr<rocksdb::Logger>* result,
                     IODebugContext* dbg) override;
  IOStatus LockFile(const std::string& f, const IOOptions& options, rocksdb::FileLock** lock,
                    IODebugContext* dbg) override;
  IOStatus LinkFile(const std::string& source, const std::string& target, const IOOptions& options,
                    IODebugContext* dbg) override;
  IOStatus RenameFile(const std::string& source, const std::string& target, const IOOptions& options,
                      IODebugContext* dbg) override;
  IOStatus DeleteFile(const std::string& f, const IOOptions& options, IODebugContext* dbg) override;
  IOStatus CreateDir(const std::string& d, const IOOptions& options, IODebugContext* dbg) override;
  IOStatus CreateDirIfMissing(const std::string& d, const IOOptions& options, IODebugContext* dbg) override;
  IOStatus DeleteDir(const std::string& d, const IOOptions& options, IODebugContext* dbg) override;
  IOStatus FileExists(const std::string& f, const IOOptions& options, IODebugContext* dbg) override;
  IOStatus GetChildren(const std::string& d, const IOOptions& options, std::vector<std::string>* result,
                       IODebugContext* dbg) override;

 private:
  // As the memory file system names paths: no repeated or trailing '/'.
  static std::string normal(const std::string& path);
  void added(const std::string& path);    // under mutex_
  void removed(const std::string& path);  // under mutex_

  std::mutex mutex_;
  std::set<std::string> paths_;  // every file and directory, as the memory file system holds them
  // Per directory: each name directly under it, with how many paths lie at
  // or below that name (a directory exists while something is under it).
  std::map<std::string, std::map<std::string, int>> children_;
};

}  // namespace dcemu::dc
