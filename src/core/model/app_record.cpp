#include "core/model/app_record.hpp"

#include <algorithm>

#include "core/types/error.hpp"

namespace pmctl::core {

std::vector<int> RegistryData::ids_named(const std::string& name) const {
  std::vector<int> out;
  for (const auto& app : apps)
    if (app.decl.name == name) out.push_back(app.id);
  return out;
}

std::vector<int> RegistryData::ids() const {
  std::vector<int> out;
  for (const auto& app : apps) out.push_back(app.id);
  return out;
}

AppRecord* RegistryData::find(int id) {
  const auto it =
      std::find_if(apps.begin(), apps.end(), [id](const auto& a) { return a.id == id; });
  return it == apps.end() ? nullptr : &*it;
}

const AppRecord* RegistryData::find(int id) const {
  return const_cast<RegistryData*>(this)->find(id);
}

int RegistryData::allocate_id() {
  if (apps.empty()) next_id = 0;
  // Only a hand-edited registry has the counter on an id in use; never hand out a duplicate,
  // nor the id of a unit that still runs (its app lost from the registry): a new app of the
  // same name would otherwise take over that unit.
  while (find(next_id) != nullptr || (id_taken && id_taken(next_id))) ++next_id;
  return next_id++;
}

void RegistryData::remove(int id) {
  std::erase_if(apps, [id](const AppRecord& a) { return a.id == id; });
  if (apps.empty()) next_id = 0;
}

AppRecord& RegistryData::at(int id) {
  if (AppRecord* rec = find(id)) return *rec;
  throw Error("no app with id " + std::to_string(id), "see 'pmctl ls' for the registered apps");
}

}  // namespace pmctl::core
