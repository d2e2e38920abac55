#pragma once
// Prometheus's text exposition format 0.0.4 (what `GET /metrics` answers), as a pure renderer:
// families of samples in, the text out. Which metrics pmctl exports is the caller's business
// (cli/metrics_families.cpp); the rules of the format are here.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pmctl::core {

struct MetricSample {
  std::vector<std::pair<std::string, std::string>> labels;  ///< name, value (any text)
  double value = 0;
};

struct MetricFamily {
  std::string name;  ///< [a-zA-Z_:][a-zA-Z0-9_:]*
  std::string help;
  std::string type;  ///< "counter", "gauge", ...
  std::vector<MetricSample> samples;
};

/// The Content-Type of the format.
inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// `# HELP`, `# TYPE` and one line per sample of each family, in order; a family without
/// samples still has its HELP and TYPE. Label values are escaped (\\, \", \n), HELP text too
/// (\\, \n); values print as integers when whole, else in the shortest form that reads back the
/// same, and NaN / +Inf / -Inf as the format spells them.
std::string render_exposition(const std::vector<MetricFamily>& families);

/// A label value with the format's escapes.
std::string escape_label_value(std::string_view value);

}  // namespace pmctl::core
