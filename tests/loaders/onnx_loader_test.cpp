// ONNX loader: models built with onnx_writer, valid and hand-corrupted.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"
#include "loaders/onnx_loader.h"
#include "loaders/onnx_writer.h"
#include "loaders/tensor_io.h"
#include "ops/registry.h"

namespace facet::loaders {
namespace {

namespace fs = std::filesystem;

#define EXPECT_CONTAINS(haystack, needle)                                          \
  do {                                                                             \
    const std::string h_ = (haystack);                                             \
    EXPECT_NE(h_.find(needle), std::string::npos) << "message: '" << h_ << "'";   \
  } while (0)

std::shared_ptr<Graph> load_bytes(const std::string& bytes, const std::string& base_dir = "",
                                  const LoadLimits& limits = {}) {
  return load_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                         "test.onnx", base_dir, limits);
}

std::shared_ptr<Graph> load(const ModelSpec& m, const std::string& base_dir = "",
                            const LoadLimits& limits = {}) {
  return load_bytes(serialize_model(m), base_dir, limits);
}

// The error message of loading m, or "<loaded>".
std::string load_error(const ModelSpec& m, const std::string& base_dir = "",
                       const LoadLimits& limits = {}) {
  try {
    load(m, base_dir, limits);
  } catch (const Error& e) {
    return e.what();
  }
  return "<loaded>";
}

std::string bytes_error(const std::string& bytes) {
  try {
    load_bytes(bytes);
  } catch (const Error& e) {
    return e.what();
  }
  return "<loaded>";
}

const Value& value(const Graph& g, const std::string& name) {
  int id = g.find_value(name);
  EXPECT_GE(id, 0) << name;
  return g.values.at(static_cast<size_t>(id < 0 ? 0 : id));
}

std::string raw_of(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

// A model whose only output is an initializer (no nodes, so no ops are needed).
ModelSpec const_model(const TensorSpec& t) {
  ModelSpec m;
  m.graph.initializers.push_back(t);
  m.graph.outputs.push_back(value_info(t.name, DType::kF32, {}));
  m.graph.outputs.back().has_shape = false;
  return m;
}

TensorSpec f32_tensor(const std::string& name, Shape dims, std::vector<float> v) {
  return tensor_spec(name, Tensor::from_f32(std::move(dims), v));
}

// ---------------------------------------------------------------------------------------------
// Valid models that need no ops.

TEST(OnnxLoader, InitializerOnlyGraph) {
  ModelSpec m = const_model(f32_tensor("w", {2, 2}, {1, 2, 3, 4}));
  m.ir_version = 6;
  m.producer_name = "unit";
  auto g = load(m);
  EXPECT_EQ(g->ir_version, 6);
  EXPECT_EQ(g->producer, "unit");
  EXPECT_EQ(g->opsets.at(""), 13);
  EXPECT_EQ(g->source, "test.onnx");
  ASSERT_EQ(g->outputs.size(), 1u);
  EXPECT_TRUE(g->inputs.empty());
  const Value& w = value(*g, "w");
  ASSERT_TRUE(w.initializer.defined());
  EXPECT_EQ(w.initializer.to_f32_vector(), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(shape_str(w.shape), "[2,2]");
  EXPECT_TRUE(w.shape_known);
}

TEST(OnnxLoader, PassThroughInputWithSymbolicDims) {
  ModelSpec m;
  ValueInfoSpec x = value_info("x", DType::kF32, {0, 3, 224, 224});
  x.dim_params = {"N", "", "", "W"};
  m.graph.inputs.push_back(x);
  m.graph.outputs.push_back(value_info("x", DType::kF32, {}));
  auto g = load(m);
  ASSERT_EQ(g->inputs.size(), 1u);
  const Value& v = g->values[static_cast<size_t>(g->inputs[0])];
  EXPECT_EQ(v.dtype, DType::kF32);
  EXPECT_TRUE(v.shape_known);
  EXPECT_EQ(shape_str(v.shape), "[-1,3,224,-1]");
  EXPECT_EQ(g->outputs[0], g->inputs[0]);
}

TEST(OnnxLoader, InputWithoutShapeAndInt32InputBecomesInt64) {
  ModelSpec m;
  ValueInfoSpec x = value_info("x", DType::kI32, {});
  x.has_shape = false;
  m.graph.inputs.push_back(x);
  m.graph.outputs.push_back(x);
  auto g = load(m);
  const Value& v = value(*g, "x");
  EXPECT_EQ(v.dtype, DType::kI64);
  EXPECT_FALSE(v.shape_known);
}

TEST(OnnxLoader, UnsupportedInputElemType) {
  ModelSpec m;
  ValueInfoSpec x = value_info("x", DType::kF32, {1});
  x.elem_type = onnx_dtype::kString;
  m.graph.inputs.push_back(x);
  m.graph.outputs.push_back(value_info("x", DType::kF32, {1}));
  EXPECT_CONTAINS(load_error(m), "graph input 'x' has unsupported element type string");
}

TEST(OnnxLoader, WeightsListedAsInputsAreNotGraphInputs) {
  ModelSpec m = const_model(f32_tensor("w", {1}, {5}));
  m.ir_version = 3;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.inputs.push_back(value_info("w", DType::kF32, {1}));
  auto g = load(m);
  ASSERT_EQ(g->inputs.size(), 1u);
  EXPECT_EQ(g->values[static_cast<size_t>(g->inputs[0])].name, "x");
}

struct DtypeCase {
  const char* what;
  TensorSpec spec;
  DType expect_dtype;
  std::vector<double> expect;
};

TEST(OnnxLoader, DtypeConversions) {
  std::vector<DtypeCase> cases;
  auto spec = [](int32_t type, Shape dims) {
    TensorSpec t;
    t.name = "t";
    t.data_type = type;
    t.dims = std::move(dims);
    return t;
  };
  {
    TensorSpec t = spec(onnx_dtype::kFloat, {3});
    t.float_data = {1.5f, -2.f, 3.f};
    cases.push_back({"float_data packed", t, DType::kF32, {1.5, -2, 3}});
    t.packed = false;
    cases.push_back({"float_data unpacked", t, DType::kF32, {1.5, -2, 3}});
  }
  {
    TensorSpec t = spec(onnx_dtype::kInt64, {2});
    t.int64_data = {-5, int64_t(1) << 40};
    cases.push_back({"int64_data", t, DType::kI64, {-5, double(int64_t(1) << 40)}});
    t.packed = false;
    cases.push_back({"int64_data unpacked", t, DType::kI64, {-5, double(int64_t(1) << 40)}});
  }
  {
    TensorSpec t = spec(onnx_dtype::kInt32, {2});
    int32_t v[2] = {-7, 100000};
    t.has_raw_data = true;
    t.raw_data = raw_of(v, 8);
    cases.push_back({"int32 raw", t, DType::kI64, {-7, 100000}});
    TensorSpec u = spec(onnx_dtype::kInt32, {2});
    u.int32_data = {-7, 100000};
    cases.push_back({"int32_data", u, DType::kI64, {-7, 100000}});
  }
  {
    TensorSpec t = spec(onnx_dtype::kUint8, {2});
    t.has_raw_data = true;
    t.raw_data = std::string("\x00\xff", 2);
    cases.push_back({"uint8 raw", t, DType::kF32, {0, 255}});
    TensorSpec u = spec(onnx_dtype::kUint8, {2});
    u.int32_data = {3, 250};
    cases.push_back({"uint8 int32_data", u, DType::kF32, {3, 250}});
  }
  {
    TensorSpec t = spec(onnx_dtype::kInt8, {2});
    t.has_raw_data = true;
    t.raw_data = std::string("\x80\x7f", 2);
    cases.push_back({"int8 raw", t, DType::kF32, {-128, 127}});
  }
  {
    TensorSpec t = spec(onnx_dtype::kBool, {3});
    t.has_raw_data = true;
    t.raw_data = std::string("\x00\x01\x02", 3);
    cases.push_back({"bool raw", t, DType::kF32, {0, 1, 1}});
    TensorSpec u = spec(onnx_dtype::kBool, {2});
    u.int32_data = {1, 0};
    cases.push_back({"bool int32_data", u, DType::kF32, {1, 0}});
  }
  {
    // 1.0 = 0x3c00, -2.0 = 0xc000, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001.
    TensorSpec t = spec(onnx_dtype::kFloat16, {4});
    uint16_t h[4] = {0x3c00, 0xc000, 0x7bff, 0x0001};
    t.has_raw_data = true;
    t.raw_data = raw_of(h, 8);
    cases.push_back({"float16 raw", t, DType::kF32, {1, -2, 65504, std::ldexp(1.0, -24)}});
    TensorSpec u = spec(onnx_dtype::kFloat16, {1});
    u.int32_data = {0x3c00};
    cases.push_back({"float16 int32_data", u, DType::kF32, {1}});
  }
  {
    TensorSpec t = spec(onnx_dtype::kDouble, {2});
    double d[2] = {0.25, -1e3};
    t.has_raw_data = true;
    t.raw_data = raw_of(d, 16);
    cases.push_back({"double raw", t, DType::kF32, {0.25, -1e3}});
    TensorSpec u = spec(onnx_dtype::kDouble, {2});
    u.double_data = {0.25, -1e3};
    cases.push_back({"double_data", u, DType::kF32, {0.25, -1e3}});
  }
  for (const DtypeCase& c : cases) {
    SCOPED_TRACE(c.what);
    std::shared_ptr<Graph> g;
    ASSERT_NO_THROW(g = load(const_model(c.spec)));
    const Tensor& t = value(*g, "t").initializer;
    EXPECT_EQ(t.dtype(), c.expect_dtype);
    ASSERT_EQ(static_cast<size_t>(t.numel()), c.expect.size());
    for (size_t i = 0; i < c.expect.size(); ++i) {
      if (t.dtype() == DType::kI64) {
        EXPECT_EQ(t.data<int64_t>()[i], static_cast<int64_t>(c.expect[i])) << i;
      } else {
        EXPECT_EQ(t.data<float>()[i], static_cast<float>(c.expect[i])) << i;
      }
    }
  }
}

TEST(OnnxLoader, EmptyAndScalarInitializers) {
  TensorSpec empty_raw = f32_tensor("e1", {0}, {});
  TensorSpec empty_nodata;
  empty_nodata.name = "e2";
  empty_nodata.dims = {3, 0};
  TensorSpec empty_i64;
  empty_i64.name = "e3";
  empty_i64.data_type = onnx_dtype::kInt64;
  empty_i64.dims = {0};
  empty_i64.has_raw_data = true;
  TensorSpec scalar = f32_tensor("s", {}, {2.5f});
  ModelSpec m;
  for (const TensorSpec* t : {&empty_raw, &empty_nodata, &empty_i64, &scalar}) {
    m.graph.initializers.push_back(*t);
    m.graph.outputs.push_back(value_info(t->name, DType::kF32, {}));
  }
  auto g = load(m);
  EXPECT_EQ(value(*g, "e1").initializer.numel(), 0);
  EXPECT_EQ(shape_str(value(*g, "e2").initializer.shape()), "[3,0]");
  EXPECT_EQ(value(*g, "e3").initializer.dtype(), DType::kI64);
  EXPECT_EQ(value(*g, "s").initializer.rank(), 0);
  EXPECT_EQ(value(*g, "s").initializer.to_f32_vector(), std::vector<float>{2.5f});
}

TEST(OnnxLoader, DeclaredShapesFromOutputsAndValueInfo) {
  ModelSpec m = const_model(f32_tensor("w", {2}, {1, 2}));
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 8}));
  m.graph.outputs.push_back(value_info("x", DType::kF32, {1, 8}));
  m.graph.value_info.push_back(value_info("unused_name", DType::kF32, {4}));
  auto g = load(m);
  EXPECT_EQ(g->outputs.size(), 2u);
  EXPECT_EQ(shape_str(value(*g, "x").shape), "[1,8]");
  EXPECT_EQ(g->find_value("unused_name"), -1);
}

