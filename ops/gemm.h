// Gemm (opsets 1-25), float32: Y = alpha * op(A) * op(B) + beta * C, with op = transpose when
// transA / transB is 1. A and B are 2-D; Y is [M, N]. C is optional (absent: no term) and
// unidirectionally broadcast to [M, N]. Opsets 1-6: C must be exactly [M, N] unless the
// legacy attribute broadcast=1.
//
// This header also holds the threaded driver of the packed SGEMM kernels
// (ops/kernels/sgemm), shared by Gemm, MatMul, Conv and ConvTranspose.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "engine/op.h"
#include "ops/kernels/sgemm/sgemm.h"

namespace facet::ops {

std::unique_ptr<Op> make_gemm(const NodeDef& def);

// Number of per-thread SGEMM workspaces an op reserves in its scratch: min(cores, 8). Runs with
// more threads than this use only this many.
int64_t sgemm_slots();
// Workspaces an op run with `threads` threads uses: min(threads, sgemm_slots()). infer() sizes
// the scratch with InferContext::threads(), run() finds its parts with RunContext::threads().
int64_t sgemm_slots(int threads);
// Scratch bytes for the workspaces (sgemm_slots() * kSgemmWorkspaceFloats floats), a multiple
// of 64: the most any thread count uses.
size_t sgemm_workspace_bytes();
// The same for `threads` threads (sgemm_slots(threads) workspaces).
size_t sgemm_workspace_bytes(int threads);

// For prepare(): packs the row-major m x k matrix at `a` (inside constant `src`'s data) as
// sgemm_pack_a_f32(mr, false, m, k, 1, a, k, packed) does, about 256 KB of source rows at a
// time, telling the graph after each piece that those rows are consumed (prepare_consumed in
// engine/graph.h), so a large weight and its packed copy are never both resident. The op must
// then release `src` (releases_constant_input).
void sgemm_pack_a_consuming(int64_t mr, int64_t m, int64_t k, const Tensor& src, const float* a,
                            float* packed);

// Fills *params for problem `index` (0 <= index < count). Problems share m, n, k.
using SgemmProblemFn = void (*)(const void* context, int64_t index, SgemmParams* params);

// Runs `count` independent GEMM problems of the same shape over ctx's thread pool, splitting
// each problem into one row or column piece per thread when there are fewer problems than
// threads (or few that do not divide evenly): by columns unless that adds passes over A (small
// N, e.g. 7x7 maps) costing more than every thread packing all of B, then by rows.
// `workspace` is sgemm_slots(ctx.threads()) workspaces, `workspace_stride` floats apart (at
// least sgemm_workspace_floats(k, n) each).
void run_sgemm_problems(const RunContext& ctx, const SgemmKernel& kernel, int64_t count,
                        int64_t m, int64_t n, SgemmProblemFn problem, const void* context,
                        float* workspace, int64_t workspace_stride = kSgemmWorkspaceFloats);

}  // namespace facet::ops
