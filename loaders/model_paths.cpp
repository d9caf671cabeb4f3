#include "loaders/model_paths.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "engine/status.h"

#ifndef FACET_DEFAULT_MODELS_DIR
#define FACET_DEFAULT_MODELS_DIR ""
#endif

namespace facet::loaders {

namespace {
bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}
bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
std::string exe_dir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string p(buf, static_cast<size_t>(n));
  auto slash = p.rfind('/');
  return slash == std::string::npos ? "" : p.substr(0, slash);
}
}  // namespace

std::vector<std::string> model_search_path(const std::string& explicit_dir) {
  std::vector<std::string> dirs;
  if (!explicit_dir.empty()) dirs.push_back(explicit_dir);
  if (const char* env = std::getenv("FACET_MODELS"); env && *env) dirs.push_back(env);
  if (*FACET_DEFAULT_MODELS_DIR) dirs.push_back(FACET_DEFAULT_MODELS_DIR);
  dirs.push_back("../shared/models");
  std::string exe = exe_dir();
  if (!exe.empty()) {
    std::string up = exe;
    for (int i = 0; i < 4; ++i) {
      dirs.push_back(up + "/../shared/models");
      up += "/..";
    }
  }
  if (const char* home = std::getenv("HOME"); home && *home)
    dirs.push_back(std::string(home) + "/.cache/facet/models");  // tools/fetch-models default
  return dirs;
}

std::string find_models_dir(const std::string& explicit_dir) {
  for (const std::string& d : model_search_path(explicit_dir))
    if (is_dir(d)) return d;
  return "";
}

std::string resolve_model_file(const std::string& relative, const std::string& explicit_dir) {
  if (exists(relative)) return relative;
  std::string tried;
  for (const std::string& d : model_search_path(explicit_dir)) {
    std::string p = d + "/" + relative;
    if (exists(p)) return p;
    tried += "\n  " + d;
  }
  fail(str_cat("model file '", relative,
               "' not found; searched (--models, $FACET_MODELS, ../shared/models):", tried,
               "\nRun tools/fetch-models to fetch the models."));
}

}  // namespace facet::loaders