// ---------------------------------------------------------------------------------------------
// Corrupted tensors.

TEST(OnnxLoader, NegativeDim) {
  TensorSpec t = f32_tensor("conv1.weight", {2}, {1, 2});
  t.dims = {-2, -1};
  std::string err = load_error(const_model(t));
  EXPECT_CONTAINS(err, "test.onnx @0x");
  EXPECT_CONTAINS(err, "TensorProto 'conv1.weight'");
  EXPECT_CONTAINS(err, "negative dimension -2");
}

TEST(OnnxLoader, ShortRawData) {
  TensorSpec t = f32_tensor("w", {3}, {1, 2, 3});
  t.raw_data.resize(8);
  std::string err = load_error(const_model(t));
  EXPECT_CONTAINS(err, "TensorProto 'w'");
  EXPECT_CONTAINS(err, "raw_data has 8 bytes, expected 12");
}

TEST(OnnxLoader, TypedDataCountMismatch) {
  TensorSpec t;
  t.name = "w";
  t.dims = {4};
  t.float_data = {1, 2, 3};
  EXPECT_CONTAINS(load_error(const_model(t)), "float_data has 3 values, expected 4");
  TensorSpec nodata;
  nodata.name = "w";
  nodata.dims = {4};
  EXPECT_CONTAINS(load_error(const_model(nodata)), "float_data has 0 values, expected 4");
}

