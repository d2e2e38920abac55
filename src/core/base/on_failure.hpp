#pragma once
// The one rollback idiom: `const OnFailure undo([&] { ... });` runs its function when the scope
// is left by an exception, and does nothing when the scope ends normally. The function is best
// effort: what it throws is dropped, so one failed step of a rollback does not stop the others
// (each step that must go on regardless gets its own OnFailure or its own try).

#include <exception>
#include <utility>

namespace pmctl::core {

template <typename F>
class OnFailure {
 public:
  explicit OnFailure(F undo) : undo_(std::move(undo)) {}
  OnFailure(const OnFailure&) = delete;
  OnFailure& operator=(const OnFailure&) = delete;
  ~OnFailure() {
    if (std::uncaught_exceptions() <= unwinding_) return;
    try {
      undo_();
    } catch (...) {  // NOLINT(bugprone-empty-catch): best effort, see above
    }
  }

 private:
  F undo_;
  int unwinding_ = std::uncaught_exceptions();
};

/// Runs `step` and drops what it throws: one step of a best-effort cleanup.
template <typename F>
void quietly(F&& step) noexcept {
  try {
    step();
  } catch (...) {  // NOLINT(bugprone-empty-catch)
  }
}

}  // namespace pmctl::core
