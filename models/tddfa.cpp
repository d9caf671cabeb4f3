#include "models/tddfa.h"

#include <Eigen/Dense>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/status.h"
#include "loaders/tensor_io.h"

namespace facet::models {

namespace {

constexpr int kShapeDim = 3 * kTddfaLandmarks;  // 204
constexpr int kShpCoefs = 40;
constexpr int kExpCoefs = 10;

std::vector<float> read_f32_file(const std::string& path, size_t count) {
  const std::string bytes = loaders::read_file_bytes(path, count * sizeof(float) + 1);
  FACET_CHECK(bytes.size() == count * sizeof(float), path, ": expected ", count,
              " float32 values (", count * sizeof(float), " bytes), file has ", bytes.size(),
              " bytes");
  std::vector<float> v(count);
  std::memcpy(v.data(), bytes.data(), bytes.size());  // little-endian host assumed
  return v;
}

constexpr double kRadToDeg = 180.0 / M_PI;

}  // namespace

TddfaBasis TddfaBasis::load(const std::string& tddfa_dir) {
  const std::string d = tddfa_dir.empty() || tddfa_dir.back() == '/' ? tddfa_dir : tddfa_dir + "/";
  TddfaBasis b;
  b.u_base = read_f32_file(d + "bfm68_u_base.f32", kShapeDim);
  b.w_shp_base = read_f32_file(d + "bfm68_w_shp_base.f32", size_t(kShapeDim) * kShpCoefs);
  b.w_exp_base = read_f32_file(d + "bfm68_w_exp_base.f32", size_t(kShapeDim) * kExpCoefs);
  b.param_mean = read_f32_file(d + "param_mean_62.f32", kTddfaParams);
  b.param_std = read_f32_file(d + "param_std_62.f32", kTddfaParams);
  return b;
}

RoiBox tddfa_roi_from_box(double left, double top, double right, double bottom) {
  const double old_size = (right - left + bottom - top) / 2.0;
  const double cx = right - (right - left) / 2.0;
  const double cy = bottom - (bottom - top) / 2.0 + old_size * 0.14;
  // Python int() truncates toward zero.
  const double size = std::trunc(old_size * 1.58);
  RoiBox roi;
  roi.x0 = cx - size / 2;
  roi.y0 = cy - size / 2;
  roi.x1 = roi.x0 + size;
  roi.y1 = roi.y0 + size;
  return roi;
}

Image tddfa_crop(const Image& image, const RoiBox& roi) {
  const int x0 = round_half_even(roi.x0), y0 = round_half_even(roi.y0);
  const int x1 = std::max(x0 + 1, round_half_even(roi.x1));
  const int y1 = std::max(y0 + 1, round_half_even(roi.y1));
  const Image crop = crop_zero_pad(to_three_channels(image), x0, y0, x1, y1);
  return resize_bilinear(crop, kTddfaInputSize, kTddfaInputSize);
}

Tensor tddfa_input_from_bgr_crop(const Image& bgr_crop) {
  Normalization norm;
  norm.mean = {127.5f, 127.5f, 127.5f};
  norm.std = {128.f, 128.f, 128.f};
  return image_to_nchw(bgr_crop, norm);
}

Tensor tddfa_prepare(const Image& rgb_image, const RoiBox& roi) {
  // Crop first, swap channels on the small image only.
  return tddfa_input_from_bgr_crop(swap_red_blue(tddfa_crop(rgb_image, roi)));
}

std::array<double, kTddfaParams> tddfa_denormalize(const float* param, const TddfaBasis& basis) {
  std::array<double, kTddfaParams> p{};
  for (int i = 0; i < kTddfaParams; ++i) {
    p[static_cast<size_t>(i)] = static_cast<double>(param[i]) * basis.param_std[static_cast<size_t>(i)] +
                                basis.param_mean[static_cast<size_t>(i)];
  }
  return p;
}

std::vector<Point3> tddfa_unposed_shape(const std::array<double, kTddfaParams>& p,
                                        const TddfaBasis& basis) {
  // V[r] = u[r] + sum_k w_shp[r, k] p[12 + k] + sum_k w_exp[r, k] p[52 + k], r over 204 rows.
  std::vector<double> v(kShapeDim);
  for (int r = 0; r < kShapeDim; ++r) {
    double acc = basis.u_base[static_cast<size_t>(r)];
    const float* ws = &basis.w_shp_base[static_cast<size_t>(r) * kShpCoefs];
    for (int k = 0; k < kShpCoefs; ++k) acc += ws[k] * p[static_cast<size_t>(12 + k)];
    const float* we = &basis.w_exp_base[static_cast<size_t>(r) * kExpCoefs];
    for (int k = 0; k < kExpCoefs; ++k) acc += we[k] * p[static_cast<size_t>(52 + k)];
    v[static_cast<size_t>(r)] = acc;
  }
  std::vector<Point3> pts(kTddfaLandmarks);
  for (size_t i = 0; i < pts.size(); ++i) pts[i] = {v[3 * i], v[3 * i + 1], v[3 * i + 2]};
  return pts;
}

std::vector<Point3> tddfa_posed_shape(const std::array<double, kTddfaParams>& p,
                                      const std::vector<Point3>& unposed) {
  // P is 3x4 row-major: P[r][c] = p[4r + c].
  std::vector<Point3> out(unposed.size());
  for (size_t i = 0; i < unposed.size(); ++i) {
    const Point3& q = unposed[i];
    double o[3];
    for (int r = 0; r < 3; ++r) {
      const double* row = &p[static_cast<size_t>(4 * r)];
      o[r] = row[0] * q.x + row[1] * q.y + row[2] * q.z + row[3];
    }
    out[i] = {o[0], o[1], o[2]};
  }
  return out;
}

std::vector<Point3> tddfa_to_image(const std::vector<Point3>& crop_pts, const RoiBox& roi,
                                   int size) {
  const double sx = (roi.x1 - roi.x0) / size, sy = (roi.y1 - roi.y0) / size;
  const double sz = (sx + sy) / 2;
  std::vector<Point3> out(crop_pts.size());
  double zmin = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < crop_pts.size(); ++i) {
    // The -1 on x and z undoes upstream's 1-based (Matlab) model coordinates; y flips to point down.
    out[i].x = (crop_pts[i].x - 1.0) * sx + roi.x0;
    out[i].y = (size - crop_pts[i].y) * sy + roi.y0;
    out[i].z = (crop_pts[i].z - 1.0) * sz;
    zmin = std::min(zmin, out[i].z);
  }
  for (Point3& q : out) q.z -= zmin;
  return out;
}