TEST(OnnxLoader, RawAndTypedTogether) {
  TensorSpec t = f32_tensor("w", {1}, {1});
  t.float_data = {1};
  EXPECT_CONTAINS(load_error(const_model(t)), "both raw_data and typed data");
}

TEST(OnnxLoader, WrongTypedField) {
  TensorSpec t;
  t.name = "w";
  t.dims = {1};
  t.int64_data = {1};  // but data_type is FLOAT
  EXPECT_CONTAINS(load_error(const_model(t)), "typed data in fields other than float_data");
}

TEST(OnnxLoader, UnsupportedTensorDtype) {
  TensorSpec t;
  t.name = "names";
  t.data_type = onnx_dtype::kString;
  t.dims = {1};
  t.string_data = {"a"};
  std::string err = load_error(const_model(t));
  EXPECT_CONTAINS(err, "TensorProto 'names'");
  EXPECT_CONTAINS(err, "unsupported data type string");
  TensorSpec u = t;
  u.data_type = 999;
  EXPECT_CONTAINS(load_error(const_model(u)), "unsupported data type type 999");
}

TEST(OnnxLoader, MissingDataType) {
  PbWriter w;
  w.field_int64(1, 1);
  w.field_string(8, "w");
  w.field_string(9, std::string(4, '\0'));
  ModelSpec m;
  m.graph.extra = [&] {
    PbWriter g;
    g.field_message(5, w);
    return g.take();
  }();
  m.graph.outputs.push_back(value_info("w", DType::kF32, {1}));
  EXPECT_CONTAINS(load_error(m), "has no data_type");
}

