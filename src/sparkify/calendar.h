// UTC calendar fields of a millisecond timestamp, without time-zone tables: the time table's
// columns and the year/month partition keys.
#pragma once

#include <cstdint>

namespace lakeforge {

struct CalendarFields {
  int32_t year, month, day, hour;
  int32_t week;     // ISO-8601 week number (1..53)
  int32_t weekday;  // 1 = Sunday ... 7 = Saturday (Spark's dayofweek)
};

CalendarFields CalendarOf(int64_t ts_millis);

// CalendarOf for timestamps that come in runs of one day (sorted ones, a time partition): the
// date fields are worked out once per day, then only the hour per timestamp.
class CalendarDays {
 public:
  CalendarFields Of(int64_t ts_millis);
  // The same, and *last_same is the last millisecond with these fields (the end of ts's hour; ts
  // itself at the ends of the int64 range, where a day's bounds are not representable): a caller
  // walking sorted timestamps needs no call until one passes it.
  CalendarFields Of(int64_t ts_millis, int64_t* last_same);

 private:
  int64_t day_start_ = 0, day_end_ = 0;  // the cached day: [day_start_, day_end_) in ms
  bool valid_ = false;
  CalendarFields fields_{};
};

// Months since year 0: year * 12 + month - 1, the key of a year/month partition.
int64_t MonthIndexOf(int64_t ts_millis);

// The year and month (1..12) of a month index.
void YearMonthOfIndex(int64_t month_index, int64_t* year, unsigned* month);

// The first millisecond of a month index; false when it lies beyond the int64 range.
bool MonthStartMillis(int64_t month_index, int64_t* ts_millis);

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace lakeforge
