#include "models/detection.h"

#include <algorithm>

namespace facet::models {

float box_iou(const FaceBox& a, const FaceBox& b) {
  const float ix0 = std::max(a.x, b.x), iy0 = std::max(a.y, b.y);
  const float ix1 = std::min(a.x + a.w, b.x + b.w), iy1 = std::min(a.y + a.h, b.y + b.h);
  const float inter = std::max(0.f, ix1 - ix0) * std::max(0.f, iy1 - iy0);
  const float uni = std::max(0.f, a.w) * std::max(0.f, a.h) + std::max(0.f, b.w) * std::max(0.f, b.h) - inter;
  return uni > 0.f ? inter / uni : 0.f;
}

std::vector<FaceBox> nms(std::vector<FaceBox> boxes, float iou_threshold, int top_k) {
  std::stable_sort(boxes.begin(), boxes.end(),
                   [](const FaceBox& a, const FaceBox& b) { return a.score > b.score; });
  std::vector<FaceBox> kept;
  for (const FaceBox& b : boxes) {
    if (top_k > 0 && static_cast<int>(kept.size()) >= top_k) break;
    bool keep = true;
    for (const FaceBox& k : kept) {
      if (box_iou(b, k) > iou_threshold) {
        keep = false;
        break;
      }
    }
    if (keep) kept.push_back(b);
  }
  return kept;
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
