// facet stylize: fast style transfer, whole image or inside a segmentation / face mask.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "engine/status.h"
#include "loaders/image.h"
#include "loaders/model_paths.h"
#include "models/face_pipeline.h"
#include "models/image_ops.h"
#include "models/segmentation.h"
#include "models/stylize.h"
#include "tools/cli.h"
#include "tools/cmd_image_util.h"

namespace facet::tools {

namespace {

constexpr const char* kEspnetFile = "segmentation/espnet_p2q8_cityscapes.onnx";

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// --style value -> model file and a short name for the default output file.
void resolve_style(const std::string& style, const std::string& models_dir, std::string* path,
                   std::string* name) {
  if (style == "matta" || style == "mathura") {
    *path = loaders::resolve_model_file(str_cat("style/fast_style_", style, ".onnx"), models_dir);
    *name = style;
    return;
  }
  if (style == "wave")
    throw UsageError{"style 'wave' is not offered: its weights are for research use only (pass "
                     "its .onnx path explicitly if your use is covered)"};
  if (!ends_with(style, ".onnx"))
    throw UsageError{str_cat("--style expects matta, mathura or a .onnx file, got '", style, "'")};
  *path = loaders::resolve_model_file(style, models_dir);
  *name = file_stem(style);
}

struct MaskSpec {
  std::vector<int> classes;
  bool face = false;
};

MaskSpec parse_mask(const std::string& text) {
  MaskSpec spec;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    if (item == "face" || item == "faces") {
      spec.face = true;
      continue;
    }
    const int id = models::cityscapes_class_id(item);
    if (id < 0) {
      std::string names;
      for (int i = 0; i < models::kCityscapesClasses; ++i)
        names += str_cat(i ? ", " : "", models::cityscapes_class_name(i));
      throw UsageError{str_cat("--mask: unknown class '", item, "'; use face, ", names,
                               " (spaces as _), or ids 0..19")};
    }
    if (std::find(spec.classes.begin(), spec.classes.end(), id) == spec.classes.end())
      spec.classes.push_back(id);
  }
  if (spec.classes.empty() && !spec.face) throw UsageError{"--mask needs at least one class"};
  return spec;
}

}  // namespace

int cmd_stylize(Args& args) {
  const std::string models_dir = args.option("--models");
  const std::string style = args.option("--style");
  std::string out_path = args.option("--output", "-o");
  const int max_side = args.int_option("--max-side", 0);
  const std::string mask_text = args.option("--mask");
  const std::string feather_text = args.option("--feather");
  const std::string size_text = args.option("--size");
  const int threads = args.int_option("--threads", 0);
  const std::vector<std::string> pos = args.positional();
  if (pos.size() != 1) throw UsageError{"expected exactly one IMAGE"};
  if (style.empty()) throw UsageError{"--style is required (matta, mathura or FILE.onnx)"};
  if (max_side < 0 || (max_side > 0 && max_side < models::kMinImageSide))
    throw UsageError{str_cat("--max-side must be >= ", models::kMinImageSide)};
  if (threads < 0) throw UsageError{"--threads must be >= 0"};
  float feather = 8.f;
  if (!feather_text.empty()) {
    char* end = nullptr;
    feather = std::strtof(feather_text.c_str(), &end);
    if (end == feather_text.c_str() || *end != '\0' || !(feather >= 0.f && feather <= 10000.f))
      throw UsageError{str_cat("--feather expects pixels in 0..10000, got '", feather_text, "'")};
  }
  MaskSpec mask_spec;
  const bool masked = !mask_text.empty();
  if (masked) mask_spec = parse_mask(mask_text);
  if (!masked && (!feather_text.empty() || !size_text.empty()))
    throw UsageError{"--feather and --size only apply with --mask"};
  models::SegmenterOptions seg_opts;
  seg_opts.threads = threads;
  if (!size_text.empty())
    parse_size_option("--size", size_text, 8, &seg_opts.net_width, &seg_opts.net_height);

  const std::string& in_path = pos[0];
  std::string model_path, style_name;
  resolve_style(style, models_dir, &model_path, &style_name);
  if (out_path.empty()) out_path = str_cat(file_stem(in_path), "_", style_name, ".png");
  FACET_CHECK(!same_file(in_path, out_path), "output ", out_path,
              " is the input image; refusing to overwrite it (choose another -o)");

  const loaders::Image image = loaders::read_image(in_path);
  models::check_image_size(image, in_path);

  auto t0 = std::chrono::steady_clock::now();
  models::StylizerOptions st_opts;
  st_opts.threads = threads;
  models::Stylizer stylizer(model_path, st_opts);
  loaders::Image stylized = stylizer.stylize(image, max_side);
  std::printf("%s: %dx%d, style %s at %dx%d in %.0f ms\n", in_path.c_str(), image.width,
              image.height, style_name.c_str(), stylized.width, stylized.height, ms_since(t0));

  loaders::Image result;
  if (!masked) {
    result = std::move(stylized);
  } else {
    // The blend happens at the photo's size so that untouched pixels stay byte-identical.
    if (stylized.width != image.width || stylized.height != image.height)
      stylized = models::resize_bilinear(stylized, image.width, image.height);
    const size_t n = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
    std::vector<uint8_t> mask(n, 0);
    if (!mask_spec.classes.empty()) {
      auto t1 = std::chrono::steady_clock::now();
      models::Segmenter segmenter(loaders::resolve_model_file(kEspnetFile, models_dir), seg_opts);
      const models::Segmentation seg = segmenter.segment(image);
      const std::vector<uint8_t> cm = models::class_mask(seg, mask_spec.classes);
      for (size_t i = 0; i < n; ++i) mask[i] |= cm[i];
      std::printf("  segmentation at %dx%d in %.0f ms:", seg_opts.net_width, seg_opts.net_height,
                  ms_since(t1));
      for (int id : mask_spec.classes)
        std::printf(" %s %.2f%%", models::cityscapes_class_name(id), 100.0 * seg.share(id));
      std::printf("\n");
    }
    if (mask_spec.face) {
      auto t1 = std::chrono::steady_clock::now();
      models::FacePipelineOptions fopts;
      fopts.landmarks68 = false;
      fopts.threads = threads;
      const std::string dir = loaders::find_models_dir(models_dir);
      FACET_CHECK(!dir.empty(), "--mask face: no model folder found (use --models DIR)");
      models::FacePipeline faces(dir, fopts);
      const models::FaceDetections det = faces.detect(image);
      // An ellipse slightly larger than the detector's box covers forehead and chin.
      for (const models::FaceResult& f : det.faces)
        models::add_ellipse_to_mask(mask, image.width, image.height, f.box.x + f.box.w * 0.5f,
                                    f.box.y + f.box.h * 0.5f, f.box.w * 0.55f, f.box.h * 0.6f);
      std::printf("  face detection in %.0f ms: %zu face(s)\n", ms_since(t1), det.faces.size());
    }
    size_t inside = 0;
    for (uint8_t m : mask) inside += m;
    if (inside == 0)
      std::printf("  warning: the mask is empty; the output equals the input\n");
    const std::vector<float> alpha = models::feather_alpha(mask, image.width, image.height, feather);
    result = models::blend_with_alpha(image, stylized, alpha);
    std::printf("  mask covers %.2f%% of the image, feather %.1f px\n",
                100.0 * static_cast<double>(inside) / static_cast<double>(n), feather);
  }
  loaders::write_png(out_path, result);
  std::printf("wrote %s (%dx%d)\n", out_path.c_str(), result.width, result.height);
  return 0;
}

}  // namespace facet::tools
