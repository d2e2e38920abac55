// `pmctl -H a,b ls|jlist`: jlist arrays merged with their host, and the table cells read back.
#include "core/remote/fleet_list.hpp"

#include <gtest/gtest.h>

namespace pmctl::core {
namespace {

using nlohmann::json;

json app(int id, const std::string& name, const std::string& status, std::uint64_t started_ms) {
  return {{"pm_id", id},
          {"name", name},
          {"pid", status == "online" ? 4242 : 0},
          {"monit", {{"cpu", 3}, {"memory", 10 * 1024 * 1024}}},
          {"pm2_env",
           {{"status", status},
            {"namespace", "default"},
            {"version", "1.0.0"},
            {"exec_mode", "cluster_mode"},
            {"pm_uptime", started_ms},
            {"restart_time", 2},
            {"username", "root"},
            {"watch", json::array({"src"})}}}};
}

TEST(FleetList, MergesInHostOrderAndMarksEachAppWithItsHost) {
  const json a = json::array({app(0, "web", "online", 1000), app(1, "web", "online", 1000)});
  const json b = json::array({app(0, "api", "stopped", 0), "junk", 3});
  const json merged = merged_jlist({{"a", a}, {"root@b:22", b}, {"c", json::object()}});
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0]["host"], "a");
  EXPECT_EQ(merged[1]["host"], "a");
  EXPECT_EQ(merged[2]["host"], "root@b:22");
  EXPECT_EQ(merged[2]["name"], "api");
  EXPECT_EQ(merged[0]["pm2_env"]["status"], "online");  // the rest untouched
}

TEST(FleetList, RowsHaveTheHostFirstThenPm2sColumns) {
  const json merged = merged_jlist({{"web1", json::array({app(3, "web", "online", 1000)})},
                                    {"web2", json::array({app(0, "web", "stopped", 0)})}});
  const auto rows = fleet_rows(merged, 1000 + 90 * 1000);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_EQ(rows[0].cells.size(), kFleetColumns.size());
  EXPECT_EQ(rows[0].cells,
            (std::vector<std::string>{"web1", "3", "web", "default", "1.0.0", "cluster", "4242",
                                      "90s", "2", "online", "3%", "10.0mb", "root", "enabled"}));
  EXPECT_EQ(rows[1].cells[0], "web2");
  EXPECT_EQ(rows[1].cells[7], "0");  // a stopped app has no uptime
  EXPECT_EQ(rows[1].cells[13], "disabled");
  EXPECT_FALSE(rows[1].watching);
  EXPECT_EQ(rows[1].status, "stopped");
}

TEST(FleetList, ToleratesMissingFields) {
  const auto rows = fleet_rows(json::array({json{{"name", "x"}, {"host", "h"}}}), 5);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cells[0], "h");
  EXPECT_EQ(rows[0].cells[2], "x");
  EXPECT_EQ(rows[0].cells[9], "");
  EXPECT_TRUE(fleet_rows(json::object(), 5).empty());
}

}  // namespace
}  // namespace pmctl::core