TEST(OnnxLoader, ElementCountOverflowAndLimit) {
  TensorSpec t;
  t.name = "big";
  t.dims = {int64_t(1) << 40, int64_t(1) << 40};
  t.has_raw_data = true;
  EXPECT_CONTAINS(load_error(const_model(t)), "overflows int64");
  t.dims = {int64_t(1) << 20, int64_t(1) << 20};
  EXPECT_CONTAINS(load_error(const_model(t)), "more than the limit");
  LoadLimits small;
  small.max_tensor_elements = 3;
  EXPECT_CONTAINS(load_error(const_model(f32_tensor("w", {4}, {1, 2, 3, 4})), "", small),
                  "more than the limit of 3");
  // Declared shapes are limited too.
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {int64_t(1) << 40, int64_t(1) << 40}));
  m.graph.outputs.push_back(value_info("x", DType::kF32, {}));
  EXPECT_CONTAINS(load_error(m), "declared shape");
}

TEST(OnnxLoader, RankLimit) {
  LoadLimits lim;
  lim.max_rank = 4;
  TensorSpec t = f32_tensor("w", {1, 1, 1, 1, 1}, {1});
  EXPECT_CONTAINS(load_error(const_model(t), "", lim), "rank exceeds the limit of 4");
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 1, 1, 1, 1}));
  m.graph.outputs.push_back(value_info("x", DType::kF32, {}));
  EXPECT_CONTAINS(load_error(m, "", lim), "rank exceeds the limit of 4");
}

TEST(OnnxLoader, NegativeDeclaredDim) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, -3}));
  m.graph.outputs.push_back(value_info("x", DType::kF32, {}));
  std::string err = load_error(m);
  EXPECT_CONTAINS(err, "ValueInfoProto 'x'");
  EXPECT_CONTAINS(err, "negative dimension -3");
}

// ---------------------------------------------------------------------------------------------
// Corrupted graphs (checked before any op is created, so no op is needed).

TEST(OnnxLoader, DanglingInput) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1}));
  m.graph.nodes.push_back(node_spec("Relu", {"nope"}, {"y"}, {}, "relu0"));
  std::string err = load_error(m);
  EXPECT_CONTAINS(err, "test.onnx: node 0 'relu0' (Relu, opset 13)");
  EXPECT_CONTAINS(err, "input 'nope' is not a graph input, an initializer or the output of any node");
}

