// Thread pool behind parallel_for (contract in threadpool.h).
//
// One job at a time: a mutex serialises callers (Node worker threads may share the addon).
// Workers sleep on a condition variable between jobs, after spinning briefly: a training step
// issues kernels back to back, and waking a sleeping thread costs tens of microseconds.
//
// The caller never waits for a worker that has not started: on a busy machine a descheduled
// worker can take milliseconds to run, and waiting for it would stall every kernel. A worker
// must first enter the job (a CAS on `state_`, which packs the job's generation, a closed flag
// and the count of workers inside); the caller runs whatever tasks are left itself, waits only
// for tasks already taken, and closes the job once no worker is inside. A late worker finds the
// job closed and goes back to sleep without touching the job's fields.
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

constexpr uint64_t CLOSED = uint64_t{1} << 31;

uint64_t open_state(uint64_t gen) { return gen << 32; }

inline void cpu_relax() {
#if defined(__x86_64__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

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
    done_.store(0, std::memory_order_relaxed);
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      gen = generation_.load(std::memory_order_relaxed) + 1;
      state_.store(open_state(gen), std::memory_order_release);
      generation_.store(gen, std::memory_order_release);
    }
    wake_.notify_all();
    work();
    while (done_.load(std::memory_order_acquire) != n_tasks) std::this_thread::yield();
    // Close the job once no worker is inside it (one that entered late finds no task and leaves).
    for (;;) {
      uint64_t expected = open_state(gen);
      if (state_.compare_exchange_weak(expected, open_state(gen) | CLOSED, std::memory_order_acq_rel)) break;
      cpu_relax();
    }
    fn_ = nullptr;
  }

 private:
  void start(int n) {
    quit_ = false;
    // The generation is read here, not by the new thread, so a worker that starts after the
    // first job was published still sees that job as new.
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
      done_.fetch_add(1, std::memory_order_release);
    }
    in_task = false;
  }

  // Enters job `gen` if it is still open.
  bool enter(uint64_t gen) {
    uint64_t s = state_.load(std::memory_order_acquire);
    for (;;) {
      if ((s >> 32) != gen || (s & CLOSED) != 0) return false;
      if (state_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) return true;
    }
  }

  void loop(uint64_t seen) {
    for (;;) {
      for (int spin = 0; spin < 20000 && generation_.load(std::memory_order_acquire) == seen; spin++) cpu_relax();
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        seen = generation_.load(std::memory_order_acquire);
        if (quit_) return;
      }
      if (enter(seen)) {
        work();
        state_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  std::vector<std::thread> workers_;
  std::mutex job_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<uint64_t> generation_{0};
  // (generation << 32) | CLOSED flag | workers inside the job.
  std::atomic<uint64_t> state_{CLOSED};
  std::atomic<int64_t> next_{0};
  std::atomic<int64_t> done_{0};
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
