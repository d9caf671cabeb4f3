// Helpers shared by the image commands (facet segment, facet stylize): size arguments, output
// file names, and the guard that keeps outputs from replacing their inputs.
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "engine/status.h"
#include "tools/cli.h"

namespace facet::tools {

// "WxH" (also "W,H") -> width, height, each in [min_side, 16384]. Throws UsageError.
inline void parse_size_option(const std::string& option, const std::string& text, int min_side,
                              int* width, int* height) {
  const size_t sep = text.find_first_of("xX,");
  bool ok = sep != std::string::npos && sep > 0 && sep + 1 < text.size();
  long w = 0, h = 0;
  if (ok) {
    char* end = nullptr;
    w = std::strtol(text.c_str(), &end, 10);
    ok = end == text.c_str() + sep;
    const char* hs = text.c_str() + sep + 1;
    h = std::strtol(hs, &end, 10);
    ok = ok && end != hs && *end == '\0';
  }
  if (!ok || w < min_side || h < min_side || w > 16384 || h > 16384)
    throw UsageError{str_cat(option, " expects WxH with each side in ", min_side, "..16384, got '",
                             text, "'")};
  *width = static_cast<int>(w);
  *height = static_cast<int>(h);
}

// File name without folder and last extension: "a/b/photo.v2.png" -> "photo.v2".
inline std::string file_stem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  return name.empty() ? std::string("image") : name;
}

// True when both paths name the same existing file (same device and inode).
inline bool same_file(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Creates `dir` (one level) unless it exists; throws facet::Error if it is not a folder.
inline void ensure_dir(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    FACET_CHECK(S_ISDIR(st.st_mode), "'", dir, "' exists and is not a folder");
    return;
  }
  FACET_CHECK(::mkdir(dir.c_str(), 0755) == 0, "cannot create folder '", dir,
              "': ", std::strerror(errno));
}

}  // namespace facet::tools
