// The bodies of the fuzz entry points (see fuzz_entry.h).
#include "fuzz_entry.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/session.h"
#include "engine/status.h"
#include "loaders/image.h"
#include "loaders/onnx_loader.h"
#include "loaders/pb_reader.h"
#include "loaders/tensor_io.h"

namespace facet::fuzz {
namespace {

// Anything but facet::Error escaping a loader is a bug: report it and abort so libFuzzer (or
// the replay test) records it.
template <class Fn>
int guarded(const char* what, Fn&& fn) {
  try {
    fn();
  } catch (const Error&) {
    // expected: malformed input or a limit
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz %s: unexpected exception %s\n", what, e.what());
    std::abort();
  }
  return 0;
}

// Walks every field; each length-delimited field is also tried as a nested message, packed
// int64 / float / double arrays and a string, to cover every accessor.
void walk(facet::loaders::PbReader& r, int budget_depth) {
  using facet::loaders::WireType;
  while (r.next()) {
    switch (r.wire()) {
      case WireType::kVarint: {
        (void)r.as_uint64();
        (void)r.as_int32();
        (void)r.as_bool();
        std::vector<int64_t> v;
        r.append_int64s(v);
        break;
      }
      case WireType::kFixed32: {
        (void)r.as_float();
        std::vector<float> v;
        r.append_floats(v);
        break;
      }
      case WireType::kFixed64: {
        (void)r.as_double();
        std::vector<double> v;
        r.append_doubles(v);
        break;
      }
      case WireType::kLen: {
        (void)r.as_string();
        try {
          std::vector<int64_t> a;
          r.append_int64s(a);
        } catch (const Error&) {
        }
        try {
          std::vector<float> a;
          r.append_floats(a);
        } catch (const Error&) {
        }
        try {
          std::vector<double> a;
          r.append_doubles(a);
        } catch (const Error&) {
        }
        if (budget_depth > 0) {
          try {
            facet::loaders::PbReader sub = r.sub_reader("Sub");
            walk(sub, budget_depth - 1);
          } catch (const Error&) {
          }
        }
        break;
      }
      default:
        break;
    }
  }
}

// Planned memory above this is not run (the plan itself is still built and checked).
constexpr size_t kMaxRunArena = size_t(16) << 20;
constexpr int64_t kMaxRunMacs = int64_t(20) << 20;
constexpr int64_t kMaxInputElements = int64_t(1) << 16;

Tensor make_input(const Value& v) {
  Shape shape = v.shape;
  int64_t numel = 1;
  for (int64_t& d : shape) {
    if (d < 0) d = 1;  // unknown dim: pick 1
    if (d > kMaxInputElements) fail("input too large to fuzz");
    numel *= d;
    if (numel > kMaxInputElements) fail("input too large to fuzz");
  }
  if (!v.shape_known) shape = {1};
  const DType dt = v.dtype == DType::kI64 ? DType::kI64 : DType::kF32;
  Tensor t = Tensor::empty(dt, shape);
  if (dt == DType::kI64) {
    for (int64_t k = 0; k < t.numel(); ++k) t.data<int64_t>()[k] = 1;
  } else {
    for (int64_t k = 0; k < t.numel(); ++k) t.data<float>()[k] = 0.5f;
  }
  return t;
}

bool image_fuzz(const uint8_t* data, size_t size, facet::loaders::ImageFormat want,
                const char* what) {
  if (facet::loaders::detect_image_format(data, size) != want) return false;
  facet::loaders::ImageLimits lim;
  lim.max_pixels = 4u << 20;  // keep decodes fast; the limit itself is tested elsewhere
  guarded(what, [&] {
    facet::loaders::Image img = facet::loaders::decode_image(data, size, "fuzz", lim);
    if (img.pixels.size() != img.row_bytes() * static_cast<size_t>(img.height)) std::abort();
  });
  return true;
}

}  // namespace

int pb_reader(const uint8_t* data, size_t size) {
  return guarded("pb_reader", [&] {
    facet::loaders::PbSource src{data, "fuzz.pb", 16};
    facet::loaders::PbReader r(src, data, data + size, "Root");
    walk(r, 12);
  });
}

int onnx_load(const uint8_t* data, size_t size) {
  return guarded("onnx_load", [&] {
    facet::loaders::LoadLimits limits;
    limits.max_file_bytes = 1u << 20;
    limits.max_tensor_elements = int64_t(1) << 22;
    std::shared_ptr<Graph> g = facet::loaders::load_onnx_bytes(data, size, "fuzz.onnx", "", limits);
    std::vector<Tensor> inputs;
    for (int id : g->inputs) inputs.push_back(make_input(g->values[static_cast<size_t>(id)]));
    SessionOptions opt;
    opt.threads = 1;
    opt.max_arena_bytes = size_t(256) << 20;
    Session s(g, opt);
    const Plan& plan = s.plan_for(inputs);
    if (plan.arena_bytes > kMaxRunArena || plan.total_macs > kMaxRunMacs) return;
    std::vector<Tensor> out = s.run(inputs);
    if (out.size() != g->outputs.size()) std::abort();
  });
}

int tensor(const uint8_t* data, size_t size) {
  return guarded("tensor", [&] {
    if (size >= 6 && std::memcmp(data, "\x93NUMPY", 6) == 0) {
      Tensor t = facet::loaders::parse_npy(data, size, "fuzz.npy");
      (void)t;
    } else {
      std::string name;
      Tensor t = facet::loaders::parse_tensor_proto(data, size, "fuzz.pb", &name);
      (void)t;
    }
  });
}

int png(const uint8_t* data, size_t size) {
  image_fuzz(data, size, facet::loaders::ImageFormat::kPng, "png");
  return 0;
}
int jpeg(const uint8_t* data, size_t size) {
  image_fuzz(data, size, facet::loaders::ImageFormat::kJpeg, "jpeg");
  return 0;
}
int ppm(const uint8_t* data, size_t size) {
  image_fuzz(data, size, facet::loaders::ImageFormat::kPnm, "ppm");
  return 0;
}

Entry find_entry(const char* name) {
  struct Item {
    const char* name;
    Entry fn;
  };
  static const Item kItems[] = {{"pb_reader", pb_reader}, {"onnx_load", onnx_load},
                                {"tensor", tensor},       {"png", png},
                                {"jpeg", jpeg},           {"ppm", ppm}};
  for (const Item& it : kItems)
    if (std::strcmp(it.name, name) == 0) return it.fn;
  return nullptr;
}

}  // namespace facet::fuzz
