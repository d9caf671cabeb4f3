// Engine tests: memory planner, thread pool, graph validation and the session executor, using
// small ops defined here so they do not depend on the built-in op set.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <random>

#include "engine/graph.h"
#include "engine/memory_planner.h"
#include "engine/session.h"
#include "engine/thread_pool.h"

namespace facet {
namespace {

// y = x + c (float32), elementwise.
class AddConstOp : public Op {
 public:
  explicit AddConstOp(float c) : c_(c) {}
  void infer(InferContext& ctx) const override {
    FACET_CHECK(ctx.in_dtype(0) == DType::kF32, "expected float32");
    ctx.set_output(0, DType::kF32, ctx.in_shape(0));
  }
  void run(const RunContext& ctx) const override {
    const float* x = ctx.input(0).data<float>();
    float* y = ctx.output(0).data<float>();
    for (int64_t i = 0; i < ctx.input(0).numel(); ++i) y[i] = x[i] + c_;
  }

 private:
  float c_;
};

// Shape-only op: returns the input shape as int64.
class ShapeOp : public Op {
 public:
  void infer(InferContext& ctx) const override {
    ctx.set_output(0, DType::kI64, {static_cast<int64_t>(ctx.in_shape(0).size())});
  }
  void run(const RunContext& ctx) const override {
    const Shape& s = ctx.input(0).shape();
    for (size_t i = 0; i < s.size(); ++i) ctx.output(0).data<int64_t>()[i] = s[i];
  }
};

// View op: reshape input 0 to the constant shape in input 1.
class ReshapeOp : public Op {
 public:
  void infer(InferContext& ctx) const override {
    const Tensor& s = ctx.require_value(1, "shape");
    Shape out = s.to_i64_vector();
    FACET_CHECK(shape_numel(out) == shape_numel(ctx.in_shape(0)), "bad reshape");
    ctx.set_output(0, ctx.in_dtype(0), out);
  }
  void run(const RunContext&) const override {}
  bool output_is_view() const override { return true; }
};

int add_node(Graph& g, std::unique_ptr<Op> op, const std::string& type, std::vector<int> in,
             const std::string& out_name) {
  Node n;
  n.op_type = type;
  n.op = std::move(op);
  n.inputs = std::move(in);
  int out = g.add_value(out_name);
  n.outputs = {out};
  g.nodes.push_back(std::move(n));
  return out;
}

TEST(MemoryPlanner, DisjointLifetimesShareMemory) {
  std::vector<BufferRequest> reqs = {{1000, 0, 1}, {1000, 2, 3}, {500, 1, 2}};
  MemoryPlan p = plan_memory(reqs);
  // Buffers 0 and 1 never live together: they may share; 2 overlaps both.
  EXPECT_EQ(p.offsets[0], p.offsets[1]);
  EXPECT_LE(p.total_bytes, 1024u + 512u);
  // Verify no overlapping live buffers share bytes, on a random set.
  std::mt19937 rng(7);
  std::vector<BufferRequest> many;
  for (int i = 0; i < 200; ++i) {
    int a = static_cast<int>(rng() % 50), b = a + static_cast<int>(rng() % 10);
    many.push_back({static_cast<size_t>(1 + rng() % 5000), a, b});
  }
  MemoryPlan q = plan_memory(many);
  for (size_t i = 0; i < many.size(); ++i) {
    EXPECT_EQ(q.offsets[i] % kAlignment, 0u);
    EXPECT_LE(q.offsets[i] + many[i].bytes, q.total_bytes);
    for (size_t j = i + 1; j < many.size(); ++j) {
      bool live = !(many[i].last < many[j].first || many[j].last < many[i].first);
      bool overlap = q.offsets[i] < q.offsets[j] + many[j].bytes &&
                     q.offsets[j] < q.offsets[i] + many[i].bytes;
      EXPECT_FALSE(live && overlap) << i << " vs " << j;
    }
  }
}

// MobileNetV1-224's opening chain after pointwise+depthwise fusion (bytes, steps): conv0 out,
// dw1 out, fused out + its scratch, the next fused out. Largest-first places the 0.8 MB
// output above both 1.6 MB buffers (4.0 MB); execution order reaches the live peak, 3.2 MB.
TEST(MemoryPlanner, PicksTheTighterOrderOnAlternatingChains) {
  const size_t mb16 = 1605632, mb08 = 802816, scratch = 786432;
  std::vector<BufferRequest> reqs = {
      {mb16, 0, 1}, {mb16, 1, 2}, {mb08, 2, 3}, {scratch, 2, 2}, {mb16, 3, 4}};
  MemoryPlan p = plan_memory(reqs);
  EXPECT_EQ(p.total_bytes, 2 * mb16);
  for (size_t i = 0; i < reqs.size(); ++i)
    for (size_t j = i + 1; j < reqs.size(); ++j) {
      bool live = !(reqs[i].last < reqs[j].first || reqs[j].last < reqs[i].first);
      bool overlap = p.offsets[i] < p.offsets[j] + reqs[j].bytes &&
                     p.offsets[j] < p.offsets[i] + reqs[i].bytes;
      EXPECT_FALSE(live && overlap) << i << " vs " << j;
    }
}

TEST(ThreadPool, CoversRangeExactlyOnce) {
  ThreadPool pool(4);
  for (int64_t n : {1, 2, 3, 7, 100, 1001}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    pool.parallel_for(n, 1, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
    });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  }
}

TEST(Graph, RejectsCycleAndDanglingInput) {
  {
    Graph g;
    g.source = "cycle.onnx";
    int x = g.add_value("x");
    g.inputs = {x};
    int a = g.add_value("a");
    int b = g.add_value("b");
    Node n1;
    n1.op_type = "AddConst";
    n1.op = std::make_unique<AddConstOp>(1.f);
    n1.inputs = {b};
    n1.outputs = {a};
    Node n2;
    n2.op_type = "AddConst";
    n2.op = std::make_unique<AddConstOp>(1.f);
    n2.inputs = {a};
    n2.outputs = {b};
    g.nodes.push_back(std::move(n1));
    g.nodes.push_back(std::move(n2));
    g.outputs = {b};
    try {
      g.finalize();
      FAIL() << "cycle accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("cycle"), std::string::npos) << e.what();
    }
  }
  {
    Graph g;
    g.source = "dangling.onnx";
    int ghost = g.add_value("ghost");
    int y = add_node(g, std::make_unique<AddConstOp>(1.f), "AddConst", {ghost}, "y");
    g.outputs = {y};
    try {
      g.finalize();
      FAIL() << "dangling input accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("'ghost'"), std::string::npos) << e.what();
    }
  }
}

// x -> +1 -> +2 -> +3 -> y, with a Shape->Reshape view in the middle.
std::shared_ptr<Graph> make_chain() {
  auto g = std::make_shared<Graph>();
  g->source = "chain";
  int x = g->add_value("x");
  g->values[static_cast<size_t>(x)].dtype = DType::kF32;
  g->inputs = {x};
  int a = add_node(*g, std::make_unique<AddConstOp>(1.f), "AddConst", {x}, "a");
  int s = add_node(*g, std::make_unique<ShapeOp>(), "Shape", {a}, "s");
  int r = add_node(*g, std::make_unique<ReshapeOp>(), "Reshape", {a, s}, "r");
  int b = add_node(*g, std::make_unique<AddConstOp>(2.f), "AddConst", {r}, "b");
  int c = add_node(*g, std::make_unique<AddConstOp>(3.f), "AddConst", {b}, "c");
  g->outputs = {c, a};
  g->finalize();
  return g;
}

TEST(Session, RunsChainFoldsShapeAndReplans) {
  Session sess(make_chain());
  // Rank-2 inputs: small 1-D float inputs would be treated as plan-time constants.
  for (int64_t n : {4, 1000, 4}) {
    Tensor x = Tensor::empty(DType::kF32, {1, n});
    for (int64_t i = 0; i < n; ++i) x.data<float>()[i] = static_cast<float>(i);
    auto outs = sess.run({x});
    ASSERT_EQ(outs.size(), 2u);
    ASSERT_EQ(outs[0].shape(), (Shape{1, n}));
    for (int64_t i = 0; i < n; ++i) {
      EXPECT_EQ(outs[0].data<float>()[i], static_cast<float>(i) + 6.f);
      EXPECT_EQ(outs[1].data<float>()[i], static_cast<float>(i) + 1.f);
    }
    const Plan* p = sess.current_plan();
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->folded_nodes, 1);  // Shape
    // a (live to the end as an output), b and c: b and c overlap at step of c.
    EXPECT_LE(p->arena_bytes, p->naive_bytes);
  }
}

