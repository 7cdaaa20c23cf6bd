// Thread pool behind parallel_for (contract in threadpool.h).
//
// One job at a time: a mutex serialises callers (Node worker threads may share the addon).
// Workers sleep on a condition variable between jobs, after spinning briefly: a training step
// issues kernels back to back, and waking a sleeping thread costs tens of microseconds.
#include "threadpool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

namespace genrm {
namespace {

int default_threads() {
  if (const char* env = std::getenv("GENRM_THREADS")) {
    const int n = std::atoi(env);
    if (n > 0) return n;
  }
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

thread_local bool in_task = false;

class Pool {
 public:
  Pool() { start(default_threads()); }
  ~Pool() { stop(); }

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  void resize(int n) {
    std::lock_guard<std::mutex> job(job_mutex_);
    stop();
    start(n > 0 ? n : default_threads());
  }

  void run(int64_t n_tasks, const std::function<void(int64_t)>& fn) {
    if (n_tasks <= 0) return;
    if (in_task || workers_.empty() || n_tasks == 1) {
      for (int64_t t = 0; t < n_tasks; t++) fn(t);
      return;
    }
    std::lock_guard<std::mutex> job(job_mutex_);
    fn_ = &fn;
    n_tasks_ = n_tasks;
    next_.store(0, std::memory_order_relaxed);
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    // Workers that found no task left still check in, so fn_ is not reused while one reads it.
    while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
    fn_ = nullptr;
  }

 private:
  void start(int n) {
    quit_ = false;
    // The generation is read here, not by the new thread: a worker that first ran after the
    // first job was published would take that job's generation as already seen, sleep through
    // it, and leave the caller waiting for its check-in forever.
    const uint64_t gen = generation_.load(std::memory_order_acquire);
    for (int i = 1; i < n; i++) workers_.emplace_back([this, gen] { loop(gen); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      quit_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  void work() {
    in_task = true;
    for (;;) {
      const int64_t t = next_.fetch_add(1, std::memory_order_relaxed);
      if (t >= n_tasks_) break;
      (*fn_)(t);
    }
    in_task = false;
  }

  void loop(uint64_t seen) {
    for (;;) {
      // Spin a little before sleeping (see the file comment).
      for (int spin = 0; spin < 20000 && generation_.load(std::memory_order_acquire) == seen; spin++) {
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
      }
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        seen = generation_.load(std::memory_order_acquire);
        if (quit_) return;
      }
      work();
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> next_{0};
  std::atomic<int> pending_{0};
  const std::function<void(int64_t)>* fn_ = nullptr;
  int64_t n_tasks_ = 0;
  bool quit_ = false;
};

Pool& pool() {
  // Leaked on purpose: joining threads from a static destructor at process exit can deadlock
  // when Node tears down while a worker is parked.
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int pool_threads() { return pool().threads(); }
void pool_resize(int n) { pool().resize(n); }
void parallel_for(int64_t n_tasks, const std::function<void(int64_t)>& fn) { pool().run(n_tasks, fn); }

}  // namespace genrm
