#include "core/units/unit_file.hpp"

#include <sched.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <string_view>

#include "core/types/error.hpp"

namespace pmctl::core {
namespace {

constexpr std::uint64_t kInfinity = std::numeric_limits<std::uint64_t>::max();

// Where a setting goes: [Unit], [Install], or the type's own section of the unit types listed.
enum Where : unsigned {
  kService = 1 << 0,
  kSocket = 1 << 1,
  kSlice = 1 << 2,
  kUnitSection = 1 << 3,
  kInstallSection = 1 << 4,
  kTimer = 1 << 5,
};
constexpr unsigned kExecUnits = kService | kSocket;  // exec, kill and Slice= (systemd.exec/kill)
constexpr unsigned kCgroupUnits = kService | kSocket | kSlice;

// How a value is written.
enum class Kind {
  Bool,
  Number,
  Time,          // t, microseconds: `<n>us`, UINT64_MAX is infinity
  Limit,         // t: a number, UINT64_MAX is infinity
  Text,          // s: free text or a path, specifiers escaped
  Word,          // s: a keyword (Type=, Restart=, ...)
  UnitList,      // as: unit names, space-joined; the parser keeps a backslash as it is
  SocketList,    // as: the same, but Sockets= unescapes a backslash
  InstallList,   // as: the same, backslashes refused (not checked against the parser)
  WordList,      // as: keywords, space-joined
  Exec,          // a(sasas): one line per command
  ExitStatus,    // (aiai)
  EnvFiles,      // a(sb): one EnvironmentFile= per file
  LogFields,     // aay: one quoted LogExtraFields= per field
  Listen,        // a(ss): one Listen<Type>= per address
  Names,         // (bas): allow- or ~deny-list
  Octal,         // u: UMask=, SocketMode=
  Signal,        // i: a signal name
  Errno,         // i: an errno name
  Capabilities,  // t: only the empty set
  Namespaces,    // t: the namespace types allowed
  Output,        // s: StandardOutput=, StandardError=
};

struct Rule {
  std::string_view property;  // the D-Bus name
  unsigned where;
  Kind kind;
};

// Every property pmctl produces, plus the file-only Sockets= and Service= and the dependency
// and [Install] lists. Specifiers are expanded in every Text setting here (systemd.unit(5)),
// which is why their `%` is doubled.
constexpr Rule kRules[] = {
    {"Description", kUnitSection, Kind::Text},
    {"StartLimitIntervalUSec", kUnitSection, Kind::Time},
    {"StartLimitBurst", kUnitSection, Kind::Number},
    {"Wants", kUnitSection, Kind::UnitList},
    {"Requires", kUnitSection, Kind::UnitList},
    {"After", kUnitSection, Kind::UnitList},
    {"Before", kUnitSection, Kind::UnitList},
    {"PartOf", kUnitSection, Kind::UnitList},
    {"BindsTo", kUnitSection, Kind::UnitList},
    {"Conflicts", kUnitSection, Kind::UnitList},
    // Only in unit files (pmctl save); a transient unit would send it as Conditions=.
    {"ConditionPathExists", kUnitSection, Kind::Text},
    {"CollectMode", kUnitSection, Kind::Word},
    {"WantedBy", kInstallSection, Kind::InstallList},
    {"RequiredBy", kInstallSection, Kind::InstallList},
    {"Also", kInstallSection, Kind::InstallList},
    // systemd.service(5)
    {"Type", kService, Kind::Word},
    {"RemainAfterExit", kService, Kind::Bool},
    {"NotifyAccess", kService, Kind::Word},
    {"Restart", kService, Kind::Word},
    {"RestartUSec", kService, Kind::Time},
    {"TimeoutStartUSec", kService, Kind::Time},
    {"TimeoutStopUSec", kService, Kind::Time},
    {"SuccessExitStatus", kService, Kind::ExitStatus},
    {"RestartPreventExitStatus", kService, Kind::ExitStatus},
    {"OOMPolicy", kService, Kind::Word},
    {"RuntimeMaxUSec", kService, Kind::Time},
    {"Sockets", kService, Kind::SocketList},
    {"ExecStartEx", kService, Kind::Exec},
    {"ExecReloadEx", kService, Kind::Exec},
    {"ExecStopEx", kService, Kind::Exec},
    {"ExecStartPreEx", kExecUnits, Kind::Exec},
    {"ExecStartPostEx", kExecUnits, Kind::Exec},
    {"ExecStopPostEx", kExecUnits, Kind::Exec},
    // systemd.socket(5)
    {"Listen", kSocket, Kind::Listen},
    {"Service", kSocket, Kind::Text},
    {"Accept", kSocket, Kind::Bool},
    {"ReusePort", kSocket, Kind::Bool},
    {"SocketMode", kSocket, Kind::Octal},
    {"TriggerLimitBurst", kSocket, Kind::Number},
    {"TriggerLimitIntervalUSec", kSocket, Kind::Time},
    {"TimeoutUSec", kSocket, Kind::Time},
    {"MaxConnections", kSocket, Kind::Number},
    {"MaxConnectionsPerSource", kSocket, Kind::Number},
    // systemd.timer(5)
    {"OnCalendar", kTimer, Kind::Text},
    {"AccuracyUSec", kTimer, Kind::Time},
    // systemd.exec(5)
    {"WorkingDirectory", kExecUnits, Kind::Text},
    {"EnvironmentFiles", kExecUnits, Kind::EnvFiles},
    {"User", kExecUnits, Kind::Text},
    {"Group", kExecUnits, Kind::Text},
    {"DynamicUser", kExecUnits, Kind::Bool},
    {"StandardInput", kExecUnits, Kind::Output},
    {"StandardOutput", kExecUnits, Kind::Output},
    {"StandardError", kExecUnits, Kind::Output},
    {"LogExtraFields", kExecUnits, Kind::LogFields},
    {"LogRateLimitIntervalUSec", kExecUnits, Kind::Time},
    {"LogRateLimitBurst", kExecUnits, Kind::Number},
    {"UMask", kExecUnits, Kind::Octal},
    {"CapabilityBoundingSet", kExecUnits, Kind::Capabilities},
    {"AmbientCapabilities", kExecUnits, Kind::Capabilities},
    {"NoNewPrivileges", kExecUnits, Kind::Bool},
    {"RestrictAddressFamilies", kExecUnits, Kind::Names},
    {"SystemCallFilter", kExecUnits, Kind::Names},
    {"SystemCallArchitectures", kExecUnits, Kind::WordList},
    {"SystemCallErrorNumber", kExecUnits, Kind::Errno},
    {"LockPersonality", kExecUnits, Kind::Bool},
    {"MemoryDenyWriteExecute", kExecUnits, Kind::Bool},
    {"RestrictRealtime", kExecUnits, Kind::Bool},
    {"RestrictSUIDSGID", kExecUnits, Kind::Bool},
    {"RestrictNamespaces", kExecUnits, Kind::Namespaces},
    {"ProtectSystem", kExecUnits, Kind::Word},
    {"ProtectHome", kExecUnits, Kind::Word},
    {"PrivateTmp", kExecUnits, Kind::Bool},
    {"PrivateDevices", kExecUnits, Kind::Bool},
    {"PrivateNetwork", kExecUnits, Kind::Bool},
    {"PrivateUsers", kExecUnits, Kind::Bool},
    {"ProtectKernelTunables", kExecUnits, Kind::Bool},
    {"ProtectKernelModules", kExecUnits, Kind::Bool},
    {"ProtectKernelLogs", kExecUnits, Kind::Bool},
    {"ProtectControlGroups", kExecUnits, Kind::Bool},
    {"ProtectClock", kExecUnits, Kind::Bool},
    {"ProtectHostname", kExecUnits, Kind::Bool},
    {"ProtectProc", kExecUnits, Kind::Word},
    {"ProcSubset", kExecUnits, Kind::Word},
    {"RemoveIPC", kExecUnits, Kind::Bool},
    // systemd.kill(5)
    {"KillSignal", kExecUnits, Kind::Signal},
    {"KillMode", kExecUnits, Kind::Word},
    {"SendSIGKILL", kExecUnits, Kind::Bool},
    // systemd.resource-control(5)
    {"Slice", kExecUnits, Kind::Text},
    {"CPUAccounting", kCgroupUnits, Kind::Bool},
    {"MemoryAccounting", kCgroupUnits, Kind::Bool},
    {"TasksAccounting", kCgroupUnits, Kind::Bool},
    {"MemoryMax", kCgroupUnits, Kind::Limit},
    {"MemoryHigh", kCgroupUnits, Kind::Limit},
    {"MemorySwapMax", kCgroupUnits, Kind::Limit},
    {"TasksMax", kCgroupUnits, Kind::Limit},
    {"DevicePolicy", kCgroupUnits, Kind::Word},
};

// The namespace types of RestrictNamespaces=, in systemd's order (systemd.exec(5)).
constexpr struct {
  std::uint64_t flag;
  const char* name;
} kNamespaces[] = {
    {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWIPC, "ipc"}, {CLONE_NEWNET, "net"},
    {CLONE_NEWNS, "mnt"},        {CLONE_NEWPID, "pid"}, {CLONE_NEWUSER, "user"},
    {CLONE_NEWUTS, "uts"},
};

// The unit and property being written, for error messages.
struct Context {
  const std::string& unit;
  const std::string& property;
};

[[noreturn]] void refuse(const Context& ctx, const std::string& why) {
  throw Error("cannot write property '" + ctx.property + "' of '" + ctx.unit +
              "' to a unit file: " + why);
}

template <typename T>
const T& as(const Context& ctx, const PropertyValue& value) {
  if (const T* v = std::get_if<T>(&value)) return *v;
  refuse(ctx, "its value has an unexpected D-Bus type");
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

std::string double_percent(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%') out += '%';
    out += c;
  }
  return out;
}

// A value the parser takes up to the end of the line, stripping whitespace around it and
// joining a line that ends in a backslash with the next one (systemd.syntax(7)); specifiers
// are expanded.
std::string text(const Context& ctx, std::string_view s) {
  for (unsigned char c : s)
    if (is_control(c)) refuse(ctx, "it contains a newline or another control character");
  if (!s.empty() && (s.front() == ' ' || s.back() == ' '))
    refuse(ctx, "it starts or ends with a space, which the parser strips");
  if (!s.empty() && s.back() == '\\') refuse(ctx, "it ends in a backslash, which joins lines");
  return double_percent(s);
}

enum class Backslash { Kept, Doubled, Refused };

// One item of a space-separated list: no quoting needed, none allowed. Escaped unit names
// ("pmctl-web\x2dapi.slice") carry backslashes, which each list parser treats its own way
// (checked with systemd-analyze verify: After= keeps them, Sockets= unescapes them).
std::string item(const Context& ctx, std::string_view s, Backslash backslash) {
  if (s.empty()) refuse(ctx, "it has an empty item");
  std::string out;
  for (unsigned char c : s) {
    if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' ||
        (c == '\\' && backslash == Backslash::Refused))
      refuse(ctx, "an item contains whitespace, a quote or a backslash");
    if (c == '%' || (c == '\\' && backslash == Backslash::Doubled)) out += static_cast<char>(c);
    out += static_cast<char>(c);
  }
  return out;
}

// Keywords never contain `%`: refusing it keeps a stray one from becoming a specifier.
std::string word(const Context& ctx, std::string_view s) {
  if (s.find('%') != std::string_view::npos) refuse(ctx, "a keyword cannot contain '%'");
  return item(ctx, s, Backslash::Refused);
}

std::string list(const Context& ctx, const std::vector<std::string>& items,
                 std::optional<Backslash> unit_names) {
  if (items.empty()) refuse(ctx, "the list is empty");
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ' ';
    out += unit_names ? item(ctx, i, *unit_names) : word(ctx, i);
  }
  return out;
}