TEST(Session, SmallVectorInputsFoldAtPlanTime) {
  Session sess(make_chain());
  auto outs = sess.run({Tensor::from_f32({3}, {1.f, 2.f, 3.f})});
  EXPECT_EQ(outs[0].data<float>()[2], 9.f);
  EXPECT_EQ(sess.current_plan()->steps.size(), 0u);  // everything folded
  // Another value of the same shape re-plans instead of reusing stale constants.
  outs = sess.run({Tensor::from_f32({3}, {0.f, 0.f, 0.f})});
  EXPECT_EQ(outs[0].data<float>()[2], 6.f);
}

TEST(Session, WrongInputGivesError) {
  Session sess(make_chain());
  std::vector<Tensor> outs;
  Status st = sess.try_run({Tensor::from_i64({1}, {1}), }, &outs);
  EXPECT_FALSE(st.is_ok());
  st = sess.try_run({}, &outs);
  EXPECT_FALSE(st.is_ok());
  EXPECT_NE(st.message().find("1 inputs, 0 were given"), std::string::npos) << st.message();
  // Still usable after errors.
  auto ok = sess.run({Tensor::from_f32({1, 2}, {1.f, 2.f})});
  EXPECT_EQ(ok[0].data<float>()[1], 8.f);
}

}  // namespace
}  // namespace facet
