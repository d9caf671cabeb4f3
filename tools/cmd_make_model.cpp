// facet make-model: generated models with seeded random weights (no downloads needed).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/status.h"
#include "loaders/onnx_writer.h"
#include "loaders/tensor_io.h"
#include "models/mobilenet_builder.h"
#include "tools/cli.h"

namespace facet::tools {

namespace {

double parse_number(const std::string& text, const std::string& what) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end == nullptr || *end != '\0' || !std::isfinite(v))
    throw UsageError{str_cat(what, " expects a number, got '", text, "'")};
  return v;
}

}  // namespace

int cmd_make_model(Args& args) {
  std::string width_text = args.option("--width");
  int size = args.int_option("--size", 224);
  int classes = args.int_option("--classes", 1000);
  int seed = args.int_option("--seed", 1);
  bool fold_bn = args.flag("--fold-bn");
  std::string out = args.option("--output", "-o");
  auto pos = args.positional();
  if (pos.size() != 1) throw UsageError{"expected exactly one architecture name (mobilenet_v1)"};
  if (pos[0] != "mobilenet_v1" && pos[0] != "mobilenet-v1")
    throw UsageError{str_cat("unknown architecture '", pos[0], "' (known: mobilenet_v1)")};
  if (out.empty()) throw UsageError{"-o FILE is required"};

  models::MobileNetV1Options opt;
  if (!width_text.empty()) opt.width = static_cast<float>(parse_number(width_text, "--width"));
  opt.size = size;
  opt.classes = classes;
  opt.seed = static_cast<uint32_t>(seed);
  opt.fold_bn = fold_bn;
  loaders::ModelSpec spec = models::build_mobilenet_v1(opt);

  int64_t params = 0;
  for (const loaders::TensorSpec& t : spec.graph.initializers) {
    int64_t n = 1;
    for (int64_t d : t.dims) n *= d;
    params += n;
  }
  std::string bytes = loaders::serialize_model(spec);
  loaders::write_file_atomic(out, bytes.data(), bytes.size());
  std::printf("wrote %s: mobilenet_v1 width %g, input [1,3,%d,%d], %d classes, seed %d, %s\n",
              out.c_str(), static_cast<double>(opt.width), size, size, classes, seed,
              fold_bn ? "BN folded" : "Conv+BatchNormalization+Relu");
  std::printf("  %zu nodes, %lld parameters, %s\n", spec.graph.nodes.size(),
              static_cast<long long>(params), human_bytes(static_cast<double>(bytes.size())).c_str());
  return 0;
}

}  // namespace facet::tools
