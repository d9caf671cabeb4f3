// UltraFace RFB-320 (Ultra-Light-Fast-Generic-Face-Detector-1MB): input preparation, SSD priors
// and output decoding.
//
// Input: RGB, (x - 127) / 128, NCHW, 320x240 (W x H). Outputs: `scores` [1, N, 2] (softmax, column
// 1 = face) and `boxes` [1, N, 4] raw SSD offsets against N = 4420 priors.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "engine/tensor.h"
#include "models/detection.h"
#include "models/image_ops.h"

namespace facet::models {

struct UltrafaceOptions {
  float score_threshold = 0.7f;
  float nms_iou = 0.3f;
  int top_k = 0;  // no limit
};

// Priors (cx, cy, w, h), relative to the input size, clamped to [0, 1], in the network's order:
// for strides 8/16/32/64 with min_boxes {10,16,24} {32,48} {64,96} {128,192,256}, rows j of the
// feature map, then columns i, then each min box m:
//   [(i + 0.5) / fw, (j + 0.5) / fh, m / input_w, m / input_h],
// with the feature map size (fw, fh) = (ceil(input_w / stride), ceil(input_h / stride)).
std::vector<std::array<float, 4>> ultraface_priors(int input_w = 320, int input_h = 240);

// Decodes with variances 0.1 (centre) and 0.2 (size), thresholds on the face score, applies NMS,
// and scales the relative boxes to image_w x image_h pixels. count must equal the number of priors.
std::vector<FaceBox> ultraface_decode(const float* scores, const float* boxes, int64_t count,
                                      int image_w, int image_h, const UltrafaceOptions& options = {},
                                      int input_w = 320, int input_h = 240);

// The same with precomputed priors (ultraface_priors(input_w, input_h)), into *out, using
// *scratch: allocation-free after the first call.
void ultraface_decode_into(const float* scores, const float* boxes, int64_t count,
                           const std::vector<std::array<float, 4>>& priors, int image_w,
                           int image_h, const UltrafaceOptions& options, NmsScratch* scratch,
                           std::vector<FaceBox>* out);

// [1, 3, 240, 320] RGB (x - 127) / 128 from an RGB (or gray) image of any size.
Tensor ultraface_prepare(const Image& image, int input_w = 320, int input_h = 240);
// The same into *out (reused when its shape fits), with *resized and *scratch as working memory;
// `image` must have 3 channels.
void ultraface_prepare_into(const Image& image, int input_w, int input_h, Image* resized,
                            ResizeScratch* scratch, Tensor* out);

}  // namespace facet::models
