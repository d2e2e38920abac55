// Prometheus's text exposition format 0.0.4 (core/text/prometheus): families, labels, escapes,
// numbers. `promtool check metrics` reads the real thing in MetricsTest.
#include "core/text/prometheus.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace pmctl::test {
namespace {

using core::MetricFamily;

TEST(Prometheus, RendersHelpTypeAndOneLinePerSample) {
  const std::vector<MetricFamily> families = {
      {"pmctl_up",
       "Whether the instance runs.",
       "gauge",
       {{{{"name", "api"}, {"id", "0"}}, 1}, {{{"name", "api"}, {"id", "1"}}, 0}}},
      {"pmctl_restarts_total", "Restarts.", "counter", {}},
      {"pmctl_apps", "Apps.", "gauge", {{{}, 2}}},
  };
  EXPECT_EQ(core::render_exposition(families),
            "# HELP pmctl_up Whether the instance runs.\n"
            "# TYPE pmctl_up gauge\n"
            "pmctl_up{name=\"api\",id=\"0\"} 1\n"
            "pmctl_up{name=\"api\",id=\"1\"} 0\n"
            "# HELP pmctl_restarts_total Restarts.\n"
            "# TYPE pmctl_restarts_total counter\n"
            "# HELP pmctl_apps Apps.\n"
            "# TYPE pmctl_apps gauge\n"
            "pmctl_apps 2\n");
}

TEST(Prometheus, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(core::escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(core::escape_label_value("plain ünïcode"), "plain ünïcode");
  const std::vector<MetricFamily> families = {
      {"m", "back\\slash\nnew \"quoted\"", "gauge", {{{{"l", "x\"y"}}, 1}}}};
  EXPECT_EQ(core::render_exposition(families),
            "# HELP m back\\\\slash\\nnew \"quoted\"\n"
            "# TYPE m gauge\n"
            "m{l=\"x\\\"y\"} 1\n");
}

TEST(Prometheus, PrintsWholeNumbersAsIntegersAndTheRestShortest) {
  const auto line = [](double v) {
    const std::string text = core::render_exposition({{"m", "h", "gauge", {{{}, v}}}});
    return text.substr(text.rfind("m ") + 2);
  };
  EXPECT_EQ(line(0), "0\n");
  EXPECT_EQ(line(123456789012), "123456789012\n");
  EXPECT_EQ(line(-3), "-3\n");
  EXPECT_EQ(line(0.25), "0.25\n");
  EXPECT_EQ(line(12.3456), "12.3456\n");
  EXPECT_EQ(line(1e20), "1e+20\n");
  EXPECT_EQ(line(std::numeric_limits<double>::quiet_NaN()), "NaN\n");
  EXPECT_EQ(line(std::numeric_limits<double>::infinity()), "+Inf\n");
  EXPECT_EQ(line(-std::numeric_limits<double>::infinity()), "-Inf\n");
}

}  // namespace
}  // namespace pmctl::test