EulerAngles euler_from_matrix(const std::array<double, 9>& r) {
  auto R = [&](int i, int j) { return r[static_cast<size_t>(3 * i + j)]; };
  double yaw, pitch, roll;
  if (R(2, 0) > 0.998) {
    roll = 0.0;
    yaw = M_PI / 2;
    pitch = roll + std::atan2(-R(0, 1), -R(0, 2));
  } else if (R(2, 0) < -0.998) {
    roll = 0.0;
    yaw = -M_PI / 2;
    pitch = -roll + std::atan2(R(0, 1), R(0, 2));
  } else {
    yaw = std::asin(R(2, 0));
    const double c = std::cos(yaw);
    pitch = std::atan2(R(2, 1) / c, R(2, 2) / c);
    roll = std::atan2(R(1, 0) / c, R(0, 0) / c);
  }
  return {yaw * kRadToDeg, pitch * kRadToDeg, roll * kRadToDeg};
}

EulerAngles tddfa_upstream_pose(const std::array<double, kTddfaParams>& p) {
  // Upstream P2sRt: r1, r2 = normalised first two rows of P[:, :3], r3 = r1 x r2. r1 and r2 are
  // generally not orthogonal, so this "rotation" is only approximately one.
  double r1[3] = {p[0], p[1], p[2]}, r2[3] = {p[4], p[5], p[6]};
  const double n1 = std::sqrt(r1[0] * r1[0] + r1[1] * r1[1] + r1[2] * r1[2]);
  const double n2 = std::sqrt(r2[0] * r2[0] + r2[1] * r2[1] + r2[2] * r2[2]);
  for (int i = 0; i < 3; ++i) {
    r1[i] /= n1;
    r2[i] /= n2;
  }
  const double r3[3] = {r1[1] * r2[2] - r1[2] * r2[1], r1[2] * r2[0] - r1[0] * r2[2],
                        r1[0] * r2[1] - r1[1] * r2[0]};
  return euler_from_matrix({r1[0], r1[1], r1[2], r2[0], r2[1], r2[2], r3[0], r3[1], r3[2]});
}

