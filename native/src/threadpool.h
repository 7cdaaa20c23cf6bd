// A persistent thread pool sized to the cores this process may run on (sched_getaffinity on
// Linux, so a container's CPU set counts, not the host's), or GENRM_THREADS. The calling thread
// takes part, so a pool of n has n - 1 workers. Work is split by what it writes: callers give
// each task its own output rows or columns, so no two threads write the same memory.
#pragma once

#include <cstdint>
#include <functional>

namespace genrm {

// Threads that run a parallel_for, including the caller.
int pool_threads();
// Resizes the pool; n <= 0 picks the default. Not to be called from inside a task.
void pool_resize(int n);
// Runs fn(task) for every task in [0, n_tasks) and returns when all are done. Tasks are handed
// out dynamically. Called from inside a task (or with one thread), it runs them inline.
void parallel_for(int64_t n_tasks, const std::function<void(int64_t)>& fn);

}  // namespace genrm
