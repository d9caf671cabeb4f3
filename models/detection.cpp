#include "models/detection.h"

#include <algorithm>
#include <limits>

namespace facet::models {

float box_iou(const FaceBox& a, const FaceBox& b) {
  const float ix0 = std::max(a.x, b.x), iy0 = std::max(a.y, b.y);
  const float ix1 = std::min(a.x + a.w, b.x + b.w), iy1 = std::min(a.y + a.h, b.y + b.h);
  const float inter = std::max(0.f, ix1 - ix0) * std::max(0.f, iy1 - iy0);
  const float uni = std::max(0.f, a.w) * std::max(0.f, a.h) + std::max(0.f, b.w) * std::max(0.f, b.h) - inter;
  return uni > 0.f ? inter / uni : 0.f;
}

std::vector<FaceBox> nms(std::vector<FaceBox> boxes, float iou_threshold, int top_k) {
  NmsScratch scratch;
  scratch.candidates = std::move(boxes);
  std::vector<FaceBox> kept;
  nms_into(&scratch, iou_threshold, top_k, &kept);
  return kept;
}

void nms_into(NmsScratch* scratch, float iou_threshold, int top_k, std::vector<FaceBox>* out) {
  const std::vector<FaceBox>& boxes = scratch->candidates;
  std::vector<int>& order = scratch->order;
  order.resize(boxes.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  // Descending score, ties by index: the order of a stable sort, with std::sort (which, unlike
  // std::stable_sort, needs no temporary buffer). NaN scores sort last.
  auto key = [&](int i) {
    const float s = boxes[static_cast<size_t>(i)].score;
    return s == s ? s : -std::numeric_limits<float>::infinity();
  };
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    const float ka = key(a), kb = key(b);
    return ka > kb || (ka == kb && a < b);
  });
  out->clear();
  for (int idx : order) {
    if (top_k > 0 && static_cast<int>(out->size()) >= top_k) break;
    const FaceBox& b = boxes[static_cast<size_t>(idx)];
    bool keep = true;
    for (const FaceBox& k : *out) {
      if (box_iou(b, k) > iou_threshold) {
        keep = false;
        break;
      }
    }
    if (keep) out->push_back(b);
  }
}

void scale_boxes(std::vector<FaceBox>* boxes, float sx, float sy) {
  for (FaceBox& b : *boxes) {
    b.x *= sx;
    b.y *= sy;
    b.w *= sx;
    b.h *= sy;
    for (Point2& p : b.points) {
      p.x *= sx;
      p.y *= sy;
    }
  }
}

}  // namespace facet::models