TEST(OnnxLoader, DuplicateOutputName) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1}));
  m.graph.nodes.push_back(node_spec("Relu", {"x"}, {"y"}, {}, "a"));
  m.graph.nodes.push_back(node_spec("Relu", {"x"}, {"y"}, {}, "b"));
  std::string err = load_error(m);
  EXPECT_CONTAINS(err, "node 1 'b' (Relu, opset 13): output 'y' is already produced by");
  EXPECT_CONTAINS(err, "node 0 'a'");
}

TEST(OnnxLoader, OutputShadowsInitializerOrInput) {
  ModelSpec m = const_model(f32_tensor("w", {1}, {1}));
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.nodes.push_back(node_spec("Relu", {"x"}, {"w"}));
  EXPECT_CONTAINS(load_error(m), "has the same name as an initializer");
  m.graph.nodes[0].outputs = {"x"};
  EXPECT_CONTAINS(load_error(m), "has the same name as a graph input");
}

TEST(OnnxLoader, DuplicateNames) {
  ModelSpec m = const_model(f32_tensor("w", {1}, {1}));
  m.graph.initializers.push_back(f32_tensor("w", {1}, {2}));
  EXPECT_CONTAINS(load_error(m), "initializer 'w' is defined twice");
  ModelSpec m2;
  m2.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m2.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m2.graph.outputs.push_back(value_info("x", DType::kF32, {1}));
  EXPECT_CONTAINS(load_error(m2), "graph input 'x' is listed twice");
}

TEST(OnnxLoader, GraphOutputNotProduced) {
  ModelSpec m;
  m.graph.outputs.push_back(value_info("ghost", DType::kF32, {1}));
  EXPECT_CONTAINS(load_error(m), "graph output 'ghost' is not produced by any node");
}

TEST(OnnxLoader, UnknownOp) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1}));
  m.graph.nodes.push_back(node_spec("FacetNoSuchOp", {"x"}, {"y"}, {}, "mystery"));
  std::string err = load_error(m);
  EXPECT_CONTAINS(err, "test.onnx: node 0 'mystery' (FacetNoSuchOp, opset 13): ");
  EXPECT_CONTAINS(err, "FacetNoSuchOp");
}

TEST(OnnxLoader, DomainNotImported) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1}));
  m.graph.nodes.push_back(node_spec("Foo", {"x"}, {"y"}));
  m.graph.nodes[0].domain = "com.example";
  EXPECT_CONTAINS(load_error(m), "domain 'com.example' is not imported");
}

TEST(OnnxLoader, NodeWithoutOpType) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.nodes.push_back(node_spec("", {"x"}, {"y"}));
  EXPECT_CONTAINS(load_error(m), "node has no op_type");
}

TEST(OnnxLoader, NoGraphAndEmptyFile) {
  ModelSpec m;
  m.has_graph = false;
  EXPECT_CONTAINS(load_error(m), "test.onnx: ModelProto has no graph");
  EXPECT_CONTAINS(bytes_error(""), "has no graph");
  try {
    load_onnx_bytes(nullptr, 0, "null.onnx");
    ADD_FAILURE() << "loaded a null buffer";
  } catch (const Error& e) {
    EXPECT_CONTAINS(e.what(), "null.onnx: ModelProto has no graph");
  }
}

TEST(OnnxLoader, BadOpsetVersion) {
  ModelSpec m = const_model(f32_tensor("w", {1}, {1}));
  m.opsets = {{"", -4}};
  EXPECT_CONTAINS(load_error(m), "invalid version -4");
}

TEST(OnnxLoader, NodeCountLimit) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  std::string prev = "x";
  for (int i = 0; i < 5; ++i) {
    std::string out = "t" + std::to_string(i);
    m.graph.nodes.push_back(node_spec("Relu", {prev}, {out}));
    prev = out;
  }
  m.graph.outputs.push_back(value_info(prev, DType::kF32, {1}));
  LoadLimits lim;
  lim.max_nodes = 3;
  EXPECT_CONTAINS(load_error(m, "", lim), "more than 3 nodes");
}

TEST(OnnxLoader, FileSizeLimit) {
  ModelSpec m = const_model(f32_tensor("w", {100}, std::vector<float>(100, 1.f)));
  LoadLimits lim;
  lim.max_file_bytes = 64;
  EXPECT_CONTAINS(load_error(m, "", lim), "more than the limit of 64");
}

