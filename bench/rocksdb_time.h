// How much of a thread's time went inside RocksDB, from RocksDB's per-thread
// perf context: the floor under what dcemu can gain by changing its own
// code. The timers cost time themselves (a clock read or two per step), so
// a bench turns them on only for a run of its own, never the one it times.
// RocksDB 7.8 times batched reads (MultiGet, a source's reads of changed
// objects) as point reads, but counts neither their lookups nor their block
// decompression: those two figures are the single Gets' alone.
#pragma once

#include <fmt/format.h>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include <string>

namespace dcemu::bench {

// Starts counting on the calling thread, from zero.
inline void startRocksdbTimers() {
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableTimeExceptForMutex);
  rocksdb::get_perf_context()->Reset();
}

// The calling thread's time inside RocksDB since startRocksdbTimers,
// divided by `per` (1 for totals in seconds; an object count for seconds
// per object), in `unit` (1 for seconds, 1e6 for microseconds).
inline std::string rocksdbTimeBreakdown(double per, double unit, const char* unitName) {
  const rocksdb::PerfContext& p = *rocksdb::get_perf_context();
  auto in = [&](uint64_t nanos) { return static_cast<double>(nanos) / 1e9 / per * unit; };
  uint64_t reads =
      p.get_snapshot_time + p.get_from_memtable_time + p.get_from_output_files_time + p.get_post_process_time;
  uint64_t scans = p.seek_internal_seek_time + p.find_next_user_entry_time;
  uint64_t writes =
      p.write_pre_and_post_process_time + p.write_memtable_time + p.write_scheduling_flushes_compactions_time;
  double lookups = static_cast<double>(p.get_from_memtable_count) / per;
  return fmt::format(
      "point reads {:.1f} {} ({:.{}f} single lookups: memtables {:.1f}, table files {:.1f}, of which decompressing blocks "
      "{:.1f}), scans {:.1f}, writes {:.1f} (memtable inserts {:.1f}); in all {:.1f} {}",
      in(reads), unitName, lookups, per == 1 ? 0 : 1, in(p.get_from_memtable_time), in(p.get_from_output_files_time),
      in(p.block_decompress_time), in(scans), in(writes), in(p.write_memtable_time), in(reads + scans + writes),
      unitName);
}

}  // namespace dcemu::bench
