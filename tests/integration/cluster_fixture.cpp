#include "cluster_fixture.hpp"

namespace pmctl::test {

using nlohmann::json;

std::string ask(int port) {
  const Result r =
      sh("python3 -c 'import http.client as h; c=h.HTTPConnection(\"127.0.0.1\", " +
         std::to_string(port) +
         ", timeout=3); c.request(\"GET\", \"/\"); print(c.getresponse().read().decode(), "
         "end=\"\")' 2>/dev/null");
  return r.exit_code == 0 ? r.out.substr(0, r.out.find(' ')) : "";
}

json client_loop(const std::string& client, int port, double seconds) {
  const Result r =
      run({"python3", app_path(client), std::to_string(port), std::to_string(seconds)});
  return json::parse(r.out, nullptr, false);
}

void wait_port_unused(int port) {
  eventually([&] {
    return sh("ss -Htan exclude time-wait '( sport = :" + std::to_string(port) + " )'").out.empty();
  });
}

void ClusterFixture::start_cluster_app(const std::string& app, const std::string& name,
                                       int instances, int port,
                                       const std::vector<std::string>& extra) {
  std::vector<std::string> args{
      "start",  app_path(app),       "--name", name, "-i", std::to_string(instances),
      "--port", std::to_string(port)};
  args.insert(args.end(), extra.begin(), extra.end());
  wait_port_unused(port);
  const Result r = pmctl(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The kernel, not a round-robin, picks who accepts in shared mode: ask more often there.
  const int tries = instances * 12;
  ASSERT_TRUE(eventually([&] {
    return answering(port, tries).size() == static_cast<std::size_t>(instances);
  })) << "not every instance answered through port "
      << port;
}

std::set<std::string> ClusterFixture::answering(int port, int tries) {
  std::set<std::string> seen;
  for (int i = 0; i < tries; ++i)
    if (const std::string who = ask(port); !who.empty()) seen.insert(who);
  return seen;
}

std::vector<json> ClusterFixture::rows(const std::string& name) {
  std::vector<json> out;
  for (const auto& a : jlist())
    if (a["name"] == name) out.push_back(a);
  return out;
}

std::set<int> ClusterFixture::pids(const std::string& name) {
  std::set<int> out;
  for (const auto& row : rows(name)) out.insert(row["pid"].get<int>());
  return out;
}

bool ClusterFixture::all_replaced(const std::string& name, const std::set<int>& before,
                                  std::size_t instances) {
  return eventually(
      [&] {
        const auto now = rows(name);
        if (now.size() != instances) return false;
        for (const auto& row : now)
          if (before.count(row["pid"].get<int>()) || row["pm2_env"]["status"] != "online")
            return false;
        return true;
      },
      std::chrono::seconds(20));
}

}  // namespace pmctl::test
