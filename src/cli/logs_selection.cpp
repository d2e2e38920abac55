// Which apps and units `pmctl logs` reads, and the instances that start while it follows.
#include "cli/logs_selection.hpp"

#include <algorithm>

#include "core/base/utf8.hpp"
#include "core/model/selectors.hpp"
#include "core/state/log_files.hpp"
#include "core/text/log_view.hpp"
#include "core/types/error.hpp"
#include "core/units/unit_names.hpp"

namespace pmctl::cli {
namespace {

/// An app with the journal off has its output in files only: where.
std::string files_of(const core::AppRecord& rec) {
  const core::LogTargets t = core::log_targets(rec.decl.logs, rec.id);
  std::string files;
  for (const std::string* f : {&t.out, &t.err, &t.log})
    if (!f->empty() && files.find(*f) == std::string::npos) files += " " + *f;
  return "'" + rec.decl.name + "' (id " + std::to_string(rec.id) +
         ") writes to files, not the journal (journal: false):" + (files.empty() ? " none" : files);
}

bool selects_all(const std::string& target) { return target.empty() || target == "all"; }

}  // namespace

LogSelection::LogSelection(Context& ctx, LogSelectionOptions options)
    : ctx_(ctx), options_(std::move(options)) {
  query_.streams = options_.streams;
  const auto data = ctx_.registry().load(core::Registry::Environments::Skip);
  const std::vector<int> ids = ids_of(data);
  add_instances(data, ids);
  for (int id : ids) {
    const core::AppRecord* rec = data.find(id);
    if (!rec->decl.logs.journal && !rec->decl.logs.disabled) file_only_.push_back(files_of(*rec));
  }
}

std::vector<int> LogSelection::ids_of(const core::RegistryData& data) const {
  if (selects_all(options_.target)) return data.ids();
  return core::resolve_targets(data, {options_.target}, ctx_.cwd());
}

void LogSelection::add_instances(const core::RegistryData& data, const std::vector<int>& ids) {
  for (int id : ids) {
    const core::AppRecord* rec = data.find(id);
    const LogSource src{
        id, rec->decl.name,
        core::view_date_format(rec->decl.logs.date_format, options_.date_format, options_.time),
        rec->log_watermark_usec};
    // An instance runs under its transient name, its saved unit after a boot, and a cluster
    // instance also under its reload name: the lines of all of them.
    using core::Slot;
    for (Slot slot : rec->decl.cluster.enabled ? std::vector<Slot>{Slot::A, Slot::B, Slot::Saved}
                                               : std::vector<Slot>{Slot::A, Slot::Saved}) {
      const std::string unit = core::service_unit_name(rec->decl.name, id, slot);
      if (sources_.insert_or_assign(unit, src).second) {
        query_.units.push_back(unit);
        query_.group[unit] = std::to_string(id);  // --lines N counts per instance, as PM2's files
      }
      query_.since_usec[unit] = src.since_usec;
    }
    name_width_ = std::max(name_width_, core::display_width(rec->decl.name));
  }
}

const LogSource* LogSelection::source(const std::string& unit) const {
  const auto it = sources_.find(unit);
  return it == sources_.end() ? nullptr : &it->second;
}

const LogSource* LogSelection::find(const std::string& unit) {
  if (const LogSource* src = source(unit)) return src;
  if (!core::parse_service_unit_name(unit)) return nullptr;  // a balancer's, or not pmctl's
  const auto now = std::chrono::steady_clock::now();
  const auto asked = not_selected_.find(unit);
  if (asked != not_selected_.end() && now - asked->second < std::chrono::seconds(1)) return nullptr;
  try {
    const auto data = ctx_.registry().load(core::Registry::Environments::Skip);
    add_instances(data, ids_of(data));
  } catch (const core::Error&) {
    // The target selects nothing any more (its apps were deleted): the selection stays.
  }
  if (const LogSource* src = source(unit)) return src;
  not_selected_[unit] = now;
  return nullptr;
}

}  // namespace pmctl::cli
