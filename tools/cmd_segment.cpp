// facet segment: ESPNet semantic segmentation of photos.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "engine/status.h"
#include "loaders/image.h"
#include "loaders/model_paths.h"
#include "models/segmentation.h"
#include "tools/cli.h"
#include "tools/cmd_image_util.h"

namespace facet::tools {

namespace {

constexpr const char* kEspnetFile = "segmentation/espnet_p2q8_cityscapes.onnx";

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int cmd_segment(Args& args) {
  const std::string models_dir = args.option("--models");
  std::string out_dir = args.option("--output", "-o");
  const std::string size_text = args.option("--size");
  const std::string alpha_text = args.option("--alpha");
  const bool no_legend = args.flag("--no-legend");
  const int threads = args.int_option("--threads", 0);
  const std::vector<std::string> images = args.positional();
  if (images.empty()) throw UsageError{"expected at least one IMAGE"};
  if (threads < 0) throw UsageError{"--threads must be >= 0"};

  models::SegmenterOptions opts;
  opts.threads = threads;
  if (!size_text.empty())
    parse_size_option("--size", size_text, 8, &opts.net_width, &opts.net_height);
  float alpha = 0.5f;
  if (!alpha_text.empty()) {
    char* end = nullptr;
    alpha = std::strtof(alpha_text.c_str(), &end);
    if (end == alpha_text.c_str() || *end != '\0' || !(alpha >= 0.f && alpha <= 1.f))
      throw UsageError{str_cat("--alpha expects a number in 0..1, got '", alpha_text, "'")};
  }
  if (out_dir.empty()) out_dir = ".";
  ensure_dir(out_dir);

  auto t_load = std::chrono::steady_clock::now();
  models::Segmenter segmenter(loaders::resolve_model_file(kEspnetFile, models_dir), opts);
  std::printf("model: %s (loaded in %.0f ms), network size %dx%d\n", kEspnetFile,
              ms_since(t_load), opts.net_width, opts.net_height);
  std::fflush(stdout);

  int failures = 0;
  std::set<std::string> used_stems;
  for (const std::string& path : images) {
    try {
      const loaders::Image image = loaders::read_image(path);
      models::check_image_size(image, path);
      std::string stem = file_stem(path);
      for (int k = 2; used_stems.count(stem); ++k) stem = str_cat(file_stem(path), "_", k);
      used_stems.insert(stem);
      const std::string overlay_path = str_cat(out_dir, "/", stem, "_overlay.png");
      const std::string labels_path = str_cat(out_dir, "/", stem, "_labels.png");
      for (const std::string& in : images)
        FACET_CHECK(!same_file(in, overlay_path) && !same_file(in, labels_path), "output ",
                    same_file(in, overlay_path) ? overlay_path : labels_path,
                    " is an input image; refusing to overwrite it (choose another -o)");

      auto t0 = std::chrono::steady_clock::now();
      const models::Segmentation seg = segmenter.segment(image);
      const double seg_ms = ms_since(t0);
      loaders::write_png(overlay_path,
                         models::overlay_image(image, seg, alpha, /*legend=*/!no_legend));
      loaders::write_png(labels_path, models::label_image(seg));

      std::printf("%s: %dx%d, segmented in %.0f ms -> %s, %s\n", path.c_str(), image.width,
                  image.height, seg_ms, overlay_path.c_str(), labels_path.c_str());
      for (int id : seg.present_classes())
        std::printf("  %2d %-14s %6.2f%%\n", id, models::cityscapes_class_name(id),
                    100.0 * seg.share(id));
    } catch (const Error& e) {
      std::fflush(stdout);
      std::fprintf(stderr, "facet segment: error: %s\n", e.what());
      ++failures;
    }
  }
  if (failures > 0)
    std::fprintf(stderr, "facet segment: %d of %zu images failed\n", failures, images.size());
  return failures > 0 ? 1 : 0;
}

}  // namespace facet::tools
