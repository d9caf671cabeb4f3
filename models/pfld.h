// PFLD-GhostOne 98-point landmarks (WFLW layout): crop and decode.
//
// Crop, following upstream onnx_inference.py: a square of side max(w, h) centred on the face
// box, no margin, black outside the image; the corners are rounded like PIL's crop (Python round,
// ties to even); resized to 112x112; RGB, (x/255 - 0.5) / 0.5, NCHW.
// Output [1, 196]: 98 (x, y) pairs in [0, 1] of the square: X = out[2i] * side + x0.
#pragma once

#include <vector>

#include "engine/tensor.h"
#include "models/detection.h"
#include "models/image_ops.h"

namespace facet::models {

struct PfldCrop {
  Tensor input;     // [1, 3, 112, 112]
  float x0 = 0.f;   // rounded top-left corner of the square, image pixels
  float y0 = 0.f;
  float side = 0.f; // unrounded side, image pixels
};

// Upstream resizes with PIL BICUBIC; this uses bilinear (cv2 INTER_LINEAR), which differs by a
// few levels per pixel (see the report of issue 3).
PfldCrop pfld_prepare(const Image& image, const FaceBox& box, int input_size = 112);
// The same into *crop (its input tensor reused when the shape fits), with *resized and *scratch
// as working memory: allocation-free after the first call. `image` must have 3 channels.
void pfld_prepare_into(const Image& image, const FaceBox& box, int input_size, Image* resized,
                       ResizeScratch* scratch, PfldCrop* crop);

// 98 points in image pixels from the 196 network outputs.
std::vector<Point2> pfld_decode(const float* output, int num_points, const PfldCrop& crop);
void pfld_decode_into(const float* output, int num_points, const PfldCrop& crop,
                      std::vector<Point2>* out);

}  // namespace facet::models
