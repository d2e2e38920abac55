#include "core/ecosystem/json5.hpp"

#include <cmath>
#include <cstdint>
#include <string>

#include "core/base/utf8.hpp"
#include "core/ecosystem/js_lexer.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

using nlohmann::json;

class Parser {
 public:
  Parser(std::string_view text, std::string_view origin) : in_(text, origin) {}

  json document() {
    in_.skip_space();
    json result = value();
    in_.skip_space();
    if (!in_.at_end()) in_.fail("end of input after the value");
    return result;
  }

 private:
  // Counts one level of nesting for as long as it lives.
  class Nesting {
   public:
    explicit Nesting(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxNesting)
        p_.in_.fail_at(p_.in_.pos(),
                       "nested deeper than " + std::to_string(kMaxNesting) + " levels");
    }
    ~Nesting() { --p_.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser& p_;
  };

  // `expected` names what may stand here, for the error when nothing does.
  json value(std::string_view expected = "a value") {
    switch (in_.peek()) {
      case '{':
        return object();
      case '[':
        return array();
      case '(':
        return parenthesized();
      case '"':
      case '\'':
        return js::read_string(in_);
      case '+':
      case '-':
        return signed_number();
    }
    if (in_.peek() == '.' || (in_.peek() >= '0' && in_.peek() <= '9'))
      return js_number(js::read_number(in_));
    if (js::is_identifier_start(in_.peek())) return keyword();
    in_.fail(expected);
  }

  json object() {
    Nesting nesting(*this);
    in_.advance();
    json result = json::object();
    for (in_.skip_space(); !in_.consume('}'); in_.skip_space()) {
      std::string name = key();
      in_.skip_space();
      if (!in_.consume(':')) in_.fail("':' after the property name");
      in_.skip_space();
      result[name] = value();  // a repeated key overwrites, as in JavaScript
      in_.skip_space();
      if (in_.consume('}')) break;
      if (!in_.consume(',')) in_.fail("',' or '}'");
    }
    return result;
  }

  json array() {
    Nesting nesting(*this);
    in_.advance();
    json result = json::array();
    for (in_.skip_space(); !in_.consume(']'); in_.skip_space()) {
      result.push_back(value("a value or ']'"));  // also refuses JavaScript's holes: [1,,2]
      in_.skip_space();
      if (in_.consume(']')) break;
      if (!in_.consume(',')) in_.fail("',' or ']'");
    }
    return result;
  }

  json parenthesized() {
    Nesting nesting(*this);
    in_.advance();
    in_.skip_space();
    json result = value();
    in_.skip_space();
    if (!in_.consume(')')) in_.fail("')'");
    return result;
  }

  // Property names: identifiers (reserved words included), strings, or numbers, which
  // JavaScript turns into their canonical text ({0x10: 1} has the key "16").
  std::string key() {
    const char c = in_.peek();
    if (c == '"' || c == '\'') return js::read_string(in_);
    if (c == '.' || (c >= '0' && c <= '9')) return js_number(js::read_number(in_)).dump();
    std::string name = js::read_identifier(in_);
    if (name.empty()) in_.fail("a property name or '}'");
    return name;
  }

  json signed_number() {
    const std::size_t start = in_.pos();
    const bool negative = in_.peek() == '-';
    in_.advance();
    in_.skip_space();
    if (in_.peek() == 'I') keyword();  // Infinity: refused with its own message
    const char c = in_.peek();
    if (c != '.' && (c < '0' || c > '9')) in_.fail_at(start, "a sign must be followed by a number");
    const double magnitude = js::read_number(in_);
    return js_number(negative ? -magnitude : magnitude);
  }

  json keyword() {
    const std::size_t start = in_.pos();
    const std::string word = js::read_identifier(in_);
    if (word == "true") return true;
    if (word == "false") return false;
    if (word == "null") return nullptr;
    if (word == "Infinity" || word == "NaN")
      in_.fail_at(start, word + " has no JSON form (PM2 would store null); write a number");
    if (word == "undefined") in_.fail_at(start, "undefined has no JSON form; leave the key out");
    in_.fail_at(start, "expected a value, found '" + word +
                           "' (strings need quotes; only true, false and null stand alone)");
  }

  js::Cursor in_;
  int depth_ = 0;
};

}  // namespace

json js_number(double value) {
  constexpr double kMaxSafe = 9007199254740992.0;  // 2^53
  if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) <= kMaxSafe)
    return static_cast<std::int64_t>(value);
  return value;
}

json parse_json5(std::string_view text, std::string_view origin) {
  if (const std::size_t bad = utf8_error_offset(text); bad != std::string_view::npos)
    js::Cursor(text, origin).fail_at(bad, "not valid UTF-8");
  return Parser(text, origin).document();
}

}  // namespace pmctl::core
