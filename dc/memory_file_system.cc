#include "dc/memory_file_system.h"

namespace dcemu::dc {

using rocksdb::IOStatus;

std::string IndexedMemoryFileSystem::normal(const std::string& path) {
  std::string out;
  for (char c : path)
    if (c != '/' || out.empty() || out.back() != '/') out += c;
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

// The root lists nothing, as in the memory file system (it matches a
// child by the character after the directory's name being '/').
void IndexedMemoryFileSystem::added(const std::string& path) {
  if (!paths_.insert(path).second) return;  // already there: its ancestors count it
  for (size_t slash = path.rfind('/'); slash != std::string::npos && slash > 0; slash = path.rfind('/', slash - 1)) {
    std::string directory = path.substr(0, slash);
    size_t next = path.find('/', slash + 1);
    ++children_[directory][path.substr(slash + 1, next == std::string::npos ? std::string::npos : next - slash - 1)];
  }
}

void IndexedMemoryFileSystem::removed(const std::string& path) {
  // Only the path itself: deleting a file or a directory leaves what is
  // below it in the memory file system, as does a rename of each path.
  if (!paths_.erase(path)) return;
  for (size_t slash = path.rfind('/'); slash != std::string::npos && slash > 0; slash = path.rfind('/', slash - 1)) {
    auto entries = children_.find(path.substr(0, slash));
    if (entries == children_.end()) continue;
    size_t next = path.find('/', slash + 1);
    auto entry =
        entries->second.find(path.substr(slash + 1, next == std::string::npos ? std::string::npos : next - slash - 1));
    if (entry != entries->second.end() && --entry->second == 0) entries->second.erase(entry);
    if (entries->second.empty()) children_.erase(entries);
  }
}

IOStatus IndexedMemoryFileSystem::NewRandomAccessFile(const std::string& f, const FileOptions& options,
                                                      std::unique_ptr<rocksdb::FSRandomAccessFile>* r,
                                                      IODebugContext* dbg) {
  // Table files are never written again once read: reads point into the
  // file's memory instead of copying each block out of it first.
  FileOptions tableOptions(options);
  if (f.ends_with(".sst")) tableOptions.use_mmap_reads = true;
  return target()->NewRandomAccessFile(f, tableOptions, r, dbg);
}

IOStatus IndexedMemoryFileSystem::NewWritableFile(const std::string& f, const FileOptions& options,
                                                  std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) {
  IOStatus s = target()->NewWritableFile(f, options, r, dbg);
  std::lock_guard lock(mutex_);
  added(normal(f));  // the memory file system keeps the file even when it refuses direct I/O
  return s;
}

IOStatus IndexedMemoryFileSystem::ReopenWritableFile(const std::string& f, const FileOptions& options,
                                                     std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) {
  IOStatus s = target()->ReopenWritableFile(f, options, r, dbg);
  std::lock_guard lock(mutex_);
  added(normal(f));
  return s;
}

IOStatus IndexedMemoryFileSystem::ReuseWritableFile(const std::string& f, const std::string& old,
                                                    const FileOptions& options,
                                                    std::unique_ptr<rocksdb::FSWritableFile>* r, IODebugContext* dbg) {
  IOStatus s = RenameFile(old, f, IOOptions(), dbg);
  if (!s.ok()) return s;
  r->reset();
  return NewWritableFile(f, options, r, dbg);
}

IOStatus IndexedMemoryFileSystem::NewLogger(const std::string& f, const IOOptions& options,
                                            std::shared_ptr<rocksdb::Logger>* result, IODebugContext* dbg) {
  IOStatus s = target()->NewLogger(f, options, result, dbg);
  std::lock_guard lock(mutex_);
  if (s.ok()) added(normal(f));
  return s;
}

IOStatus IndexedMemoryFileSystem::LockFile(const std::string& f, const IOOptions& options, rocksdb::FileLock** lock,
                                           IODebugContext* dbg) {
  IOStatus s = target()->LockFile(f, options, lock, dbg);
  std::lock_guard guard(mutex_);
  if (s.ok()) added(normal(f));
  return s;
}

IOStatus IndexedMemoryFileSystem::LinkFile(const std::string& source, const std::string& target,
                                           const IOOptions& options, IODebugContext* dbg) {
  IOStatus s = this->target()->LinkFile(source, target, options, dbg);
  std::lock_guard lock(mutex_);
  if (s.ok()) added(normal(target));
  return s;
}

IOStatus IndexedMemoryFileSystem::RenameFile(const std::string& source, const std::string& target,
                                             const IOOptions& options, IODebugContext* dbg) {
  // The path and everything below it (a checkpoint renames its directory)
  // move, each linked under its new name and then deleted.
  const std::string from = normal(source), to = normal(target);
  std::vector<std::string> moved;
  {
    std::lock_guard lock(mutex_);
    if (!paths_.count(from)) return IOStatus::PathNotFound(from);
    for (auto it = paths_.lower_bound(from); it != paths_.end() && it->compare(0, from.size(), from) == 0; ++it)
      if (it->size() == from.size() || (*it)[from.size()] == '/') moved.push_back(*it);
  }
  for (const std::string& path : moved) {
    std::string renamed = to + path.substr(from.size());
    IOStatus s = this->target()->LinkFile(path, renamed, options, dbg);  // replaces `renamed` when it exists
    if (s.ok()) s = this->target()->DeleteFile(path, options, dbg);
    if (!s.ok()) return s;
    std::lock_guard lock(mutex_);
    removed(path);
    added(renamed);
  }
  return IOStatus::OK();
}

IOStatus IndexedMemoryFileSystem::DeleteFile(const std::string& f, const IOOptions& options, IODebugContext* dbg) {
  IOStatus s = target()->DeleteFile(f, options, dbg);
  std::lock_guard lock(mutex_);
  if (s.ok()) removed(normal(f));
  return s;
}

IOStatus IndexedMemoryFileSystem::CreateDir(const std::string& d, const IOOptions& options, IODebugContext* dbg) {
  IOStatus s = target()->CreateDir(d, options, dbg);
  std::lock_guard lock(mutex_);
  if (s.ok()) added(normal(d));
  return s;
}

IOStatus IndexedMemoryFileSystem::CreateDirIfMissing(const std::string& d, const IOOptions& options,
                                                     IODebugContext* dbg) {
  IOStatus s = target()->CreateDirIfMissing(d, options, dbg);
  std::lock_guard lock(mutex_);
  if (s.ok() && !paths_.count(normal(d))) added(normal(d));
  return s;
}

IOStatus IndexedMemoryFileSystem::DeleteDir(const std::string& d, const IOOptions& options, IODebugContext* dbg) {
  IOStatus s = target()->DeleteDir(d, options, dbg);
  std::lock_guard lock(mutex_);
  if (s.ok()) removed(normal(d));
  return s;
}

IOStatus IndexedMemoryFileSystem::FileExists(const std::string& f, const IOOptions&, IODebugContext*) {
  const std::string path = normal(f);
  std::lock_guard lock(mutex_);
  return paths_.count(path) || children_.count(path) ? IOStatus::OK() : IOStatus::NotFound();
}

IOStatus IndexedMemoryFileSystem::GetChildren(const std::string& d, const IOOptions&, std::vector<std::string>* result,
                                              IODebugContext*) {
  const std::string directory = normal(d);
  std::lock_guard lock(mutex_);
  result->clear();
  auto entries = children_.find(directory);
  if (entries != children_.end())
    for (const auto& [name, count] : entries->second) result->push_back(name);
  return entries != children_.end() || paths_.count(directory) ? IOStatus::OK() : IOStatus::NotFound(d);
}

}  // namespace dcemu::dc
