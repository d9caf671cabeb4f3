#include "ops/pad.h"

#include "ops/tensor_ops_common.h"

namespace facet::ops {

namespace {

// Per-axis begin/end pads (full rank) from the pads values and optional axes. Allocation-free.
void expand_pads(int rank, const Tensor* pads_tensor, const std::vector<int64_t>* pads_vec,
                 const Tensor* axes, AxisArray* begin, AxisArray* end) {
  for (int d = 0; d < rank; ++d) (*begin)[d] = (*end)[d] = 0;
  const int64_t n_axes = axes ? axes->numel() : rank;
  for (int64_t k = 0; k < n_axes; ++k) {
    int64_t axis = axes ? int_element(*axes, k) : k;
    if (axis < 0) axis += rank;
    const int64_t b = pads_tensor ? int_element(*pads_tensor, k)
                                  : (*pads_vec)[static_cast<size_t>(k)];
    const int64_t e = pads_tensor ? int_element(*pads_tensor, k + n_axes)
                                  : (*pads_vec)[static_cast<size_t>(k + n_axes)];
    (*begin)[axis] = b;
    (*end)[axis] = e;
  }
}

kernels::PadMode parse_mode(const std::string& mode, int opset) {
  if (mode == "constant") return kernels::PadMode::kConstant;
  if (mode == "reflect") return kernels::PadMode::kReflect;
  if (mode == "edge") return kernels::PadMode::kEdge;
  if (mode == "wrap") {
    FACET_CHECK(opset >= 19, "Pad-", opset, ": mode 'wrap' needs opset 19");
    return kernels::PadMode::kWrap;
  }
  fail(str_cat("Pad: unknown mode '", mode, "' (expected constant, reflect, edge or wrap)"));
}

}  // namespace

PadOp::PadOp(const NodeDef& def) : legacy_(def.opset < 11) {
  mode_ = parse_mode(def.attrs.get_string("mode", "constant"), def.opset);
  if (legacy_) {
    const char* name = def.opset < 2 ? "paddings" : "pads";
    FACET_CHECK(def.attrs.has(name), "Pad-", def.opset, " requires the '", name, "' attribute");
    pads_attr_ = def.attrs.get_ints(name);
    value_attr_ = def.attrs.get_float("value", 0.f);
  }
  FACET_CHECK(def.opset >= 18 || !def.has_input(3), "Pad-", def.opset, " takes no axes input");
}

void PadOp::infer(InferContext& ctx) const {
  const ValueInfo& in = ctx.input(0);
  const int rank = static_cast<int>(in.shape.size());
  check_rank_supported(in.shape.size(), "Pad");
  const Tensor* pads = nullptr;
  const Tensor* axes = nullptr;
  int64_t n_axes = rank;
  if (!legacy_) {
    pads = &ctx.require_value(1, "Pad pads");
    int_values(*pads, "Pad pads");
    FACET_CHECK(pads->rank() <= 1, "Pad pads must be 1-D, got ", shape_str(pads->shape()));
    if (ctx.has_input(3)) {
      axes = &ctx.require_value(3, "Pad axes");
      std::vector<int64_t> a = int_values(*axes, "Pad axes");
      std::vector<bool> seen(static_cast<size_t>(rank), false);
      for (int64_t v : a) {
        const int axis = normalize_axis(v, rank, "Pad");
        FACET_CHECK(!seen[static_cast<size_t>(axis)], "Pad: axis ", v, " is repeated");
        seen[static_cast<size_t>(axis)] = true;
      }
      n_axes = axes->numel();
    }
    if (ctx.has_input(2)) {
      const ValueInfo& cv = ctx.input(2);
      FACET_CHECK(shape_numel(cv.shape) <= 1, "Pad constant_value must be a scalar, got ",
                  shape_str(cv.shape));
      FACET_CHECK(cv.dtype == in.dtype, "Pad constant_value has dtype ", dtype_name(cv.dtype),
                  ", data has ", dtype_name(in.dtype));
    }
  }
  const int64_t n_pads = pads ? pads->numel() : static_cast<int64_t>(pads_attr_.size());
  FACET_CHECK(n_pads == 2 * n_axes, "Pad: ", n_pads, " pads for ", n_axes,
              " axes (expected twice as many)");
  FACET_CHECK(in.dtype == DType::kF32 || in.dtype == DType::kI64 || in.dtype == DType::kI32 ||
                  in.dtype == DType::kU8 || in.dtype == DType::kI8 || in.dtype == DType::kBool ||
                  in.dtype == DType::kF16,
              "Pad: unsupported dtype ", dtype_name(in.dtype));
  AxisArray begin{}, end{};
  expand_pads(rank, pads, &pads_attr_, axes, &begin, &end);
  Shape out(in.shape.size());
  for (int d = 0; d < rank; ++d) {
    out[d] = in.shape[d] + begin[d] + end[d];
    FACET_CHECK(out[d] >= 0, "Pad: pads ", begin[d], ", ", end[d], " on axis ", d,
                " of length ", in.shape[d], " give a negative size");
    const int64_t window = in.shape[d] - (begin[d] < 0 ? -begin[d] : 0) - (end[d] < 0 ? -end[d] : 0);
    FACET_CHECK(window >= 0, "Pad: axis ", d, " of length ", in.shape[d],
                " is cropped by more than its length");
    FACET_CHECK(mode_ == kernels::PadMode::kConstant || window > 0 || out[d] == 0,
                "Pad: cannot pad an empty axis ", d, " in reflect/edge/wrap mode");
  }
  ctx.set_output(0, in.dtype, out);
}

void PadOp::run(const RunContext& ctx) const {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  if (out.numel() == 0) return;
  const int rank = in.rank();
  const size_t esize = dtype_size(in.dtype());
  if (rank == 0) {
    std::memcpy(out.raw(), in.raw(), esize);
    return;
  }
  // The constant as raw bytes of the data dtype (zero when not given).
  alignas(8) uint8_t value[8] = {};
  if (legacy_) {
    if (in.dtype() == DType::kF32) {
      std::memcpy(value, &value_attr_, sizeof(float));
    } else if (in.dtype() == DType::kI64) {
      const int64_t v = static_cast<int64_t>(value_attr_);
      std::memcpy(value, &v, sizeof(v));
    } else if (in.dtype() == DType::kI32) {
      const int32_t v = static_cast<int32_t>(value_attr_);
      std::memcpy(value, &v, sizeof(v));
    }
  } else if (ctx.has_input(2) && ctx.input(2).numel() == 1) {
    std::memcpy(value, ctx.input(2).raw(), esize);
  }
  AxisArray begin{}, end{};
  expand_pads(rank, legacy_ ? nullptr : &ctx.input(1), &pads_attr_,
              !legacy_ && ctx.has_input(3) ? &ctx.input(3) : nullptr, &begin, &end);
  AxisArray out_dims{}, in_strides{}, lead{}, src_begin{}, src_len{};
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    in_strides[d] = stride;
    stride *= in.dim(d);
    out_dims[d] = out.dim(d);
    lead[d] = begin[d] > 0 ? begin[d] : 0;
    src_begin[d] = begin[d] < 0 ? -begin[d] : 0;
    src_len[d] = in.dim(d) - src_begin[d] - (end[d] < 0 ? -end[d] : 0);
  }
  const int64_t rows = out.numel() / out_dims[rank - 1];
  kernels::pad_ref(in.raw(), out.raw(), esize, value, mode_, rank, out_dims.data(),
                   in_strides.data(), lead.data(), src_begin.data(), src_len.data(), 0, rows);
}

std::unique_ptr<Op> make_pad(const NodeDef& def) { return std::make_unique<PadOp>(def); }

}  // namespace facet::ops
