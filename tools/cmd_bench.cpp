// facet bench: latency of a model (median, min, p90), GFLOP/s against the machine's measured FMA
// peak, a per-op-kind breakdown, peak RSS; facet bench --peak: the FMA peak alone.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <time.h>

#include "engine/cpu.h"
#include "engine/session.h"
#include "engine/status.h"
#include "engine/thread_pool.h"
#include "loaders/json.h"
#include "loaders/model_paths.h"
#include "loaders/onnx_loader.h"
#include "loaders/tensor_io.h"
#include "ops/kernels/peak/peak.h"
#include "tools/cli.h"

namespace facet::tools {

namespace {

using loaders::Json;

// A field of /proc/self/status in kB ("VmHWM", "VmRSS"), or -1 where there is no /proc.
int64_t proc_status_kb(const char* field) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(f, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
      return std::atoll(line.c_str() + n + 1);
  }
  return -1;
}

// CPU time of the whole process (all threads) in seconds.
double process_cpu_seconds() {
  timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0) return 0;
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  // Nearest rank: the smallest value with at least q of the samples at or below it.
  size_t rank = static_cast<size_t>(q * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::min(std::max<size_t>(rank, 1), sorted.size());
  return sorted[rank - 1];
}

double median(const std::vector<double>& sorted) {
  size_t n = sorted.size();
  if (n == 0) return 0;
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

// --shape N,C,H,W (the first input) or --shape NAME=N,C,H,W.
std::map<std::string, Shape> parse_bench_shapes(const std::vector<std::string>& specs,
                                                const Graph& g) {
  std::map<std::string, Shape> shapes;
  for (const std::string& s : specs) {
    auto eq = s.find('=');
    if (eq == std::string::npos) {
      if (g.inputs.empty()) throw UsageError{"the model has no inputs to give a --shape to"};
      shapes[g.values[static_cast<size_t>(g.inputs[0])].name] = parse_shape(s);
      continue;
    }
    std::string name = s.substr(0, eq);
    bool found = false;
    for (int id : g.inputs) found |= g.values[static_cast<size_t>(id)].name == name;
    FACET_CHECK(found, "the model has no input named '", name, "'");
    shapes[name] = parse_shape(s.substr(eq + 1));
  }
  return shapes;
}

Shape bench_input_shape(const Value& v, const std::map<std::string, Shape>& shapes) {
  auto it = shapes.find(v.name);
  if (it != shapes.end()) return it->second;
  FACET_CHECK(v.shape_known, "input '", v.name, "' has no declared shape; give one with --shape ",
              v.name, "=D,D,...");
  Shape s = v.shape;
  for (size_t d = 0; d < s.size(); ++d)
    if (s[d] < 0) s[d] = d == 0 ? 1 : 320;
  return s;
}

int print_peak(int threads, bool json) {
  ops::FmaPeak p = ops::measure_fma_peak(threads, 0.2, 5);
  if (json) {
    Json j = Json::object();
    j.set("isa", isa_name(p.isa));
    j.set("threads", p.threads);
    j.set("gflops_per_core", p.gflops_per_core);
    j.set("gflops_all_cores", p.gflops_all_cores);
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("FMA peak (f32, %s, best of 5 runs of 0.2 s):\n", isa_name(p.isa));
  std::printf("  per core   %8.1f GFLOP/s (per second of the thread's CPU time)\n",
              p.gflops_per_core);
  std::printf("  %d %-7s %8.1f GFLOP/s (wall clock, all at once: %.2fx one core)\n", p.threads,
              p.threads == 1 ? "core" : "cores", p.gflops_all_cores,
              p.gflops_all_cores / std::max(p.gflops_per_core, 1e-9));
  return 0;
}

}  // namespace

int cmd_bench(Args& args) {
  bool peak_only = args.flag("--peak");
  bool no_peak = args.flag("--no-peak");
  int threads = args.int_option("--threads", 0);
  int runs = args.int_option("--runs", 100);
  int warmup = args.int_option("--warmup", 10);
  int seed = args.int_option("--seed", 1);
  bool profile_nodes = args.flag("--profile-nodes");
  bool profile = args.flag("--profile") || profile_nodes;
  bool json = args.flag("--json");
  std::string models_dir = args.option("--models");
  std::vector<std::string> shape_specs = args.options("--shape");
  std::vector<std::string> input_specs = args.options("--input", "-i");
  auto pos = args.positional();
  if (threads < 0) throw UsageError{"--threads must be >= 0"};
  if (peak_only) {
    if (!pos.empty()) throw UsageError{"--peak takes no MODEL"};
    return print_peak(threads, json);
  }
  if (pos.size() != 1) throw UsageError{"expected exactly one MODEL (or --peak)"};
  if (runs < 1) throw UsageError{"--runs must be >= 1"};
  if (warmup < 0) throw UsageError{"--warmup must be >= 0"};

  std::string path = loaders::resolve_model_file(pos[0], models_dir);
  auto t_load0 = std::chrono::steady_clock::now();
  std::shared_ptr<Graph> graph = loaders::load_onnx_file(path);
  double load_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_load0).count();
  // Peak so far: file decoding and weight packing (before any session or arena exists).
  const int64_t load_hwm_kb = proc_status_kb("VmHWM");
  release_code_pages();
  const Graph& g = *graph;
  auto shapes = parse_bench_shapes(shape_specs, g);
  // -i NAME=FILE (or -i FILE for the first input): the same input bytes another runtime gets.
  std::map<std::string, std::string> files;
  for (const std::string& s : input_specs) {
    auto eq = s.find('=');
    if (eq == std::string::npos) {
      if (g.inputs.empty()) throw UsageError{"the model has no inputs"};
      files[g.values[static_cast<size_t>(g.inputs[0])].name] = s;
      continue;
    }
    files[s.substr(0, eq)] = s.substr(eq + 1);
  }

  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::uniform_real_distribution<float> uni(0.f, 1.f);
  std::vector<Tensor> inputs;
  Json json_inputs = Json::object();
  std::string input_text;
  for (int id : g.inputs) {
    const Value& v = g.values[static_cast<size_t>(id)];
    DType dt = v.dtype == DType::kUndefined ? DType::kF32 : v.dtype;
    Shape s;
    Tensor t;
    auto file = files.find(v.name);
    if (file != files.end()) {
      // .npy and .pb carry their shape; raw .f32 takes --shape or the declared one.
      bool have_shape = shapes.count(v.name) || v.shape_known;
      if (have_shape) s = bench_input_shape(v, shapes);
      t = loaders::read_tensor_file(file->second, have_shape ? &s : nullptr);
      s = t.shape();
      files.erase(file);
    } else {
      s = bench_input_shape(v, shapes);
      t = Tensor::empty(dt, s);  // non-float inputs stay zero
      if (dt == DType::kF32)
        for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = uni(rng);
    }
    inputs.push_back(t);
    json_inputs.set(v.name, Json::array_of(s));
    input_text += str_cat(input_text.empty() ? "" : ", ", v.name, "=", shape_str(s));
  }

  if (!files.empty()) throw UsageError{str_cat("the model has no input named '", files.begin()->first, "'")};

  SessionOptions opts;
  opts.threads = threads;
  opts.profile = profile;
  opts.relax_input_shapes = !shapes.empty() || !input_specs.empty();
  Session session(graph, opts);
  const int used_threads = session.pool() ? session.pool()->threads() : 1;
  std::vector<Tensor> outputs;
  auto t_first0 = std::chrono::steady_clock::now();
  session.run_into(inputs, &outputs);  // plans, allocates the arena and the outputs
  double first_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t_first0).count();
  const Plan& plan = *session.current_plan();

