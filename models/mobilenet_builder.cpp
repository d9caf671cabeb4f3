#include "models/mobilenet_builder.h"

#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "engine/status.h"

namespace facet::models {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Normal and uniform numbers defined by this file alone (std::normal_distribution differs
// between standard libraries).
class Rng {
 public:
  explicit Rng(uint32_t seed) : gen_(seed) {}
  double uniform() {  // [0, 1)
    return static_cast<double>(gen_() >> 8) / 16777216.0;
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double normal() {
    if (have_spare_) {
      have_spare_ = false;
      return spare_;
    }
    double u1 = 1.0 - uniform();  // (0, 1]
    double u2 = uniform();
    double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * kPi * u2);
    have_spare_ = true;
    return r * std::cos(2.0 * kPi * u2);
  }

 private:
  std::mt19937 gen_;
  bool have_spare_ = false;
  double spare_ = 0;
};

class Builder {
 public:
  Builder(const MobileNetV1Options& o) : opt_(o), rng_(o.seed) {}

  loaders::ModelSpec build() {
    loaders::ModelSpec m;
    m.producer_name = "facet make-model";
    m.opsets = {{"", 13}};
    m.graph.name = "mobilenet_v1";
    const int64_t s = opt_.size;
    m.graph.inputs.push_back(loaders::value_info("input", DType::kF32, {1, 3, s, s}));
    graph_ = &m.graph;

    // (output channels at width 1, stride) of the depthwise-separable blocks.
    static const std::pair<int64_t, int64_t> kBlocks[13] = {
        {64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},  {512, 1},
        {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};

    int64_t ch = mobilenet_channels(32, opt_.width);
    std::string x = conv_bn_relu("input", 3, ch, 3, 2, 1);
    for (const auto& b : kBlocks) {
      int64_t out = mobilenet_channels(b.first, opt_.width);
      x = conv_bn_relu(x, ch, ch, 3, b.second, ch);  // depthwise
      x = conv_bn_relu(x, ch, out, 1, 1, 1);         // pointwise
      ch = out;
    }
    std::string pooled = next_name("pool");
    add_node("GlobalAveragePool", {x}, pooled, {});
    std::string flat = next_name("flatten");
    Attributes fa;
    fa.set_int("axis", 1);
    add_node("Flatten", {pooled}, flat, fa);

    const int64_t classes = opt_.classes;
    std::vector<float> w(static_cast<size_t>(classes * ch));
    double std_fc = std::sqrt(1.0 / static_cast<double>(ch));
    for (float& v : w) v = static_cast<float>(std_fc * rng_.normal());
    std::vector<float> bias(static_cast<size_t>(classes));
    for (float& v : bias) v = static_cast<float>(0.01 * rng_.normal());
    add_init("fc.weight", {classes, ch}, w);
    add_init("fc.bias", {classes}, bias);
    Attributes ga;
    ga.set_float("alpha", 1.0f);
    ga.set_float("beta", 1.0f);
    ga.set_int("transB", 1);
    add_node("Gemm", {flat, "fc.weight", "fc.bias"}, "logits", ga);
    m.graph.outputs.push_back(loaders::value_info("logits", DType::kF32, {1, classes}));
    graph_ = nullptr;
    return m;
  }

 private:
  std::string next_name(const std::string& what) { return what + "_" + std::to_string(counter_++); }

  void add_init(const std::string& name, Shape shape, const std::vector<float>& values) {
    graph_->initializers.push_back(loaders::tensor_spec(name, Tensor::from_f32(std::move(shape), values)));
  }

  void add_node(const std::string& op, std::vector<std::string> inputs, const std::string& output,
                Attributes attrs) {
    std::string name = op + "_" + std::to_string(node_count_++);
    graph_->nodes.push_back(loaders::node_spec(op, std::move(inputs), {output}, std::move(attrs), name));
  }

  // Conv (kernel k, stride, pad k/2, `group`) -> BN -> Relu; returns the output value name.
  std::string conv_bn_relu(const std::string& in, int64_t cin, int64_t cout, int64_t k, int64_t stride,
                           int64_t group) {
    const int layer = layer_++;
    const std::string p = "layer" + std::to_string(layer);
    const int64_t cin_g = cin / group;
    const int64_t fan_in = cin_g * k * k;
    std::vector<float> w(static_cast<size_t>(cout * fan_in));
    const double he = std::sqrt(2.0 / static_cast<double>(fan_in));
    for (float& v : w) v = static_cast<float>(he * rng_.normal());
    std::vector<float> gamma(static_cast<size_t>(cout)), beta(gamma.size()), mean(gamma.size()),
        var(gamma.size());
    for (size_t c = 0; c < gamma.size(); ++c) {
      gamma[c] = static_cast<float>(rng_.uniform(0.8, 1.2));
      beta[c] = static_cast<float>(0.05 * rng_.normal());
      mean[c] = static_cast<float>(0.05 * rng_.normal());
      var[c] = static_cast<float>(rng_.uniform(0.8, 1.2));
    }
    const float eps = 1e-5f;

    Attributes ca;
    ca.set_ints("dilations", {1, 1});
    ca.set_int("group", group);
    ca.set_ints("kernel_shape", {k, k});
    ca.set_ints("pads", {k / 2, k / 2, k / 2, k / 2});
    ca.set_ints("strides", {stride, stride});

    std::string conv_out = next_name("conv");
    if (opt_.fold_bn) {
      // y = gamma * (conv(x) - mean) / sqrt(var + eps) + beta = conv'(x) + bias'
      std::vector<float> bias(gamma.size());
      for (size_t c = 0; c < gamma.size(); ++c) {
        float scale = gamma[c] / std::sqrt(var[c] + eps);
        for (int64_t i = 0; i < fan_in; ++i) w[c * static_cast<size_t>(fan_in) + static_cast<size_t>(i)] *= scale;
        bias[c] = beta[c] - mean[c] * scale;
      }
      add_init(p + ".conv.weight", {cout, cin_g, k, k}, w);
      add_init(p + ".conv.bias", {cout}, bias);
      add_node("Conv", {in, p + ".conv.weight", p + ".conv.bias"}, conv_out, ca);
    } else {
      add_init(p + ".conv.weight", {cout, cin_g, k, k}, w);
      add_node("Conv", {in, p + ".conv.weight"}, conv_out, ca);
      add_init(p + ".bn.weight", {cout}, gamma);
      add_init(p + ".bn.bias", {cout}, beta);
      add_init(p + ".bn.running_mean", {cout}, mean);
      add_init(p + ".bn.running_var", {cout}, var);
      Attributes ba;
      ba.set_float("epsilon", eps);
      ba.set_float("momentum", 0.9f);
      std::string bn_out = next_name("bn");
      add_node("BatchNormalization",
               {conv_out, p + ".bn.weight", p + ".bn.bias", p + ".bn.running_mean", p + ".bn.running_var"},
               bn_out, ba);
      conv_out = bn_out;
    }
    std::string relu_out = next_name("relu");
    add_node("Relu", {conv_out}, relu_out, {});
    return relu_out;
  }

  MobileNetV1Options opt_;
  Rng rng_;
  loaders::GraphSpec* graph_ = nullptr;
  int counter_ = 0;
  int node_count_ = 0;
  int layer_ = 0;
};

}  // namespace

int64_t mobilenet_channels(int64_t base, float width) {
  double c = static_cast<double>(base) * static_cast<double>(width);
  int64_t rounded = static_cast<int64_t>(c / 8.0 + 0.5) * 8;
  if (rounded < 8) rounded = 8;
  if (static_cast<double>(rounded) < 0.9 * c) rounded += 8;  // never drop more than 10%
  return rounded;
}

loaders::ModelSpec build_mobilenet_v1(const MobileNetV1Options& options) {
  FACET_CHECK(std::isfinite(options.width) && options.width > 0.f && options.width <= 8.f,
              "width must be in (0, 8], got ", options.width);
  FACET_CHECK(options.size >= 32 && options.size <= 4096, "size must be in [32, 4096], got ",
              options.size);
  FACET_CHECK(options.classes >= 1 && options.classes <= 1000000,
              "classes must be in [1, 1000000], got ", options.classes);
  return Builder(options).build();
}

}  // namespace facet::models
