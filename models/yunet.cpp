#include "models/yunet.h"

#include <algorithm>
#include <cmath>

#include "engine/status.h"

namespace facet::models {

std::vector<FaceBox> yunet_decode(const std::vector<YunetLevel>& levels, int input_w, int input_h,
                                  const YunetOptions& options) {
  std::vector<FaceBox> candidates;
  for (const YunetLevel& lv : levels) {
    FACET_CHECK(lv.stride > 0, "YuNet decode: bad stride ", lv.stride);
    const int cols = input_w / lv.stride, rows = input_h / lv.stride;
    FACET_CHECK(lv.count == int64_t(cols) * rows, "YuNet decode: stride ", lv.stride, " has ",
                lv.count, " anchors, expected ", rows, "x", cols, " for a ", input_w, "x",
                input_h, " input");
    for (int64_t idx = 0; idx < lv.count; ++idx) {
      const float cls = std::clamp(lv.cls[idx], 0.f, 1.f);
      const float obj = std::clamp(lv.obj[idx], 0.f, 1.f);
      const float score = std::sqrt(cls * obj);
      if (!(score >= options.score_threshold)) continue;
      const float row = static_cast<float>(idx / cols), col = static_cast<float>(idx % cols);
      const float s = static_cast<float>(lv.stride);
      const float* b = lv.bbox + idx * 4;
      const float cx = (col + b[0]) * s, cy = (row + b[1]) * s;
      const float w = std::exp(b[2]) * s, h = std::exp(b[3]) * s;
      FaceBox f;
      f.x = cx - w / 2;
      f.y = cy - h / 2;
      f.w = w;
      f.h = h;
      f.score = score;
      f.has_points = true;
      const float* k = lv.kps + idx * 10;
      for (int p = 0; p < 5; ++p) {
        f.points[p].x = (k[2 * p] + col) * s;
        f.points[p].y = (k[2 * p + 1] + row) * s;
      }
      candidates.push_back(f);
    }
  }
  return nms(std::move(candidates), options.nms_iou, options.top_k);
}

namespace {

Tensor bgr_tensor(const Image& rgb, int pad_w, int pad_h) {
  Image padded = rgb;
  if (pad_w != rgb.width || pad_h != rgb.height) padded = crop_zero_pad(rgb, 0, 0, pad_w, pad_h);
  Normalization norm;  // raw 0..255
  norm.swap_red_blue = true;
  return image_to_nchw(padded, norm);
}

}  // namespace

YunetInput yunet_prepare_dynamic(const Image& image, int long_side) {
  const Image rgb = to_three_channels(image);
  int rw = rgb.width, rh = rgb.height;
  if (long_side > 0) {
    const double r = static_cast<double>(long_side) / std::max(rgb.width, rgb.height);
    rw = std::max(1, static_cast<int>(std::lround(rgb.width * r)));
    rh = std::max(1, static_cast<int>(std::lround(rgb.height * r)));
  }
  const Image resized = (rw == rgb.width && rh == rgb.height) ? rgb : resize_bilinear(rgb, rw, rh);
  YunetInput in;
  in.resized_w = rw;
  in.resized_h = rh;
  in.to_image_x = static_cast<float>(rgb.width) / rw;
  in.to_image_y = static_cast<float>(rgb.height) / rh;
  in.tensor = bgr_tensor(resized, (rw + 31) / 32 * 32, (rh + 31) / 32 * 32);
  return in;
}

YunetInput yunet_prepare_fixed(const Image& image, int width, int height) {
  const Image rgb = to_three_channels(image);
  YunetInput in;
  in.resized_w = width;
  in.resized_h = height;
  in.to_image_x = static_cast<float>(rgb.width) / width;
  in.to_image_y = static_cast<float>(rgb.height) / height;
  in.tensor = bgr_tensor(resize_bilinear(rgb, width, height), width, height);
  return in;
}

}  // namespace facet::models
