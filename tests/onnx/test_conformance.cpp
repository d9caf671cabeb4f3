// ONNX's own backend tests (../shared/conformance/onnx-node and onnx-models), one gtest per
// test folder, with tests/onnx/expected_failures.txt as the list of known failures.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <sstream>

#include "loaders/verify.h"
#include "test_util.h"

namespace facet {
namespace {

std::vector<std::string> conformance_dirs() {
  std::vector<std::string> out;
  std::string shared = test::shared_dir();
  if (shared.empty()) return out;
  for (const char* sub : {"/conformance/onnx-node", "/conformance/onnx-models"}) {
    auto dirs = loaders::find_onnx_test_dirs(shared + sub);
    out.insert(out.end(), dirs.begin(), dirs.end());
  }
  return out;
}

const std::map<std::string, std::string>& expected_failures() {
  static const std::map<std::string, std::string> list = [] {
    std::map<std::string, std::string> m;
    std::ifstream in(std::string(FACET_SOURCE_DIR) + "/tests/onnx/expected_failures.txt");
    std::string line;
    while (std::getline(in, line)) {
      auto hash = line.find('#');
      if (hash != std::string::npos) line = line.substr(0, hash);
      std::istringstream ls(line);
      std::string name, reason;
      if (!(ls >> name)) continue;
      std::getline(ls, reason);
      m[name] = reason;
    }
    return m;
  }();
  return list;
}

std::string test_name_of(const std::string& dir) {
  auto slash = dir.rfind('/');
  return slash == std::string::npos ? dir : dir.substr(slash + 1);
}

class Conformance : public ::testing::TestWithParam<std::string> {};

TEST_P(Conformance, MatchesReference) {
  const std::string& dir = GetParam();
  loaders::CaseResult r = loaders::run_onnx_test_dir(dir);
  auto it = expected_failures().find(r.name);
  if (it != expected_failures().end()) {
    if (r.passed) {
      std::printf("XPASS %s: listed in tests/onnx/expected_failures.txt but passes now\n",
                  r.name.c_str());
      RecordProperty("xpass", r.name);
      return;
    }
    GTEST_SKIP() << "expected failure (" << it->second << "): " << r.reason;
  }
  EXPECT_TRUE(r.passed) << r.dir << ": " << r.reason;
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = test_name_of(info.param);
  if (info.param.find("onnx-models") != std::string::npos) n = "models_" + n;
  for (char& c : n)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Onnx, Conformance, ::testing::ValuesIn(conformance_dirs()), param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

TEST(ConformanceData, Present) {
  if (conformance_dirs().empty())
    GTEST_SKIP() << "no conformance data at " << test::shared_dir()
                 << "/conformance (set FACET_SHARED_DIR); the ONNX tests were not run";
  EXPECT_GE(conformance_dirs().size(), 250u);
}

// The six reference folders of ../shared/models/testdata: 1e-4 absolute, or 1e-3 relative for
// the style model.
class ModelReference : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelReference, MatchesReferenceOutputs) {
  std::string shared = test::shared_dir();
  std::string dir = shared + "/models/testdata/" + GetParam();
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0)
    GTEST_SKIP() << "reference folder " << dir << " is absent (set FACET_SHARED_DIR or run "
                 << "tools/fetch-models)";
  std::string model = shared + "/models/" + loaders::reference_model_for(GetParam());
  loaders::Tolerance tol;
  if (GetParam().rfind("fast_style", 0) == 0) {
    // Relative 1e-3, with a 1e-3 floor for outputs near zero (the output scale is 0..277).
    tol.atol = 1e-3;
    tol.rtol = 1e-3;
  } else {
    tol.atol = 1e-4;
    tol.rtol = 0;
  }
  loaders::CaseResult r = loaders::run_reference_dir(dir, model, tol);
  for (const auto& o : r.outputs)
    std::printf("  %s/%s: max abs err %.3g, max rel err %.3g\n", GetParam().c_str(),
                o.name.c_str(), o.cmp.max_abs, o.cmp.max_rel);
  EXPECT_TRUE(r.passed) << r.reason;
}

INSTANTIATE_TEST_SUITE_P(Shared, ModelReference,
                         ::testing::Values("yunet_s_320x320", "ultraface_rfb_320x240",
                                           "tddfa_v2_mb05_120x120", "pfld_ghostone_98pt_112x112",
                                           "espnet_p2q8_cityscapes_128x256",
                                           "fast_style_matta_128x128"));

}  // namespace
}  // namespace facet