SimilarityFit fit_similarity(const std::vector<Point3>& src, const std::vector<Point3>& dst) {
  FACET_CHECK(src.size() == dst.size() && src.size() >= 3, "fit_similarity: need two equal sets of",
              " >= 3 points, got ", src.size(), " and ", dst.size());
  const Eigen::Index n = static_cast<Eigen::Index>(src.size());
  Eigen::Matrix3Xd X(3, n), Y(3, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const Point3& a = src[static_cast<size_t>(i)];
    const Point3& b = dst[static_cast<size_t>(i)];
    X.col(i) << a.x, a.y, a.z;
    Y.col(i) << b.x, b.y, b.z;
  }
  const Eigen::Vector3d mx = X.rowwise().mean(), my = Y.rowwise().mean();
  const Eigen::Matrix3Xd Xc = X.colwise() - mx, Yc = Y.colwise() - my;
  const double var_x = Xc.squaredNorm() / static_cast<double>(n);
  FACET_CHECK(var_x > 0.0, "fit_similarity: source points are all equal");
  const Eigen::Matrix3d sigma = Yc * Xc.transpose() / static_cast<double>(n);
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(sigma, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::Vector3d d = svd.singularValues();
  FACET_CHECK(d(1) > 1e-12 * std::max(1.0, d(0)), "fit_similarity: points are collinear");
  Eigen::Vector3d s_diag(1.0, 1.0, 1.0);
  if (svd.matrixU().determinant() * svd.matrixV().determinant() < 0.0) s_diag(2) = -1.0;
  const Eigen::Matrix3d R = svd.matrixU() * s_diag.asDiagonal() * svd.matrixV().transpose();
  const double scale = d.dot(s_diag) / var_x;
  const Eigen::Vector3d t = my - scale * R * mx;
  Eigen::Matrix3Xd pred = (scale * R) * X;
  pred.colwise() += t;
  const Eigen::Matrix3Xd resid = Y - pred;

  SimilarityFit fit;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) fit.rotation[static_cast<size_t>(3 * i + j)] = R(i, j);
    fit.translation[static_cast<size_t>(i)] = t(i);
  }
  fit.scale = scale;
  fit.angles = euler_from_matrix(fit.rotation);
  fit.rms_residual = std::sqrt(resid.squaredNorm() / static_cast<double>(n));
  return fit;
}

TddfaResult tddfa_postprocess(const float* param, const RoiBox& roi, const TddfaBasis& basis) {
  TddfaResult res;
  res.params = tddfa_denormalize(param, basis);
  res.roi = roi;
  const std::vector<Point3> unposed = tddfa_unposed_shape(res.params, basis);
  const std::vector<Point3> posed = tddfa_posed_shape(res.params, unposed);
  res.landmarks_crop = tddfa_to_image(posed, RoiBox{0, 0, kTddfaInputSize, kTddfaInputSize});
  res.landmarks_image = tddfa_to_image(posed, roi);
  res.upstream_pose = tddfa_upstream_pose(res.params);
  res.similarity = fit_similarity(unposed, posed);
  const double s = ((roi.x1 - roi.x0) + (roi.y1 - roi.y0)) / (2.0 * kTddfaInputSize);
  res.rms_residual_image_px = res.similarity.rms_residual * s;
  return res;
}

}  // namespace facet::models
