#include "models/face_render.h"

#include <algorithm>
#include <cmath>

#include "models/image_ops.h"

namespace facet::models {

namespace {

struct Rgb {
  uint8_t r, g, b;
};

// Filled disk of radius `radius` (pixels) centred on (cx, cy), clipped to the image.
void dot(loaders::Image* img, double cx, double cy, double radius, Rgb c) {
  const int x0 = static_cast<int>(std::floor(cx - radius)), x1 = static_cast<int>(std::ceil(cx + radius));
  const int y0 = static_cast<int>(std::floor(cy - radius)), y1 = static_cast<int>(std::ceil(cy + radius));
  for (int y = std::max(y0, 0); y <= std::min(y1, img->height - 1); ++y) {
    for (int x = std::max(x0, 0); x <= std::min(x1, img->width - 1); ++x) {
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > radius * radius + 0.25) continue;
      uint8_t* p = img->row(y) + 3 * x;
      p[0] = c.r;
      p[1] = c.g;
      p[2] = c.b;
    }
  }
}

// A thick segment as a dense run of dots (simple, and fine for a handful of annotations).
void line(loaders::Image* img, double x0, double y0, double x1, double y1, double half_width, Rgb c) {
  const double len = std::hypot(x1 - x0, y1 - y0);
  // Guard against absurd coordinates from a degenerate fit.
  if (!std::isfinite(len) || len > 4.0 * (img->width + img->height)) return;
  const int steps = std::max(1, static_cast<int>(std::ceil(len * 2)));
  for (int i = 0; i <= steps; ++i) {
    const double t = static_cast<double>(i) / steps;
    dot(img, x0 + t * (x1 - x0), y0 + t * (y1 - y0), half_width, c);
  }
}

double r3(double v) { return std::round(v * 1000.0) / 1000.0; }

loaders::Json point2(double x, double y) {
  loaders::Json j = loaders::Json::array();
  j.push(r3(x));
  j.push(r3(y));
  return j;
}

loaders::Json angles(const EulerAngles& a, loaders::Json j) {
  j.set("yaw", r3(a.yaw));
  j.set("pitch", r3(a.pitch));
  j.set("roll", r3(a.roll));
  return j;
}

}  // namespace

void draw_face_detections(loaders::Image* image, const FaceDetections& result) {
  if (image->channels != 3) *image = to_three_channels(*image);
  const double unit = std::max(1.0, std::min(image->width, image->height) / 400.0);
  for (const FaceResult& f : result.faces) {
    const FaceBox& b = f.box;
    const Rgb green{0, 255, 0};
    const double t = unit;
    line(image, b.x, b.y, b.x + b.w, b.y, t, green);
    line(image, b.x + b.w, b.y, b.x + b.w, b.y + b.h, t, green);
    line(image, b.x + b.w, b.y + b.h, b.x, b.y + b.h, t, green);
    line(image, b.x, b.y + b.h, b.x, b.y, t, green);
    // Score as a bar above the box: length proportional to the score.
    line(image, b.x, b.y - 3 * t, b.x + b.w * b.score, b.y - 3 * t, t, green);
    for (const Point3& p : f.landmarks68) dot(image, p.x, p.y, 1.2 * unit, {0, 255, 255});
    for (const Point2& p : f.landmarks98) dot(image, p.x, p.y, 1.0 * unit, {255, 0, 255});
    if (b.has_points) {
      const Rgb colors[5] = {{255, 0, 0}, {0, 0, 255}, {255, 255, 0}, {255, 0, 0}, {0, 0, 255}};
      for (int k = 0; k < 5; ++k) dot(image, b.points[k].x, b.points[k].y, 2.5 * unit, colors[k]);
    }
    if (f.landmarks68.size() == 68) {
      // Model axis k in the crop frame is column k of R; the crop frame's y is up, the image's
      // is down, so its on-screen direction is (R[0][k], -R[1][k]).
      const Point3& nose = f.landmarks68[30];
      const auto& R = f.pose_similarity.rotation;
      const double len = 0.6 * b.w;
      const Rgb axis_colors[3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
      for (int k = 0; k < 3; ++k) {
        line(image, nose.x, nose.y, nose.x + len * R[static_cast<size_t>(k)],
             nose.y - len * R[static_cast<size_t>(3 + k)], unit, axis_colors[k]);
      }
    }
  }
}

loaders::Json face_detections_to_json(const FaceDetections& result, const std::string& image_name) {
  using loaders::Json;
  Json root = Json::object();
  root.set("image", image_name);
  root.set("width", result.image_width);
  root.set("height", result.image_height);
  Json faces = Json::array();
  for (const FaceResult& f : result.faces) {
    Json j = Json::object();
    Json box = Json::array();
    for (double v : {f.box.x, f.box.y, f.box.w, f.box.h}) box.push(r3(v));
    j.set("box", box);
    j.set("score", r3(f.box.score));
    if (f.box.has_points) {
      Json pts = Json::array();
      for (const Point2& p : f.box.points) pts.push(point2(p.x, p.y));
      j.set("points5", pts);
    }
    if (!f.landmarks68.empty()) {
      Json roi = Json::array();
      for (double v : {f.roi.x0, f.roi.y0, f.roi.x1, f.roi.y1}) roi.push(r3(v));
      j.set("roi", roi);
      Json lm = Json::array();
      for (const Point3& p : f.landmarks68) {
        Json q = point2(p.x, p.y);
        q.push(r3(p.z));
        lm.push(q);
      }
      j.set("landmarks68", lm);
      Json pose = Json::object();
      pose.set("upstream", angles(f.pose_upstream, Json::object()));
      const SimilarityFit& s = f.pose_similarity;
      Json sim = Json::object();
      Json rot = Json::array();
      for (int r = 0; r < 3; ++r) {
        Json row = Json::array();
        for (int c = 0; c < 3; ++c) row.push(std::round(s.rotation[static_cast<size_t>(3 * r + c)] * 1e6) / 1e6);
        rot.push(row);
      }
      sim.set("rotation", rot);
      sim.set("scale", s.scale);
      Json tr = Json::array();
      for (double v : s.translation) tr.push(r3(v));
      sim.set("translation", tr);
      sim = angles(s.angles, sim);
      sim.set("rms_residual_crop_px", r3(s.rms_residual));
      sim.set("rms_residual_image_px", r3(f.similarity_rms_image_px));
      pose.set("similarity", sim);
      j.set("pose", pose);
    }
    if (!f.landmarks98.empty()) {
      Json lm = Json::array();
      for (const Point2& p : f.landmarks98) lm.push(point2(p.x, p.y));
      j.set("landmarks98", lm);
    }
    faces.push(j);
  }
  root.set("faces", faces);
  Json t = Json::object();
  t.set("detect", r3(result.timings.detect_ms));
  t.set("landmarks68", r3(result.timings.landmarks68_ms));
  t.set("landmarks98", r3(result.timings.landmarks98_ms));
  t.set("total", r3(result.timings.total_ms));
  root.set("timings_ms", t);
  return root;
}

}  // namespace facet::models
