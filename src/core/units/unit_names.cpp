#include "core/units/unit_names.hpp"

#include <cstdio>
#include <string>

#include "core/model/names.hpp"
#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

// systemd refuses unit names longer than 255 characters. The longest service name is
// "pmctl-" + escaped + "-" + a 10-digit id + ".service", which leaves 230 for the escaped name.
constexpr std::size_t kMaxUnitNameLength = 255;
constexpr std::size_t kMaxEscapedNameLength =
    kMaxUnitNameLength - kUnitPrefix.size() - std::string_view("--2147483647.service").size();

constexpr std::string_view kNameHint = "choose a name like 'api' or 'worker-1'";

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

void append_hex_escape(std::string& out, char c) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
  out += buf;
}

[[noreturn]] void reject(std::string_view name, std::string_view reason) {
  throw Error("invalid app name '" + printable(name) + "': " + std::string(reason),
              std::string(kNameHint));
}

}  // namespace

// Unlike `systemd-escape` without --path, `/` is escaped as \x2f instead of becoming `-`: the
// result is a single component, and app names cannot contain `/` anyway.
std::string escape_unit_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool keep = is_alnum(c) || c == ':' || c == '_' || (c == '.' && i > 0);
    if (keep) {
      out += c;
    } else {
      append_hex_escape(out, c);
    }
  }
  return out;
}

void validate_app_name(std::string_view name) {
  if (const std::string problem = name_problem(name); !problem.empty()) reject(name, problem);
  // `-`, `@` and `+` take four characters each once escaped for systemd.
  if (escape_unit_component(name).size() > kMaxEscapedNameLength) {
    reject(name, "too long for a systemd unit name once '-', '@' and '+' are escaped");
  }
}

std::string_view slot_suffix(Slot slot) {
  switch (slot) {
    case Slot::A:
      return "";
    case Slot::B:
      return "-b";
    case Slot::Saved:
      return "-s";
  }
  return "";
}

std::string service_unit_name(std::string_view app_name, int id, Slot slot) {
  return std::string(kUnitPrefix) + "-" + escape_unit_component(app_name) + "-" +
         std::to_string(id) + std::string(slot_suffix(slot)) + ".service";
}

std::string app_slice_name(std::string_view app_name) {
  return std::string(kUnitPrefix) + "-" + escape_unit_component(app_name) + ".slice";
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// The inverse of escape_unit_component; nullopt for a malformed escape.
std::optional<std::string> unescape_unit_component(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (i + 3 >= s.size() || s[i + 1] != 'x') return std::nullopt;
    const int hi = hex_digit(s[i + 2]), lo = hex_digit(s[i + 3]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 3;
  }
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 9 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

// Escaped names have no `-` (it becomes \x2d), so the dashes split the name exactly:
// pmctl-<escaped name>-<id>[-b|-s].service.
std::optional<ServiceUnitName> parse_service_unit_name(std::string_view unit) {
  constexpr std::string_view kSuffix = ".service";
  const std::string prefix = std::string(kUnitPrefix) + "-";
  if (!unit.starts_with(prefix) || !unit.ends_with(kSuffix)) return std::nullopt;
  std::string_view rest = unit.substr(prefix.size(), unit.size() - prefix.size() - kSuffix.size());
  Slot slot = Slot::A;
  for (Slot s : {Slot::B, Slot::Saved})
    if (rest.ends_with(slot_suffix(s))) {
      slot = s;
      rest.remove_suffix(slot_suffix(s).size());
      break;
    }
  const auto dash = rest.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return std::nullopt;
  const std::string_view escaped = rest.substr(0, dash), id = rest.substr(dash + 1);
  if (!all_digits(id) || escaped.find('-') != std::string_view::npos) return std::nullopt;
  auto name = unescape_unit_component(escaped);
  if (!name || escape_unit_component(*name) != escaped) return std::nullopt;
  return ServiceUnitName{*name, std::stoi(std::string(id)), slot};
}

std::string unit_of(const AppRecord& rec) {
  return service_unit_name(rec.decl.name, rec.id, rec.slot);
}

}  // namespace pmctl::core
