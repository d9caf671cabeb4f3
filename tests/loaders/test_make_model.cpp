// `facet make-model mobilenet_v1`: the generated model loads, has MobileNetV1's parameter count,
// runs, and gives finite outputs; BN folded and unfolded agree; the seed fixes the bytes.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/session.h"
#include "loaders/onnx_loader.h"
#include "loaders/onnx_writer.h"
#include "models/mobilenet_builder.h"

namespace facet::models {
namespace {

std::shared_ptr<Graph> build_and_load(const MobileNetV1Options& opt) {
  std::string bytes = loaders::serialize_model(build_mobilenet_v1(opt));
  return loaders::load_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                  "mobilenet_v1.onnx");
}

// Conv weights + 4 BN vectors per conv + classifier, counted from the architecture.
int64_t expected_params(float width, int64_t classes) {
  static const int64_t kBlocks[13] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
  int64_t c = mobilenet_channels(32, width);
  int64_t p = 3 * 9 * c + 4 * c;
  for (int64_t base : kBlocks) {
    int64_t out = mobilenet_channels(base, width);
    p += 9 * c + 4 * c;      // depthwise + BN
    p += c * out + 4 * out;  // pointwise + BN
    c = out;
  }
  return p + c * classes + classes;
}

Tensor ramp_input(int size) {
  Tensor x = Tensor::empty(DType::kF32, {1, 3, size, size});
  for (int64_t i = 0; i < x.numel(); ++i)
    x.data<float>()[i] = static_cast<float>((i * 7919) % 1000) / 1000.f;
  return x;
}

int64_t spec_params(const loaders::ModelSpec& spec) {
  int64_t p = 0;
  for (const loaders::TensorSpec& t : spec.graph.initializers) {
    int64_t n = 1;
    for (int64_t d : t.dims) n *= d;
    p += n;
  }
  return p;
}

TEST(MakeModel, MobileNetV1Width1HasTheKnownParameterCount) {
  MobileNetV1Options opt;  // width 1.0, 1000 classes
  opt.size = 96;           // the count does not depend on the input size
  loaders::ModelSpec spec = build_mobilenet_v1(opt);
  EXPECT_EQ(spec_params(spec), 4253864);  // 4.23M weights + 0.02M BN statistics
  EXPECT_EQ(spec_params(spec), expected_params(1.0f, 1000));
  int convs = 0, bns = 0, relus = 0;
  for (const loaders::NodeSpec& n : spec.graph.nodes) {
    convs += n.op_type == "Conv";
    bns += n.op_type == "BatchNormalization";
    relus += n.op_type == "Relu";
  }
  EXPECT_EQ(convs, 27);
  EXPECT_EQ(bns, 27);
  EXPECT_EQ(relus, 27);
  EXPECT_EQ(spec.graph.nodes.size(), 27u * 3 + 3);

  auto g = build_and_load(opt);
  EXPECT_EQ(g->opsets.at(""), 13);
  // The loader may fold each BN into its Conv (4 vectors -> 1 bias): 27 convs, 10944 channels.
  EXPECT_LE(g->parameter_count(), 4253864);
  EXPECT_GE(g->parameter_count(), 4253864 - 3 * 10944);
}

TEST(MakeModel, MobileNetV1RunsWithFiniteOutputs) {
  MobileNetV1Options opt;
  opt.size = 96;
  auto g = build_and_load(opt);
  SessionOptions so;
  so.threads = 1;
  Session s(g, so);
  std::vector<Tensor> out = s.run({ramp_input(96)});
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(shape_str(out[0].shape()), "[1,1000]");
  double sum = 0, sum2 = 0;
  for (int64_t i = 0; i < out[0].numel(); ++i) {
    float v = out[0].data<float>()[i];
    ASSERT_TRUE(std::isfinite(v)) << "logit " << i;
    sum += v;
    sum2 += static_cast<double>(v) * v;
  }
  double mean = sum / 1000.0, var = sum2 / 1000.0 - mean * mean;
  EXPECT_GT(var, 1e-6);   // not a constant output
  EXPECT_LT(var, 1e4);    // activations stayed in range
  // 2 * MACs of MobileNetV1 1.0 at 224 is about 1.14 GFLOP; at 96 it scales by (96/224)^2.
  EXPECT_NEAR(static_cast<double>(s.current_plan()->total_macs), 569e6 * (96.0 * 96.0) / (224.0 * 224.0),
              0.05 * 569e6 * (96.0 * 96.0) / (224.0 * 224.0));
}

TEST(MakeModel, FoldedBatchNormGivesTheSameOutputs) {
  MobileNetV1Options opt;
  opt.width = 0.25f;
  opt.size = 64;
  opt.classes = 10;
  opt.seed = 7;
  auto plain = build_and_load(opt);
  opt.fold_bn = true;
  auto folded = build_and_load(opt);
  // Each conv's 4 BN vectors become 1 bias vector.
  loaders::ModelSpec folded_spec = build_mobilenet_v1(opt);
  opt.fold_bn = false;
  loaders::ModelSpec unfolded_spec = build_mobilenet_v1(opt);
  int64_t conv_channels = 0;
  int bns = 0;
  for (const loaders::TensorSpec& t : unfolded_spec.graph.initializers)
    if (t.name.size() > 12 && t.name.compare(t.name.size() - 12, 12, ".conv.weight") == 0)
      conv_channels += t.dims[0];
  for (const loaders::NodeSpec& n : folded_spec.graph.nodes) bns += n.op_type == "BatchNormalization";
  EXPECT_EQ(bns, 0);
  EXPECT_EQ(spec_params(unfolded_spec) - spec_params(folded_spec), 3 * conv_channels);
  Tensor x = ramp_input(64);
  SessionOptions so;
  so.threads = 1;
  Session a(plain, so), b(folded, so);
  Tensor ya = a.run({x})[0], yb = b.run({x})[0];
  ASSERT_EQ(shape_str(ya.shape()), "[1,10]");
  for (int64_t i = 0; i < ya.numel(); ++i) {
    float e = ya.data<float>()[i], v = yb.data<float>()[i];
    EXPECT_NEAR(v, e, 1e-3f + 1e-3f * std::fabs(e)) << "logit " << i;
  }
}

TEST(MakeModel, SeedFixesTheBytes) {
  MobileNetV1Options opt;
  opt.width = 0.25f;
  opt.size = 64;
  opt.classes = 10;
  std::string a = loaders::serialize_model(build_mobilenet_v1(opt));
  std::string b = loaders::serialize_model(build_mobilenet_v1(opt));
  opt.seed = 2;
  std::string c = loaders::serialize_model(build_mobilenet_v1(opt));
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(mobilenet_channels(32, 0.25f), 8);
  EXPECT_EQ(mobilenet_channels(1024, 0.75f), 768);
}

TEST(MakeModel, RejectsBadOptions) {
  MobileNetV1Options opt;
  opt.width = 0.f;
  EXPECT_THROW(build_mobilenet_v1(opt), Error);
  opt = {};
  opt.size = 8;
  EXPECT_THROW(build_mobilenet_v1(opt), Error);
  opt = {};
  opt.classes = 0;
  EXPECT_THROW(build_mobilenet_v1(opt), Error);
}

}  // namespace
}  // namespace facet::models
