// Replays fuzz regression inputs through the same entry points as the libFuzzer harnesses, in
// ordinary (Release / ASan) builds without libFuzzer.
//
// usage: facet_fuzz_replay <regressions-dir>          every <dir>/<harness>/<file>
//        facet_fuzz_replay <harness> <file>...        the given files
// Exits 0 when every input was handled (a crash or sanitizer report aborts the process).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_entry.h"

namespace fs = std::filesystem;

namespace {

bool replay_file(facet::fuzz::Entry fn, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot open %s\n", file.string().c_str());
    return false;
  }
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.string().c_str(), bytes.size());
  // libFuzzer never passes a null pointer for empty inputs either.
  static const uint8_t kEmpty = 0;
  fn(bytes.empty() ? &kEmpty : reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <regressions-dir> | <harness> <file>...\n", argv[0]);
    return 2;
  }
  int count = 0;
  if (argc == 2) {
    const fs::path root = argv[1];
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      std::fprintf(stderr, "replay: %s is not a folder\n", argv[1]);
      return 2;
    }
    std::vector<fs::path> dirs;
    for (const auto& e : fs::directory_iterator(root)) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
      if (!fs::is_directory(dir)) continue;
      facet::fuzz::Entry fn = facet::fuzz::find_entry(dir.filename().string().c_str());
      if (!fn) {
        std::fprintf(stderr, "replay: no harness named '%s'\n", dir.filename().string().c_str());
        return 2;
      }
      std::vector<fs::path> files;
      for (const auto& f : fs::directory_iterator(dir))
        if (f.is_regular_file()) files.push_back(f.path());
      std::sort(files.begin(), files.end());
      for (const fs::path& f : files) {
        if (!replay_file(fn, f)) return 1;
        ++count;
      }
    }
  } else {
    facet::fuzz::Entry fn = facet::fuzz::find_entry(argv[1]);
    if (!fn) {
      std::fprintf(stderr, "replay: no harness named '%s'\n", argv[1]);
      return 2;
    }
    for (int i = 2; i < argc; ++i) {
      if (!replay_file(fn, argv[i])) return 1;
      ++count;
    }
  }
  std::printf("replay: %d inputs, no crash\n", count);
  return 0;
}
