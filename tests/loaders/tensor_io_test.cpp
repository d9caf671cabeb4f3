// Tensor files: TensorProto .pb, .npy, raw .f32, atomic writes; conformance .pb files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "engine/status.h"
#include "loaders/onnx_writer.h"
#include "loaders/tensor_io.h"
#include "test_util.h"

namespace facet::loaders {
namespace {

namespace fs = std::filesystem;

#define EXPECT_CONTAINS(haystack, needle)                                          \
  do {                                                                             \
    const std::string h_ = (haystack);                                             \
    EXPECT_NE(h_.find(needle), std::string::npos) << "message: '" << h_ << "'";   \
  } while (0)

class TensorIo : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("facet_tensor_io_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, const std::string& bytes) const {
    write_file_atomic(path(name), bytes.data(), bytes.size());
  }
  template <class F>
  std::string error_of(F f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "<no error>";
  }
  fs::path dir_;
};

TEST_F(TensorIo, PbRoundTrip) {
  Tensor f = Tensor::from_f32({2, 3}, {1, 2, 3, 4, 5, 6});
  write_tensor_pb(path("f.pb"), f, "input");
  std::string name;
  Tensor back = read_tensor_pb(path("f.pb"), &name);
  EXPECT_EQ(name, "input");
  EXPECT_EQ(back.dtype(), DType::kF32);
  EXPECT_EQ(shape_str(back.shape()), "[2,3]");
  EXPECT_EQ(back.to_f32_vector(), f.to_f32_vector());

  Tensor i = Tensor::from_i64({3}, {-1, 0, int64_t(1) << 50});
  write_tensor_pb(path("i.pb"), i);
  Tensor bi = read_tensor_pb(path("i.pb"));
  EXPECT_EQ(bi.dtype(), DType::kI64);
  EXPECT_EQ(bi.to_i64_vector(), i.to_i64_vector());

  Tensor s = Tensor::scalar_f32(7.f);
  write_tensor_pb(path("s.pb"), s);
  Tensor bs = read_tensor_file(path("s.pb"));
  EXPECT_EQ(bs.rank(), 0);
  EXPECT_EQ(bs.to_f32_vector(), std::vector<float>{7.f});

  Tensor e = Tensor::empty(DType::kF32, {0, 4});
  write_tensor_pb(path("e.pb"), e);
  EXPECT_EQ(shape_str(read_tensor_pb(path("e.pb")).shape()), "[0,4]");
}

TEST_F(TensorIo, PbErrors) {
  std::string good = serialize_tensor_proto(Tensor::from_f32({4}, {1, 2, 3, 4}), "x");
  // Every truncation is an error (the data is the last field, so each cut is detected).
  for (size_t n = 0; n < good.size(); ++n) {
    std::string msg = error_of([&] {
      parse_tensor_proto(reinterpret_cast<const uint8_t*>(good.data()), n, "cut.pb");
    });
    EXPECT_CONTAINS(msg, "cut.pb");
  }
  TensorSpec ext;
  ext.dims = {1};
  ext.data_location = 1;
  ext.external_data = {{"location", "w.bin"}};
  std::string pb = serialize_tensor(ext);
  EXPECT_CONTAINS(error_of([&] {
                    parse_tensor_proto(reinterpret_cast<const uint8_t*>(pb.data()), pb.size(),
                                       "ext.pb");
                  }),
                  "external data is not allowed");
  EXPECT_CONTAINS(error_of([&] { read_tensor_pb(path("missing.pb")); }), "missing.pb");
}

TEST_F(TensorIo, NpyRoundTrip) {
  Tensor f = Tensor::from_f32({2, 2}, {1, -2, 3.5f, 4});
  write_npy(path("f.npy"), f);
  Tensor bf = read_npy(path("f.npy"));
  EXPECT_EQ(shape_str(bf.shape()), "[2,2]");
  EXPECT_EQ(bf.to_f32_vector(), f.to_f32_vector());
  // The header is padded to a multiple of 64 bytes and ends in a newline.
  std::string raw = read_file_bytes(path("f.npy"));
  const size_t hlen = static_cast<uint8_t>(raw[8]) | static_cast<uint8_t>(raw[9]) << 8;
  EXPECT_EQ((10 + hlen) % 64, 0u);
  EXPECT_EQ(raw[10 + hlen - 1], '\n');

  Tensor i = Tensor::from_i64({3}, {7, -8, 9});
  write_npy(path("i.npy"), i);
  Tensor bi = read_tensor_file(path("i.npy"));
  EXPECT_EQ(bi.dtype(), DType::kI64);
  EXPECT_EQ(bi.to_i64_vector(), i.to_i64_vector());
  EXPECT_EQ(shape_str(bi.shape()), "[3]");

  write_npy(path("s.npy"), Tensor::scalar_f32(3.f));
  EXPECT_EQ(read_npy(path("s.npy")).rank(), 0);
}

std::string npy_bytes(const std::string& dict, const std::string& payload, int version = 1) {
  std::string header = dict;
  const size_t prefix = version == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64) header.push_back(' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(static_cast<char>(version));
  out.push_back('\0');
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  if (version != 1) {
    out.push_back('\0');
    out.push_back('\0');
  }
  return out + header + payload;
}

TEST_F(TensorIo, NpyOtherDtypes) {
  {
    double d[2] = {0.5, -4};
    write("d.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                             std::string(reinterpret_cast<char*>(d), 16)));
    EXPECT_EQ(read_npy(path("d.npy")).to_f32_vector(), (std::vector<float>{0.5f, -4.f}));
  }
  {
    int32_t v[2] = {-3, 4};
    write("i4.npy", npy_bytes("{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }",
                              std::string(reinterpret_cast<char*>(v), 8), 2));
    Tensor t = read_npy(path("i4.npy"));
    EXPECT_EQ(t.dtype(), DType::kI64);
    EXPECT_EQ(t.to_i64_vector(), (std::vector<int64_t>{-3, 4}));
  }
  {
    write("u1.npy", npy_bytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                              std::string("\x00\x80\xff", 3)));
    EXPECT_EQ(read_npy(path("u1.npy")).to_f32_vector(), (std::vector<float>{0, 128, 255}));
  }
  {
    write("b1.npy", npy_bytes("{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }",
                              std::string("\x01\x00", 2)));
    EXPECT_EQ(read_npy(path("b1.npy")).to_f32_vector(), (std::vector<float>{1, 0}));
  }
  {
    uint16_t h[2] = {0x3c00, 0xbc00};
    write("f2.npy", npy_bytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
                              std::string(reinterpret_cast<char*>(h), 4)));
    EXPECT_EQ(read_npy(path("f2.npy")).to_f32_vector(), (std::vector<float>{1, -1}));
  }
}

