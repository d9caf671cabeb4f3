#include "models/yunet.h"

#include <algorithm>
#include <cmath>

#include "engine/status.h"

namespace facet::models {

std::vector<FaceBox> yunet_decode(const std::vector<YunetLevel>& levels, int input_w, int input_h,
                                  const YunetOptions& options) {
  NmsScratch scratch;
  std::vector<FaceBox> out;
  yunet_decode_into(levels.data(), levels.size(), input_w, input_h, options, &scratch, &out);
  return out;
}

void yunet_decode_into(const YunetLevel* levels, size_t num_levels, int input_w, int input_h,
                       const YunetOptions& options, NmsScratch* scratch,
                       std::vector<FaceBox>* out) {
  int64_t total = 0;
  for (size_t l = 0; l < num_levels; ++l) {
    const YunetLevel& lv = levels[l];
    FACET_CHECK(lv.stride > 0, "YuNet decode: bad stride ", lv.stride);
    const int cols = input_w / lv.stride, rows = input_h / lv.stride;
    FACET_CHECK(lv.count == int64_t(cols) * rows, "YuNet decode: stride ", lv.stride, " has ",
                lv.count, " anchors, expected ", rows, "x", cols, " for a ", input_w, "x",
                input_h, " input");
    total += lv.count;
  }
  std::vector<FaceBox>& candidates = scratch->candidates;
  candidates.clear();
  candidates.reserve(static_cast<size_t>(total));
  scratch->order.reserve(static_cast<size_t>(total));
  out->reserve(static_cast<size_t>(options.top_k > 0 ? std::min<int64_t>(options.top_k, total) : total));
  for (size_t l = 0; l < num_levels; ++l) {
    const YunetLevel& lv = levels[l];
    const int cols = input_w / lv.stride;
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
  nms_into(scratch, options.nms_iou, options.top_k, out);
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
  Image rgb_storage, resized;
  ResizeScratch scratch;
  YunetInput in;
  yunet_prepare_dynamic_into(as_three_channels(image, &rgb_storage), long_side, &resized, &scratch,
                             &in);
  return in;
}

void yunet_prepare_dynamic_into(const Image& rgb, int long_side, Image* resized,
                                ResizeScratch* scratch, YunetInput* in) {
  FACET_CHECK(rgb.channels == 3 && !rgb.empty(), "YuNet: need a non-empty 3-channel image");
  int rw = rgb.width, rh = rgb.height;
  if (long_side > 0) {
    const double r = static_cast<double>(long_side) / std::max(rgb.width, rgb.height);
    rw = std::max(1, static_cast<int>(std::lround(rgb.width * r)));
    rh = std::max(1, static_cast<int>(std::lround(rgb.height * r)));
  }
  const Image* src = &rgb;
  if (rw != rgb.width || rh != rgb.height) {
    resize_region_into(rgb, 0, 0, rgb.width, rgb.height, rw, rh, resized, scratch);
    src = resized;
  }
  in->resized_w = rw;
  in->resized_h = rh;
  in->to_image_x = static_cast<float>(rgb.width) / rw;
  in->to_image_y = static_cast<float>(rgb.height) / rh;
  const int pw = (rw + 31) / 32 * 32, ph = (rh + 31) / 32 * 32;
  ensure_nchw_f32(&in->tensor, 3, ph, pw);
  Normalization norm;  // raw 0..255
  norm.swap_red_blue = true;
  image_to_nchw_into(*src, norm, pw, ph, in->tensor.data<float>());
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
