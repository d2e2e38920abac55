#include "systemd/wire_query.hpp"

#include <unordered_map>

#include "systemd/unit_fields.hpp"

namespace pmctl::sd::wire {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kTimeout = 25s;
constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kManagerPath = "/org/freedesktop/systemd1";
constexpr const char* kUnitPathPrefix = "/org/freedesktop/systemd1/unit";

/// ListUnitsByNames's rows, `a(ssssssouso)`, applied to the states of the units they name.
void apply_unit_rows(const Reply& reply, std::vector<core::UnitState>& states) {
  if (reply.is_error())
    throw WireError("ListUnitsByNames: " + std::string(reply.header.error_name));
  if (reply.header.signature != "a(ssssssouso)")
    throw WireError("ListUnitsByNames replied " + std::string(reply.header.signature));
  std::unordered_map<std::string_view, std::vector<core::UnitState*>> by_name;
  for (auto& s : states) by_name[s.name].push_back(&s);
  Reader r = reply.body();
  const std::uint32_t length = r.u32();
  r.align(8);
  const std::size_t end = r.position() + length;
  while (r.position() < end) {
    r.align(8);
    const std::string_view id = r.string();
    r.string();  // description
    const std::string_view load = r.string(), active = r.string(), sub = r.string();
    r.string();  // following
    r.string();  // object path ('o' is marshalled as a string)
    r.u32();     // job id
    r.string();  // job type
    r.string();  // job path
    const auto it = by_name.find(id);
    if (it == by_name.end() || load != "loaded") continue;  // an alias, or a not-found stub
    for (core::UnitState* s : it->second) {
      s->loaded = true;
      s->active_state = active;
      s->sub_state = sub;
    }
  }
}

/// One Properties.Get reply, `v`, stored in `state`. An error (a property the unit type lacks)
/// leaves the default, as on the sd-bus path.
void apply_get(const Reply& reply, const FieldInfo& info, core::UnitState& state) {
  if (reply.is_error() || reply.header.signature != "v") return;
  Reader r = reply.body();
  const std::string_view type = r.signature();
  if (type != info.signature) return;
  if (type == "s")
    store(state, info.field, std::string(r.string()));
  else if (type == "t")
    store(state, info.field, r.u64());
  else
    store(state, info.field, r.u32());
}

/// The Properties.Get calls of one batch, and where each answer goes.
class GetBatch {
 public:
  explicit GetBatch(std::size_t units) {
    paths_.reserve(units);
    interfaces_.reserve(units);
  }

  /// Asks for every field of `state` that `wanted` accepts.
  template <typename Wanted>
  void add(core::UnitState& state, Wanted wanted) {
    const std::string* path = nullptr;
    const std::string* interface = nullptr;
    for (const auto& info : kFields) {
      if (!wanted(info)) continue;
      if (path == nullptr) {
        path = &paths_.emplace_back(path_encode(kUnitPathPrefix, state.name));
        interface = &interfaces_.emplace_back(type_interface(state.name));
      }
      Writer args;
      args.string(*interface);
      args.string(info.name);
      calls_.push_back(
          {Call{kService, *path, "org.freedesktop.DBus.Properties", "Get", "ss"}, args.bytes()});
      targets_.push_back({&state, &info});
    }
  }

  std::vector<std::pair<Call, std::string>>& calls() { return calls_; }

  /// Stores the replies (in the order of calls()) in the states of loaded units.
  void apply(const std::vector<Reply>& replies, std::size_t first) {
    for (std::size_t i = 0; i < targets_.size(); ++i)
      if (targets_[i].state->loaded)
        apply_get(replies.at(first + i), *targets_[i].info, *targets_[i].state);
  }

 private:
  struct Target {
    core::UnitState* state;
    const FieldInfo* info;
  };
  std::vector<std::string> paths_, interfaces_;  // reserved: the calls point into them
  std::vector<std::pair<Call, std::string>> calls_;
  std::vector<Target> targets_;
};

}  // namespace

std::vector<core::UnitState> query(Client& client, const std::vector<std::string>& units,
                                   bool main_pid) {
  std::vector<core::UnitState> states(units.size());
  if (units.empty()) return states;
  for (std::size_t i = 0; i < units.size(); ++i) states[i].name = units[i];

  // One write: ListUnitsByNames, then the fields every unit needs whatever its state
  // (NRestarts). The manager answers in order, so the Gets see the same moment. For a unit that
  // turns out not to be loaded those answers are dropped (ListUnitsByNames has already made
  // the same not-found stub that the Get finds).
  Writer names;
  names.strings(units);
  GetBatch first(units.size());
  first.calls().push_back(
      {Call{kService, kManagerPath, "org.freedesktop.systemd1.Manager", "ListUnitsByNames", "as"},
       names.bytes()});
  for (auto& state : states)
    first.add(state, [](const FieldInfo& info) { return info.need == Need::Always; });
  const std::vector<Reply> replies = client.call_all(first.calls(), kTimeout);
  apply_unit_rows(replies.at(0), states);
  first.apply(replies, 1);

  // The fields that depend on the state (a second round trip only when some unit needs one).
  GetBatch second(units.size());
  for (auto& state : states) {
    if (!state.loaded) continue;
    second.add(state, [&](const FieldInfo& info) {
      return info.need != Need::Always && needed(info, state, main_pid);
    });
  }
  if (!second.calls().empty()) second.apply(client.call_all(second.calls(), kTimeout), 0);
  return states;
}

}  // namespace pmctl::sd::wire