TEST_F(TensorIo, NpyErrors) {
  write("bad_magic.npy", "hello world, not numpy");
  EXPECT_CONTAINS(error_of([&] { read_npy(path("bad_magic.npy")); }), "not an .npy file");
  write("be.npy", npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
                            std::string(4, '\0')));
  EXPECT_CONTAINS(error_of([&] { read_npy(path("be.npy")); }), "big-endian");
  write("fortran.npy", npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }",
                                 std::string(4, '\0')));
  EXPECT_CONTAINS(error_of([&] { read_npy(path("fortran.npy")); }), "Fortran");
  write("short.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
                               std::string(8, '\0')));
  EXPECT_CONTAINS(error_of([&] { read_npy(path("short.npy")); }), "8 bytes, expected 3 x 4");
  write("huge.npy", npy_bytes("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': (4294967296, 4294967296), }", ""));
  EXPECT_CONTAINS(error_of([&] { read_npy(path("huge.npy")); }), "huge.npy");
  write("c16.npy", npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
                             std::string(16, '\0')));
  EXPECT_CONTAINS(error_of([&] { read_npy(path("c16.npy")); }), "unsupported .npy dtype");
  std::string trunc = npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "");
  write("trunc.npy", trunc.substr(0, 40));
  EXPECT_CONTAINS(error_of([&] { read_npy(path("trunc.npy")); }), "truncated .npy header");
  write("garbage.npy", npy_bytes("{'descr': '<f4', 'shape': (1,", std::string(4, '\0')));
  EXPECT_CONTAINS(error_of([&] { read_npy(path("garbage.npy")); }), "bad .npy header");
}

TEST_F(TensorIo, RawF32) {
  Tensor t = Tensor::from_f32({2, 2}, {1, 2, 3, 4});
  write_raw_f32(path("t.f32"), t);
  EXPECT_EQ(fs::file_size(path("t.f32")), 16u);
  Shape shape{2, 2};
  EXPECT_EQ(read_tensor_file(path("t.f32"), &shape).to_f32_vector(), t.to_f32_vector());
  Shape wrong{3};
  EXPECT_CONTAINS(error_of([&] { read_raw_f32(path("t.f32"), wrong); }),
                  "file has 16 bytes, expected 3 float32");
  EXPECT_CONTAINS(error_of([&] { read_tensor_file(path("t.f32")); }), "needs a shape");
  EXPECT_CONTAINS(error_of([&] { read_tensor_file(path("t.xyz")); }), "unknown tensor file");
  EXPECT_CONTAINS(error_of([&] { write_raw_f32(path("i.f32"), Tensor::scalar_i64(1)); }),
                  "needs float32");
}

TEST_F(TensorIo, ReadFileBytesAndAtomicWrite) {
  write("a.bin", "hello");
  EXPECT_EQ(read_file_bytes(path("a.bin")), "hello");
  write("a.bin", "bye");  // replaces atomically
  EXPECT_EQ(read_file_bytes(path("a.bin")), "bye");
  EXPECT_CONTAINS(error_of([&] { read_file_bytes(path("a.bin"), 2); }), "more than the limit of 2");
  EXPECT_CONTAINS(error_of([&] { read_file_bytes(dir_.string()); }), "is a directory");
  EXPECT_CONTAINS(error_of([&] { read_file_bytes(path("nope")); }), "cannot open");
  EXPECT_CONTAINS(error_of([&] { write_file_atomic(path("no/such/dir/x"), "x", 1); }),
                  "cannot create temporary file");
  // No temp files left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(TensorIoConformance, ReadsEveryConformancePb) {
  const std::string root = test::shared_dir() + "/conformance";
  if (test::shared_dir().empty() || !fs::is_directory(root)) {
    GTEST_SKIP() << "conformance data not found at '" << root << "' (set FACET_SHARED_DIR)";
  }
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".pb") continue;
    ++files;
    std::string name;
    Tensor t;
    try {
      t = read_tensor_pb(e.path().string(), &name);
    } catch (const Error& err) {
      ADD_FAILURE() << err.what();
      continue;
    }
    EXPECT_TRUE(t.dtype() == DType::kF32 || t.dtype() == DType::kI64) << e.path();
    EXPECT_EQ(t.numel(), shape_numel(t.shape())) << e.path();
  }
  EXPECT_GT(files, 0);
  RecordProperty("pb_files", files);
}

}  // namespace
}  // namespace facet::loaders
