// Splitting large element-wise work over the OpenMP threads that setThreads sets (the threads oneDNN computes on):
// a parallel region costs a few microseconds, so only tensors of at least two grains are split, into contiguous
// chunks, each computed exactly as on one thread (the results do not depend on the thread count).
#pragma once
#include <omp.h>

#include <cstdint>

namespace vaejs {

/** Elements a thread takes at least (PyTorch's at::internal::GRAIN_SIZE). */
constexpr int64_t kParallelGrain = 32768;

/** Calls body(begin, end) over [0, size) in contiguous chunks, in parallel where size and the threads allow. */
template <typename Body>
void parallelChunks(int64_t size, Body body, int64_t grain = kParallelGrain) {
  const int64_t threads = omp_get_max_threads();
  const int64_t chunks = size / grain < threads ? size / grain : threads;
  if (chunks <= 1) {
    body(int64_t{0}, size);
    return;
  }
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static)
  for (int64_t chunk = 0; chunk < chunks; chunk++) {
    body(size * chunk / chunks, size * (chunk + 1) / chunks);
  }
}

/** Calls body(row) for each of `rows` rows of rowSize values, in contiguous chunks of at least a grain of values. */
template <typename Body>
void parallelRows(int64_t rows, int64_t rowSize, Body body) {
  parallelChunks(
      rows,
      [&](int64_t first, int64_t last) {
        for (int64_t row = first; row < last; row++) body(row);
      },
      (kParallelGrain + rowSize - 1) / (rowSize > 0 ? rowSize : 1));
}

}  // namespace vaejs
