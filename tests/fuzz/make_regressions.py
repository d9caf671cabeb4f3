#!/usr/bin/env python3
"""Writes the hand-made regression inputs under tests/fuzz/regressions/ (committed).

Each input reproduces a bug that was fixed (or pins a hostile case the fuzzers should never
regress on); facet_fuzz_replay feeds them to the harness entry points in every test build.
The protobuf encoding here is our own (no onnx package needed).
usage: tests/fuzz/make_regressions.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(v):
    v &= (1 << 64) - 1
    out = b""
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def key(field, wire):
    return varint(field << 3 | wire)


def f_varint(field, v):
    return key(field, 0) + varint(v)


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return key(field, 2) + varint(len(b)) + b


def value_info(name, elem_type, dims):
    shape = b"".join(f_bytes(1, f_varint(1, d)) for d in dims)
    tensor_type = f_varint(1, elem_type) + f_bytes(2, shape)
    return f_bytes(1, name) + f_bytes(2, f_bytes(1, tensor_type))


def i64_tensor(name, values):
    packed = b"".join(varint(v) for v in values)
    return f_varint(1, len(values)) + f_varint(2, 7) + f_bytes(7, packed) + f_bytes(8, name)


def node(op, inputs, outputs, attrs=b""):
    return (b"".join(f_bytes(1, i) for i in inputs) + b"".join(f_bytes(2, o) for o in outputs)
            + f_bytes(4, op) + attrs)


def model(nodes, inits, inputs, outputs, opset=13):
    g = b"".join(f_bytes(1, n) for n in nodes) + f_bytes(2, "g")
    g += b"".join(f_bytes(5, t) for t in inits)
    g += b"".join(f_bytes(11, v) for v in inputs) + b"".join(f_bytes(12, v) for v in outputs)
    return f_varint(1, 7) + f_bytes(7, g) + f_bytes(8, f_varint(2, opset))


def write(harness, name, data):
    d = os.path.join(HERE, "regressions", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# Expand to 2^62 float32 elements: numel * 4 wrapped size_t to 0, so the session planned an
# empty buffer and Expand wrote past the arena (fixed in engine/session.cpp). x has rank 2 so
# it is not a plan-time constant (which would fold Expand into an allocation check instead).
write("onnx_load", "expand_bytes_wrap.onnx",
      model([node("Expand", ["x", "s"], ["y"])], [i64_tensor("s", [1 << 31, 1 << 31])],
            [value_info("x", 1, [1, 1])], [value_info("y", 1, [])]))
# Same with int64 elements (65 * 2^55 elements of 8 bytes); x has 65 > 64 elements so it is
# not a plan-time constant either.
write("onnx_load", "expand_i64_bytes_wrap.onnx",
      model([node("Expand", ["x", "s"], ["y"])], [i64_tensor("s", [1 << 55, 65])],
            [value_info("x", 7, [1, 65])], [value_info("y", 7, [])]))
# Several 2^61-byte buffers alive at once: their sum passes the address space (checked in
# engine/memory_planner.cpp).
write("onnx_load", "arena_sum_overflow.onnx",
      model([node("Expand", ["x", "s"], ["a"]), node("Expand", ["x", "s"], ["b"]),
             node("Expand", ["x", "s"], ["c"]), node("Expand", ["x", "s"], ["d"]),
             node("Add", ["a", "b"], ["e"]), node("Add", ["e", "c"], ["f"]),
             node("Add", ["f", "d"], ["y"])],
            [i64_tensor("s", [1 << 30, 1 << 29])],
            [value_info("x", 1, [1, 1])], [value_info("y", 1, [])]))
# Found by fuzz_onnx_load (rebuilt here from scratch): a Softmax whose only output name is ""
# (unused). The session planned it and SoftmaxOp::run bound a null output reference (UBSan:
# reference binding to null pointer). Fixed in engine/session.cpp: nodes with no used output are
# not run.
write("onnx_load", "softmax_unused_output.onnx",
      model([node("Softmax", ["x"], [""])], [], [value_info("x", 1, [2, 3])],
            [value_info("x", 1, [2, 3])]))
# Found by fuzz_onnx_load (rebuilt here from scratch): Softmax over axis 1 of a [3, 0, 5] input.
# The slice loop took offsets from the empty tensors' null data pointers (clang UBSan
# pointer-overflow). Fixed in ops/softmax.cpp: an empty input returns at once.
write("onnx_load", "softmax_empty_dim.onnx",
      model([node("Softmax", ["x"], ["y"],
                  f_bytes(5, f_bytes(1, "axis") + f_varint(3, 1) + f_varint(20, 2)))], [],
            [value_info("x", 1, [3, 0, 5])], [value_info("y", 1, [3, 0, 5])]))
# Gather with a 1e9 index fed as a graph input too large to be a plan-time constant.
write("onnx_load", "gather_runtime_index.onnx",
      model([node("Gather", ["x", "i"], ["y"])], [],
            [value_info("x", 1, [4, 2]), value_info("i", 7, [100])], [value_info("y", 1, [])]))
# .npy whose shape product overflows int64.
hdr = b"{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }\n"
write("tensor", "npy_shape_overflow.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr)
# TensorProto with 2^40 elements and no data.
write("tensor", "pb_2e40_elements.pb",
      f_varint(1, 1 << 20) + f_varint(1, 1 << 20) + f_varint(2, 1) + f_bytes(9, b""))
print("wrote regression inputs under", os.path.join(HERE, "regressions"))