TEST(OnnxLoader, NestingDepthLimit) {
  // ModelProto(0) > GraphProto(1) > NodeProto(2) > AttributeProto(3) > TensorProto(4).
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("x", DType::kF32, {1}));
  Attributes a;
  a.set_tensor("value", Tensor::scalar_f32(1.f));
  m.graph.nodes.push_back(node_spec("Constant", {}, {"c"}, a));
  LoadLimits lim;
  lim.max_nesting_depth = 3;
  EXPECT_CONTAINS(load_error(m, "", lim), "nested deeper than 3 levels");
}

TEST(OnnxLoader, AllAttributeKindsParse) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1}));
  Attributes a;
  a.set_int("i", -1);
  a.set_float("f", 0.5f);
  a.set_string("s", "nearest");
  a.set_ints("ints", {1, -2, 3});
  a.set_floats("floats", {1.f, 2.f});
  a.set_tensor("t", Tensor::from_i64({2}, {4, 5}));
  Attribute strs;
  strs.kind = Attribute::Kind::kStrings;
  strs.strings = {"a", "b"};
  a.set("strings", strs);
  NodeSpec n = node_spec("FacetNoSuchOp", {"x"}, {"y"}, a, "n");
  // A subgraph attribute and an untyped (IR < 3 style) attribute, written raw.
  PbWriter g;
  g.field_string(2, "subgraph");
  RawAttributeSpec sub{"body", 5, ""};
  {
    PbWriter body;
    body.field_message(6, g);
    sub.extra = body.take();
  }
  n.raw_attrs.push_back(sub);
  RawAttributeSpec untyped{"alpha", 0, ""};
  {
    PbWriter body;
    body.field_float(2, 0.1f);
    untyped.extra = body.take();
  }
  n.raw_attrs.push_back(untyped);
  m.graph.nodes.push_back(n);
  // The attributes parse; the only error is the unknown op.
  std::string err = load_error(m);
  EXPECT_CONTAINS(err, "test.onnx: node 0 'n' (FacetNoSuchOp, opset 13)");
  EXPECT_EQ(err.find("@0x"), std::string::npos) << err;
}

TEST(OnnxLoader, AttributeWrongWireType) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1}));
  NodeSpec n = node_spec("Relu", {"x"}, {"y"});
  PbWriter body;
  body.field_fixed32(3, 7);  // 'i' must be a varint
  n.raw_attrs.push_back({"axis", 2, body.take()});
  m.graph.nodes.push_back(n);
  std::string err = load_error(m);
  EXPECT_CONTAINS(err, "AttributeProto 'axis' field 3 (i) has wire type 5 (fixed32)");
}

TEST(OnnxLoader, DuplicateAttributeAndUnnamedAttribute) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1}));
  NodeSpec n = node_spec("Relu", {"x"}, {"y"});
  PbWriter body;
  body.field_int64(3, 1);
  n.raw_attrs.push_back({"k", 2, body.bytes()});
  n.raw_attrs.push_back({"k", 2, body.bytes()});
  m.graph.nodes.push_back(n);
  EXPECT_CONTAINS(load_error(m), "attribute 'k' appears twice");
  m.graph.nodes[0].raw_attrs = {{"", 2, body.bytes()}};
  EXPECT_CONTAINS(load_error(m), "attribute has no name");
}

TEST(OnnxLoader, HostileWireLevelBytes) {
  ModelSpec m = const_model(f32_tensor("w", {1}, {1}));
  m.graph.extra = std::string("\x0b", 1);  // group start
  EXPECT_CONTAINS(load_error(m), "GraphProto field 1 (node) wire type 3 (group) is not supported");
  m.graph.extra = std::string("\x0a\xff\xff\xff\xff\x0f", 6);  // node with a 4 GB length
  EXPECT_CONTAINS(load_error(m), "declares 4294967295 bytes, 0 remain");
  m.graph.extra.clear();
  m.extra = std::string("\x3a\x05", 2);  // second graph field, truncated
  EXPECT_CONTAINS(load_error(m), "ModelProto field 7 (graph) declares 5 bytes, 0 remain");
  m.extra = std::string("\x3a\x00", 2);  // second, empty graph field
  EXPECT_CONTAINS(load_error(m), "more than one graph");
}

TEST(OnnxLoader, SparseInitializerRejected) {
  ModelSpec m = const_model(f32_tensor("w", {1}, {1}));
  m.graph.extra = std::string("\x7a\x00", 2);  // field 15, empty message
  EXPECT_CONTAINS(load_error(m), "sparse initializers are not supported");
}

