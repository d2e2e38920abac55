#pragma once
// The lifecycle's parts over the in-memory manager and a registry in a temp dir.

#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/lifecycle/lifecycle.hpp"
#include "fake_manager.hpp"

namespace pmctl::test {

class PartsTest : public ::testing::Test {
 protected:
  PartsTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("pmctl-parts-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))),
        registry_(dir_ / "state"),
        deps_(registry_, manager_, core::Scope::System, [this] { return tools(); }) {}
  ~PartsTest() override { std::filesystem::remove_all(dir_); }

  core::Tools tools() {
    core::Tools t;
    t.unit_dir = (dir_ / "units").string();
    t.runtime_dir = (dir_ / "run").string();
    t.boot_unit_dir = (dir_ / "boot").string();
    t.port_free = [](const std::string&, std::uint16_t) { return true; };
    t.endpoint_ready = [](const std::string&, std::chrono::milliseconds) { return true; };
    t.set_linger = [this](unsigned uid, bool on) {
      lingers_.push_back(std::to_string(uid) + (on ? " on" : " off"));
    };
    return t;
  }

  core::AppDecl decl(const std::string& name) {
    core::AppDecl d;
    d.name = name;
    d.script = "/srv/" + name + ".sh";
    d.interpreter = "/bin/bash";
    d.cwd = "/srv";
    return d;
  }

  /// A cluster app of `instances` behind port 3999.
  core::AppDecl cluster(const std::string& name, int instances) {
    core::AppDecl d = decl(name);
    d.cluster.enabled = true;
    d.cluster.instances = instances;
    d.cluster.public_port = 3999;
    return d;
  }

  static inline int counter_ = 0;
  std::filesystem::path dir_;
  core::Registry registry_;
  FakeManager manager_;
  std::vector<std::string> lingers_;
  core::Deps deps_;
  core::RuntimeUnits units_{deps_};
  core::Balancers balancers_{deps_, units_};
  core::Companions companions_{deps_, units_};
  core::Launcher launcher_{deps_, units_, balancers_, companions_};
  core::Views views_{deps_};
  core::Completion completion_{deps_, units_, balancers_, launcher_};
  core::Instances instances_{deps_,  units_,      balancers_, launcher_,
                             views_, completion_, companions_};
  core::Rollout rollout_{deps_, units_, balancers_, launcher_, instances_, completion_};
  core::NewApps new_apps_{deps_,      units_, balancers_, launcher_,
                          instances_, views_, rollout_,   completion_};
  core::BootStore boot_{deps_, units_, balancers_, launcher_, instances_, views_};
};

}  // namespace pmctl::test
