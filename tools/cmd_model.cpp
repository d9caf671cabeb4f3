// facet inspect, facet run.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "engine/session.h"
#include "engine/status.h"
#include "loaders/model_paths.h"
#include "loaders/onnx_loader.h"
#include "loaders/tensor_io.h"
#include "tools/cli.h"

namespace facet::tools {

namespace {

std::map<std::string, Shape> parse_shape_options(Args& args) {
  std::map<std::string, Shape> shapes;
  for (const std::string& s : args.options("--shape")) {
    auto eq = s.find('=');
    if (eq == std::string::npos) throw UsageError{str_cat("--shape expects NAME=D,D,..., got '", s, "'")};
    shapes[s.substr(0, eq)] = parse_shape(s.substr(eq + 1));
  }
  return shapes;
}

// The shape to feed for a graph input: --shape, else the declared shape with unknown dims
// replaced (1 for the first, 320 for the others).
Shape input_shape(const Value& v, const std::map<std::string, Shape>& shapes) {
  auto it = shapes.find(v.name);
  if (it != shapes.end()) return it->second;
  FACET_CHECK(v.shape_known, "input '", v.name,
              "' has no declared shape; give one with --shape ", v.name, "=D,D,...");
  Shape s = v.shape;
  for (size_t d = 0; d < s.size(); ++d)
    if (s[d] < 0) s[d] = d == 0 ? 1 : 320;
  return s;
}

std::shared_ptr<Graph> load_model_arg(const std::string& model, const std::string& models_dir) {
  return loaders::load_onnx_file(loaders::resolve_model_file(model, models_dir));
}

std::string safe_file_name(const std::string& name) {
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (out.empty() || out[0] == '.') out = "out" + out;
  return out;
}

}  // namespace

int cmd_inspect(Args& args) {
  std::string models_dir = args.option("--models");
  auto shapes = parse_shape_options(args);
  auto pos = args.positional();
  if (pos.size() != 1) throw UsageError{"expected exactly one MODEL"};
  std::string path = loaders::resolve_model_file(pos[0], models_dir);
  auto graph = loaders::load_onnx_file(path);
  const Graph& g = *graph;
  std::printf("model: %s\n", path.c_str());
  std::printf("  ir_version %lld, producer '%s', opsets:", static_cast<long long>(g.ir_version),
              g.producer.c_str());
  for (const auto& kv : g.opsets)
    std::printf(" %s=%lld", kv.first.empty() ? "ai.onnx" : kv.first.c_str(),
                static_cast<long long>(kv.second));
  std::printf("\ninputs:\n");
  for (int id : g.inputs) {
    const Value& v = g.values[static_cast<size_t>(id)];
    std::string shape = v.shape_known ? shape_str(v.shape) : "?";
    std::printf("  %-24s %-8s %s\n", v.name.c_str(), dtype_name(v.dtype), shape.c_str());
  }
  std::printf("outputs:\n");
  for (int id : g.outputs) {
    const Value& v = g.values[static_cast<size_t>(id)];
    std::string shape = v.shape_known ? shape_str(v.shape) : "?";
    std::printf("  %-24s %-8s %s\n", v.name.c_str(), dtype_name(v.dtype), shape.c_str());
  }
  std::map<std::string, int> hist;
  for (const Node& n : g.nodes) hist[n.op_type]++;
  std::vector<std::pair<int, std::string>> sorted;
  for (const auto& kv : hist) sorted.push_back({-kv.second, kv.first});
  std::sort(sorted.begin(), sorted.end());
  std::printf("nodes: %zu\nop histogram:\n", g.nodes.size());
  for (const auto& kv : sorted) std::printf("  %-24s %d\n", kv.second.c_str(), -kv.first);
  int64_t params = g.parameter_count();
  size_t weight_bytes = 0;
  for (const Value& v : g.values)
    if (v.initializer.defined()) weight_bytes += v.initializer.nbytes();
  std::printf("parameters: %lld (%s of initializers)\n", static_cast<long long>(params),
              human_bytes(static_cast<double>(weight_bytes)).c_str());
  // Plan for concrete input shapes.
  std::vector<Tensor> inputs;
  std::string shape_text;
  for (int id : g.inputs) {
    const Value& v = g.values[static_cast<size_t>(id)];
    Shape s = input_shape(v, shapes);
    DType dt = v.dtype == DType::kUndefined ? DType::kF32 : v.dtype;
    inputs.push_back(Tensor::empty(dt, s));
    shape_text += str_cat(shape_text.empty() ? "" : ", ", v.name, "=", shape_str(s));
  }
  SessionOptions opts;
  opts.threads = 1;
  opts.relax_input_shapes = !shapes.empty();
  Session session(graph, opts);
  const Plan& plan = session.plan_for(inputs);
  std::printf("plan for %s:\n", shape_text.c_str());
  std::printf("  MACs: %lld (%.3f GFLOP per run)\n", static_cast<long long>(plan.total_macs),
              2.0 * static_cast<double>(plan.total_macs) / 1e9);
  std::printf("  nodes executed: %zu, folded at plan time: %d\n", plan.steps.size(),
              plan.folded_nodes);
  std::printf("  planned arena: %zu bytes (%s); without reuse: %s\n", plan.arena_bytes,
              human_bytes(static_cast<double>(plan.arena_bytes)).c_str(),
              human_bytes(static_cast<double>(plan.naive_bytes)).c_str());
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    const ValueInfo& info = plan.infos[static_cast<size_t>(g.outputs[k])];
    std::printf("  output %-20s %s %s\n", g.values[static_cast<size_t>(g.outputs[k])].name.c_str(),
                dtype_name(info.dtype), shape_str(info.shape).c_str());
  }
  return 0;
}

