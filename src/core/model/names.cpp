#include "core/model/names.hpp"

#include <algorithm>
#include <cstdio>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '@' || c == ':' || c == '+' || c == '-';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string name_problem(std::string_view word) {
  if (word.empty()) return "it is empty";
  if (word.size() > kMaxNameLength)
    return "longer than " + std::to_string(kMaxNameLength) + " characters";
  if (!std::all_of(word.begin(), word.end(), is_name_char))
    return "only letters, digits and _ . @ : + - are allowed";
  if (word.front() == '-' || word.front() == '.') return "it must not start with '-' or '.'";
  if (word.find("..") != std::string_view::npos) return "'..' is not allowed";
  if (word == "all") return "'all' is reserved, it selects every app";
  if (std::all_of(word.begin(), word.end(), is_digit))
    return "digits alone would be read as an id ('pmctl stop 1' means id 1)";
  return "";
}

void validate_namespace(std::string_view ns) {
  if (const std::string problem = name_problem(ns); !problem.empty())
    throw Error("invalid namespace '" + printable(ns) + "': " + problem,
                "choose a namespace like 'web' or 'jobs-2'");
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
      continue;
    }
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02x", u);
    out += buf;
  }
  return out;
}

}  // namespace pmctl::core
