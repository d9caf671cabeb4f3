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

std::vector<float> floats_from_bytes(const TddfaBasis::Bytes& b, size_t count,
                                    const std::string& name) {
  FACET_CHECK(b.data != nullptr || b.size == 0, name, ": no data");
  FACET_CHECK(b.size == count * sizeof(float), name, ": expected ", count, " float32 values (",
              count * sizeof(float), " bytes), got ", b.size, " bytes");
  std::vector<float> v(count);
  if (b.size) std::memcpy(v.data(), b.data, b.size);  // little-endian host assumed
  return v;
}

constexpr double kRadToDeg = 180.0 / M_PI;

}  // namespace

TddfaBasis TddfaBasis::load(const std::string& tddfa_dir) {
  const std::string d = tddfa_dir.empty() || tddfa_dir.back() == '/' ? tddfa_dir : tddfa_dir + "/";
  const char* const names[5] = {"bfm68_u_base.f32", "bfm68_w_shp_base.f32", "bfm68_w_exp_base.f32",
                                "param_mean_62.f32", "param_std_62.f32"};
  std::string bytes[5];
  Bytes spans[5];
  for (int i = 0; i < 5; ++i) {
    // The largest file is 204 * 40 floats; anything bigger is wrong and reported by from_bytes.
    bytes[i] = loaders::read_file_bytes(d + names[i], size_t(1) << 20);
    spans[i] = {reinterpret_cast<const uint8_t*>(bytes[i].data()), bytes[i].size()};
  }
  return from_bytes(spans[0], spans[1], spans[2], spans[3], spans[4], d);
}

TddfaBasis TddfaBasis::from_bytes(Bytes u_base, Bytes w_shp_base, Bytes w_exp_base,
                                  Bytes param_mean, Bytes param_std, const std::string& name) {
  TddfaBasis b;
  b.u_base = floats_from_bytes(u_base, kShapeDim, name + "bfm68_u_base.f32");
  b.w_shp_base = floats_from_bytes(w_shp_base, size_t(kShapeDim) * kShpCoefs,
                                   name + "bfm68_w_shp_base.f32");
  b.w_exp_base = floats_from_bytes(w_exp_base, size_t(kShapeDim) * kExpCoefs,
                                   name + "bfm68_w_exp_base.f32");
  b.param_mean = floats_from_bytes(param_mean, kTddfaParams, name + "param_mean_62.f32");
  b.param_std = floats_from_bytes(param_std, kTddfaParams, name + "param_std_62.f32");
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
  Image rgb_storage, crop;
  ResizeScratch scratch;
  Tensor t;
  tddfa_prepare_into(as_three_channels(rgb_image, &rgb_storage), roi, &crop, &scratch, &t);
  return t;
}

void tddfa_prepare_into(const Image& rgb_image, const RoiBox& roi, Image* crop,
                        ResizeScratch* scratch, Tensor* input) {
  FACET_CHECK(rgb_image.channels == 3, "3DDFA: need a 3-channel image, got ", rgb_image.channels);
  const int x0 = round_half_even(roi.x0), y0 = round_half_even(roi.y0);
  const int x1 = std::max(x0 + 1, round_half_even(roi.x1));
  const int y1 = std::max(y0 + 1, round_half_even(roi.y1));
  resize_region_into(rgb_image, x0, y0, x1, y1, kTddfaInputSize, kTddfaInputSize, crop, scratch);
  Normalization norm;  // the network wants BGR: swap while normalising
  norm.mean = {127.5f, 127.5f, 127.5f};
  norm.std = {128.f, 128.f, 128.f};
  norm.swap_red_blue = true;
  ensure_nchw_f32(input, 3, kTddfaInputSize, kTddfaInputSize);
  image_to_nchw_into(*crop, norm, kTddfaInputSize, kTddfaInputSize, input->data<float>());
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
  std::vector<Point3> out;
  tddfa_unposed_shape_into(p, basis, &out);
  return out;
}

void tddfa_unposed_shape_into(const std::array<double, kTddfaParams>& p, const TddfaBasis& basis,
                              std::vector<Point3>* out) {
  // V[r] = u[r] + sum_k w_shp[r, k] p[12 + k] + sum_k w_exp[r, k] p[52 + k], r over 204 rows.
  out->resize(kTddfaLandmarks);
  for (int r = 0; r < kShapeDim; ++r) {
    double acc = basis.u_base[static_cast<size_t>(r)];
    const float* ws = &basis.w_shp_base[static_cast<size_t>(r) * kShpCoefs];
    for (int k = 0; k < kShpCoefs; ++k) acc += ws[k] * p[static_cast<size_t>(12 + k)];
    const float* we = &basis.w_exp_base[static_cast<size_t>(r) * kExpCoefs];
    for (int k = 0; k < kExpCoefs; ++k) acc += we[k] * p[static_cast<size_t>(52 + k)];
    Point3& q = (*out)[static_cast<size_t>(r / 3)];
    (r % 3 == 0 ? q.x : r % 3 == 1 ? q.y : q.z) = acc;
  }
}

std::vector<Point3> tddfa_posed_shape(const std::array<double, kTddfaParams>& p,
                                      const std::vector<Point3>& unposed) {
  std::vector<Point3> out;
  tddfa_posed_shape_into(p, unposed, &out);
  return out;
}

