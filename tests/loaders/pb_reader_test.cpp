// Protobuf wire reader on hand-built buffers, valid and malformed.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "engine/status.h"
#include "loaders/onnx_writer.h"
#include "loaders/pb_reader.h"

namespace facet::loaders {
namespace {

std::vector<uint8_t> bytes(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int x : v) out.push_back(static_cast<uint8_t>(x));
  return out;
}

std::vector<uint8_t> bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

const char* test_field_name(uint32_t f) { return f == 9 ? "raw_data" : nullptr; }

// Reads every field of the buffer; returns the error message or "" if none.
template <class F>
std::string read_all(const std::vector<uint8_t>& buf, F on_field, int max_depth = 32) {
  PbSource src;
  src.base = buf.data();
  src.name = "buf.pb";
  src.max_depth = max_depth;
  try {
    PbReader r(src, buf.data(), buf.data() + buf.size(), "TestMsg", test_field_name);
    while (r.next()) on_field(r);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string read_all(const std::vector<uint8_t>& buf) {
  return read_all(buf, [](PbReader&) {});
}

#define EXPECT_CONTAINS(haystack, needle)                                          \
  do {                                                                             \
    const std::string h_ = (haystack);                                             \
    EXPECT_NE(h_.find(needle), std::string::npos) << "message: '" << h_ << "'";   \
  } while (0)

TEST(PbReader, EmptyMessage) { EXPECT_EQ(read_all({}), ""); }

TEST(PbReader, ScalarFields) {
  PbWriter w;
  w.field_varint(1, 150);
  w.field_int64(2, -1);
  w.field_float(3, 1.5f);
  w.field_double(4, -2.25);
  w.field_string(5, "hello");
  w.field_int64(6, INT64_MIN);
  w.field_varint(7, UINT64_MAX);
  int seen = 0;
  std::string err = read_all(bytes(w.bytes()), [&](PbReader& r) {
    ++seen;
    switch (r.field()) {
      case 1: EXPECT_EQ(r.as_uint64(), 150u); break;
      case 2: EXPECT_EQ(r.as_int64(), -1); EXPECT_EQ(r.as_int32(), -1); break;
      case 3: EXPECT_EQ(r.as_float(), 1.5f); break;
      case 4: EXPECT_EQ(r.as_double(), -2.25); break;
      case 5: EXPECT_EQ(r.as_string(), "hello"); break;
      case 6: EXPECT_EQ(r.as_int64(), INT64_MIN); break;
      case 7: EXPECT_EQ(r.as_uint64(), UINT64_MAX); break;
    }
  });
  EXPECT_EQ(err, "");
  EXPECT_EQ(seen, 7);
}

TEST(PbReader, NegativeInt64IsTenBytes) {
  PbWriter w;
  w.varint(static_cast<uint64_t>(int64_t(-1)));
  EXPECT_EQ(w.size(), 10u);
  EXPECT_EQ(static_cast<uint8_t>(w.bytes()[9]), 0x01);
}

TEST(PbReader, VarintLongerThanTenBytes) {
  // Field 1 varint with 11 bytes.
  auto buf = bytes({0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01});
  std::string err = read_all(buf);
  EXPECT_CONTAINS(err, "varint longer than 10 bytes");
  EXPECT_CONTAINS(err, "@0x1");
  EXPECT_CONTAINS(err, "field 1");
}

TEST(PbReader, TenthByteWithMoreThanOneBit) {
  auto buf = bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02});
  EXPECT_CONTAINS(read_all(buf), "10th byte carries more than 1 bit");
  // 0x01 in the 10th byte is fine (that is how negative int64 is encoded).
  auto ok = bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  EXPECT_EQ(read_all(ok), "");
}

TEST(PbReader, TruncatedVarint) {
  EXPECT_CONTAINS(read_all(bytes({0x08, 0x80, 0x80})), "truncated varint");
  EXPECT_CONTAINS(read_all(bytes({0x80})), "truncated varint");  // in the tag itself
}

TEST(PbReader, HugeLength) {
  // Field 9 (raw_data), length 2^62, 2 bytes follow.
  PbWriter w;
  w.tag(9, 2);
  w.varint(uint64_t(1) << 62);
  w.raw("ab", 2);
  std::string err = read_all(bytes(w.bytes()));
  EXPECT_CONTAINS(err, "field 9 (raw_data)");
  EXPECT_CONTAINS(err, "declares 4611686018427387904 bytes, 2 remain");
  EXPECT_CONTAINS(err, "buf.pb @0x1: TestMsg");
  // Largest possible length: no pointer overflow.
  PbWriter w2;
  w2.tag(9, 2);
  w2.varint(UINT64_MAX);
  EXPECT_CONTAINS(read_all(bytes(w2.bytes())), "remain");
}

TEST(PbReader, LengthOneTooLong) {
  PbWriter w;
  w.tag(2, 2);
  w.varint(4);
  w.raw("abc", 3);
  EXPECT_CONTAINS(read_all(bytes(w.bytes())), "declares 4 bytes, 3 remain");
}

TEST(PbReader, FixedTruncated) {
  EXPECT_CONTAINS(read_all(bytes({0x0d, 1, 2, 3})), "fixed32 needs 4 bytes, 3 remain");
  EXPECT_CONTAINS(read_all(bytes({0x09, 1, 2, 3, 4, 5, 6, 7})), "fixed64 needs 8 bytes, 7 remain");
}

TEST(PbReader, GroupAndInvalidWireTypes) {
  EXPECT_CONTAINS(read_all(bytes({0x0b})), "group");  // field 1, wire type 3
  EXPECT_CONTAINS(read_all(bytes({0x0c})), "group");  // wire type 4
  EXPECT_CONTAINS(read_all(bytes({0x0e})), "invalid wire type 6");
  EXPECT_CONTAINS(read_all(bytes({0x0f})), "invalid wire type 7");
}

TEST(PbReader, FieldNumberZero) {
  EXPECT_CONTAINS(read_all(bytes({0x00, 0x01})), "invalid field number 0");
  // Field number above 2^29-1.
  PbWriter w;
  w.varint((uint64_t(1) << 32) << 3);
  w.varint(1);
  EXPECT_CONTAINS(read_all(bytes(w.bytes())), "invalid field number");
}

TEST(PbReader, WrongWireTypeForAccessor) {
  PbWriter w;
  w.field_string(9, "x");
  std::string err = read_all(bytes(w.bytes()), [](PbReader& r) { r.as_int64(); });
  EXPECT_CONTAINS(err, "field 9 (raw_data) has wire type 2 (len), expected 0 (varint)");
  PbWriter w2;
  w2.field_varint(3, 1);
  EXPECT_CONTAINS(read_all(bytes(w2.bytes()), [](PbReader& r) { r.as_float(); }),
                  "expected 5 (fixed32)");
  EXPECT_CONTAINS(read_all(bytes(w2.bytes()), [](PbReader& r) { r.as_string(); }),
                  "expected 2 (len)");
}

TEST(PbReader, SkipsUnknownFields) {
  PbWriter w;
  w.field_varint(100, 5);
  w.field_fixed64(101, 7);
  w.field_string(102, "zzz");
  w.field_fixed32(103, 9);
  w.field_varint(1, 42);
  int64_t v = 0;
  EXPECT_EQ(read_all(bytes(w.bytes()), [&](PbReader& r) {
              if (r.field() == 1) v = r.as_int64();
            }),
            "");
  EXPECT_EQ(v, 42);
}

TEST(PbReader, PackedAndUnpackedRepeated) {
  PbWriter w;
  w.repeated_int64(1, {1, -2, 300}, true);
  w.repeated_int64(1, {4, 5}, false);
  w.repeated_float(2, {1.f, 2.f}, true);
  w.repeated_float(2, {3.f}, false);
  w.repeated_double(3, {0.5}, true);
  w.repeated_double(3, {0.25}, false);
  w.repeated_int32(4, {-7, 8}, true);
  w.repeated_uint64(5, {UINT64_MAX}, true);
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<double> doubles;
  std::vector<int32_t> i32;
  std::vector<uint64_t> u64;
  EXPECT_EQ(read_all(bytes(w.bytes()), [&](PbReader& r) {
              switch (r.field()) {
                case 1: r.append_int64s(ints); break;
                case 2: r.append_floats(floats); break;
                case 3: r.append_doubles(doubles); break;
                case 4: r.append_int32s(i32); break;
                case 5: r.append_uint64s(u64); break;
              }
            }),
            "");
  EXPECT_EQ(ints, (std::vector<int64_t>{1, -2, 300, 4, 5}));
  EXPECT_EQ(floats, (std::vector<float>{1.f, 2.f, 3.f}));
  EXPECT_EQ(doubles, (std::vector<double>{0.5, 0.25}));
  EXPECT_EQ(i32, (std::vector<int32_t>{-7, 8}));
  EXPECT_EQ(u64, (std::vector<uint64_t>{UINT64_MAX}));
}

TEST(PbReader, PackedLengthNotMultiple) {
  PbWriter w;
  w.tag(2, 2);
  w.varint(6);
  w.raw("abcdef", 6);
  std::vector<float> f;
  EXPECT_CONTAINS(read_all(bytes(w.bytes()), [&](PbReader& r) { r.append_floats(f); }),
                  "6 bytes, not a multiple of 4");
  std::vector<double> d;
  EXPECT_CONTAINS(read_all(bytes(w.bytes()), [&](PbReader& r) { r.append_doubles(d); }),
                  "not a multiple of 8");
}

TEST(PbReader, PackedVarintTruncatedInside) {
  PbWriter w;
  w.tag(1, 2);
  w.varint(2);
  w.raw("\x80\x80", 2);  // varint that runs past the packed field's end
  std::vector<int64_t> v;
  EXPECT_CONTAINS(read_all(bytes(w.bytes()), [&](PbReader& r) { r.append_int64s(v); }),
                  "truncated varint");
}

TEST(PbReader, SubReaderStaysInside) {
  PbWriter inner;
  inner.field_varint(1, 7);
  PbWriter outer;
  outer.field_message(5, inner);
  outer.field_varint(6, 8);
  int64_t a = 0, b = 0;
  EXPECT_EQ(read_all(bytes(outer.bytes()), [&](PbReader& r) {
              if (r.field() == 5) {
                PbReader s = r.sub_reader("Inner");
                while (s.next()) a = s.as_int64();
              } else {
                b = r.as_int64();
              }
            }),
            "");
  EXPECT_EQ(a, 7);
  EXPECT_EQ(b, 8);
  // An inner message whose content claims more than its own length.
  PbWriter bad_inner;
  bad_inner.tag(1, 2);
  bad_inner.varint(5);  // but only 0 bytes in the inner span
  PbWriter outer2;
  outer2.field_message(5, bad_inner);
  outer2.raw("12345", 5);  // bytes exist in the parent, not in the child
  std::string err = read_all(bytes(outer2.bytes()), [&](PbReader& r) {
    if (r.field() == 5) {
      PbReader s = r.sub_reader("Inner");
      while (s.next()) {
      }
    }
  });
  EXPECT_CONTAINS(err, "Inner field 1 declares 5 bytes, 0 remain");
}

TEST(PbReader, DepthLimit) {
  // 40 nested messages, each field 1.
  std::string msg;
  for (int i = 0; i < 40; ++i) {
    PbWriter w;
    w.field_string(1, msg);
    msg = w.take();
  }
  std::function<void(PbReader&)> recurse = [&](PbReader& r) {
    while (r.next()) {
      PbReader s = r.sub_reader("Nested");
      recurse(s);
    }
  };
  auto buf = bytes(msg);
  std::string err = read_all(buf, [&](PbReader& r) {
    PbReader s = r.sub_reader("Nested");
    recurse(s);
  }, 10);
  EXPECT_CONTAINS(err, "nested deeper than 10 levels");
  EXPECT_EQ(read_all(buf, [&](PbReader& r) {
              PbReader s = r.sub_reader("Nested");
              recurse(s);
            }, 64),
            "");
}

TEST(PbReader, ErrorCarriesAbsoluteOffsetInNestedMessage) {
  PbWriter inner;
  inner.field_varint(1, 1);
  inner.raw("\x0e", 1);  // wire type 6 at inner offset 2
  PbWriter outer;
  outer.field_string(3, "abcd");  // 6 bytes
  outer.field_message(5, inner);  // tag+len at 6,7; inner starts at 8
  std::string err = read_all(bytes(outer.bytes()), [&](PbReader& r) {
    if (r.field() == 5) {
      PbReader s = r.sub_reader("Inner");
      while (s.next()) {
      }
    }
  });
  EXPECT_CONTAINS(err, "@0xa");
  EXPECT_CONTAINS(err, "invalid wire type 6");
}

}  // namespace
}  // namespace facet::loaders
