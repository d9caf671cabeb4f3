// Shared helpers of the `facet` command line: argument parsing and printing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/tensor.h"

namespace facet::tools {

// A command's arguments. Options are taken out as they are read; whatever remains must be
// positional, and an unknown option left over is a usage error.
class Args {
 public:
  Args(std::vector<std::string> args) : args_(std::move(args)) {}
  bool flag(const std::string& name);  // --name present?
  // Value of --name VALUE or --name=VALUE ("" if absent); throws UsageError if the value is
  // missing.
  std::string option(const std::string& name, const std::string& alias = "");
  std::vector<std::string> options(const std::string& name, const std::string& alias = "");
  int int_option(const std::string& name, int def, const std::string& alias = "");
  // Remaining arguments; throws UsageError on an unknown option.
  std::vector<std::string> positional();

 private:
  std::vector<std::string> args_;
};

struct UsageError {
  std::string message;
};

Shape parse_shape(const std::string& text);  // "1,3,224,224" or "1x3x224x224"
std::string human_bytes(double bytes);
std::string tensor_summary(const Tensor& t);  // "float32 [1,62] min .. max .. mean .."
bool stdout_is_terminal();
// Hands the resident pages of this executable's code back to the kernel (Linux:
// madvise(MADV_DONTNEED) over [__executable_start, etext)). Called once models are loaded:
// the loader's, the protobuf reader's and the command line's code then stops counting in the
// process's RSS, and the code a run needs comes back from the page cache on its first use
// (minor faults during the warm-up). Saves about 0.8 MiB of the 23 MiB `facet bench` peak on
// MobileNetV1-224. A no-op elsewhere. Only the CLI does this: a library must not touch its
// host program's code pages.
void release_code_pages();

// Command entry points: return the process exit code.
int cmd_inspect(Args& args);
int cmd_run(Args& args);
int cmd_verify(Args& args);
int cmd_conformance(Args& args);
int cmd_face(Args& args);
int cmd_segment(Args& args);   // tools/cmd_segment.cpp
int cmd_stylize(Args& args);   // tools/cmd_stylize.cpp
int cmd_bench(Args& args);     // tools/cmd_bench.cpp
int cmd_make_model(Args& args);  // tools/cmd_make_model.cpp

}  // namespace facet::tools