void tddfa_posed_shape_into(const std::array<double, kTddfaParams>& p,
                            const std::vector<Point3>& unposed, std::vector<Point3>* out) {
  // P is 3x4 row-major: P[r][c] = p[4r + c].
  out->resize(unposed.size());
  for (size_t i = 0; i < unposed.size(); ++i) {
    const Point3& q = unposed[i];
    double o[3];
    for (int r = 0; r < 3; ++r) {
      const double* row = &p[static_cast<size_t>(4 * r)];
      o[r] = row[0] * q.x + row[1] * q.y + row[2] * q.z + row[3];
    }
    (*out)[i] = {o[0], o[1], o[2]};
  }
}

std::vector<Point3> tddfa_to_image(const std::vector<Point3>& crop_pts, const RoiBox& roi,
                                   int size) {
  std::vector<Point3> out;
  tddfa_to_image_into(crop_pts, roi, size, &out);
  return out;
}

void tddfa_to_image_into(const std::vector<Point3>& crop_pts, const RoiBox& roi, int size,
                         std::vector<Point3>* out_pts) {
  const double sx = (roi.x1 - roi.x0) / size, sy = (roi.y1 - roi.y0) / size;
  const double sz = (sx + sy) / 2;
  std::vector<Point3>& out = *out_pts;
  out.resize(crop_pts.size());
  double zmin = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < crop_pts.size(); ++i) {
    // The -1 on x and z undoes upstream's 1-based (Matlab) model coordinates; y flips to point down.
    out[i].x = (crop_pts[i].x - 1.0) * sx + roi.x0;
    out[i].y = (size - crop_pts[i].y) * sy + roi.y0;
    out[i].z = (crop_pts[i].z - 1.0) * sz;
    zmin = std::min(zmin, out[i].z);
  }
  for (Point3& q : out) q.z -= zmin;
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
  return fit_similarity(src.data(), dst.data(), src.size());
}

SimilarityFit fit_similarity(const Point3* src, const Point3* dst, size_t n) {
  FACET_CHECK(n >= 3, "fit_similarity: need >= 3 points, got ", n);
  auto vec = [](const Point3& p) { return Eigen::Vector3d(p.x, p.y, p.z); };
  const double inv_n = 1.0 / static_cast<double>(n);
  Eigen::Vector3d mx = Eigen::Vector3d::Zero(), my = Eigen::Vector3d::Zero();
  for (size_t i = 0; i < n; ++i) {
    mx += vec(src[i]);
    my += vec(dst[i]);
  }
  mx *= inv_n;
  my *= inv_n;
  double var_x = 0.0;
  Eigen::Matrix3d sigma = Eigen::Matrix3d::Zero();
  for (size_t i = 0; i < n; ++i) {
    const Eigen::Vector3d xc = vec(src[i]) - mx, yc = vec(dst[i]) - my;
    var_x += xc.squaredNorm();
    sigma += yc * xc.transpose();
  }
  var_x *= inv_n;
  sigma *= inv_n;
  FACET_CHECK(var_x > 0.0, "fit_similarity: source points are all equal");
  // Fixed-size 3x3 SVD: no heap allocation.
  Eigen::JacobiSVD<Eigen::Matrix3d> svd(sigma, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::Vector3d d = svd.singularValues();
  FACET_CHECK(d(1) > 1e-12 * std::max(1.0, d(0)), "fit_similarity: points are collinear");
  Eigen::Vector3d s_diag(1.0, 1.0, 1.0);
  if (svd.matrixU().determinant() * svd.matrixV().determinant() < 0.0) s_diag(2) = -1.0;
  const Eigen::Matrix3d R = svd.matrixU() * s_diag.asDiagonal() * svd.matrixV().transpose();
  const double scale = d.dot(s_diag) / var_x;
  const Eigen::Vector3d t = my - scale * R * mx;
  const Eigen::Matrix3d sR = scale * R;
  double sq = 0.0;
  for (size_t i = 0; i < n; ++i) sq += (vec(dst[i]) - (sR * vec(src[i]) + t)).squaredNorm();

  SimilarityFit fit;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) fit.rotation[static_cast<size_t>(3 * i + j)] = R(i, j);
    fit.translation[static_cast<size_t>(i)] = t(i);
  }
  fit.scale = scale;
  fit.angles = euler_from_matrix(fit.rotation);
  fit.rms_residual = std::sqrt(sq * inv_n);
  return fit;
}

TddfaResult tddfa_postprocess(const float* param, const RoiBox& roi, const TddfaBasis& basis) {
  TddfaScratch scratch;
  TddfaResult res;
  tddfa_postprocess_into(param, roi, basis, &scratch, &res);
  return res;
}

void tddfa_postprocess_into(const float* param, const RoiBox& roi, const TddfaBasis& basis,
                            TddfaScratch* scratch, TddfaResult* res) {
  res->params = tddfa_denormalize(param, basis);
  res->roi = roi;
  tddfa_unposed_shape_into(res->params, basis, &scratch->unposed);
  tddfa_posed_shape_into(res->params, scratch->unposed, &scratch->posed);
  tddfa_to_image_into(scratch->posed, RoiBox{0, 0, kTddfaInputSize, kTddfaInputSize},
                      kTddfaInputSize, &res->landmarks_crop);
  tddfa_to_image_into(scratch->posed, roi, kTddfaInputSize, &res->landmarks_image);
  res->upstream_pose = tddfa_upstream_pose(res->params);
  res->similarity = fit_similarity(scratch->unposed.data(), scratch->posed.data(),
                                   scratch->unposed.size());
  const double s = ((roi.x1 - roi.x0) + (roi.y1 - roi.y0)) / (2.0 * kTddfaInputSize);
  res->rms_residual_image_px = res->similarity.rms_residual * s;
}

}  // namespace facet::models
