#pragma once
// What a command line pmctl cannot run gets said as: one pmctl sentence and a hint, never the
// parser's own words, and for a command PM2 has and pmctl has not, the pmctl way to do it.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "cli/errors.hpp"

namespace pmctl::cli {

/// A PM2 command pmctl does not have: what to do instead (or that it is planned); nullopt for
/// a word PM2 does not have either.
std::optional<Translated> pm2_only_command(const std::string& word);

/// A parse error of `pmctl <command> ...` in pmctl's words.
Translated parse_error_text(const CLI::ParseError& error, const std::string& command);

}  // namespace pmctl::cli