  for (int i = 0; i < warmup; ++i) session.run_into(inputs, &outputs);

  // The timed loop: run_into with fixed shapes allocates nothing; everything it touches is
  // sized before the loop.
  std::vector<double> times(static_cast<size_t>(runs));
  std::vector<double> node_ms(g.nodes.size(), 0.0);
  const double cpu0 = process_cpu_seconds();
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    session.run_into(inputs, &outputs);
    auto t1 = std::chrono::steady_clock::now();
    times[static_cast<size_t>(i)] = std::chrono::duration<double, std::milli>(t1 - t0).count();
    if (profile)
      for (const NodeTiming& nt : session.profile()) node_ms[static_cast<size_t>(nt.node)] += nt.ms;
  }
  const double cpu_ms = (process_cpu_seconds() - cpu0) * 1e3 / runs;
  double mean = 0;
  for (double t : times) mean += t;
  mean /= static_cast<double>(runs);
  std::sort(times.begin(), times.end());
  const double med = median(times), mn = times.front(), p90 = percentile(times, 0.9);
  const double flops = 2.0 * static_cast<double>(plan.total_macs);
  const double gflops = med > 0 ? flops / (med * 1e-3) / 1e9 : 0;

  ops::FmaPeak peak{};
  double peak_gflops = 0;
  if (!no_peak) {
    // The ideal for this thread count: threads x one core's measured FMA rate.
    peak = ops::measure_fma_peak(1, 0.05, 3);
    peak_gflops = used_threads * peak.gflops_per_core;
  }

  // Per op kind: time per run, share, node count, MACs.
  struct Kind {
    double ms = 0;
    int nodes = 0;
    int64_t macs = 0;
  };
  std::map<std::string, Kind> kinds;
  double profiled_ms = 0;
  if (profile) {
    for (const PlannedNode& step : plan.steps) {
      const Node& node = g.nodes[static_cast<size_t>(step.node)];
      Kind& k = kinds[node.op_type];
      k.ms += node_ms[static_cast<size_t>(step.node)] / runs;
      k.nodes += 1;
      k.macs += step.macs;
    }
    for (const auto& kv : kinds) profiled_ms += kv.second.ms;
  }
  std::vector<std::pair<std::string, Kind>> sorted_kinds(kinds.begin(), kinds.end());
  std::sort(sorted_kinds.begin(), sorted_kinds.end(),
            [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });

  const int64_t hwm_kb = proc_status_kb("VmHWM");
  if (json) {
    Json j = Json::object();
    j.set("model", path);
    j.set("inputs", json_inputs);
    j.set("threads", used_threads);
    j.set("isa", isa_name(active_isa()));
    j.set("runs", runs);
    j.set("warmup", warmup);
    j.set("macs", plan.total_macs);
    j.set("load_ms", load_ms);
    j.set("first_run_ms", first_ms);
    j.set("median_ms", med);
    j.set("min_ms", mn);
    j.set("p90_ms", p90);
    j.set("mean_ms", mean);
    j.set("cpu_ms_per_run", cpu_ms);
    j.set("gflops", gflops);
    if (!no_peak) {
      j.set("peak_gflops", peak_gflops);
      j.set("peak_percent", peak_gflops > 0 ? 100.0 * gflops / peak_gflops : 0.0);
    }
    j.set("arena_bytes", plan.arena_bytes);
    if (profile) {
      Json arr = Json::array();
      for (const auto& kv : sorted_kinds) {
        Json e = Json::object();
        e.set("op", kv.first);
        e.set("ms", kv.second.ms);
        e.set("nodes", kv.second.nodes);
        e.set("macs", kv.second.macs);
        arr.push(e);
      }
      j.set("profile", arr);
    }
    j.set("vm_hwm_kb", hwm_kb);
    j.set("vm_hwm_after_load_kb", load_hwm_kb);
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }

  std::printf("model: %s\n", path.c_str());
  std::printf("inputs: %s\n", input_text.c_str());
  std::printf("threads %d, isa %s, %d runs after %d warm-up (load %.1f ms, first run %.3f ms)\n",
              used_threads, isa_name(active_isa()), runs, warmup, load_ms, first_ms);
  std::printf("MACs %.1fM (%.3f GFLOP per run), arena %s\n",
              static_cast<double>(plan.total_macs) / 1e6, flops / 1e9,
              human_bytes(static_cast<double>(plan.arena_bytes)).c_str());
  std::printf("median %.3f ms\n", med);
  std::printf("min    %.3f ms\n", mn);
  std::printf("p90    %.3f ms\n", p90);
  std::printf("mean   %.3f ms (process CPU time %.3f ms per run)\n", mean, cpu_ms);
  if (no_peak) {
    std::printf("%.1f GFLOP/s\n", gflops);
  } else {
    std::printf("%.1f GFLOP/s, %.1f%% of the FMA peak (%d x %.1f GFLOP/s, %s)\n", gflops,
                peak_gflops > 0 ? 100.0 * gflops / peak_gflops : 0.0, used_threads,
                peak.gflops_per_core, isa_name(peak.isa));
  }
  if (profile) {
    std::printf("per op kind (ms per run; node timings sum to %.3f ms):\n", profiled_ms);
    std::printf("  %-22s %9s %6s %6s %10s\n", "op", "ms", "share", "nodes", "GFLOP/s");
    for (const auto& kv : sorted_kinds) {
      const Kind& k = kv.second;
      std::string rate = k.macs > 0 && k.ms > 0
                             ? str_cat(static_cast<int64_t>(2.0 * static_cast<double>(k.macs) / (k.ms * 1e6) + 0.5))
                             : "-";
      std::printf("  %-22s %9.3f %5.1f%% %6d %10s\n", kv.first.c_str(), k.ms,
                  profiled_ms > 0 ? 100.0 * k.ms / profiled_ms : 0.0, k.nodes, rate.c_str());
    }
  }
  if (profile_nodes) {
    std::printf("per node (ms per run, plan order):\n");
    std::printf("  %-5s %-20s %-28s %-22s %9s %8s\n", "#", "op", "name", "output", "ms", "GFLOP/s");
    for (const PlannedNode& step : plan.steps) {
      const Node& node = g.nodes[static_cast<size_t>(step.node)];
      const double ms = node_ms[static_cast<size_t>(step.node)] / runs;
      std::string out = node.outputs.empty() || node.outputs[0] < 0
                            ? "-"
                            : shape_str(plan.infos[static_cast<size_t>(node.outputs[0])].shape);
      std::string rate = step.macs > 0 && ms > 0
                             ? str_cat(static_cast<int64_t>(2.0 * static_cast<double>(step.macs) / (ms * 1e6) + 0.5))
                             : "-";
      std::printf("  %-5d %-20s %-28.28s %-22s %9.4f %8s\n", step.node, node.op_type.c_str(),
                  node.name.c_str(), out.c_str(), ms, rate.c_str());
    }
  }
  std::printf("peak RSS (VmHWM) %s",
              hwm_kb >= 0 ? human_bytes(static_cast<double>(hwm_kb) * 1024.0).c_str() : "unknown");
  if (load_hwm_kb >= 0)
    std::printf(" (%s after loading)", human_bytes(static_cast<double>(load_hwm_kb) * 1024.0).c_str());
  std::printf("\n");
  return 0;
}

}  // namespace facet::tools