// A double-quoted word with C escapes (systemd.syntax(7), "Quoting"). `$` stays as it is: a
// unit file's command line is expanded at exec time exactly like an ExecStartEx argv sent
// over D-Bus, so the same `$` means the same thing in both, with or without ':'.
std::string quote(const Context& ctx, std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '%':
        out += "%%";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\0':
        refuse(ctx, "it contains a NUL byte");
      default:
        if (is_control(c)) {
          char hex[5];
          std::snprintf(hex, sizeof hex, "\\x%02x", c);
          out += hex;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + '"';
}

std::string exec_prefix(const Context& ctx, const ExecCommand& cmd) {
  std::string failure, expand, privilege;
  for (const auto& flag : cmd.flags) {
    if (flag == "ignore-failure") {
      failure = "-";
    } else if (flag == "no-env-expand") {
      expand = ":";
    } else {
      const char* p = flag == "privileged"  ? "+"
                      : flag == "no-setuid" ? "!"
                      : flag == "ambient"   ? "!!"
                                            : nullptr;
      if (p == nullptr) refuse(ctx, "unknown command flag '" + flag + "'");
      if (!privilege.empty() && privilege != p)
        refuse(ctx, "a command takes only one of privileged, no-setuid and ambient");
      privilege = p;
    }
  }
  return failure + expand + privilege;
}

// systemd.service(5), "Command lines": the prefixes belong to the first word, "@" puts argv[0]
// in the second one, and a lone ";" would end the command unless written as "\;".
std::string exec_line(const Context& ctx, const ExecCommand& cmd) {
  if (cmd.path.empty() || cmd.argv.empty()) refuse(ctx, "a command has no path or no argv[0]");
  for (unsigned char c : cmd.path)
    if (is_control(c)) refuse(ctx, "a command path contains a control character");
  const bool at = cmd.argv[0] != cmd.path;
  std::string line = quote(ctx, exec_prefix(ctx, cmd) + (at ? "@" : "") + cmd.path);
  for (std::size_t i = at ? 0 : 1; i < cmd.argv.size(); ++i)
    line += ' ' + (cmd.argv[i] == ";" ? std::string("\\;") : quote(ctx, cmd.argv[i]));
  return line;
}

std::string signal_name(const Context& ctx, int sig) {
  const char* abbrev = sigabbrev_np(sig);
  if (abbrev == nullptr) refuse(ctx, "signal " + std::to_string(sig) + " has no name");
  return std::string("SIG") + abbrev;
}

std::string exit_statuses(const Context& ctx, const ExitStatusSet& set) {
  std::string out;
  for (const auto code : set.codes) {
    if (code < 0 || code > 255) refuse(ctx, "exit status " + std::to_string(code) + " is invalid");
    out += (out.empty() ? "" : " ") + std::to_string(code);
  }
  for (const auto sig : set.signals) out += (out.empty() ? "" : " ") + signal_name(ctx, sig);
  return out;
}

std::string errno_name(const Context& ctx, int error) {
  const char* name = error > 0 ? strerrorname_np(error) : nullptr;
  if (name == nullptr) refuse(ctx, "errno " + std::to_string(error) + " has no name");
  return name;
}

std::string octal(const Context& ctx, std::uint32_t mode) {
  if (mode > 07777) refuse(ctx, "mode " + std::to_string(mode) + " is out of range");
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

// The empty assignment is the empty capability set (systemd.exec(5)); pmctl only ever drops
// every capability, so other masks are not translated into names.
// The capabilities pmctl's units keep, by their bit in linux/capability.h.
constexpr struct {
  int bit;
  const char* name;
} kCapabilities[] = {{0, "CAP_CHOWN"},  {1, "CAP_DAC_OVERRIDE"}, {2, "CAP_DAC_READ_SEARCH"},
                     {3, "CAP_FOWNER"}, {5, "CAP_KILL"},         {6, "CAP_SETGID"},
                     {7, "CAP_SETUID"}};

std::string capabilities(const Context& ctx, std::uint64_t mask) {
  std::string names;
  for (const auto& cap : kCapabilities) {
    if (!(mask & (1ULL << cap.bit))) continue;
    names += (names.empty() ? "" : " ") + std::string(cap.name);
    mask &= ~(1ULL << cap.bit);
  }
  if (mask != 0) refuse(ctx, "it holds a capability pmctl does not name");
  return names;
}

// D-Bus carries the namespace types allowed; "yes" allows none, "no" all of them.
std::string namespaces(const Context& ctx, std::uint64_t allowed) {
  if (allowed == 0) return "yes";
  std::uint64_t all = 0;
  std::string names;
  for (const auto& ns : kNamespaces) {
    all |= ns.flag;
    if (allowed & ns.flag) names += (names.empty() ? "" : " ") + std::string(ns.name);
  }
  if (allowed == all || allowed == kInfinity) return "no";
  if (allowed & ~all) refuse(ctx, "it allows namespace types systemd 252 cannot name");
  return names;
}

// systemd.exec(5): file:, append: and truncate: take a path, the other values are keywords.
std::string output(const Context& ctx, const std::string& value) {
  for (const std::string_view kind : {"file:", "append:", "truncate:"})
    if (value.starts_with(kind))
      return std::string(kind) + text(ctx, std::string_view(value).substr(kind.size()));
  return word(ctx, value);
}

std::string number(const Context& ctx, const PropertyValue& value) {
  if (const auto* v = std::get_if<std::int32_t>(&value)) return std::to_string(*v);
  if (const auto* v = std::get_if<std::uint32_t>(&value)) return std::to_string(*v);
  return std::to_string(as<std::uint64_t>(ctx, value));
}

const std::vector<std::string>& strings(const Context& ctx, const PropertyValue& value) {
  return as<std::vector<std::string>>(ctx, value);
}

std::string without_suffix(std::string_view s, std::string_view suffix) {
  return std::string(s.substr(0, s.size() - suffix.size()));
}

// The directive lines of one property.
std::vector<std::string> render(const Context& ctx, Kind kind, const PropertyValue& value) {
  const std::string& name = ctx.property;
  const auto one = [&](const std::string& v) { return std::vector<std::string>{name + "=" + v}; };
  std::vector<std::string> lines;
  switch (kind) {
    case Kind::Bool:
      return one(as<bool>(ctx, value) ? "yes" : "no");
    case Kind::Number:
      return one(number(ctx, value));
    case Kind::Time: {
      const auto usec = as<std::uint64_t>(ctx, value);
      const std::string v = usec == kInfinity ? "infinity" : std::to_string(usec) + "us";
      return {without_suffix(name, "USec") + "Sec=" + v};
    }
    case Kind::Limit: {
      const auto n = as<std::uint64_t>(ctx, value);
      return one(n == kInfinity ? "infinity" : std::to_string(n));
    }
    case Kind::Text:
      return one(text(ctx, as<std::string>(ctx, value)));
    case Kind::Word:
      return one(word(ctx, as<std::string>(ctx, value)));
    case Kind::UnitList:
      return one(list(ctx, strings(ctx, value), Backslash::Kept));
    case Kind::SocketList:
      return one(list(ctx, strings(ctx, value), Backslash::Doubled));
    case Kind::InstallList:
      return one(list(ctx, strings(ctx, value), Backslash::Refused));
    case Kind::WordList:
      return one(list(ctx, strings(ctx, value), std::nullopt));
    case Kind::Exec:
      for (const auto& cmd : as<std::vector<ExecCommand>>(ctx, value))
        lines.push_back(without_suffix(name, "Ex") + "=" + exec_line(ctx, cmd));
      return lines;
    case Kind::ExitStatus:
      return one(exit_statuses(ctx, as<ExitStatusSet>(ctx, value)));
    case Kind::EnvFiles:
      for (const auto& file : as<std::vector<EnvironmentFile>>(ctx, value)) {
        if (!file.path.starts_with('/')) refuse(ctx, "an environment file path is not absolute");
        lines.push_back("EnvironmentFile=" + std::string(file.ignore_missing ? "-" : "") +
                        text(ctx, file.path));
      }
      return lines;
    case Kind::LogFields:
      for (const auto& field : as<ByteArrays>(ctx, value).items)
        lines.push_back(name + "=" + quote(ctx, field));
      return lines;
    case Kind::Listen:
      for (const auto& listen : as<std::vector<ListenAddress>>(ctx, value))
        lines.push_back("Listen" + word(ctx, listen.type) + "=" + text(ctx, listen.address));
      return lines;
    case Kind::Names: {
      const auto& names = as<NameList>(ctx, value);
      return one((names.allow ? "" : "~") + list(ctx, names.names, std::nullopt));
    }
    case Kind::Octal:
      return one(octal(ctx, as<std::uint32_t>(ctx, value)));
    case Kind::Signal:
      return one(signal_name(ctx, as<std::int32_t>(ctx, value)));
    case Kind::Errno:
      return one(errno_name(ctx, as<std::int32_t>(ctx, value)));
    case Kind::Capabilities:
      return one(capabilities(ctx, as<std::uint64_t>(ctx, value)));
    case Kind::Namespaces:
      return one(namespaces(ctx, as<std::uint64_t>(ctx, value)));
    case Kind::Output:
      return one(output(ctx, as<std::string>(ctx, value)));
  }
  refuse(ctx, "internal error: unhandled kind");
}

const Rule& rule_of(const Context& ctx) {
  for (const auto& rule : kRules)
    if (rule.property == ctx.property) return rule;
  refuse(ctx, "pmctl does not know this property");
}

struct TypeSection {
  unsigned where;    // 0 for a target: only [Unit] and [Install]
  std::string name;  // "Service"
};

TypeSection type_section(const std::string& unit) {
  const std::string_view type = std::string_view(unit).substr(unit.rfind('.') + 1);
  if (unit.find('.') == std::string::npos) throw Error("unit name '" + unit + "' has no type");
  if (type == "service") return {kService, "Service"};
  if (type == "socket") return {kSocket, "Socket"};
  if (type == "slice") return {kSlice, "Slice"};
  if (type == "timer") return {kTimer, "Timer"};
  if (type == "target") return {0, ""};
  throw Error("cannot write a unit file for '" + unit + "': unsupported unit type");
}

std::string comment(const std::string& header) {
  std::string out;
  std::string_view rest = header;
  while (!rest.empty()) {
    const auto eol = rest.find('\n');
    const std::string_view line = rest.substr(0, eol);
    out += line.empty() ? "#\n" : "# " + std::string(line) + "\n";
    rest = eol == std::string_view::npos ? "" : rest.substr(eol + 1);
  }
  return out;
}

void append_section(std::string& out, std::string_view name, const std::string& body) {
  if (body.empty()) return;
  if (!out.empty()) out += '\n';
  out.append("[").append(name).append("]\n").append(body);
}

}  // namespace

std::string render_unit_file(const UnitSpec& spec, const std::string& header_comment) {
  const TypeSection type = type_section(spec.name);
  std::string unit, typed, install;
  for (const auto& p : spec.properties) {
    const Context ctx{spec.name, p.name};
    const Rule& rule = rule_of(ctx);
    std::string* section = rule.where & kUnitSection      ? &unit
                           : rule.where & kInstallSection ? &install
                           : rule.where & type.where      ? &typed
                                                          : nullptr;
    if (section == nullptr) refuse(ctx, "this unit type has no such setting");
    for (const auto& line : render(ctx, rule.kind, p.value)) section->append(line).append("\n");
  }
  std::string out = comment(header_comment);
  append_section(out, "Unit", unit);
  append_section(out, type.name, typed);
  append_section(out, "Install", install);
  return out;
}

std::string render_exec_dropin(const UnitSpec& spec, const std::string& header_comment) {
  const TypeSection type = type_section(spec.name);
  std::string typed;
  for (const auto& p : spec.properties) {
    if (!p.name.starts_with("Exec")) continue;
    const Context ctx{spec.name, p.name};
    const Rule& rule = rule_of(ctx);
    if (rule.kind != Kind::Exec || !(rule.where & type.where))
      refuse(ctx, "this unit type has no such setting");
    // An empty assignment first: it empties the list, so the drop-in replaces the commands of
    // the unit's own file rather than adding to them (and a systemd that did keep them keeps one
    // copy).
    const std::string key = p.name.substr(0, p.name.size() - 2);  // "ExecStartEx" -> "ExecStart"
    typed.append(key).append("=\n");
    for (const auto& line : render(ctx, rule.kind, p.value)) typed.append(line).append("\n");
  }
  if (typed.empty()) return "";
  std::string out = comment(header_comment);
  append_section(out, type.name, typed);
  return out;
}

}  // namespace pmctl::core
