// A small persistent thread pool with a blocking parallel_for.
//
// parallel_for(n, grain, fn) splits [0, n) into at most `threads` contiguous chunks of at least
// `grain` items, runs them on the pool's workers and the calling thread, and returns when all are
// done. Nested calls from inside a worker run inline. One caller at a time (a Session owns its
// pool and runs one plan at a time).
//
// Hand-off: a model runs dozens of parallel_for calls a few microseconds to a few milliseconds
// apart, so waking sleeping workers through a condition variable every time (tens of
// microseconds each) would cost more than small layers take. Workers therefore spin on an atomic
// job counter for a short while (kSpinMicros) after each job before blocking, and the caller
// spins for the workers' completion the same way. An idle pool sleeps.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace facet {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // threads <= 0: hardware concurrency
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }
  void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

  // How long workers (and the caller waiting for them) spin before blocking.
  static constexpr int kSpinMicros = 200;

 private:
  void worker_loop(int index);
  void run_chunks();

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;  // guards the sleeping hand-offs (no lost wake-ups)
  std::condition_variable cv_work_, cv_done_;
  // The current job: written by the caller before generation_ is published (release) and read
  // by workers after they observe the new generation (acquire).
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  int job_chunks_ = 0;
  std::atomic<int> next_chunk_{0};
  std::atomic<int> pending_{0};  // workers that have not finished the current generation
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
};

int hardware_threads();

}  // namespace facet
