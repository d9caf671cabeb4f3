// A small JSON value type with a strict, bounds-checked parser and a writer.
//
// Used for reading the reference folders' meta.json and writing reports (conformance, face
// results, benchmarks). Numbers are doubles; objects keep insertion order.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace facet::loaders {

class Json {
 public:
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::kBool), b_(b) {}
  Json(double d) : type_(Type::kNumber), num_(d) {}
  Json(int v) : type_(Type::kNumber), num_(v) {}
  Json(int64_t v) : type_(Type::kNumber), num_(static_cast<double>(v)) {}
  Json(size_t v) : type_(Type::kNumber), num_(static_cast<double>(v)) {}
  Json(const char* s) : type_(Type::kString), str_(s) {}
  Json(std::string s) : type_(Type::kString), str_(std::move(s)) {}
  static Json array() { Json j; j.type_ = Type::kArray; return j; }
  static Json object() { Json j; j.type_ = Type::kObject; return j; }
  template <class T>
  static Json array_of(const std::vector<T>& v) {
    Json j = array();
    for (const T& x : v) j.push(Json(x));
    return j;
  }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_number() const { return type_ == Type::kNumber; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  // Accessors throw facet::Error on a type mismatch or missing key.
  double number() const;
  int64_t integer() const;
  bool boolean() const;
  const std::string& str() const;
  const std::vector<Json>& items() const;
  size_t size() const;
  const Json& operator[](size_t i) const;
  const Json& at(const std::string& key) const;
  bool has(const std::string& key) const;
  const std::vector<std::pair<std::string, Json>>& members() const;

  // Builders.
  Json& push(Json v);
  Json& set(const std::string& key, Json v);  // replaces an existing key

  // Compact when indent < 0, otherwise pretty with that many spaces.
  std::string dump(int indent = 2) const;
  // Throws facet::Error "<where>: JSON error at offset N: ..." on malformed input.
  static Json parse(const std::string& text, const std::string& where = "json");

 private:
  void dump_to(std::string& out, int indent, int depth) const;
  Type type_ = Type::kNull;
  bool b_ = false;
  double num_ = 0;
  std::string str_;
  std::vector<Json> arr_;
  std::vector<std::pair<std::string, Json>> obj_;
};

}  // namespace facet::loaders
