#include "loaders/verify.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <new>

#include "engine/session.h"
#include "engine/status.h"
#include "loaders/json.h"
#include "loaders/onnx_loader.h"
#include "loaders/tensor_io.h"

namespace facet::loaders {

namespace {
bool is_dir(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_file(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}
std::string base_name(const std::string& p) {
  std::string s = p;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}
}  // namespace

TensorComparison compare_tensors(const Tensor& actual, const Tensor& expected,
                                 const Tolerance& tol) {
  TensorComparison c;
  if (actual.dtype() != expected.dtype()) {
    c.ok = false;
    c.reason = str_cat("dtype ", dtype_name(actual.dtype()), ", expected ",
                       dtype_name(expected.dtype()));
    return c;
  }
  if (actual.shape() != expected.shape()) {
    c.ok = false;
    c.reason = str_cat("shape ", shape_str(actual.shape()), ", expected ",
                       shape_str(expected.shape()));
    return c;
  }
  const int64_t n = expected.numel();
  int64_t first_bad = -1;
  double first_a = 0, first_e = 0;
  for (int64_t i = 0; i < n; ++i) {
    double a, e;
    if (expected.dtype() == DType::kI64) {
      a = static_cast<double>(actual.data<int64_t>()[i]);
      e = static_cast<double>(expected.data<int64_t>()[i]);
    } else {
      a = actual.data<float>()[i];
      e = expected.data<float>()[i];
    }
    bool bad;
    if (std::isnan(e)) {
      bad = !std::isnan(a);
    } else if (std::isinf(e)) {
      bad = a != e;
    } else if (std::isnan(a) || std::isinf(a)) {
      bad = true;
    } else {
      double err = std::fabs(a - e);
      double bound = tol.atol + tol.rtol * std::fabs(e);
      c.max_abs = std::max(c.max_abs, err);
      if (e != 0) c.max_rel = std::max(c.max_rel, err / std::fabs(e));
      c.worst_ratio = std::max(c.worst_ratio, err / bound);
      bad = err > bound;
    }
    if (bad) {
      if (first_bad < 0) {
        first_bad = i;
        first_a = a;
        first_e = e;
      }
      ++c.mismatches;
    }
  }
  if (c.mismatches) {
    c.ok = false;
    c.reason = str_cat(c.mismatches, " of ", n, " elements differ; first at index ", first_bad,
                       ": ", first_a, " vs expected ", first_e, " (max abs err ", c.max_abs, ")");
  }
  return c;
}

std::vector<std::string> find_onnx_test_dirs(const std::string& root) {
  std::vector<std::string> out;
  if (is_file(root + "/model.onnx")) {
    out.push_back(root);
    return out;
  }
  for (const std::string& n : list_dir(root)) {
    std::string p = root + "/" + n;
    if (is_dir(p)) {
      auto sub = find_onnx_test_dirs(p);
      out.insert(out.end(), sub.begin(), sub.end());
    }
  }
  return out;
}

CaseResult run_onnx_test_dir(const std::string& dir, const Tolerance& tol, int threads,
                             const std::string& model_path) {
  CaseResult r;
  r.dir = dir;
  r.name = base_name(dir);
  auto t0 = std::chrono::steady_clock::now();
  try {
    auto graph = load_onnx_file(model_path.empty() ? dir + "/model.onnx" : model_path);
    SessionOptions opts;
    opts.threads = threads;
    Session session(graph, opts);
    std::vector<std::string> sets;
    for (const std::string& n : list_dir(dir))
      if (n.rfind("test_data_set_", 0) == 0 && is_dir(dir + "/" + n)) sets.push_back(n);
    FACET_CHECK(!sets.empty(), "no test_data_set_* folder");
    bool all_ok = true;
    for (const std::string& set : sets) {
      std::string sd = dir + "/" + set;
      std::vector<Tensor> inputs;
      for (size_t k = 0;; ++k) {
        std::string f = str_cat(sd, "/input_", k, ".pb");
        if (!is_file(f)) break;
        inputs.push_back(read_tensor_pb(f));
      }
      std::vector<Tensor> outputs = session.run(inputs);
      std::vector<Tensor> expected;
      for (size_t k = 0;; ++k) {
        std::string f = str_cat(sd, "/output_", k, ".pb");
        if (!is_file(f)) break;
        expected.push_back(read_tensor_pb(f));
      }
      FACET_CHECK(expected.size() == outputs.size(), set, ": the model produced ",
                  outputs.size(), " outputs, the test expects ", expected.size());
      r.outputs.clear();
      for (size_t k = 0; k < outputs.size(); ++k) {
        OutputResult o;
        o.name = graph->values[static_cast<size_t>(graph->outputs[k])].name;
        o.cmp = compare_tensors(outputs[k], expected[k], tol);
        if (!o.cmp.ok && all_ok) {
          all_ok = false;
          r.reason = str_cat(set, ": output ", k, " '", o.name, "': ", o.cmp.reason);
        }
        r.outputs.push_back(o);
      }
      ++r.data_sets;
    }
    r.passed = all_ok;
  } catch (const Error& e) {
    r.passed = false;
    r.reason = e.what();
  } catch (const std::bad_alloc&) {
    r.passed = false;
    r.reason = "out of memory";
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::string reference_model_for(const std::string& name) {
  struct Entry {
    const char* prefix;
    const char* model;
  };
  static const Entry table[] = {
      {"yunet_s_320x320", "detection/yunet_s_320x320.onnx"},
      {"ultraface_rfb_320x240", "detection/ultraface_rfb_320x240_simplified.onnx"},
      {"tddfa_v2_mb05_120x120", "tddfa/tddfa_v2_mb05_120x120.onnx"},
      {"pfld_ghostone_98pt_112x112", "landmarks/pfld_ghostone_98pt_112x112.onnx"},
      {"espnet_p2q8_cityscapes", "segmentation/espnet_p2q8_cityscapes.onnx"},
      {"fast_style_matta", "style/fast_style_matta.onnx"},
      {"fast_style_mathura", "style/fast_style_mathura.onnx"},
  };
  for (const Entry& e : table)
    if (name.rfind(e.prefix, 0) == 0) return e.model;
  return "";
}

CaseResult run_reference_dir(const std::string& dir, const std::string& model_path,
                             const Tolerance& tol, int threads) {
  CaseResult r;
  r.dir = dir;
  r.name = base_name(dir);
  auto t0 = std::chrono::steady_clock::now();
  try {
    Json meta = Json::parse(read_file_bytes(dir + "/meta.json", 1 << 20), dir + "/meta.json");
    auto graph = load_onnx_file(model_path);
    SessionOptions opts;
    opts.threads = threads;
    opts.relax_input_shapes = true;  // references may use another size than the declared one
    Session session(graph, opts);
    std::vector<Tensor> inputs;
    for (int id : graph->inputs) {
      const std::string& name = graph->values[static_cast<size_t>(id)].name;
      FACET_CHECK(meta.at("inputs").has(name), "meta.json has no input '", name, "'");
      const Json& in = meta.at("inputs").at(name);
      Shape shape;
      for (const Json& d : in.at("shape").items()) shape.push_back(d.integer());
      inputs.push_back(read_raw_f32(dir + "/" + in.at("file").str(), shape));
    }
    std::vector<Tensor> outputs = session.run(inputs);
    bool all_ok = true;
    int compared = 0;
    for (size_t k = 0; k < graph->outputs.size(); ++k) {
      const std::string& name = graph->values[static_cast<size_t>(graph->outputs[k])].name;
      if (!meta.at("outputs").has(name)) continue;
      const Json& out = meta.at("outputs").at(name);
      Shape shape;
      for (const Json& d : out.at("shape").items()) shape.push_back(d.integer());
      Tensor expected = read_raw_f32(dir + "/" + out.at("file").str(), shape);
      OutputResult o;
      o.name = name;
      o.cmp = compare_tensors(outputs[k], expected, tol);
      if (!o.cmp.ok && all_ok) {
        all_ok = false;
        r.reason = str_cat("output '", name, "': ", o.cmp.reason);
      }
      r.outputs.push_back(o);
      ++compared;
    }
    FACET_CHECK(compared > 0, "no graph output of ", model_path, " is listed in meta.json");
    r.data_sets = 1;
    r.passed = all_ok;
  } catch (const Error& e) {
    r.passed = false;
    r.reason = e.what();
  } catch (const std::bad_alloc&) {
    r.passed = false;
    r.reason = "out of memory";
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace facet::loaders
