// 3DDFA_V2 (MobileNetV1-0.5, 120x120) pre- and post-processing with the 68-point BFM bases.
//
// Frames used below:
//  - model frame: the BFM morphable model's coordinates of the unposed shape V;
//  - crop frame: 3DDFA's 120x120 crop, x right, y *up* (pts = R V + t, before similar_transform);
//  - image frame: pixels of the input image, x right, y down, z scaled like x/y and shifted so the
//    smallest z is 0 (upstream similar_transform).
//
// The 62 regressed values are whitened; p = param * std + mean gives a 3x4 matrix P (row-major,
// p[0:12]), 40 shape and 10 expression coefficients. P[:, :3] is *not* a rotation (it carries
// scale and some shear); fit_similarity() recovers a true rotation from the landmarks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "models/image_ops.h"

namespace facet::models {

constexpr int kTddfaParams = 62;
constexpr int kTddfaLandmarks = 68;
constexpr int kTddfaInputSize = 120;

struct Point3 {
  double x = 0.0;
  double y = 0.0;
  double z = 0.0;
};

// A crop region [x0, x1) x [y0, y1) in image pixels, not rounded.
struct RoiBox {
  double x0 = 0.0;
  double y0 = 0.0;
  double x1 = 0.0;
  double y1 = 0.0;
};

// The BFM data and whitening statistics (all float32 files in the tddfa/ model folder).
struct TddfaBasis {
  std::vector<float> u_base;      // [204] mean shape at the 68 points, x0,y0,z0,x1,...
  std::vector<float> w_shp_base;  // [204, 40] row-major
  std::vector<float> w_exp_base;  // [204, 10] row-major
  std::vector<float> param_mean;  // [62]
  std::vector<float> param_std;   // [62]

  // Reads bfm68_u_base.f32, bfm68_w_shp_base.f32, bfm68_w_exp_base.f32, param_mean_62.f32 and
  // param_std_62.f32 from `tddfa_dir`. Throws facet::Error naming the file on a size mismatch.
  static TddfaBasis load(const std::string& tddfa_dir);

