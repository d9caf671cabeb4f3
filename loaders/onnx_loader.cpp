// ONNX ModelProto -> facet::Graph.
//
// Two passes: (1) the protobuf is decoded with PbReader into plain structs (the order of fields
// in a file is free, e.g. opset_import comes after the graph, so ops cannot be built while
// reading); (2) the structs become a Graph: values, initializers, declared types, nodes with
// their Op objects from the built-in registry, then Graph::finalize().
//
// The tensor dtype policy (int32 -> int64; uint8/int8/bool/float16/double -> float32) is
// documented in tensor_proto.h.
#include "loaders/onnx_loader.h"

#if defined(__unix__) || defined(__APPLE__)
#define FACET_HAVE_MMAP 1
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <filesystem>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>
#include <vector>

#include "loaders/pb_reader.h"
#include "loaders/tensor_io.h"
#include "loaders/tensor_proto.h"
#include "ops/fusion.h"
#include "ops/registry.h"

namespace facet::loaders {

namespace {

// ---------------------------------------------------------------------------------------------
// Field names for messages.

const char* model_field(uint32_t f) {
  switch (f) {
    case 1: return "ir_version";
    case 2: return "producer_name";
    case 3: return "producer_version";
    case 7: return "graph";
    case 8: return "opset_import";
    default: return nullptr;
  }
}

const char* opset_field(uint32_t f) {
  return f == 1 ? "domain" : f == 2 ? "version" : nullptr;
}

const char* graph_field(uint32_t f) {
  switch (f) {
    case 1: return "node";
    case 2: return "name";
    case 5: return "initializer";
    case 11: return "input";
    case 12: return "output";
    case 13: return "value_info";
    case 15: return "sparse_initializer";
    default: return nullptr;
  }
}

const char* node_field(uint32_t f) {
  switch (f) {
    case 1: return "input";
    case 2: return "output";
    case 3: return "name";
    case 4: return "op_type";
    case 5: return "attribute";
    case 7: return "domain";
    default: return nullptr;
  }
}

const char* attribute_field(uint32_t f) {
  switch (f) {
    case 1: return "name";
    case 2: return "f";
    case 3: return "i";
    case 4: return "s";
    case 5: return "t";
    case 6: return "g";
    case 7: return "floats";
    case 8: return "ints";
    case 9: return "strings";
    case 10: return "tensors";
    case 11: return "graphs";
    case 20: return "type";
    default: return nullptr;
  }
}

const char* value_info_field(uint32_t f) {
  return f == 1 ? "name" : f == 2 ? "type" : nullptr;
}

const char* type_field(uint32_t f) { return f == 1 ? "tensor_type" : nullptr; }

const char* tensor_type_field(uint32_t f) {
  return f == 1 ? "elem_type" : f == 2 ? "shape" : nullptr;
}

const char* shape_field(uint32_t f) { return f == 1 ? "dim" : nullptr; }

const char* dim_field(uint32_t f) {
  return f == 1 ? "dim_value" : f == 2 ? "dim_param" : nullptr;
}

// ---------------------------------------------------------------------------------------------
// Pass 1: decoded messages.

struct ValueInfoData {
  std::string name;
  int64_t elem_type = 0;
  bool has_tensor_type = false;
  bool shape_known = false;
  Shape shape;  // -1 for unknown dims
  size_t offset = 0;
};

struct NodeData {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  Attributes attrs;
  size_t offset = 0;
};

struct InitData {
  std::string name;
  Tensor tensor;
  size_t offset = 0;
};

struct GraphData {
  std::vector<NodeData> nodes;
  std::vector<InitData> initializers;
  std::vector<ValueInfoData> inputs, outputs, value_info;
};

struct ModelData {
  int64_t ir_version = 0;
  std::string producer;
  std::vector<std::pair<std::string, int64_t>> opsets;
  bool has_graph = false;
  GraphData graph;
};

// The model file's bytes. Where the platform has mmap, a regular file is mapped read-only and
// its pages come in as the parser reads them; release() hands the pages of a message that has
// been copied out back to the kernel, so the file and the tensors decoded from it are never
// resident at the same time (peak ~ one copy of the weights, not two). Elsewhere, and for
// non-regular files (pipes, /proc entries), the bytes are read into memory.
//
// Pages that were released read back from the file if touched again (the mapping is private
// and never written), so release() only costs memory accounting, never correctness. A file
// truncated by another process while it is mapped would fault on access (SIGBUS), as with any
// mmap-based loader; files shorter than what they declare inside are ordinary parse errors.
class ModelFile {
 public:
  ModelFile(const std::string& path, uint64_t max_bytes) {
#ifdef FACET_HAVE_MMAP
    if (try_map(path, max_bytes)) return;
#endif
    bytes_ = read_file_bytes(path, max_bytes);
    data_ = reinterpret_cast<const uint8_t*>(bytes_.data());
    size_ = bytes_.size();
  }
  ~ModelFile() { close(); }
  ModelFile(const ModelFile&) = delete;
  ModelFile& operator=(const ModelFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  // The bytes [p, p + n) will not be read again: drops the whole pages inside from memory.
  void release(const uint8_t* p, size_t n) const {
#ifdef FACET_HAVE_MMAP
    if (!map_ || n == 0 || p < data_ || n > size_ || p > data_ + (size_ - n)) return;
    discard_pages(p, n);
#else
    (void)p;
    (void)n;
#endif
  }

  // Unmaps / frees the bytes; data() must not be used afterwards.
  void close() {
#ifdef FACET_HAVE_MMAP
    if (map_) munmap(map_, size_);
    map_ = nullptr;
#endif
    std::string().swap(bytes_);
    data_ = nullptr;
    size_ = 0;
  }

 private:
#ifdef FACET_HAVE_MMAP
  // Maps a non-empty regular file; false to fall back to reading (other file kinds, or mmap
  // refused). Size and open errors are reported with read_file_bytes's messages.
  bool try_map(const std::string& path, uint64_t max_bytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;  // read_file_bytes reports why
    struct stat st;
    bool mapped = false;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      const uint64_t size = static_cast<uint64_t>(st.st_size);
      if (size > max_bytes) {
        ::close(fd);
        fail(str_cat(path, ": file is ", size, " bytes, more than the limit of ", max_bytes));
      }
      if (size <= std::numeric_limits<size_t>::max()) {
        void* p = mmap(nullptr, static_cast<size_t>(size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
          map_ = p;
          data_ = static_cast<const uint8_t*>(p);
          size_ = static_cast<size_t>(size);
          mapped = true;
        }
      }
    }
    ::close(fd);
    return mapped;
  }
  void* map_ = nullptr;
#endif
  std::string bytes_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

struct Ctx {
  std::string name;
  LoadLimits limits;
  TensorDecodeOptions tensor_opt;
  const ModelFile* file = nullptr;  // non-null when the bytes come from a ModelFile
};

ValueInfoData parse_value_info(PbReader& r, const Ctx& ctx) {
  ValueInfoData v;
  v.offset = r.offset();
  while (r.next()) {
    if (r.field() == 1) {
      v.name = r.as_string();
      r.set_label(str_cat("ValueInfoProto '", v.name, "'"));
    } else if (r.field() == 2) {
      PbReader type = r.sub_reader(r.label() + " TypeProto", type_field);
      while (type.next()) {
        if (type.field() != 1) continue;  // sequence/map/optional/sparse types: unknown dtype
        PbReader tt = type.sub_reader(r.label() + " TypeProto.Tensor", tensor_type_field);
        v.has_tensor_type = true;
        while (tt.next()) {
          if (tt.field() == 1) {
            v.elem_type = tt.as_int64();
          } else if (tt.field() == 2) {
            v.shape_known = true;
            v.shape.clear();
            PbReader sh = tt.sub_reader(r.label() + " TensorShapeProto", shape_field);
            while (sh.next()) {
              if (sh.field() != 1) continue;
              if (v.shape.size() >= static_cast<size_t>(ctx.limits.max_rank)) {
                sh.fail(str_cat("rank exceeds the limit of ", ctx.limits.max_rank));
              }
              PbReader d = sh.sub_reader(r.label() + " Dimension", dim_field);
              int64_t dim = -1;
              while (d.next()) {
                if (d.field() == 1) {
                  dim = d.as_int64();
                  if (dim < 0) d.fail(str_cat("negative dimension ", dim));
                } else if (d.field() == 2) {
                  d.as_string();
                  dim = -1;
                }
              }
              v.shape.push_back(dim);
            }
          }
        }
      }
    }
  }
  // Known dims must not describe more elements than any tensor may have.
  int64_t n = 1;
  for (int64_t d : v.shape) {
    if (d <= 0) continue;
    if (n > ctx.limits.max_tensor_elements / d) {
      r.fail_at(v.offset, str_cat("declared shape ", shape_str(v.shape), " has more than ",
                                  ctx.limits.max_tensor_elements, " elements"));
    }
    n *= d;
  }
  return v;
}

Tensor parse_tensor(PbReader& r, const Ctx& ctx, std::string* name) {
  return decode_tensor_proto(r, ctx.tensor_opt, name);
}

void parse_attribute(PbReader& r, const Ctx& ctx, Attributes& attrs) {
  const size_t start = r.offset();
  std::string name;
  Attribute a;
  int64_t type = 0;
  bool has_f = false, has_i = false, has_s = false, has_t = false, has_g = false;
  bool has_floats = false, has_ints = false, has_strings = false;
  while (r.next()) {
    switch (r.field()) {
      case 1:
        name = r.as_string();
        r.set_label(str_cat("AttributeProto '", name, "'"));
        break;
      case 2: a.f = r.as_float(); has_f = true; break;
      case 3: a.i = r.as_int64(); has_i = true; break;
      case 4: a.s = r.as_string(); has_s = true; break;
      case 5: {
        PbReader t = r.sub_reader("TensorProto", tensor_proto_field_name);
        a.t = parse_tensor(t, ctx, nullptr);
        has_t = true;
        break;
      }
      case 6: r.bytes_data(); has_g = true; break;  // subgraph: not decoded
      case 7: r.append_floats(a.floats); has_floats = true; break;
      case 8: r.append_int64s(a.ints); has_ints = true; break;
      case 9: a.strings.push_back(r.as_string()); has_strings = true; break;
      case 20: type = r.as_int64(); break;
      default: break;
    }
  }
  if (name.empty()) r.fail_at(start, "attribute has no name");
  using K = Attribute::Kind;
  switch (type) {
    case 1: a.kind = K::kFloat; break;
    case 2: a.kind = K::kInt; break;
    case 3: a.kind = K::kString; break;
    case 4:
      if (!has_t) r.fail_at(start, "attribute of type TENSOR has no tensor");
      a.kind = K::kTensor;
      break;
    case 5: case 10: a.kind = K::kGraph; break;
    case 6: a.kind = K::kFloats; break;
    case 7: a.kind = K::kInts; break;
    case 8: a.kind = K::kStrings; break;
    case 0:  // no type field (old files): infer it from the field that is set
      a.kind = has_f ? K::kFloat : has_i ? K::kInt : has_s ? K::kString : has_t ? K::kTensor
             : has_g ? K::kGraph : has_floats ? K::kFloats : has_ints ? K::kInts
             : has_strings ? K::kStrings : K::kOther;
      break;
    default: a.kind = K::kOther; break;  // sparse tensors, type protos, tensor lists
  }
  if (attrs.has(name)) r.fail_at(start, str_cat("attribute '", name, "' appears twice"));
  attrs.set(name, std::move(a));
}

NodeData parse_node(PbReader& r, const Ctx& ctx) {
  NodeData n;
  n.offset = r.offset();
  while (r.next()) {
    switch (r.field()) {
      case 1: n.inputs.push_back(r.as_string()); break;
      case 2: n.outputs.push_back(r.as_string()); break;
      case 3: n.name = r.as_string(); break;
      case 4: n.op_type = r.as_string(); break;
      case 5: {
        PbReader a = r.sub_reader("AttributeProto", attribute_field);
        parse_attribute(a, ctx, n.attrs);
        break;
      }
      case 7: n.domain = r.as_string(); break;
      default: break;
    }
    if (r.field() == 3 || r.field() == 4) {
      r.set_label(str_cat("NodeProto '", n.name, "' (", n.op_type, ")"));
    }
  }
  if (n.op_type.empty()) r.fail_at(n.offset, "node has no op_type");
  return n;
}

void parse_graph(PbReader& r, const Ctx& ctx, GraphData& g) {
  while (r.next()) {
    switch (r.field()) {
      case 1: {
        if (static_cast<int64_t>(g.nodes.size()) >= ctx.limits.max_nodes) {
          r.fail(str_cat("more than ", ctx.limits.max_nodes, " nodes (the limit)"));
        }
        PbReader n = r.sub_reader("NodeProto", node_field);
        g.nodes.push_back(parse_node(n, ctx));
        // Constant nodes can carry large tensors: their bytes are copied out now.
        if (ctx.file) ctx.file->release(r.bytes_data(), r.bytes_size());
        break;
      }
      case 5: {
        PbReader t = r.sub_reader("TensorProto", tensor_proto_field_name);
        InitData init;
        init.offset = r.field_offset();
        init.tensor = parse_tensor(t, ctx, &init.name);
        g.initializers.push_back(std::move(init));
        if (ctx.file) ctx.file->release(r.bytes_data(), r.bytes_size());
        break;
      }
      case 11:
      case 12:
      case 13: {
        PbReader v = r.sub_reader("ValueInfoProto", value_info_field);
        auto& list = r.field() == 11 ? g.inputs : r.field() == 12 ? g.outputs : g.value_info;
        list.push_back(parse_value_info(v, ctx));
        break;
      }
      case 15: r.fail("sparse initializers are not supported");
      default: break;
    }
  }
}

ModelData parse_model(PbReader& r, const Ctx& ctx) {
  ModelData m;
  while (r.next()) {
    switch (r.field()) {
      case 1: m.ir_version = r.as_int64(); break;
      case 2: m.producer = r.as_string(); break;
      case 7: {
        if (m.has_graph) r.fail("ModelProto has more than one graph");
        PbReader g = r.sub_reader("GraphProto", graph_field);
        parse_graph(g, ctx, m.graph);
        m.has_graph = true;
        break;
      }
      case 8: {
        PbReader o = r.sub_reader("OperatorSetIdProto", opset_field);
        std::pair<std::string, int64_t> op{"", 0};
        bool has_version = false;
        while (o.next()) {
          if (o.field() == 1) op.first = o.as_string();
          if (o.field() == 2) {
            op.second = o.as_int64();
            has_version = true;
          }
        }
        if (!has_version || op.second < 1 || op.second > 100000) {
          r.fail(str_cat("opset_import for domain '", op.first, "' has invalid version ",
                         op.second));
        }
        m.opsets.push_back(std::move(op));
        break;
      }
      default: break;
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------
// Pass 2: Graph construction.

// Fills in declared type information the value does not have yet (graph inputs first, then
// graph outputs, then value_info; initializers keep their own).
void set_declared(Value& v, const ValueInfoData& info) {
  if (v.initializer.defined()) return;
  if (v.dtype == DType::kUndefined && info.has_tensor_type && info.elem_type != 0) {
    v.dtype = runtime_dtype(info.elem_type);
  }
  if (!v.shape_known && info.shape_known) {
    v.shape = info.shape;
    v.shape_known = true;
  }
}

std::string canonical_domain(const std::string& d) { return d == "ai.onnx" ? "" : d; }

std::shared_ptr<Graph> build_graph(ModelData& m, const Ctx& ctx) {
  const std::string& file = ctx.name;
  FACET_CHECK(m.has_graph, file, ": ModelProto has no graph");
  auto graph = std::make_shared<Graph>();
  Graph& g = *graph;
  g.source = file;
  g.ir_version = m.ir_version;
  g.producer = m.producer;
  for (const auto& op : m.opsets) g.opsets[canonical_domain(op.first)] = op.second;

  GraphData& gd = m.graph;
  // value id -> node producing it (-1 none); whether it is a graph input.
  std::vector<int> producer;
  std::vector<bool> is_input;
  auto grow = [&] {
    producer.resize(g.values.size(), -1);
    is_input.resize(g.values.size(), false);
  };

  for (InitData& init : gd.initializers) {
    FACET_CHECK(!init.name.empty(), file, ": initializer without a name (TensorProto at byte ",
                init.offset, ")");
    FACET_CHECK(g.find_value(init.name) < 0, file, ": initializer '", init.name,
                "' is defined twice");
    Value& v = g.values[static_cast<size_t>(g.add_value(init.name))];
    v.dtype = init.tensor.dtype();
    v.shape = init.tensor.shape();
    v.shape_known = true;
    v.initializer = std::move(init.tensor);
  }
  grow();
  for (const ValueInfoData& in : gd.inputs) {
    FACET_CHECK(!in.name.empty(), file, ": graph input without a name");
    int id = g.find_value(in.name);
    if (id >= 0 && g.values[static_cast<size_t>(id)].initializer.defined()) {
      continue;  // IR < 4 lists every weight as an input as well
    }
    FACET_CHECK(id < 0, file, ": graph input '", in.name, "' is listed twice");
    if (in.has_tensor_type && in.elem_type != 0 &&
        runtime_dtype(in.elem_type) == DType::kUndefined) {
      fail(str_cat(file, ": graph input '", in.name, "' has unsupported element type ",
                   onnx_dtype_name(in.elem_type)));
    }
    id = g.add_value(in.name);
    set_declared(g.values[static_cast<size_t>(id)], in);
    g.inputs.push_back(id);
    grow();
    is_input[static_cast<size_t>(id)] = true;
  }

  // Nodes (structure first; ops are created once every name is checked).
  for (size_t i = 0; i < gd.nodes.size(); ++i) {
    NodeData& nd = gd.nodes[i];
    Node node;
    node.name = nd.name;
    node.op_type = nd.op_type;
    node.domain = canonical_domain(nd.domain);
    auto it = g.opsets.find(node.domain);
    const int node_index = static_cast<int>(g.nodes.size());
    if (it == g.opsets.end()) {
      g.nodes.push_back(std::move(node));
      fail(str_cat(g.node_label(node_index), ": domain '", g.nodes.back().domain,
                   "' is not imported by the model (no opset_import entry)"));
    }
    node.opset = static_cast<int>(it->second);
    for (const std::string& name : nd.inputs) {
      node.inputs.push_back(name.empty() ? -1 : g.get_or_add_value(name));
    }
    grow();
    g.nodes.push_back(std::move(node));
    Node& n = g.nodes.back();
    for (const std::string& name : nd.outputs) {
      if (name.empty()) {
        n.outputs.push_back(-1);
        continue;
      }
      const int id = g.get_or_add_value(name);
      grow();
      const Value& v = g.values[static_cast<size_t>(id)];
      const size_t uid = static_cast<size_t>(id);
      if (producer[uid] >= 0) {
        fail(str_cat(g.node_label(node_index), ": output '", name, "' is already produced by ",
                     g.node_label(producer[uid])));
      }
      FACET_CHECK(!v.initializer.defined(), g.node_label(node_index), ": output '", name,
                  "' has the same name as an initializer");
      FACET_CHECK(!is_input[uid], g.node_label(node_index), ": output '", name,
                  "' has the same name as a graph input");
      producer[uid] = node_index;
      g.values[uid].producer = node_index;
      n.outputs.push_back(id);
    }
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (int id : g.nodes[i].inputs) {
      if (id < 0) continue;
      const size_t uid = static_cast<size_t>(id);
      if (producer[uid] < 0 && !is_input[uid] && !g.values[uid].initializer.defined()) {
        fail(str_cat(g.node_label(static_cast<int>(i)), ": input '", g.values[uid].name,
                     "' is not a graph input, an initializer or the output of any node"));
      }
    }
  }
  for (const ValueInfoData& out : gd.outputs) {
    const int id = g.find_value(out.name);
    FACET_CHECK(!out.name.empty(), file, ": graph output without a name");
    FACET_CHECK(id >= 0 && (producer[static_cast<size_t>(id)] >= 0 ||
                            is_input[static_cast<size_t>(id)] ||
                            g.values[static_cast<size_t>(id)].initializer.defined()),
                file, ": graph output '", out.name, "' is not produced by any node");
    set_declared(g.values[static_cast<size_t>(id)], out);
    g.outputs.push_back(id);
  }
  for (const ValueInfoData& vi : gd.value_info) {
    const int id = g.find_value(vi.name);
    if (id >= 0) set_declared(g.values[static_cast<size_t>(id)], vi);
  }

  // Ops.
  const OpRegistry& registry = ops::builtin_registry();
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& n = g.nodes[i];
    NodeData& nd = gd.nodes[i];
    NodeDef def;
    def.name = n.name;
    def.op_type = n.op_type;
    def.domain = n.domain;
    def.opset = n.opset;
    def.attrs = std::move(nd.attrs);
    for (int id : n.inputs) def.input_present.push_back(id >= 0);
    def.num_outputs = static_cast<int>(n.outputs.size());
    try {
      n.op = registry.create(def);
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      fail(str_cat(g.node_label(static_cast<int>(i)), ": ", e.what()));
    }
    FACET_CHECK(n.op != nullptr, g.node_label(static_cast<int>(i)), ": op factory returned null");
  }
  ops::fuse_graph(g);
  g.release_packed_constants = ctx.limits.release_packed_weights;
  g.finalize();
  return graph;
}

// `file`, when given, holds data: it is released as the parser goes and closed once the
// model is decoded (everything the graph needs has been copied out by then).
std::shared_ptr<Graph> load_impl(const uint8_t* data, size_t size, const std::string& name,
                                 const std::string& base_dir, const LoadLimits& limits,
                                 ModelFile* file) {
  if (static_cast<uint64_t>(size) > limits.max_file_bytes) {
    fail(str_cat(name, ": model is ", size, " bytes, more than the limit of ",
                 limits.max_file_bytes));
  }
  Ctx ctx;
  ctx.name = name;
  ctx.limits = limits;
  ctx.tensor_opt.base_dir = base_dir;
  ctx.tensor_opt.limits = limits;
  ctx.file = file;
  if (file) {
    ctx.tensor_opt.consumed = [file](const uint8_t* p, size_t n) { file->release(p, n); };
  }
  PbSource src;
  static const uint8_t kEmpty = 0;
  src.base = data ? data : &kEmpty;
  src.name = name;
  src.max_depth = limits.max_nesting_depth;
  PbReader r(src, src.base, src.base + (data ? size : 0), "ModelProto", model_field);
  ModelData m = parse_model(r, ctx);
  if (file) file->close();
  ctx.file = nullptr;
  ctx.tensor_opt.consumed = nullptr;
  return build_graph(m, ctx);
}

std::shared_ptr<Graph> load_guarded(const uint8_t* data, size_t size, const std::string& name,
                                    const std::string& base_dir, const LoadLimits& limits,
                                    ModelFile* file) {
  try {
    return load_impl(data, size, name, base_dir, limits, file);
  } catch (const std::bad_alloc&) {
    fail(str_cat(name, ": out of memory while loading the model"));
  } catch (const std::length_error& e) {
    fail(str_cat(name, ": out of memory while loading the model (", e.what(), ")"));
  } catch (const std::filesystem::filesystem_error& e) {
    fail(str_cat(name, ": ", e.what()));
  }
}

}  // namespace

std::shared_ptr<Graph> load_onnx_bytes(const uint8_t* data, size_t size, const std::string& name,
                                       const std::string& base_dir, const LoadLimits& limits) {
  return load_guarded(data, size, name, base_dir, limits, nullptr);
}

std::shared_ptr<Graph> load_onnx_file(const std::string& path, const LoadLimits& limits) {
  std::unique_ptr<ModelFile> file;
  try {
    file = std::make_unique<ModelFile>(path, limits.max_file_bytes);
  } catch (const std::bad_alloc&) {
    fail(str_cat(path, ": out of memory reading the file"));
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  return load_guarded(file->data(), file->size(), path, dir, limits, file.get());
}

Status try_load_onnx_file(const std::string& path, std::shared_ptr<Graph>* out,
                          const LoadLimits& limits) {
  try {
    auto g = load_onnx_file(path, limits);
    if (out) *out = std::move(g);
    return Status::ok();
  } catch (const std::exception& e) {
    return Status::error(e.what());
  }
}

}  // namespace facet::loaders
