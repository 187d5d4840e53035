// Independent pieces of work run on several threads: the what-if forks, a
// sweep's seeds, the opening of a run's stores and its convergence check.
#pragma once

#include <algorithm>
#include <atomic>
#include <functional>
#include <thread>
#include <vector>

namespace dcemu::dc {

// Calls fn(i) for every i below `count` on up to `jobs` threads, the
// calling one among them; each thread takes the next index when it has
// finished one, so uneven pieces keep every thread busy. Returns when every
// call has. fn must be safe to call from several threads at once.
inline void forEachIndexInParallel(size_t count, unsigned jobs, const std::function<void(size_t)>& fn) {
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) fn(i);
  };
  std::vector<std::thread> threads;
  const size_t workers = std::min<size_t>(std::max(1u, jobs), count);
  for (size_t j = 1; j < workers; ++j) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

}  // namespace dcemu::dc
