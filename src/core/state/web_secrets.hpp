#pragma once
// The web dashboard's two secrets, made by `pmctl web enable` and kept 0600 under the manager's
// state directory (<state>/web/): the access token a client from a non-loopback address must
// show, and the CSRF token the page carries and every state-changing request sends back.
// docs/observability.md, "The web dashboard".

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace pmctl::core {

struct WebSecrets {
  std::string token;  ///< access token (non-loopback clients)
  std::string csrf;   ///< the page's CSRF token
};

/// <state>/web/token and <state>/web/csrf.
std::filesystem::path web_token_file(const std::filesystem::path& state_dir);
std::filesystem::path web_csrf_file(const std::filesystem::path& state_dir);

/// Two fresh secrets, 128 random bits each as 32 hex digits (getrandom).
WebSecrets make_web_secrets();

/// The secrets written by `web enable`; nullopt when either is missing or empty.
std::optional<WebSecrets> load_web_secrets(const std::filesystem::path& state_dir);

/// Compares a secret with what a client sent in time that does not depend on where they differ.
bool same_secret(std::string_view secret, std::string_view given);

}  // namespace pmctl::core
