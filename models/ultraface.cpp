#include "models/ultraface.h"

#include <algorithm>
#include <cmath>

#include "engine/status.h"

namespace facet::models {

std::vector<std::array<float, 4>> ultraface_priors(int input_w, int input_h) {
  static const int kStrides[4] = {8, 16, 32, 64};
  static const std::vector<float> kMinBoxes[4] = {
      {10.f, 16.f, 24.f}, {32.f, 48.f}, {64.f, 96.f}, {128.f, 192.f, 256.f}};
  std::vector<std::array<float, 4>> priors;
  for (int level = 0; level < 4; ++level) {
    const int fw = (input_w + kStrides[level] - 1) / kStrides[level];
    const int fh = (input_h + kStrides[level] - 1) / kStrides[level];
    for (int j = 0; j < fh; ++j) {
      for (int i = 0; i < fw; ++i) {
        for (float m : kMinBoxes[level]) {
          std::array<float, 4> p = {(i + 0.5f) / fw, (j + 0.5f) / fh, m / input_w, m / input_h};
          for (float& v : p) v = std::clamp(v, 0.f, 1.f);
          priors.push_back(p);
        }
      }
    }
  }
  return priors;
}

std::vector<FaceBox> ultraface_decode(const float* scores, const float* boxes, int64_t count,
                                      int image_w, int image_h, const UltrafaceOptions& options,
                                      int input_w, int input_h) {
  NmsScratch scratch;
  std::vector<FaceBox> out;
  ultraface_decode_into(scores, boxes, count, ultraface_priors(input_w, input_h), image_w, image_h,
                        options, &scratch, &out);
  return out;
}

void ultraface_decode_into(const float* scores, const float* boxes, int64_t count,
                           const std::vector<std::array<float, 4>>& priors, int image_w,
                           int image_h, const UltrafaceOptions& options, NmsScratch* scratch,
                           std::vector<FaceBox>* out) {
  FACET_CHECK(count == static_cast<int64_t>(priors.size()), "UltraFace decode: ", count,
              " boxes, expected ", priors.size(), " priors");
  std::vector<FaceBox>& candidates = scratch->candidates;
  candidates.clear();
  candidates.reserve(priors.size());
  scratch->order.reserve(priors.size());
  out->reserve(options.top_k > 0 ? std::min(priors.size(), static_cast<size_t>(options.top_k))
                                  : priors.size());
  for (int64_t n = 0; n < count; ++n) {
    const float score = scores[2 * n + 1];
    if (!(score > options.score_threshold)) continue;
    const std::array<float, 4>& p = priors[static_cast<size_t>(n)];
    const float* b = boxes + 4 * n;
    const float cx = b[0] * 0.1f * p[2] + p[0];
    const float cy = b[1] * 0.1f * p[3] + p[1];
    const float w = std::exp(b[2] * 0.2f) * p[2];
    const float h = std::exp(b[3] * 0.2f) * p[3];
    FaceBox f;
    f.x = (cx - w / 2) * image_w;
    f.y = (cy - h / 2) * image_h;
    f.w = w * image_w;
    f.h = h * image_h;
    f.score = score;
    candidates.push_back(f);
  }
  nms_into(scratch, options.nms_iou, options.top_k, out);
}

Tensor ultraface_prepare(const Image& image, int input_w, int input_h) {
  Image rgb_storage, resized;
  ResizeScratch scratch;
  Tensor t;
  ultraface_prepare_into(as_three_channels(image, &rgb_storage), input_w, input_h, &resized,
                         &scratch, &t);
  return t;
}

void ultraface_prepare_into(const Image& image, int input_w, int input_h, Image* resized,
                            ResizeScratch* scratch, Tensor* out) {
  FACET_CHECK(image.channels == 3 && !image.empty(), "UltraFace: need a non-empty 3-channel image");
  resize_region_into(image, 0, 0, image.width, image.height, input_w, input_h, resized, scratch);
  Normalization norm;
  norm.mean = {127.f, 127.f, 127.f};
  norm.std = {128.f, 128.f, 128.f};
  ensure_nchw_f32(out, 3, input_h, input_w);
  image_to_nchw_into(*resized, norm, input_w, input_h, out->data<float>());
}

}  // namespace facet::models
