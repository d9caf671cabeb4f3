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
// Scratch bytes for the workspaces (sgemm_slots() * kSgemmWorkspaceFloats floats), a multiple
// of 64.
size_t sgemm_workspace_bytes();

// Fills *params for problem `index` (0 <= index < count). Problems share m, n, k.
using SgemmProblemFn = void (*)(const void* context, int64_t index, SgemmParams* params);

// Runs `count` independent GEMM problems of the same shape over ctx's thread pool, splitting
// each problem into one row or column piece per thread when there are fewer problems than
// threads (or few that do not divide evenly): by columns unless that adds passes over A (small
// N, e.g. 7x7 maps) costing more than every thread packing all of B, then by rows.
// `workspace` is sgemm_workspace_bytes() of the op's scratch.
void run_sgemm_problems(const RunContext& ctx, const SgemmKernel& kernel, int64_t count,
                        int64_t m, int64_t n, SgemmProblemFn problem, const void* context,
                        float* workspace);

}  // namespace facet::ops
