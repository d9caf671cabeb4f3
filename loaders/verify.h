// Verification against reference outputs: ONNX backend test folders (model.onnx +
// test_data_set_N/{input,output}_K.pb) and facet's reference folders (meta.json + raw .f32).
#pragma once

#include <string>
#include <vector>

#include "engine/tensor.h"

namespace facet::loaders {

// ONNX's rule: |actual - expected| <= atol + rtol * |expected|, same shape and dtype, NaN
// matches NaN, infinities must match exactly.
struct Tolerance {
  double atol = 1e-7;
  double rtol = 1e-3;
};

struct TensorComparison {
  bool ok = true;
  std::string reason;  // first problem, empty if ok
  double max_abs = 0;  // largest |actual - expected|
  double max_rel = 0;  // largest |actual - expected| / |expected| (expected != 0)
  double worst_ratio = 0;  // largest error / allowed bound
  int64_t mismatches = 0;
};

TensorComparison compare_tensors(const Tensor& actual, const Tensor& expected,
                                 const Tolerance& tol);

struct OutputResult {
  std::string name;
  TensorComparison cmp;
};

struct CaseResult {
  std::string name;  // test folder name
  std::string dir;
  bool passed = false;
  std::string reason;  // why it failed (load error, run error, mismatch ...)
  double seconds = 0;
  int data_sets = 0;
  std::vector<OutputResult> outputs;  // per output of the last data set compared
};

// Folders at or below root that contain a model.onnx, sorted by name.
std::vector<std::string> find_onnx_test_dirs(const std::string& root);

// Runs every test_data_set_* of an ONNX test folder with dir/model.onnx, or with model_path if
// given. Never throws: failures are in the result.
CaseResult run_onnx_test_dir(const std::string& dir, const Tolerance& tol = {}, int threads = 1,
                             const std::string& model_path = "");

// Runs one of ../shared/models/testdata's folders: the model file is given; inputs and outputs
// are read from meta.json (outputs that are not graph outputs are ignored).
CaseResult run_reference_dir(const std::string& dir, const std::string& model_path,
                             const Tolerance& tol, int threads = 1);

// The model file (relative to the models folder) of a testdata folder name, or "".
std::string reference_model_for(const std::string& testdata_name);

}  // namespace facet::loaders
