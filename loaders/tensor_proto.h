// ONNX TensorProto decoding, shared by the model loader (initializers, tensor attributes) and
// tensor_io (.pb files). Internal to loaders/.
//
// dtype policy: facet runs float32 and int64 only, so tensors are converted at load time:
//   FLOAT -> float32, INT64 -> int64 (unchanged);
//   INT32 -> int64 (int32 tensors are nearly always indices or shapes, and exact in int64);
//   UINT8, INT8, BOOL, FLOAT16, DOUBLE -> float32 (BOOL as 0/1; DOUBLE rounded).
// Every other data type (string, int16, uint16, uint32, uint64, complex, bfloat16, ...) is an
// error naming the tensor.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "engine/tensor.h"
#include "loaders/onnx_loader.h"
#include "loaders/pb_reader.h"

namespace facet::loaders {

// The runtime dtype an ONNX data type is converted to, or kUndefined if unsupported.
DType runtime_dtype(int64_t onnx_data_type);
// "float", "int64", ... or "type N" for unknown numbers.
std::string onnx_dtype_name(int64_t onnx_data_type);

const char* tensor_proto_field_name(uint32_t field);

struct TensorDecodeOptions {
  // Folder for external data; "" refuses tensors with data_location = EXTERNAL.
  std::string base_dir;
  LoadLimits limits;
  // If set, called with each span of raw_data once it has been converted and will not be read
  // again (the model loader drops those pages of a mapped file).
  std::function<void(const uint8_t*, size_t)> consumed;
};

// Decodes the TensorProto read by `r` (a reader positioned at the start of the message) into a
// runtime tensor (see the dtype policy above). Throws facet::Error naming the source, offset and
// tensor on any problem. `name_out` receives TensorProto.name if non-null.
Tensor decode_tensor_proto(PbReader& r, const TensorDecodeOptions& opt,
                           std::string* name_out = nullptr);

}  // namespace facet::loaders
