#pragma once

#include <chrono>
#include <ctime>
#include <string>
#include <string_view>

namespace pmctl::core {

/// One instant, broken down in local time and in UTC, with its milliseconds.
struct Moment {
  std::tm local{};  ///< tm_gmtoff gives the Z and ZZ tokens.
  std::tm utc{};
  int millis = 0;
};

Moment moment_of(std::chrono::system_clock::time_point t);

/// Formats `m` with a dayjs format string, as PM2's log_date_format does. Tokens: YYYY YY,
/// MMMM MMM MM M, DD D, dddd ddd dd d, HH H hh h, mm m, ss s, SSS, A a, Z ZZ; text in [brackets]
/// is literal, anything else is copied as is.
std::string format_dayjs(std::string_view format, const Moment& m);

/// `new Date().toISOString()`: UTC with milliseconds, e.g. 2024-05-01T09:03:07.042Z.
std::string iso_utc(const Moment& m);

}  // namespace pmctl::core
