#include "models/pfld.h"

#include <algorithm>

#include "engine/status.h"

namespace facet::models {

PfldCrop pfld_prepare(const Image& image, const FaceBox& box, int input_size) {
  Image rgb_storage, resized;
  ResizeScratch scratch;
  PfldCrop out;
  pfld_prepare_into(as_three_channels(image, &rgb_storage), box, input_size, &resized, &scratch,
                    &out);
  return out;
}

void pfld_prepare_into(const Image& image, const FaceBox& box, int input_size, Image* resized,
                       ResizeScratch* scratch, PfldCrop* out) {
  FACET_CHECK(image.channels == 3, "PFLD: need a 3-channel image, got ", image.channels);
  const double side = std::max(box.w, box.h);
  const double cx = box.x + box.w / 2.0, cy = box.y + box.h / 2.0;
  const int x0 = round_half_even(cx - side / 2), y0 = round_half_even(cy - side / 2);
  const int x1 = std::max(x0 + 1, round_half_even(cx + side / 2));
  const int y1 = std::max(y0 + 1, round_half_even(cy + side / 2));
  resize_region_into(image, x0, y0, x1, y1, input_size, input_size, resized, scratch);
  Normalization norm;  // x/255 then (x - 0.5)/0.5 == (x - 127.5) / 127.5
  norm.mean = {127.5f, 127.5f, 127.5f};
  norm.std = {127.5f, 127.5f, 127.5f};
  ensure_nchw_f32(&out->input, 3, input_size, input_size);
  image_to_nchw_into(*resized, norm, input_size, input_size, out->input.data<float>());
  out->x0 = static_cast<float>(x0);
  out->y0 = static_cast<float>(y0);
  out->side = static_cast<float>(side);
}

std::vector<Point2> pfld_decode(const float* output, int num_points, const PfldCrop& crop) {
  std::vector<Point2> pts;
  pfld_decode_into(output, num_points, crop, &pts);
  return pts;
}

void pfld_decode_into(const float* output, int num_points, const PfldCrop& crop,
                      std::vector<Point2>* pts) {
  pts->resize(static_cast<size_t>(num_points));
  for (int i = 0; i < num_points; ++i) {
    (*pts)[static_cast<size_t>(i)].x = output[2 * i] * crop.side + crop.x0;
    (*pts)[static_cast<size_t>(i)].y = output[2 * i + 1] * crop.side + crop.y0;
  }
}

}  // namespace facet::models
