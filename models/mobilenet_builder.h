// MobileNetV1 with seeded random weights, built through facet's own ONNX writer, so benchmarks and
// tests need no downloaded model (`facet make-model mobilenet_v1`).
//
// Layout as a PyTorch export writes it (opset 13): Conv 3x3 s2 (no bias) -> BatchNormalization ->
// Relu, then 13 depthwise-separable blocks (depthwise Conv 3x3 + BN + Relu, pointwise Conv 1x1 +
// BN + Relu), GlobalAveragePool, Flatten, Gemm (transB = 1). Channels are 32..1024 times `width`,
// rounded to a multiple of 8 (at least 8). With fold_bn the BatchNormalization nodes are folded
// into the convolutions' weights and biases instead.
//
// Weights: He-normal (std sqrt(2 / fan_in)) for the convolutions, normal with std sqrt(1 / fan_in)
// for the classifier, BN scale in [0.8, 1.2], shift and running mean N(0, 0.05^2), running
// variance in [0.8, 1.2]: activations keep roughly unit scale through all 27 layers, so the
// outputs of an input in [0, 1) are finite and O(1). Normals come from std::mt19937 with a fixed
// Box-Muller transform, so the same seed gives the same bytes with every standard library.
#pragma once

#include <cstdint>
#include <string>

#include "loaders/onnx_writer.h"

namespace facet::models {

struct MobileNetV1Options {
  float width = 1.0f;  // channel multiplier (alpha), > 0
  int size = 224;      // input height and width, >= 32
  int classes = 1000;  // >= 1
  uint32_t seed = 1;
  bool fold_bn = false;
};

// Input "input" [1, 3, size, size] float32, output "logits" [1, classes]. Throws facet::Error on
// out-of-range options.
loaders::ModelSpec build_mobilenet_v1(const MobileNetV1Options& options);

// Channel count of a MobileNetV1 layer with `base` channels at width `width`.
int64_t mobilenet_channels(int64_t base, float width);

}  // namespace facet::models