TEST(OnnxLoader, RandomBytesNeverCrash) {
  std::mt19937 rng(1234);
  int loaded = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string buf(rng() % 64, '\0');
    for (char& c : buf) c = static_cast<char>(rng());
    try {
      load_bytes(buf);
      ++loaded;
    } catch (const Error&) {
    }
  }
  SUCCEED() << loaded << " random buffers loaded";
}

TEST(OnnxLoader, TryLoadMissingFile) {
  std::shared_ptr<Graph> g;
  Status s = try_load_onnx_file("/nonexistent/facet/model.onnx", &g);
  EXPECT_FALSE(s.is_ok());
  EXPECT_CONTAINS(s.message(), "/nonexistent/facet/model.onnx");
  EXPECT_EQ(g, nullptr);
}

// ---------------------------------------------------------------------------------------------
// External data.

class ExternalData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("facet_extdata_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "model");
    float v[6] = {1, 2, 3, 4, 5, 6};
    write_file_atomic((dir_ / "model" / "weights.bin").string(), v, sizeof v);
    write_file_atomic((dir_ / "outside.bin").string(), v, sizeof v);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static ModelSpec model(const std::string& location, const std::string& offset,
                         const std::string& length, Shape dims = {2}) {
    TensorSpec t;
    t.name = "w";
    t.dims = std::move(dims);
    t.data_location = 1;
    t.external_data.push_back({"location", location});
    if (!offset.empty()) t.external_data.push_back({"offset", offset});
    if (!length.empty()) t.external_data.push_back({"length", length});
    return const_model(t);
  }
  std::string base() const { return (dir_ / "model").string(); }

  fs::path dir_;
};

TEST_F(ExternalData, ReadsRangeInsideModelFolder) {
  auto g = load(model("weights.bin", "8", "8"), base());
  EXPECT_EQ(value(*g, "w").initializer.to_f32_vector(), (std::vector<float>{3, 4}));
  // No length: the rest of the file from offset.
  g = load(model("weights.bin", "16", "", {2}), base());
  EXPECT_EQ(value(*g, "w").initializer.to_f32_vector(), (std::vector<float>{5, 6}));
  // Through load_onnx_file: the model's own folder is the base.
  const std::string path = (dir_ / "model" / "m.onnx").string();
  write_model(path, model("weights.bin", "0", "", {6}));
  g = load_onnx_file(path);
  EXPECT_EQ(value(*g, "w").initializer.numel(), 6);
}

TEST_F(ExternalData, Rejections) {
  EXPECT_CONTAINS(load_error(model("weights.bin", "0", "8")), "external data is not allowed");
  EXPECT_CONTAINS(load_error(model("/etc/passwd", "", "8"), base()), "not a relative path");
  EXPECT_CONTAINS(load_error(model("../outside.bin", "0", "8"), base()), "contains '..'");
  EXPECT_CONTAINS(load_error(model("sub/../../outside.bin", "0", "8"), base()), "contains '..'");
  EXPECT_CONTAINS(load_error(model("missing.bin", "0", "8"), base()), "missing.bin");
  EXPECT_CONTAINS(load_error(model("weights.bin", "24", "8"), base()), "past the end");
  EXPECT_CONTAINS(load_error(model("weights.bin", "30", ""), base()), "past the end");
  EXPECT_CONTAINS(load_error(model("weights.bin", "0", "18446744073709551615"), base()),
                  "past the end");
  EXPECT_CONTAINS(load_error(model("weights.bin", "0", "12"), base()), "expected 8");
  EXPECT_CONTAINS(load_error(model("weights.bin", "-1", "8"), base()), "not a number");
  EXPECT_CONTAINS(load_error(model("weights.bin", "99999999999999999999999", "8"), base()),
                  "not a number");
  EXPECT_CONTAINS(load_error(model("", "0", "8"), base()), "no 'location'");
  EXPECT_CONTAINS(load_error(model(".", "0", "8"), base()), "not a regular file");
}

TEST_F(ExternalData, SymlinkOutsideRejected) {
  std::error_code ec;
  fs::create_symlink(dir_ / "outside.bin", dir_ / "model" / "link.bin", ec);
  if (ec) GTEST_SKIP() << "cannot create symlinks here: " << ec.message();
  EXPECT_CONTAINS(load_error(model("link.bin", "0", "8"), base()), "outside the model folder");
  fs::create_symlink(dir_ / "model" / "weights.bin", dir_ / "model" / "inside.bin", ec);
  ASSERT_FALSE(ec);
  EXPECT_NO_THROW(load(model("inside.bin", "0", "8"), base()));
}

