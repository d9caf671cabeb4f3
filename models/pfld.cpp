#include "models/pfld.h"

#include <algorithm>

namespace facet::models {

PfldCrop pfld_prepare(const Image& image, const FaceBox& box, int input_size) {
  const double side = std::max(box.w, box.h);
  const double cx = box.x + box.w / 2.0, cy = box.y + box.h / 2.0;
  const int x0 = round_half_even(cx - side / 2), y0 = round_half_even(cy - side / 2);
  const int x1 = std::max(x0 + 1, round_half_even(cx + side / 2));
  const int y1 = std::max(y0 + 1, round_half_even(cy + side / 2));
  const Image crop = crop_zero_pad(to_three_channels(image), x0, y0, x1, y1);
  Normalization norm;  // x/255 then (x - 0.5)/0.5 == (x - 127.5) / 127.5
  norm.mean = {127.5f, 127.5f, 127.5f};
  norm.std = {127.5f, 127.5f, 127.5f};
  PfldCrop out;
  out.input = image_to_nchw(resize_bilinear(crop, input_size, input_size), norm);
  out.x0 = static_cast<float>(x0);
  out.y0 = static_cast<float>(y0);
  out.side = static_cast<float>(side);
  return out;
}

std::vector<Point2> pfld_decode(const float* output, int num_points, const PfldCrop& crop) {
  std::vector<Point2> pts(static_cast<size_t>(num_points));
  for (int i = 0; i < num_points; ++i) {
    pts[static_cast<size_t>(i)].x = output[2 * i] * crop.side + crop.x0;
    pts[static_cast<size_t>(i)].y = output[2 * i + 1] * crop.side + crop.y0;
  }
  return pts;
}

}  // namespace facet::models
