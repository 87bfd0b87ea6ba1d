// Civil-date arithmetic after Howard Hinnant's public-domain algorithms (days <-> y/m/d).
#include "sparkify/calendar.h"

namespace lakeforge {
namespace {

constexpr int64_t kDayMillis = 86'400'000, kHourMillis = 3'600'000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = yy + (*m <= 2);
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CalendarFields CalendarOf(int64_t ts_millis) {
  int64_t days = FloorDiv(ts_millis, kDayMillis);
  // Not ts - days * kDayMillis: near INT64_MIN the product of the floored day overflows.
  int64_t in_day = ts_millis % kDayMillis;
  if (in_day < 0) in_day += kDayMillis;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  int64_t dow0 = ((days + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
  int64_t iso_dow = dow0 == 0 ? 7 : dow0;   // Monday = 1 ... Sunday = 7
  int64_t thursday = days - iso_dow + 4;    // the ISO week belongs to the year of its Thursday
  int64_t ty;
  unsigned tm, td;
  CivilFromDays(thursday, &ty, &tm, &td);
  int64_t week = (thursday - DaysFromCivil(ty, 1, 1)) / 7 + 1;
  return CalendarFields{static_cast<int32_t>(y),    static_cast<int32_t>(m),
                        static_cast<int32_t>(d),    static_cast<int32_t>(in_day / kHourMillis),
                        static_cast<int32_t>(week), static_cast<int32_t>(dow0 + 1)};
}

CalendarFields CalendarDays::Of(int64_t ts_millis) {
  if (valid_ && ts_millis >= day_start_ && ts_millis < day_end_) {
    fields_.hour = static_cast<int32_t>((ts_millis - day_start_) / kHourMillis);
    return fields_;
  }
  fields_ = CalendarOf(ts_millis);
  // The day's bounds; at the ends of the int64 range they are not representable: no caching there.
  int64_t days = FloorDiv(ts_millis, kDayMillis);
  valid_ = !__builtin_mul_overflow(days, kDayMillis, &day_start_) &&
           !__builtin_add_overflow(day_start_, kDayMillis, &day_end_);
  return fields_;
}

CalendarFields CalendarDays::Of(int64_t ts_millis, int64_t* last_same) {
  CalendarFields f = Of(ts_millis);
  // Within a cached day the hour's last millisecond is below day_end_, so it cannot overflow.
  *last_same = valid_ ? day_start_ + (f.hour + 1) * kHourMillis - 1 : ts_millis;
  return f;
}

int64_t MonthIndexOf(int64_t ts_millis) {
  CalendarFields f = CalendarOf(ts_millis);
  return int64_t{f.year} * 12 + f.month - 1;
}

void YearMonthOfIndex(int64_t month_index, int64_t* year, unsigned* month) {
  *year = FloorDiv(month_index, 12);
  *month = static_cast<unsigned>(month_index - *year * 12 + 1);
}

bool MonthStartMillis(int64_t month_index, int64_t* ts_millis) {
  int64_t year;
  unsigned month;
  YearMonthOfIndex(month_index, &year, &month);
  return !__builtin_mul_overflow(DaysFromCivil(year, month, 1), kDayMillis, ts_millis);
}

}  // namespace lakeforge
