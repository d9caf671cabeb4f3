// facet face: photo(s) -> faces, landmarks, head pose; annotated PNG + JSON per image.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "engine/status.h"
#include "loaders/image.h"
#include "loaders/json.h"
#include "loaders/model_paths.h"
#include "loaders/tensor_io.h"
#include "models/face_pipeline.h"
#include "models/face_render.h"
#include "tools/cli.h"

namespace facet::tools {

namespace {

bool has_image_extension(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* ext : {".png", ".jpg", ".jpeg", ".ppm", ".pgm", ".pnm"}) {
    size_t n = std::char_traits<char>::length(ext);
    if (lower.size() > n && lower.compare(lower.size() - n, n, ext) == 0) return true;
  }
  return false;
}

// Arguments to a list of files: folders contribute their image files (sorted, not recursive).
std::vector<std::string> expand_inputs(const std::vector<std::string>& args) {
  std::vector<std::string> files;
  for (const std::string& a : args) {
    struct stat st;
    if (::stat(a.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      std::vector<std::string> names;
      if (DIR* d = ::opendir(a.c_str())) {
        while (dirent* e = ::readdir(d))
          if (has_image_extension(e->d_name)) names.push_back(e->d_name);
        ::closedir(d);
      }
      std::sort(names.begin(), names.end());
      for (const std::string& n : names) files.push_back(a + "/" + n);
    } else {
      files.push_back(a);  // a missing file is reported when it is processed
    }
  }
  return files;
}

std::string stem_of(const std::string& path) {
  auto slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  auto dot = base.rfind('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

std::string real_path(const std::string& p) {
  char buf[PATH_MAX];
  return ::realpath(p.c_str(), buf) ? std::string(buf) : std::string();
}

void ensure_dir(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    FACET_CHECK(S_ISDIR(st.st_mode), "'", dir, "' exists and is not a folder");
    return;
  }
  FACET_CHECK(::mkdir(dir.c_str(), 0755) == 0, "cannot create output folder '", dir, "'");
}

struct ImageOutcome {
  bool ok = false;
  std::string error;
  loaders::Json json;
  std::string summary;
};

}  // namespace

int cmd_face(Args& args) {
  std::string models_opt = args.option("--models");
  std::string out_dir = args.option("--output", "-o");
  std::string json_path = args.option("--json");
  std::string detector = args.option("--detector");
  std::string landmarks = args.option("--landmarks");
  int jobs = args.int_option("--jobs", 1, "-j");
  int threads = args.int_option("--threads", 1);
  int detect_size = args.int_option("--detect-size", 320);
  std::string score_opt = args.option("--score");
  bool no_draw = args.flag("--no-draw");
  bool quiet = args.flag("--quiet");
  auto pos = args.positional();
  if (pos.empty()) throw UsageError{"expected at least one IMAGE (file or folder)"};
  if (jobs < 1 || jobs > 64) throw UsageError{"--jobs must be 1..64"};

  models::FacePipelineOptions opts;
  if (detector.empty() || detector == "yunet") opts.detector = models::DetectorKind::kYunet;
  else if (detector == "ultraface") opts.detector = models::DetectorKind::kUltraface;
  else throw UsageError{str_cat("--detector must be yunet or ultraface, got '", detector, "'")};
  if (landmarks.empty() || landmarks == "68") {
    opts.landmarks68 = true;
    opts.landmarks98 = false;
  } else if (landmarks == "98") {
    opts.landmarks68 = false;
    opts.landmarks98 = true;
  } else if (landmarks == "both") {
    opts.landmarks68 = opts.landmarks98 = true;
  } else {
    throw UsageError{str_cat("--landmarks must be 68, 98 or both, got '", landmarks, "'")};
  }
  opts.threads = threads;
  opts.detect_long_side = detect_size;
  if (!score_opt.empty()) {
    char* end = nullptr;
    float s = std::strtof(score_opt.c_str(), &end);
    if (*end != '\0' || !(s >= 0.f && s <= 1.f)) throw UsageError{"--score expects 0..1"};
    opts.yunet_score_threshold = opts.ultraface_score_threshold = s;
  }
  std::string models_dir = models::resolve_face_model_dir(models_opt);
  FACET_CHECK(!models_dir.empty(), "no model folder found; searched:",
              [&] {
                std::string s;
                for (const auto& d : loaders::model_search_path(models_opt)) s += "\n  " + d;
                return s;
              }(),
              "\nGive --models DIR, set FACET_MODELS, or run tools/fetch-models");
  if (out_dir.empty()) out_dir = "out";
  ensure_dir(out_dir);

  std::vector<std::string> files = expand_inputs(pos);
  FACET_CHECK(!files.empty(), "no image files found in the given folders");
  // Inputs are never overwritten: refuse outputs that resolve to an input file.
  std::vector<std::string> input_real;
  for (const std::string& f : files) input_real.push_back(real_path(f));

  // One pipeline per worker (a pipeline holds per-session arenas and is not thread-safe).
  int workers = std::min<int>(jobs, static_cast<int>(files.size()));
  std::vector<std::unique_ptr<models::FacePipeline>> pipelines(static_cast<size_t>(workers));
  for (auto& p : pipelines) p = std::make_unique<models::FacePipeline>(models_dir, opts);

  std::vector<ImageOutcome> outcomes(files.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> done{0};
  std::mutex print_mu;
  const bool progress = files.size() > 1 && ::isatty(2) == 1 && !quiet;
  auto t_start = std::chrono::steady_clock::now();

  auto process = [&](models::FacePipeline& pipe, size_t i) {
    ImageOutcome& out = outcomes[i];
    const std::string& file = files[i];
    try {
      loaders::Image img = loaders::read_image(file);
      models::FaceDetections det = pipe.detect(img);
      out.json = models::face_detections_to_json(det, file);
      std::string stem = stem_of(file);
      std::string png_path = out_dir + "/" + stem + ".png";
      std::string json_file = out_dir + "/" + stem + ".json";
      for (const std::string& target : {png_path, json_file}) {
        std::string rp = real_path(target);
        FACET_CHECK(rp.empty() || std::find(input_real.begin(), input_real.end(), rp) ==
                                      input_real.end(),
                    "output ", target, " would overwrite an input file; choose another -o");
      }
      if (!no_draw) {
        loaders::Image annotated = img;
        models::draw_face_detections(&annotated, det);
        loaders::write_png(png_path, annotated);
      }
      std::string text = out.json.dump(1) + "\n";
      loaders::write_file_atomic(json_file, text.data(), text.size());
      out.summary = str_cat(file, ": ", det.faces.size(), det.faces.size() == 1 ? " face" : " faces");
      for (const auto& f : det.faces) {
        char buf[200];
        std::snprintf(buf, sizeof(buf),
                      "\n  box (%.1f, %.1f, %.1f, %.1f) score %.3f, yaw %.2f pitch %.2f roll %.2f",
                      f.box.x, f.box.y, f.box.w, f.box.h, f.box.score, f.pose_upstream.yaw,
                      f.pose_upstream.pitch, f.pose_upstream.roll);
        out.summary += buf;
      }
      out.summary += str_cat("\n  ", det.timings.total_ms, " ms; wrote ",
                             no_draw ? std::string() : png_path + " and ", json_file);
      out.ok = true;
    } catch (const Error& e) {
      out.error = e.what();
    } catch (const std::bad_alloc&) {
      out.error = str_cat(file, ": out of memory");
    }
    size_t n = ++done;
    std::lock_guard<std::mutex> lock(print_mu);
    if (progress) {
      int width = 30;
      int filled = static_cast<int>(width * n / files.size());
      std::fprintf(stderr, "\r[%s%s] %zu/%zu", std::string(static_cast<size_t>(filled), '#').c_str(),
                   std::string(static_cast<size_t>(width - filled), ' ').c_str(), n, files.size());
      if (n == files.size()) std::fprintf(stderr, "\n");
    }
    if (!out.ok) {
      if (progress) std::fprintf(stderr, "\r");
      std::fprintf(stderr, "error: %s\n", out.error.c_str());
    } else if (!quiet && !progress) {
      std::printf("%s\n", out.summary.c_str());
    }
  };

  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      for (size_t i; (i = next++) < files.size();) process(*pipelines[static_cast<size_t>(w)], i);
    });
  }
  for (auto& t : pool) t.join();

  int failed = 0;
  loaders::Json all = loaders::Json::object();
  loaders::Json images = loaders::Json::array();
  loaders::Json errors = loaders::Json::array();
  for (size_t i = 0; i < files.size(); ++i) {
    if (outcomes[i].ok) {
      images.push(outcomes[i].json);
    } else {
      ++failed;
      loaders::Json e = loaders::Json::object();
      e.set("image", files[i]);
      e.set("error", outcomes[i].error);
      errors.push(e);
    }
  }
  if (!json_path.empty()) {
    all.set("images", images);
    all.set("errors", errors);
    std::string text = all.dump(1) + "\n";
    loaders::write_file_atomic(json_path, text.data(), text.size());
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  if (files.size() > 1 || failed)
    std::printf("%zu images, %d failed, %.2f s\n", files.size(), failed, secs);
  return failed ? 1 : 0;
}

}  // namespace facet::tools
