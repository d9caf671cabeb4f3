// YuNet-s face detector (libfacedetection.train): input preparation and output decoding.
//
// The network takes a BGR float image in 0..255 (no normalisation), NCHW, with H and W multiples
// of 32. It outputs, for each stride s in {8, 16, 32}, one row per grid cell (row-major over a
// (H/s) x (W/s) grid): cls, obj (1 value each), bbox (4) and kps (10). See yunet_decode().
#pragma once

#include <cstdint>
#include <vector>

#include "engine/tensor.h"
#include "models/detection.h"
#include "models/image_ops.h"

namespace facet::models {

// The raw outputs for one stride. Pointers are to `count` rows of 1/1/4/10 floats.
struct YunetLevel {
  int stride = 0;
  const float* cls = nullptr;
  const float* obj = nullptr;
  const float* bbox = nullptr;
  const float* kps = nullptr;
  int64_t count = 0;
};

struct YunetOptions {
  // On score = sqrt(cls * obj) (OpenCV FaceDetectorYN's convention; its usual range 0.6..0.9).
  float score_threshold = 0.6f;
  float nms_iou = 0.3f;
  int top_k = 5000;
};

// Decodes all levels for a network input of input_w x input_h pixels and applies NMS. Boxes and
// points are in input pixels. For cell (row, col) of stride s, with no 0.5 offset:
//   cx = (col + bbox0) s, cy = (row + bbox1) s, w = exp(bbox2) s, h = exp(bbox3) s,
//   point k = ((kps[2k] + col) s, (kps[2k+1] + row) s),
//   score = sqrt(clip(cls, 0, 1) * clip(obj, 0, 1)).
// Throws facet::Error if a level's count is not (input_h / s) * (input_w / s).
std::vector<FaceBox> yunet_decode(const std::vector<YunetLevel>& levels, int input_w, int input_h,
                                  const YunetOptions& options = {});
// The same into *out, using *scratch; reserves room for every anchor, so once it has run for an
// input size it allocates nothing for that size (or a smaller one).
void yunet_decode_into(const YunetLevel* levels, size_t num_levels, int input_w, int input_h,
                       const YunetOptions& options, NmsScratch* scratch,
                       std::vector<FaceBox>* out);

// A prepared network input and how to map its coordinates back to the image.
struct YunetInput {
  Tensor tensor;          // [1, 3, H, W] BGR float 0..255
  int resized_w = 0;      // the image content occupies [0, resized_w) x [0, resized_h)
  int resized_h = 0;
  float to_image_x = 1;   // image x = input x * to_image_x
  float to_image_y = 1;
};

// For the dynamic model: resizes an RGB (or gray) image so that its long side is `long_side`
// (keeping the aspect ratio; long_side <= 0 keeps the original size), then zero-pads right and
// bottom to multiples of 32. At long_side 320 a square image becomes exactly the 320x320 input of
// the fixed model, which reproduces the reference outputs.
YunetInput yunet_prepare_dynamic(const Image& image, int long_side = 320);
// The same, reusing in->tensor (when its shape fits), *resized and *scratch: allocation-free for
// a repeated image size. `image` must have 3 channels.
void yunet_prepare_dynamic_into(const Image& image, int long_side, Image* resized,
                                ResizeScratch* scratch, YunetInput* in);
// For the fixed model: resizes to width x height regardless of aspect ratio.
YunetInput yunet_prepare_fixed(const Image& image, int width = 320, int height = 320);

}  // namespace facet::models
