#include "core/base/signals.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <csignal>
#include <utility>

namespace pmctl::core {
namespace {

struct Named {
  std::string_view name;  ///< Without the SIG prefix.
  int number;
};

// The standard signals Linux has (signal(7)), in number order; aliases after the name kill -l
// prints.
constexpr std::array kSignals = {
    Named{"HUP", SIGHUP},       Named{"INT", SIGINT},       Named{"QUIT", SIGQUIT},
    Named{"ILL", SIGILL},       Named{"TRAP", SIGTRAP},     Named{"ABRT", SIGABRT},
    Named{"BUS", SIGBUS},       Named{"FPE", SIGFPE},       Named{"KILL", SIGKILL},
    Named{"USR1", SIGUSR1},     Named{"SEGV", SIGSEGV},     Named{"USR2", SIGUSR2},
    Named{"PIPE", SIGPIPE},     Named{"ALRM", SIGALRM},     Named{"TERM", SIGTERM},
    Named{"STKFLT", SIGSTKFLT}, Named{"CHLD", SIGCHLD},     Named{"CONT", SIGCONT},
    Named{"STOP", SIGSTOP},     Named{"TSTP", SIGTSTP},     Named{"TTIN", SIGTTIN},
    Named{"TTOU", SIGTTOU},     Named{"URG", SIGURG},       Named{"XCPU", SIGXCPU},
    Named{"XFSZ", SIGXFSZ},     Named{"VTALRM", SIGVTALRM}, Named{"PROF", SIGPROF},
    Named{"WINCH", SIGWINCH},   Named{"IO", SIGIO},         Named{"PWR", SIGPWR},
    Named{"SYS", SIGSYS},       Named{"IOT", SIGIOT},       Named{"POLL", SIGPOLL},
    Named{"CLD", SIGCHLD},
};

std::string upper(std::string_view word) {
  std::string out(word);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

/// A decimal number of at most 3 digits, nothing else.
std::optional<int> small_number(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

bool is_signal_number(int n) { return n >= 1 && n <= SIGRTMAX; }

/// "RTMIN", "RTMIN+3", "RTMAX-1" (kill -l's names), within SIGRTMIN..SIGRTMAX.
std::optional<int> realtime(std::string_view name) {
  for (const auto& [base, number] :
       {std::pair<std::string_view, int>{"RTMIN", SIGRTMIN}, {"RTMAX", SIGRTMAX}}) {
    if (!name.starts_with(base)) continue;
    const std::string_view rest = name.substr(base.size());
    if (rest.empty()) return number;
    const auto offset = small_number(rest.substr(1));
    if (!offset || (rest[0] != '+' && rest[0] != '-')) return std::nullopt;
    const int n = rest[0] == '+' ? number + *offset : number - *offset;
    if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> parse_signal(std::string_view word) {
  if (const auto n = small_number(word)) {
    if (is_signal_number(*n)) return n;
    return std::nullopt;
  }
  std::string name = upper(word);
  if (name.starts_with("SIG")) name.erase(0, 3);
  for (const Named& s : kSignals)
    if (s.name == name) return s.number;
  return realtime(name);
}

std::string signal_name(int signal) {
  for (const Named& s : kSignals)
    if (s.number == signal) return "SIG" + std::string(s.name);
  if (signal == SIGRTMIN) return "SIGRTMIN";
  if (signal > SIGRTMIN && signal <= SIGRTMAX)
    return "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
  return std::to_string(signal);
}

}  // namespace pmctl::core
