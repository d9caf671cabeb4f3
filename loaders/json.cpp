#include "loaders/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/status.h"

namespace facet::loaders {

double Json::number() const {
  FACET_CHECK(type_ == Type::kNumber, "JSON value is not a number");
  return num_;
}
int64_t Json::integer() const { return static_cast<int64_t>(std::llround(number())); }
bool Json::boolean() const {
  FACET_CHECK(type_ == Type::kBool, "JSON value is not a boolean");
  return b_;
}
const std::string& Json::str() const {
  FACET_CHECK(type_ == Type::kString, "JSON value is not a string");
  return str_;
}
const std::vector<Json>& Json::items() const {
  FACET_CHECK(type_ == Type::kArray, "JSON value is not an array");
  return arr_;
}
size_t Json::size() const {
  if (type_ == Type::kArray) return arr_.size();
  if (type_ == Type::kObject) return obj_.size();
  return 0;
}
const Json& Json::operator[](size_t i) const {
  const auto& a = items();
  FACET_CHECK(i < a.size(), "JSON array index ", i, " out of range (size ", a.size(), ")");
  return a[i];
}
const std::vector<std::pair<std::string, Json>>& Json::members() const {
  FACET_CHECK(type_ == Type::kObject, "JSON value is not an object");
  return obj_;
}
bool Json::has(const std::string& key) const {
  if (type_ != Type::kObject) return false;
  for (const auto& kv : obj_)
    if (kv.first == key) return true;
  return false;
}
const Json& Json::at(const std::string& key) const {
  for (const auto& kv : members())
    if (kv.first == key) return kv.second;
  fail(str_cat("JSON object has no key '", key, "'"));
}
Json& Json::push(Json v) {
  FACET_CHECK(type_ == Type::kArray, "push on a non-array JSON value");
  arr_.push_back(std::move(v));
  return arr_.back();
}
Json& Json::set(const std::string& key, Json v) {
  FACET_CHECK(type_ == Type::kObject, "set on a non-object JSON value");
  for (auto& kv : obj_)
    if (kv.first == key) {
      kv.second = std::move(v);
      return kv.second;
    }
  obj_.emplace_back(key, std::move(v));
  return obj_.back().second;
}

static void escape_to(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void Json::dump_to(std::string& out, int indent, int depth) const {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (type_) {
    case Type::kNull: out += "null"; break;
    case Type::kBool: out += b_ ? "true" : "false"; break;
    case Type::kNumber: {
      if (!std::isfinite(num_)) {
        out += "null";
      } else if (num_ == std::floor(num_) && std::fabs(num_) < 1e15) {
        out += std::to_string(static_cast<long long>(num_));
      } else {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.9g", num_);
        out += buf;
      }
      break;
    }
    case Type::kString: escape_to(out, str_); break;
    case Type::kArray: {
      out += '[';
      bool scalars = true;
      for (const Json& v : arr_)
        if (v.is_array() || v.is_object()) scalars = false;
      for (size_t i = 0; i < arr_.size(); ++i) {
        if (i) out += scalars || indent < 0 ? "," : ",";
        if (!scalars) newline(depth + 1);
        else if (i && indent >= 0) out += ' ';
        arr_[i].dump_to(out, indent, depth + 1);
      }
      if (!scalars && !arr_.empty()) newline(depth);
      out += ']';
      break;
    }
    case Type::kObject: {
      out += '{';
      for (size_t i = 0; i < obj_.size(); ++i) {
        if (i) out += ',';
        newline(depth + 1);
        escape_to(out, obj_[i].first);
        out += indent < 0 ? ":" : ": ";
        obj_[i].second.dump_to(out, indent, depth + 1);
      }
      if (!obj_.empty()) newline(depth);
      out += '}';
      break;
    }
  }
}

std::string Json::dump(int indent) const {
  std::string out;
  dump_to(out, indent, 0);
  return out;
}

namespace {
struct Parser {
  const std::string& s;
  const std::string& where;
  size_t pos = 0;
  int depth = 0;

  [[noreturn]] void error(const std::string& msg) {
    fail(str_cat(where, ": JSON error at offset ", pos, ": ", msg));
  }
  void ws() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\n' || s[pos] == '\r' || s[pos] == '\t'))
      ++pos;
  }
  bool lit(const char* w) {
    size_t n = std::char_traits<char>::length(w);
    if (s.compare(pos, n, w) == 0) {
      pos += n;
      return true;
    }
    return false;
  }
  Json value() {
    if (++depth > 256) error("nesting too deep");
    ws();
    if (pos >= s.size()) error("unexpected end");
    Json out;
    char c = s[pos];
    if (c == '{') {
      ++pos;
      out = Json::object();
      ws();
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
      } else {
        for (;;) {
          ws();
          if (pos >= s.size() || s[pos] != '"') error("expected a string key");
          std::string k = string();
          ws();
          if (pos >= s.size() || s[pos] != ':') error("expected ':'");
          ++pos;
          out.set(k, value());
          ws();
          if (pos < s.size() && s[pos] == ',') { ++pos; continue; }
          if (pos < s.size() && s[pos] == '}') { ++pos; break; }
          error("expected ',' or '}'");
        }
      }
    } else if (c == '[') {
      ++pos;
      out = Json::array();
      ws();
      if (pos < s.size() && s[pos] == ']') {
        ++pos;
      } else {
        for (;;) {
          out.push(value());
          ws();
          if (pos < s.size() && s[pos] == ',') { ++pos; continue; }
          if (pos < s.size() && s[pos] == ']') { ++pos; break; }
          error("expected ',' or ']'");
        }
      }
    } else if (c == '"') {
      out = Json(string());
    } else if (lit("true")) {
      out = Json(true);
    } else if (lit("false")) {
      out = Json(false);
    } else if (lit("null")) {
      out = Json();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t start = pos;
      ++pos;
      while (pos < s.size() && (std::isdigit(static_cast<unsigned char>(s[pos])) || s[pos] == '.' ||
                                s[pos] == 'e' || s[pos] == 'E' || s[pos] == '+' || s[pos] == '-'))
        ++pos;
      std::string num = s.substr(start, pos - start);
      char* end = nullptr;
      double d = std::strtod(num.c_str(), &end);
      if (end == nullptr || *end != '\0') error("bad number '" + num + "'");
      out = Json(d);
    } else {
      error(str_cat("unexpected character '", c, "'"));
    }
    --depth;
    return out;
  }
  std::string string() {
    ++pos;  // opening quote
    std::string out;
    for (;;) {
      if (pos >= s.size()) error("unterminated string");
      char c = s[pos++];
      if (c == '"') break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos >= s.size()) error("unterminated escape");
      char e = s[pos++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (pos + 4 > s.size()) error("short \\u escape");
          unsigned cp = static_cast<unsigned>(std::strtoul(s.substr(pos, 4).c_str(), nullptr, 16));
          pos += 4;
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: error("bad escape");
      }
    }
    return out;
  }
};
}  // namespace

Json Json::parse(const std::string& text, const std::string& where) {
  Parser p{text, where};
  Json v = p.value();
  p.ws();
  if (p.pos != text.size()) p.error("trailing characters");
  return v;
}

}  // namespace facet::loaders