  // The same from the five files' bytes held in memory (copied). `name` starts error messages.
  struct Bytes {
    const uint8_t* data = nullptr;
    size_t size = 0;
  };
  static TddfaBasis from_bytes(Bytes u_base, Bytes w_shp_base, Bytes w_exp_base, Bytes param_mean,
                               Bytes param_std, const std::string& name);
};

// Upstream parse_roi_box_from_bbox, from a face box (left, top, right, bottom):
//   old = (r - l + b - t) / 2, centre = (r - (r - l)/2, b - (b - t)/2 + 0.14 old),
//   size = int(1.58 old) (truncated), roi = centre -/+ size/2.
RoiBox tddfa_roi_from_box(double left, double top, double right, double bottom);

// The 120x120 crop: roi corners rounded (ties to even, like Python's round), zero padding outside
// the image, cv2-style bilinear resize. Keeps the channel order of `image` (3 channels).
Image tddfa_crop(const Image& image, const RoiBox& roi);
// [1, 3, 120, 120] network input from an RGB image: the crop above, BGR, (x - 127.5) / 128.
Tensor tddfa_prepare(const Image& rgb_image, const RoiBox& roi);
// tddfa_prepare into *input (reused when it is already [1, 3, 120, 120]), with *crop and *scratch
// as working memory: allocation-free after the first call. `rgb_image` must have 3 channels.
void tddfa_prepare_into(const Image& rgb_image, const RoiBox& roi, Image* crop,
                        ResizeScratch* scratch, Tensor* input);
// Same normalisation from an already cropped 120x120 image whose channels are BGR.
Tensor tddfa_input_from_bgr_crop(const Image& bgr_crop);

// p = param * std + mean, in double.
std::array<double, kTddfaParams> tddfa_denormalize(const float* param, const TddfaBasis& basis);

// V = u_base + w_shp_base alpha_shp + w_exp_base alpha_exp, as 68 points (model frame).
std::vector<Point3> tddfa_unposed_shape(const std::array<double, kTddfaParams>& p,
                                        const TddfaBasis& basis);
void tddfa_unposed_shape_into(const std::array<double, kTddfaParams>& p, const TddfaBasis& basis,
                              std::vector<Point3>* out);
// R V + t with R = P[:, :3], t = P[:, 3] (crop frame).
std::vector<Point3> tddfa_posed_shape(const std::array<double, kTddfaParams>& p,
                                      const std::vector<Point3>& unposed);
void tddfa_posed_shape_into(const std::array<double, kTddfaParams>& p,
                            const std::vector<Point3>& unposed, std::vector<Point3>* out);
// Upstream similar_transform (size = 120): x = (x - 1) sx + roi.x0, y = (120 - y) sy + roi.y0,
// z = (z - 1)(sx + sy)/2 - min(z), with sx = (roi.x1 - roi.x0)/120, sy = (roi.y1 - roi.y0)/120.
std::vector<Point3> tddfa_to_image(const std::vector<Point3>& crop_pts, const RoiBox& roi,
                                   int size = kTddfaInputSize);
void tddfa_to_image_into(const std::vector<Point3>& crop_pts, const RoiBox& roi, int size,
                         std::vector<Point3>* out);

// Angles in degrees, named as upstream: yaw, pitch, roll (the matrix2angle convention:
// yaw = asin(R[2][0]), pitch = atan2(R[2][1], R[2][2]), roll = atan2(R[1][0], R[0][0]), each
// divided by cos(yaw) before atan2; the gimbal-lock branch when |R[2][0]| >= 0.998).
struct EulerAngles {
  double yaw = 0.0;
  double pitch = 0.0;
  double roll = 0.0;
};

// From a row-major 3x3 matrix, in the convention above.
EulerAngles euler_from_matrix(const std::array<double, 9>& r);

// Upstream calc_pose: rows 0 and 1 of P[:, :3] normalised, row 2 their cross product, then
// euler_from_matrix.
EulerAngles tddfa_upstream_pose(const std::array<double, kTddfaParams>& p);

// Least-squares similarity dst ~ s R src + t (Umeyama 1991), R orthonormal with det +1.
struct SimilarityFit {
  std::array<double, 9> rotation{};  // row-major
  double scale = 0.0;
  std::array<double, 3> translation{};
  EulerAngles angles;                // euler_from_matrix(rotation)
  double rms_residual = 0.0;         // sqrt(mean |dst - (s R src + t)|^2), units of dst
};

// Closed form: centre both sets, SVD of the 3x3 cross-covariance Sigma = U D V^T, R = U S V^T with
// S = diag(1, 1, sign(det U det V)) (so det R = +1 even if the best orthogonal map would be a
// reflection), s = trace(D S) / var(src), t = mean(dst) - s R mean(src). Needs >= 3 points that
// are not all collinear; throws facet::Error on size mismatch or degenerate input.
// Allocation-free (fixed-size 3x3 algebra only).
SimilarityFit fit_similarity(const std::vector<Point3>& src, const std::vector<Point3>& dst);
SimilarityFit fit_similarity(const Point3* src, const Point3* dst, size_t n);

struct TddfaResult {
  std::array<double, kTddfaParams> params{};  // denormalised
  RoiBox roi;
  std::vector<Point3> landmarks_crop;   // 68, upstream similar_transform with roi [0,0,120,120]
  std::vector<Point3> landmarks_image;  // 68, image frame
  EulerAngles upstream_pose;            // degrees
  // Model frame -> crop frame (y up), fitted between the unposed shape V and R V + t. Its
  // rms_residual is in crop pixels; rms_residual_image_px scales it to image pixels.
  SimilarityFit similarity;
  double rms_residual_image_px = 0.0;
};

// The whole post-processing from the 62 raw network outputs and the roi that was cropped.
TddfaResult tddfa_postprocess(const float* param, const RoiBox& roi, const TddfaBasis& basis);

// Working memory of tddfa_postprocess_into.
struct TddfaScratch {
  std::vector<Point3> unposed;
  std::vector<Point3> posed;
};
// The same into *out, reusing its vectors and *scratch: allocation-free after the first call.
void tddfa_postprocess_into(const float* param, const RoiBox& roi, const TddfaBasis& basis,
                            TddfaScratch* scratch, TddfaResult* out);

}  // namespace facet::models
