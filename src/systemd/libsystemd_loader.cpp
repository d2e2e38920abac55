// libsystemd, loaded on first use.
//
// pmctl is not linked against libsystemd: loading it and the five libraries it needs (gcrypt,
// lzma, zstd, lz4, cap) costs about 2 ms of every process start on a small VM, and the commands
// that only read (`ls`, `jlist`, `show`) do not need it: they talk to the manager's private
// socket themselves (wire_*.cpp). The commands that change things or read the journal call the
// sd-bus and sd-journal functions below; the first call loads libsystemd.so.0 with dlopen and
// looks up every function at once. The declarations come from libsystemd's own headers, so a
// wrong signature here does not compile.
#include "systemd/libsystemd_loader.hpp"

#include <dlfcn.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

#include <cstdarg>
#include <string>

// Every function pmctl calls: X(name, its parameters, the arguments that forward them).
#define PMCTL_LIBSYSTEMD_FUNCTIONS(X)                                                              \
  X(sd_bus_new, (sd_bus * *ret), (ret))                                                            \
  X(sd_bus_open_system, (sd_bus * *ret), (ret))                                                    \
  X(sd_bus_open_user, (sd_bus * *ret), (ret))                                                      \
  X(sd_bus_set_address, (sd_bus * bus, const char* address), (bus, address))                       \
  X(sd_bus_set_bus_client, (sd_bus * bus, int b), (bus, b))                                        \
  X(sd_bus_negotiate_fds, (sd_bus * bus, int b), (bus, b))                                         \
  X(sd_bus_start, (sd_bus * bus), (bus))                                                           \
  X(sd_bus_process, (sd_bus * bus, sd_bus_message * *r), (bus, r))                                 \
  X(sd_bus_wait, (sd_bus * bus, uint64_t timeout_usec), (bus, timeout_usec))                       \
  X(sd_bus_flush_close_unref, (sd_bus * bus), (bus))                                               \
  X(sd_bus_slot_unref, (sd_bus_slot * slot), (slot))                                               \
  X(sd_bus_message_unref, (sd_bus_message * m), (m))                                               \
  X(sd_bus_call,                                                                                   \
    (sd_bus * bus, sd_bus_message * m, uint64_t usec, sd_bus_error * ret_error,                    \
     sd_bus_message * *reply),                                                                     \
    (bus, m, usec, ret_error, reply))                                                              \
  X(sd_bus_call_methodv,                                                                           \
    (sd_bus * bus, const char* destination, const char* path, const char* interface,               \
     const char* member, sd_bus_error* ret_error, sd_bus_message** reply, const char* types,       \
     va_list ap),                                                                                  \
    (bus, destination, path, interface, member, ret_error, reply, types, ap))                      \
  X(sd_bus_call_method_asyncv,                                                                     \
    (sd_bus * bus, sd_bus_slot * *slot, const char* destination, const char* path,                 \
     const char* interface, const char* member, sd_bus_message_handler_t callback, void* userdata, \
     const char* types, va_list ap),                                                               \
    (bus, slot, destination, path, interface, member, callback, userdata, types, ap))              \
  X(sd_bus_get_property_string,                                                                    \
    (sd_bus * bus, const char* destination, const char* path, const char* interface,               \
     const char* member, sd_bus_error* ret_error, char** ret),                                     \
    (bus, destination, path, interface, member, ret_error, ret))                                   \
  X(sd_bus_match_signal,                                                                           \
    (sd_bus * bus, sd_bus_slot * *ret, const char* sender, const char* path,                       \
     const char* interface, const char* member, sd_bus_message_handler_t callback,                 \
     void* userdata),                                                                              \
    (bus, ret, sender, path, interface, member, callback, userdata))                               \
  X(sd_bus_path_encode, (const char* prefix, const char* external_id, char** ret_path),            \
    (prefix, external_id, ret_path))                                                               \
  X(sd_bus_error_free, (sd_bus_error * e), (e))                                                    \
  X(sd_bus_error_has_name, (const sd_bus_error* e, const char* name), (e, name))                   \
  X(sd_bus_error_is_set, (const sd_bus_error* e), (e))                                             \
  X(sd_bus_message_new_method_call,                                                                \
    (sd_bus * bus, sd_bus_message * *m, const char* destination, const char* path,                 \
     const char* interface, const char* member),                                                   \
    (bus, m, destination, path, interface, member))                                                \
  X(sd_bus_message_appendv, (sd_bus_message * m, const char* types, va_list ap), (m, types, ap))   \
  X(sd_bus_message_append_array, (sd_bus_message * m, char type, const void* ptr, size_t size),    \
    (m, type, ptr, size))                                                                          \
  X(sd_bus_message_open_container, (sd_bus_message * m, char type, const char* contents),          \
    (m, type, contents))                                                                           \
  X(sd_bus_message_close_container, (sd_bus_message * m), (m))                                     \
  X(sd_bus_message_enter_container, (sd_bus_message * m, char type, const char* contents),         \
    (m, type, contents))                                                                           \
  X(sd_bus_message_readv, (sd_bus_message * m, const char* types, va_list ap), (m, types, ap))     \
  X(sd_bus_message_is_method_error, (sd_bus_message * m, const char* name), (m, name))             \
  X(sd_journal_open, (sd_journal * *ret, int flags), (ret, flags))                                 \
  X(sd_journal_close, (sd_journal * j), (j))                                                       \
  X(sd_journal_previous, (sd_journal * j), (j))                                                    \
  X(sd_journal_next, (sd_journal * j), (j))                                                        \
  X(sd_journal_get_realtime_usec, (sd_journal * j, uint64_t * ret), (j, ret))                      \
  X(sd_journal_set_data_threshold, (sd_journal * j, size_t sz), (j, sz))                           \
  X(sd_journal_get_data, (sd_journal * j, const char* field, const void** data, size_t* l),        \
    (j, field, data, l))                                                                           \
  X(sd_journal_add_match, (sd_journal * j, const void* data, size_t size), (j, data, size))        \
  X(sd_journal_flush_matches, (sd_journal * j), (j))                                               \
  X(sd_journal_seek_tail, (sd_journal * j), (j))                                                   \
  X(sd_journal_seek_realtime_usec, (sd_journal * j, uint64_t usec), (j, usec))                     \
  X(sd_journal_get_fd, (sd_journal * j), (j))                                                      \
  X(sd_journal_wait, (sd_journal * j, uint64_t timeout_usec), (j, timeout_usec))

