// pmctl __complete: the words the shell completions (completions/pmctl.bash, _pmctl, pmctl.fish)
// offer, printed by the binary itself so that the scripts never go stale. Hidden from --help.
// The contract, one word a line, fields separated by a tab:
//
//   pmctl __complete commands [<command>]
//       <word>\t<description>: every command word and alias, or <command>'s subcommands
//       (`metrics` -> enable, disable, status); hidden ones (`__complete`, `serve`) left out.
//   pmctl __complete options [<command> [<subcommand>]]
//       <word>\t<flag|value>\t<description>: the command's options, each long and short name;
//       `value` when the option must be followed by one. No command: the global options.
//   pmctl [--user|--system] __complete apps
//       <word>\t<description>: each app's name, then each instance's id, then each namespace;
//       every word once, in registry order. --user and --system choose the registry as for
//       every other command (root: the system's, anyone else: their own).
//
// It always exits 0 and prints nothing it cannot answer (an unknown command, no registry, a
// damaged one, --user with --system): a completion must never print an error into the user's
// command line. `apps` must be fast (no slower than `pmctl jlist`): it reads registry.json and
// the record files under the registry's shared lock and nothing else. It does not go through
// Context::registry(), which adopts a boot's saved apps (a write, the first command after a
// boot) and recovers a damaged registry from the manager's units (a D-Bus connection).
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "core/state/registry.hpp"

namespace pmctl::cli {
namespace {

using RegisterCommands = void (*)(CLI::App&, Context&, const std::string& word);

bool hidden(const CLI::App& sub) { return sub.get_group().empty(); }

/// The first line of a description: what fits beside a word in zsh's and fish's menus.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

void print_commands(const CLI::App& parent) {
  for (const CLI::App* sub : parent.get_subcommands({})) {
    if (hidden(*sub)) continue;
    const std::string about = first_line(sub->get_description());
    std::cout << sub->get_name() << '\t' << about << '\n';
    for (const auto& alias : sub->get_aliases()) std::cout << alias << '\t' << about << '\n';
  }
}

/// Must a value follow the option? Flags take none, and an optional value is not a must.
bool takes_value(const CLI::Option& opt) {
  return opt.get_type_size_min() > 0 && opt.get_expected_min() > 0;
}

void print_options(const CLI::App& cmd) {
  for (const CLI::Option* opt : cmd.get_options()) {
    if (opt->get_group().empty() || !opt->nonpositional()) continue;
    const std::string kind = takes_value(*opt) ? "value" : "flag";
    const std::string about = first_line(opt->get_description());
    for (const auto& name : opt->get_lnames())
      std::cout << "--" << name << '\t' << kind << '\t' << about << '\n';
    for (const auto& name : opt->get_snames())
      std::cout << '-' << name << '\t' << kind << '\t' << about << '\n';
  }
}

/// The (sub)command the words name, or nullptr; `root` itself for no words.
const CLI::App* find_command(const CLI::App& root, const std::vector<std::string>& words) {
  const CLI::App* at = &root;
  for (const auto& word : words) {
    const CLI::App* next = nullptr;
    for (const CLI::App* sub : at->get_subcommands({}))
      if (sub->check_name(word)) next = sub;
    if (!next) return nullptr;
    at = next;
  }
  return at;
}

void print_apps(const Context& ctx) {
  const core::Registry registry(core::default_state_dir(ctx.scope()));
  const auto data = registry.load(core::Registry::Environments::Skip);
  std::set<std::string> printed;
  const auto print = [&](const std::string& word, const std::string& about) {
    if (printed.insert(word).second) std::cout << word << '\t' << about << '\n';
  };
  for (const auto& app : data.apps) print(app.decl.name, "app");
  for (const auto& app : data.apps) print(std::to_string(app.id), app.decl.name);
  for (const auto& app : data.apps) print(app.decl.ns, "namespace");
}

/// Prints what `print` says of the command the words name. The CLI::App `main` parses has only
/// the `__complete` family: the command's family is registered again in one of its own, with a
/// scratch context (every family for `commands`, ~2 ms, as for --help).
void of_command(RegisterCommands register_commands, const std::vector<std::string>& words,
                void (*print)(const CLI::App&)) {
  Context scratch;
  CLI::App all;
  register_commands(all, scratch, words.empty() ? "" : words.front());
  if (const CLI::App* cmd = find_command(all, words)) print(*cmd);
}

void run(const std::string& what, const std::vector<std::string>& words, const CLI::App& root,
         Context& ctx, RegisterCommands register_commands) {
  try {
    if (what == "apps") return print_apps(ctx);
    if (what == "commands") of_command(register_commands, words, print_commands);
    if (what == "commands" && words.empty()) print_commands(root);       // `main`'s own: help
    if (what == "options" && words.empty()) return print_options(root);  // the global ones
    if (what == "options") return of_command(register_commands, words, print_options);
  } catch (const std::exception&) {
    // Nothing to offer; an error here would land in the middle of the user's command line.
  }
}

}  // namespace

void register_complete(CLI::App& app, Context& ctx, RegisterCommands register_commands) {
  CLI::App* cmd = app.add_subcommand("__complete", "The words shell completions offer");
  cmd->group("");  // not for people: completions/ runs it
  auto what = std::make_shared<std::string>();
  auto words = std::make_shared<std::vector<std::string>>();
  cmd->add_option("what", *what, "commands, options or apps")->required();
  cmd->add_option("words", *words, "the command (and subcommand) whose words to print");
  cmd->callback([&app, &ctx, what, words, register_commands] {
    run(*what, *words, app, ctx, register_commands);
  });
}

}  // namespace pmctl::cli
