// Steady-state Session::run_into makes no heap allocation: a counting global operator new.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "engine/session.h"
#include "alloc_counter.h"
#include "loaders/onnx_loader.h"
#include "test_util.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define FACET_NO_COUNTING_NEW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define FACET_NO_COUNTING_NEW 1
#endif
#endif

namespace {
std::atomic<long> g_allocations{0};
}

#ifndef FACET_NO_COUNTING_NEW

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

bool facet::test::allocation_counting_enabled() { return true; }
#else
bool facet::test::allocation_counting_enabled() { return false; }
#endif

long facet::test::allocation_count() { return g_allocations.load(); }

namespace facet {
namespace {

long count_allocations_of_runs(Session& session, const std::vector<Tensor>& inputs, int runs) {
  std::vector<Tensor> outputs;
  session.run_into(inputs, &outputs);  // warm-up: plans, allocates arena and outputs
  session.run_into(inputs, &outputs);
  long before = g_allocations.load();
  for (int i = 0; i < runs; ++i) session.run_into(inputs, &outputs);
  return g_allocations.load() - before;
}

TEST(NoAllocation, RealModelsSteadyState) {
  if (!test::allocation_counting_enabled())
    GTEST_SKIP() << "allocation counting is off in sanitizer builds";
  std::string shared = test::shared_dir();
  struct stat st;
  const char* models[] = {"tddfa/tddfa_v2_mb05_120x120.onnx", "detection/yunet_s_320x320.onnx",
                          "landmarks/pfld_ghostone_98pt_112x112.onnx"};
  const Shape shapes[] = {{1, 3, 120, 120}, {1, 3, 320, 320}, {1, 3, 112, 112}};
  for (int m = 0; m < 3; ++m) {
    std::string path = shared + "/models/" + models[m];
    if (::stat(path.c_str(), &st) != 0) GTEST_SKIP() << "model " << path << " is absent";
    for (int threads : {1, 2}) {
      SessionOptions opts;
      opts.threads = threads;
      Session session(loaders::load_onnx_file(path), opts);
      Tensor x = Tensor::empty(DType::kF32, shapes[m]);
      for (int64_t i = 0; i < x.numel(); ++i) x.data<float>()[i] = static_cast<float>(i % 251);
      EXPECT_EQ(count_allocations_of_runs(session, {x}, 3), 0)
          << models[m] << " with " << threads << " threads";
    }
  }
}

}  // namespace
}  // namespace facet