// ---------------------------------------------------------------------------------------------
// Round trips through real ops (need the op factories: Relu, Add, Conv).

bool have_ops() {
  const OpRegistry& r = ops::builtin_registry();
  return r.supports("", "Relu", 13) && r.supports("", "Add", 13) && r.supports("", "Conv", 11);
}

ModelSpec relu_add_model() {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 4}));
  m.graph.initializers.push_back(f32_tensor("bias", {4}, {1, 2, 3, 4}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1, 4}));
  m.graph.nodes.push_back(node_spec("Relu", {"x"}, {"r"}, {}, "relu"));
  m.graph.nodes.push_back(node_spec("Add", {"r", "bias"}, {"y"}, {}, "add"));
  return m;
}

TEST(OnnxLoaderOps, RoundTripReluAdd) {
  auto g = load(relu_add_model());
  ASSERT_EQ(g->nodes.size(), 2u);
  EXPECT_EQ(g->nodes[0].op_type, "Relu");
  EXPECT_EQ(g->nodes[1].name, "add");
  EXPECT_EQ(g->nodes[1].opset, 13);
  EXPECT_NE(g->nodes[0].op, nullptr);
  EXPECT_EQ(g->topo_order(), (std::vector<int>{0, 1}));
  EXPECT_EQ(g->values[static_cast<size_t>(g->nodes[1].inputs[1])].name, "bias");
  EXPECT_EQ(value(*g, "y").producer, 1);
  EXPECT_EQ(g->parameter_count(), 4);
}

TEST(OnnxLoaderOps, OutOfOrderNodesAreSorted) {
  ModelSpec m = relu_add_model();
  std::swap(m.graph.nodes[0], m.graph.nodes[1]);
  auto g = load(m);
  EXPECT_EQ(g->topo_order(), (std::vector<int>{1, 0}));
}

TEST(OnnxLoaderOps, AiOnnxDomainIsDefault) {
  ModelSpec m = relu_add_model();
  m.opsets = {{"ai.onnx", 13}};
  m.graph.nodes[0].domain = "ai.onnx";
  auto g = load(m);
  EXPECT_EQ(g->nodes[0].domain, "");
  EXPECT_EQ(g->nodes[0].opset, 13);
}

TEST(OnnxLoaderOps, Cycle) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1}));
  m.graph.outputs.push_back(value_info("b", DType::kF32, {1}));
  m.graph.nodes.push_back(node_spec("Add", {"x", "b"}, {"a"}));
  m.graph.nodes.push_back(node_spec("Relu", {"a"}, {"b"}));
  EXPECT_CONTAINS(load_error(m), "cycle");
}

TEST(OnnxLoaderOps, ConvWithAbsentOptionalInput) {
  ModelSpec m;
  m.opsets = {{"", 11}};
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 2, 5, 5}));
  m.graph.initializers.push_back(
      tensor_spec("w", Tensor::from_f32({3, 2, 3, 3}, std::vector<float>(54, 0.5f))));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {1, 3, 5, 5}));
  Attributes a;
  a.set_ints("kernel_shape", {3, 3});
  a.set_ints("pads", {1, 1, 1, 1});
  a.set_ints("strides", {1, 1});
  a.set_int("group", 1);
  m.graph.nodes.push_back(node_spec("Conv", {"x", "w", ""}, {"y"}, a, "conv"));
  auto g = load(m);
  ASSERT_EQ(g->nodes.size(), 1u);
  EXPECT_EQ(g->nodes[0].opset, 11);
  ASSERT_EQ(g->nodes[0].inputs.size(), 3u);
  EXPECT_EQ(g->nodes[0].inputs[2], -1);
}

TEST(OnnxLoaderOps, FileRoundTrip) {
  const fs::path path =
      fs::temp_directory_path() / ("facet_roundtrip_" + std::to_string(::getpid()) + ".onnx");
  write_model(path.string(), relu_add_model());
  std::shared_ptr<Graph> g;
  Status s = try_load_onnx_file(path.string(), &g);
  fs::remove(path);
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(g->nodes.size(), 2u);
  EXPECT_EQ(g->source, path.string());
}

TEST(OnnxLoaderOps, HaveBuiltinOps) {
  EXPECT_TRUE(have_ops()) << "Relu/Add/Conv are not registered yet (ops/register_*.cpp)";
}

}  // namespace
}  // namespace facet::loaders