int cmd_run(Args& args) {
  std::string models_dir = args.option("--models");
  auto shapes = parse_shape_options(args);
  std::vector<std::string> input_specs = args.options("--input", "-i");
  std::string out_dir = args.option("--output", "-o");
  bool write_pb = args.flag("--pb");
  int threads = args.int_option("--threads", 0);
  int seed = args.int_option("--seed", 1);
  auto pos = args.positional();
  if (pos.size() != 1) throw UsageError{"expected exactly one MODEL"};
  auto graph = load_model_arg(pos[0], models_dir);
  const Graph& g = *graph;
  std::map<std::string, std::string> files;
  for (const std::string& s : input_specs) {
    auto eq = s.find('=');
    if (eq == std::string::npos) {
      if (g.inputs.size() == 1) {
        files[g.values[static_cast<size_t>(g.inputs[0])].name] = s;
        continue;
      }
      throw UsageError{str_cat("-i expects NAME=FILE, got '", s, "'")};
    }
    files[s.substr(0, eq)] = s.substr(eq + 1);
  }
  for (const auto& kv : files) {
    bool found = false;
    for (int id : g.inputs) found |= g.values[static_cast<size_t>(id)].name == kv.first;
    FACET_CHECK(found, "the model has no input named '", kv.first, "'");
  }
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::uniform_real_distribution<float> uni(0.f, 1.f);
  std::vector<Tensor> inputs;
  for (int id : g.inputs) {
    const Value& v = g.values[static_cast<size_t>(id)];
    auto it = files.find(v.name);
    if (it != files.end()) {
      Shape s;
      bool have_shape = shapes.count(v.name) || v.shape_known;
      if (have_shape) s = input_shape(v, shapes);
      Tensor t = loaders::read_tensor_file(it->second, have_shape ? &s : nullptr);
      std::printf("input  %-20s %s (from %s)\n", v.name.c_str(), tensor_summary(t).c_str(),
                  it->second.c_str());
      inputs.push_back(t);
      continue;
    }
    Shape s = input_shape(v, shapes);
    DType dt = v.dtype == DType::kUndefined ? DType::kF32 : v.dtype;
    FACET_CHECK(dt == DType::kF32, "input '", v.name, "' is ", dtype_name(dt),
                "; give its values with -i ", v.name, "=FILE");
    Tensor t = Tensor::empty(dt, s);
    for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = uni(rng);
    std::printf("input  %-20s %s (random, seed %d)\n", v.name.c_str(), tensor_summary(t).c_str(),
                seed);
    inputs.push_back(t);
  }
  SessionOptions opts;
  opts.threads = threads;
  opts.relax_input_shapes = true;
  Session session(graph, opts);
  std::vector<Tensor> outputs = session.run(inputs);
  if (!out_dir.empty()) {
    struct stat st;
    if (::stat(out_dir.c_str(), &st) != 0) {
      FACET_CHECK(::mkdir(out_dir.c_str(), 0755) == 0, "cannot create folder '", out_dir, "'");
    } else {
      FACET_CHECK(S_ISDIR(st.st_mode), "'", out_dir, "' exists and is not a folder");
    }
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    const std::string& name = g.values[static_cast<size_t>(g.outputs[k])].name;
    std::printf("output %-20s %s\n", name.c_str(), tensor_summary(outputs[k]).c_str());
    if (!out_dir.empty()) {
      std::string base = out_dir + "/" + safe_file_name(name);
      loaders::write_npy(base + ".npy", outputs[k]);
      if (write_pb) loaders::write_tensor_pb(base + ".pb", outputs[k], name);
    }
  }
  if (!out_dir.empty()) std::printf("wrote %zu outputs to %s\n", outputs.size(), out_dir.c_str());
  return 0;
}

}  // namespace facet::tools
