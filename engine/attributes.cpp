#include "engine/attributes.h"

#include "engine/status.h"

namespace facet {

const char* attribute_kind_name(Attribute::Kind k) {
  switch (k) {
    case Attribute::Kind::kFloat: return "a float";
    case Attribute::Kind::kInt: return "an int";
    case Attribute::Kind::kString: return "a string";
    case Attribute::Kind::kTensor: return "a tensor";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kStrings: return "strings";
    case Attribute::Kind::kGraph: return "a graph";
    default: return "of an unsupported kind";
  }
}

void Attributes::set_int(const std::string& name, int64_t v) {
  Attribute a;
  a.kind = Attribute::Kind::kInt;
  a.i = v;
  set(name, std::move(a));
}
void Attributes::set_float(const std::string& name, float v) {
  Attribute a;
  a.kind = Attribute::Kind::kFloat;
  a.f = v;
  set(name, std::move(a));
}
void Attributes::set_string(const std::string& name, std::string v) {
  Attribute a;
  a.kind = Attribute::Kind::kString;
  a.s = std::move(v);
  set(name, std::move(a));
}
void Attributes::set_ints(const std::string& name, std::vector<int64_t> v) {
  Attribute a;
  a.kind = Attribute::Kind::kInts;
  a.ints = std::move(v);
  set(name, std::move(a));
}
void Attributes::set_floats(const std::string& name, std::vector<float> v) {
  Attribute a;
  a.kind = Attribute::Kind::kFloats;
  a.floats = std::move(v);
  set(name, std::move(a));
}
void Attributes::set_tensor(const std::string& name, Tensor t) {
  Attribute a;
  a.kind = Attribute::Kind::kTensor;
  a.t = std::move(t);
  set(name, std::move(a));
}

const Attribute* Attributes::find(const std::string& name) const {
  auto it = map_.find(name);
  return it == map_.end() ? nullptr : &it->second;
}

const Attribute& Attributes::expect(const std::string& name, Attribute::Kind kind) const {
  const Attribute* a = find(name);
  FACET_CHECK(a != nullptr, "missing attribute '", name, "'");
  if (a->kind != kind) {
    // An empty repeated attribute carries no type information in some writers; accept
    // an empty list of either repeated kind.
    bool empty_list = (a->kind == Attribute::Kind::kInts && a->ints.empty()) ||
                      (a->kind == Attribute::Kind::kFloats && a->floats.empty());
    bool want_list = kind == Attribute::Kind::kInts || kind == Attribute::Kind::kFloats;
    if (!(empty_list && want_list)) {
      fail(str_cat("attribute '", name, "' is ", attribute_kind_name(a->kind), ", expected ",
                   attribute_kind_name(kind)));
    }
  }
  return *a;
}

int64_t Attributes::get_int(const std::string& name, int64_t def) const {
  if (!has(name)) return def;
  return expect(name, Attribute::Kind::kInt).i;
}
float Attributes::get_float(const std::string& name, float def) const {
  if (!has(name)) return def;
  const Attribute* a = find(name);
  if (a->kind == Attribute::Kind::kInt) return static_cast<float>(a->i);
  return expect(name, Attribute::Kind::kFloat).f;
}
std::string Attributes::get_string(const std::string& name, const std::string& def) const {
  if (!has(name)) return def;
  return expect(name, Attribute::Kind::kString).s;
}
std::vector<int64_t> Attributes::get_ints(const std::string& name,
                                          const std::vector<int64_t>& def) const {
  if (!has(name)) return def;
  const Attribute& a = expect(name, Attribute::Kind::kInts);
  return a.kind == Attribute::Kind::kInts ? a.ints : std::vector<int64_t>{};
}
std::vector<float> Attributes::get_floats(const std::string& name,
                                          const std::vector<float>& def) const {
  if (!has(name)) return def;
  const Attribute& a = expect(name, Attribute::Kind::kFloats);
  return a.kind == Attribute::Kind::kFloats ? a.floats : std::vector<float>{};
}
const Tensor& Attributes::get_tensor(const std::string& name) const {
  return expect(name, Attribute::Kind::kTensor).t;
}

}  // namespace facet