namespace pmctl::sd {
namespace {

/// One pointer per function, of the type libsystemd's header declares.
struct Functions {
#define PMCTL_MEMBER(name, params, args) decltype(&::name) name = nullptr;
  PMCTL_LIBSYSTEMD_FUNCTIONS(PMCTL_MEMBER)
#undef PMCTL_MEMBER
};

// Every function is looked up here, so that a missing one throws before any libsystemd code has
// run: a function first called inside an sd-bus callback (sd_bus_message_read in a reply
// handler) must not throw, that would unwind through libsystemd's C frames.
Functions load() {
  void* handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw LoadError(std::string("cannot load libsystemd: ") + (why ? why : "unknown error"));
  }
  const auto find = [handle](const char* name) {
    void* fn = dlsym(handle, name);
    if (fn == nullptr) {
      dlclose(handle);
      throw LoadError(std::string("libsystemd.so.0 has no ") + name +
                      " (systemd 252 or newer is needed)");
    }
    return fn;
  };
  Functions f;
#define PMCTL_LOOKUP(name, params, args) f.name = reinterpret_cast<decltype(&::name)>(find(#name));
  PMCTL_LIBSYSTEMD_FUNCTIONS(PMCTL_LOOKUP)
#undef PMCTL_LOOKUP
  return f;
}

const Functions& functions() {
  // An initialiser that throws leaves the static uninitialised: the next call loads again.
  static const Functions f = load();
  return f;
}

/// The return type of a function pointer type.
template <typename F>
struct ReturnOf;
template <typename R, typename... A>
struct ReturnOf<R (*)(A...)> {
  using type = R;
};

}  // namespace
}  // namespace pmctl::sd

// Defines `name` with the parameters `params`, forwarding `args` to the real function.
#define PMCTL_FORWARD(name, params, args)                               \
  extern "C" pmctl::sd::ReturnOf<decltype(&::name)>::type name params { \
    return pmctl::sd::functions().name args;                            \
  }
PMCTL_LIBSYSTEMD_FUNCTIONS(PMCTL_FORWARD)
#undef PMCTL_FORWARD

// The variadic entry points, over their va_list forms above.

extern "C" int sd_bus_message_append(sd_bus_message* m, const char* types, ...) {
  va_list ap;
  va_start(ap, types);
  const int r = sd_bus_message_appendv(m, types, ap);
  va_end(ap);
  return r;
}

extern "C" int sd_bus_message_read(sd_bus_message* m, const char* types, ...) {
  va_list ap;
  va_start(ap, types);
  const int r = sd_bus_message_readv(m, types, ap);
  va_end(ap);
  return r;
}

extern "C" int sd_bus_call_method(sd_bus* bus, const char* destination, const char* path,
                                  const char* interface, const char* member,
                                  sd_bus_error* ret_error, sd_bus_message** reply,
                                  const char* types, ...) {
  va_list ap;
  va_start(ap, types);
  const int r =
      sd_bus_call_methodv(bus, destination, path, interface, member, ret_error, reply, types, ap);
  va_end(ap);
  return r;
}

extern "C" int sd_bus_call_method_async(sd_bus* bus, sd_bus_slot** slot, const char* destination,
                                        const char* path, const char* interface, const char* member,
                                        sd_bus_message_handler_t callback, void* userdata,
                                        const char* types, ...) {
  va_list ap;
  va_start(ap, types);
  const int r = sd_bus_call_method_asyncv(bus, slot, destination, path, interface, member, callback,
                                          userdata, types, ap);
  va_end(ap);
  return r;
}
