#include "balancer/backend_set.hpp"

#include <algorithm>

namespace pmctl::balancer {

void BackendSet::replace(std::vector<BackendSpec> specs) {
  std::vector<BackendPtr> next;
  for (auto& spec : specs) {
    auto same = std::find_if(backends_.begin(), backends_.end(),
                             [&](const BackendPtr& b) { return b->spec.name == spec.name; });
    BackendPtr b = same != backends_.end() ? *same : std::make_shared<Backend>();
    b->spec = std::move(spec);
    b->removed = false;
    next.push_back(std::move(b));
  }
  for (const auto& b : backends_)
    if (std::find(next.begin(), next.end(), b) == next.end()) b->removed = true;
  backends_ = std::move(next);
}

BackendPtr BackendSet::choose(Policy& policy, const std::vector<const Backend*>& tried,
                              Clock::time_point now) const {
  std::vector<Candidate> candidates;
  candidates.reserve(backends_.size());
  for (const auto& b : backends_) {
    bool was_tried = std::find(tried.begin(), tried.end(), b.get()) != tried.end();
    candidates.push_back({!b->spec.drain && !was_tried, b->up(now), b->active});
  }
  auto i = policy.pick(candidates);
  return i ? backends_[*i] : nullptr;
}

}  // namespace pmctl::balancer
