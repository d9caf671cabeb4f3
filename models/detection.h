// Face boxes shared by the detectors, and greedy non-maximum suppression.
#pragma once

#include <vector>

namespace facet::models {

struct Point2 {
  float x = 0.f;
  float y = 0.f;
};

// A detected face in pixel coordinates of some image: top-left corner, size, score in [0, 1] and,
// for YuNet, 5 points: right eye, left eye, nose tip, right and left mouth corner (the subject's
// right/left).
struct FaceBox {
  float x = 0.f;
  float y = 0.f;
  float w = 0.f;
  float h = 0.f;
  float score = 0.f;
  bool has_points = false;
  Point2 points[5];
};

// Intersection over union of two boxes (0 when either is empty).
float box_iou(const FaceBox& a, const FaceBox& b);

// Sorts by descending score (stable) and keeps a box unless it overlaps an already kept box with
// IoU > iou_threshold. Keeps at most top_k boxes (top_k <= 0: no limit).
std::vector<FaceBox> nms(std::vector<FaceBox> boxes, float iou_threshold, int top_k = 0);

// Working memory of the decoders' NMS, reused across calls.
struct NmsScratch {
  std::vector<FaceBox> candidates;  // boxes above the score threshold, in decoding order
  std::vector<int> order;           // candidate indices sorted by descending score
};

// nms() of scratch->candidates into *out (cleared first), with the same result: ties keep their
// decoding order. Allocates nothing once scratch->order and *out have the capacity (the decoders
// reserve the number of anchors and top_k).
void nms_into(NmsScratch* scratch, float iou_threshold, int top_k, std::vector<FaceBox>* out);

// Multiplies coordinates (box and points) by sx, sy: maps from detector-input pixels to image
// pixels.
void scale_boxes(std::vector<FaceBox>* boxes, float sx, float sy);

}  // namespace facet::models
