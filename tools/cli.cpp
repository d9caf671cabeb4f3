#include "tools/cli.h"

#include <unistd.h>
#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "engine/status.h"

namespace facet::tools {

bool Args::flag(const std::string& name) {
  auto it = std::find(args_.begin(), args_.end(), name);
  if (it == args_.end()) return false;
  args_.erase(it);
  return true;
}

std::vector<std::string> Args::options(const std::string& name, const std::string& alias) {
  std::vector<std::string> values;
  for (size_t i = 0; i < args_.size();) {
    const std::string& a = args_[i];
    bool match = a == name || (!alias.empty() && a == alias);
    if (match) {
      if (i + 1 >= args_.size()) throw UsageError{str_cat(name, " needs a value")};
      values.push_back(args_[i + 1]);
      args_.erase(args_.begin() + static_cast<long>(i), args_.begin() + static_cast<long>(i) + 2);
      continue;
    }
    if (a.rfind(name + "=", 0) == 0) {
      values.push_back(a.substr(name.size() + 1));
      args_.erase(args_.begin() + static_cast<long>(i));
      continue;
    }
    ++i;
  }
  return values;
}

std::string Args::option(const std::string& name, const std::string& alias) {
  auto v = options(name, alias);
  if (v.size() > 1) throw UsageError{str_cat(name, " given more than once")};
  return v.empty() ? std::string() : v[0];
}

int Args::int_option(const std::string& name, int def, const std::string& alias) {
  std::string v = option(name, alias);
  if (v.empty()) return def;
  char* end = nullptr;
  long x = std::strtol(v.c_str(), &end, 10);
  if (end == v.c_str() || *end != '\0' || x < std::numeric_limits<int>::min() ||
      x > std::numeric_limits<int>::max())
    throw UsageError{str_cat(name, " expects an integer, got '", v, "'")};
  return static_cast<int>(x);
}

std::vector<std::string> Args::positional() {
  for (const std::string& a : args_)
    if (a.size() > 1 && a[0] == '-' && !(a[1] >= '0' && a[1] <= '9'))
      throw UsageError{str_cat("unknown option '", a, "'")};
  return args_;
}

Shape parse_shape(const std::string& text) {
  Shape s;
  std::string cur;
  auto push = [&] {
    FACET_CHECK(!cur.empty(), "bad shape '", text, "'");
    char* end = nullptr;
    long long v = std::strtoll(cur.c_str(), &end, 10);
    FACET_CHECK(*end == '\0' && v >= 0, "bad dimension '", cur, "' in shape '", text, "'");
    s.push_back(v);
    cur.clear();
  };
  for (char c : text) {
    if (c == ',' || c == 'x') push();
    else cur += c;
  }
  if (!text.empty()) push();
  return s;
}

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.2f %s", b, units[u]);
  return buf;
}

std::string tensor_summary(const Tensor& t) {
  std::string s = str_cat(dtype_name(t.dtype()), " ", shape_str(t.shape()));
  if (t.numel() == 0) return s + " (empty)";
  std::vector<float> v = t.to_f32_vector();
  double mn = v[0], mx = v[0], sum = 0;
  int64_t nan = 0;
  for (float x : v) {
    if (std::isnan(x)) {
      ++nan;
      continue;
    }
    mn = std::min<double>(mn, x);
    mx = std::max<double>(mx, x);
    sum += x;
  }
  char buf[160];
  std::snprintf(buf, sizeof(buf), " min %.6g max %.6g mean %.6g", mn, mx,
                sum / static_cast<double>(v.size()));
  s += buf;
  if (nan) s += str_cat(" (", nan, " NaN)");
  return s;
}

bool stdout_is_terminal() { return ::isatty(1) == 1; }

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
}  // namespace facet::tools
// Provided by the GNU and LLVM linkers for ELF executables: the start of the first and the end
// of the last executable section.
extern "C" char __executable_start;
extern "C" char etext;
namespace facet::tools {

void release_code_pages() {
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (page_size <= 0) return;
  const uintptr_t page = static_cast<uintptr_t>(page_size);
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(&__executable_start) + page - 1) & ~(page - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(&etext) & ~(page - 1);
  // Private file mapping: the pages are dropped, not written anywhere; failure changes nothing.
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}
#else
void release_code_pages() {}
#endif

}  // namespace facet::tools
