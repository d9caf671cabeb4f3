// Reading and writing tensors: ONNX TensorProto (.pb), NumPy (.npy), raw little-endian float32
// (.f32, shape given by the caller).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/tensor.h"

namespace facet::loaders {

// Parses a serialized TensorProto held in memory (bounds-checked). `name_out` receives
// TensorProto.name if non-null. `where` is used in messages.
Tensor parse_tensor_proto(const uint8_t* data, size_t size, const std::string& where,
                          std::string* name_out = nullptr);
Tensor read_tensor_pb(const std::string& path, std::string* name_out = nullptr);
void write_tensor_pb(const std::string& path, const Tensor& t, const std::string& name = "");
std::string serialize_tensor_proto(const Tensor& t, const std::string& name = "");

// .npy version 1.0/2.0/3.0, dtypes <f4 <f8 <i8 <i4 |u1 |b1 <f2, C order only (converted to
// float32 or int64).
Tensor read_npy(const std::string& path);
// The same, from memory (`where` is used in messages).
Tensor parse_npy(const uint8_t* data, size_t size, const std::string& where);
void write_npy(const std::string& path, const Tensor& t);  // float32 or int64

// Raw float32 little-endian; the file size must equal numel * 4.
Tensor read_raw_f32(const std::string& path, const Shape& shape);
void write_raw_f32(const std::string& path, const Tensor& t);

// By extension: .pb, .npy, or .f32/.bin/.raw (needs `shape`, else error).
Tensor read_tensor_file(const std::string& path, const Shape* shape = nullptr);

// Reads a whole file (throws facet::Error naming the file on failure or if larger than max_bytes).
std::string read_file_bytes(const std::string& path, uint64_t max_bytes = uint64_t(4) << 30);
// Writes atomically: a temp file in the same folder, then rename.
void write_file_atomic(const std::string& path, const void* data, size_t size);

}  // namespace facet::loaders
