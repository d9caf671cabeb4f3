// Errors inside facet.
//
// Internally, code that validates user data (loaders, shape inference, attribute checks) throws
// facet::Error with a message that says what and where. Every public entry point (the C API, the
// CLI, Session::try_run, load_model_status) catches it and turns it into a Status value, so no
// exception crosses the public API. Kernels never throw: everything they rely on was checked in
// infer().
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace facet {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
};

template <class... Args>
std::string str_cat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}

[[noreturn]] void fail(const std::string& msg);

// A value that says whether something worked and, if not, why.
class Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string msg) {
    Status s;
    s.ok_ = false;
    s.msg_ = std::move(msg);
    return s;
  }
  bool is_ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& message() const { return msg_; }

 private:
  bool ok_ = true;
  std::string msg_;
};

}  // namespace facet

// Throws facet::Error built from the remaining arguments when cond is false.
#define FACET_CHECK(cond, ...)                                     \
  do {                                                             \
    if (!(cond)) ::facet::fail(::facet::str_cat(__VA_ARGS__));     \
  } while (0)
