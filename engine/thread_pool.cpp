#include "engine/thread_pool.h"

#include <algorithm>

namespace facet {

namespace {
thread_local bool tls_in_pool_job = false;
}

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

ThreadPool::ThreadPool(int threads) : threads_(threads <= 0 ? hardware_threads() : threads) {
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_work_.notify_all();
  for (auto& t : workers_) t.join();
}

// Claims chunks of the current job until none remain. Chunk c covers
// [c*n/chunks, (c+1)*n/chunks).
static void run_chunks(const std::function<void(int64_t, int64_t)>& fn, int64_t n, int chunks,
                       int* next, std::mutex& mu) {
  for (;;) {
    int c;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (*next >= chunks) return;
      c = (*next)++;
    }
    int64_t b = n * c / chunks, e = n * (c + 1) / chunks;
    if (b < e) fn(b, e);
  }
}

void ThreadPool::parallel_for(int64_t n, int64_t grain,
                              const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(grain, 1);
  int64_t max_chunks = std::max<int64_t>(1, n / grain);
  int chunks = static_cast<int>(std::min<int64_t>(threads_, max_chunks));
  if (chunks <= 1 || tls_in_pool_job || workers_.empty()) {
    fn(0, n);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    job_ = &fn;
    job_n_ = n;
    job_chunks_ = chunks;
    next_chunk_ = 0;
    pending_ = static_cast<int>(workers_.size());
    ++generation_;
  }
  cv_work_.notify_all();
  tls_in_pool_job = true;
  run_chunks(fn, n, chunks, &next_chunk_, mu_);
  tls_in_pool_job = false;
  std::unique_lock<std::mutex> lock(mu_);
  cv_done_.wait(lock, [this] { return pending_ == 0; });
  job_ = nullptr;
}

void ThreadPool::worker_loop(int) {
  uint64_t seen = 0;
  tls_in_pool_job = true;
  for (;;) {
    const std::function<void(int64_t, int64_t)>* job;
    int64_t n;
    int chunks;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_work_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
      n = job_n_;
      chunks = job_chunks_;
    }
    run_chunks(*job, n, chunks, &next_chunk_, mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (--pending_ == 0) cv_done_.notify_one();
    }
  }
}

}  // namespace facet
