#include "pipeline/exchange.h"

#include <algorithm>
#include <map>
#include <string>
#include <type_traits>

#include "dist/partition.h"
#include "sparkify/calendar.h"

namespace lakeforge {
namespace {

template <typename T>
void PutOptional(wire::Writer& w, const std::optional<T>& v) {
  w.Put<uint8_t>(v.has_value());
  if (!v) return;
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>)
    w.PutString(*v);
  else
    w.Put<T>(*v);
}

template <typename T>
std::optional<T> GetOptional(wire::Reader& in, const char* what) {
  if (in.Get<uint8_t>(what) == 0) return std::nullopt;
  if constexpr (std::is_same_v<T, std::string>)
    return in.GetString(what);
  else if constexpr (std::is_same_v<T, std::string_view>)
    return in.GetView(what);
  else
    return in.Get<T>(what);
}

}  // namespace

void PutSongRecord(wire::Writer& w, const SongRecord& r) {
  w.PutString(r.song_id);
  w.PutString(r.artist_id);
  PutOptional(w, r.title);
  PutOptional(w, r.artist_name);
  PutOptional(w, r.artist_location);
  PutOptional(w, r.artist_latitude);
  PutOptional(w, r.artist_longitude);
  PutOptional(w, r.duration);
  PutOptional(w, r.year);
  w.Put(r.file);
  w.Put(r.line);
}

SongRecord GetSongRecord(wire::Reader& in) {
  SongRecord r;
  r.song_id = in.GetString("song_id");
  r.artist_id = in.GetString("artist_id");
  r.title = GetOptional<std::string>(in, "title");
  r.artist_name = GetOptional<std::string>(in, "artist_name");
  r.artist_location = GetOptional<std::string>(in, "artist_location");
  r.artist_latitude = GetOptional<double>(in, "artist_latitude");
  r.artist_longitude = GetOptional<double>(in, "artist_longitude");
  r.duration = GetOptional<double>(in, "duration");
  r.year = GetOptional<int32_t>(in, "year");
  r.file = in.Get<uint32_t>("song file");
  r.line = in.Get<uint32_t>("song line");
  return r;
}

void PutReject(wire::Writer& w, const Reject& r) {
  w.Put(r.file);
  w.Put(r.line);
  w.Put<uint8_t>(static_cast<uint8_t>(r.reason));
  w.PutString(r.error);
  w.PutString(r.record);
}

Reject GetReject(wire::Reader& in) {
  Reject r{.file = in.Get<uint32_t>("reject file"),
           .line = in.Get<uint32_t>("reject line"),
           .reason = static_cast<RejectReason>(in.Get<uint8_t>("reject reason")),
           .error = "",
           .record = ""};
  r.error = in.GetString("reject error");
  r.record = in.GetString("reject record");
  return r;
}

void PutProfile(wire::Writer& w, const Profile& p) {
  for (const auto* f : p.parts()) PutOptional(w, *f);
}

Profile GetProfile(wire::Reader& in) {
  Profile p;
  for (auto* f : p.parts()) *f = GetOptional<std::string_view>(in, "profile");
  return p;
}

void PutTableReports(wire::Writer& w, const std::vector<TableReport>& tables) {
  w.Put<uint64_t>(tables.size());
  for (const auto& t : tables) {
    w.PutString(t.name);
    w.Put<uint64_t>(t.written.size());
    for (const auto& f : t.written) {
      w.PutString(f.path);
      w.Put(f.bytes);
      w.Put(f.rows);
      w.Put<uint64_t>(f.partition);
    }
  }
}

std::vector<TableReport> GetTableReports(wire::Reader& in) {
  std::vector<TableReport> tables(in.Get<uint64_t>("table count"));
  for (auto& t : tables) {
    t.name = in.GetString("table name");
    t.written.resize(in.Get<uint64_t>("file count"));
    for (auto& f : t.written) {
      f.path = in.GetString("file path");
      f.bytes = in.Get<uint64_t>("file bytes");
      f.rows = in.Get<uint64_t>("file rows");
      f.partition = in.Get<uint64_t>("file partition");
    }
  }
  return tables;
}

std::vector<TableReport> MergeTableReports(const std::vector<std::vector<TableReport>>& per_rank) {
  std::vector<TableReport> out;
  std::map<std::string, size_t> index;
  for (const auto& rank : per_rank) {
    for (const auto& t : rank) {
      auto [it, fresh] = index.try_emplace(t.name, out.size());
      if (fresh) out.push_back({.name = t.name, .rows = 0, .files = 0, .bytes = 0, .written = {}});
      TableReport& m = out[it->second];
      m.written.insert(m.written.end(), t.written.begin(), t.written.end());
    }
  }
  for (auto& t : out) {
    std::stable_sort(t.written.begin(), t.written.end(),
                     [](const WrittenFile& a, const WrittenFile& b) { return a.partition < b.partition; });
    for (const auto& f : t.written) {
      t.rows += f.rows;
      t.bytes += f.bytes;
    }
    t.files = t.written.size();
  }
  return out;
}

}  // namespace lakeforge

namespace lakeforge {
namespace {

// The rank owning each value of a sorted run: rank d owns [starts[d], starts[d+1]) of the key axis
// (starts[0] is the lowest key). Calls emit(d, begin, end) for every non-empty share, d ascending.
template <typename T, typename KeyOf, typename Emit>
void SplitRun(std::span<const T> run, const std::vector<int64_t>& starts, KeyOf key_of, Emit emit) {
  size_t begin = 0;
  for (size_t d = 0; d < starts.size() && begin < run.size(); ++d) {
    size_t end = run.size();
    if (d + 1 < starts.size())
      end = static_cast<size_t>(std::lower_bound(run.begin() + static_cast<std::ptrdiff_t>(begin), run.end(),
                                                 starts[d + 1], [&](const T& x, int64_t k) { return key_of(x) < k; }) -
                                run.begin());
    if (end > begin) emit(d, begin, end);
    begin = end;
  }
}

}  // namespace

void ShareListing(Communicator& comm, std::vector<FileInfo>* songs, std::vector<FileInfo>* logs,
                  std::vector<std::string>* skipped) {
  wire::Writer w;
  if (comm.root()) {
    wire::PutFiles(w, *songs);
    wire::PutFiles(w, *logs);
    wire::PutStrings(w, *skipped);
  }
  std::string msg = w.Take();
  comm.Broadcast(&msg);
  if (comm.root()) return;
  wire::Reader in(msg);
  wire::GetFiles(in, songs, "listed song files");
  wire::GetFiles(in, logs, "listed log files");
  wire::GetStrings(in, skipped, "skipped folders");
}

void CheckSharedOutput(Communicator& comm, FileSystem& fs, const std::string& output, const std::string& run_id) {
  // In _temporary/, which the next run clears while it holds the lock: a rank killed before the
  // marker is deleted leaves nothing beside the tables for good.
  std::string temp_root = JoinPath(output, "_temporary");
  std::string marker = JoinPath(temp_root, "shared-check." + run_id);
  std::exception_ptr error;
  if (comm.root()) {
    try {
      fs.CreateDirs(temp_root);
      auto out = fs.OpenOutputStream(marker);
      out->Write("written by rank 0 of run " + run_id + "\n");
      out->Close();
    } catch (...) {
      error = std::current_exception();
    }
  }
  comm.Agree(error);
  if (!comm.root() && !fs.Exists(marker))
    error = std::make_exception_ptr(
        Error::Usage("--output '" + output + "' is not the folder rank 0 writes to (its marker '" + marker +
                     "' is not visible here): with ranks on several machines a local --output must be on a shared file "
                     "system (NFS, Lustre, EFS, FSx), or use s3://; nothing was written"));
  std::exception_ptr verdict;
  try {
    comm.Agree(error);
  } catch (...) {
    verdict = std::current_exception();
  }
  if (comm.root()) {
    // Best effort: a marker left behind is cleared with _temporary/ by the next run. A failed
    // check takes the whole of _temporary/ (this run holds the lock: nothing else stages there).
    try {
      if (verdict)
        fs.DeleteDirRecursive(temp_root);
      else
        fs.DeleteFiles({marker});
    } catch (...) {
    }
  }
  if (verdict) std::rethrow_exception(verdict);
}

void MergeProfiles(Communicator& comm, const ProfilePool& local, ProfilePool* global, EventRuns* files) {
  wire::Writer w;
  w.Put<uint64_t>(local.size());
  local.ForEach([&](uint32_t id, const Profile& p) {
    w.Put(id);
    PutProfile(w, p);
  });
  std::vector<std::string> all = comm.AllGather(w.Take());
  std::vector<uint32_t> remap(local.id_limit(), 0);
  for (size_t r = 0; r < all.size(); ++r) {
    wire::Reader in(all[r]);
    uint64_t n = in.Get<uint64_t>("profile count");
    for (uint64_t k = 0; k < n; ++k) {
      auto id = in.Get<uint32_t>("profile id");
      ProfileView v = GetProfile(in);
      uint32_t gid = global->Intern(v, HashProfile(v)).first;
      if (r == static_cast<size_t>(comm.rank())) remap[id] = gid;
    }
  }
  for (auto& f : files->runs)
    f.Visit([&](auto run) {
      for (auto& e : run) e.profile = remap[e.profile];
    });
}

EventRuns ShuffleByUser(Communicator& comm, EventRuns files, uint64_t* rows_out, uint64_t* rows_in) {
  auto ranks = static_cast<size_t>(comm.size());
  auto me = static_cast<size_t>(comm.rank());
  std::vector<int64_t> sample = SampleUserIds(files);
  {
    wire::Writer w;
    w.PutVector(sample);
    sample.clear();
    for (const auto& s : comm.AllGather(w.Take())) {
      wire::Reader in(s);
      in.GetVector(&sample, "user sample");
    }
  }
  // Rank d owns users [starts[d], starts[d+1]); cuts are increasing, so ranks past the last cut
  // own nothing (a lake with fewer users than ranks).
  std::vector<int64_t> cuts = UserCuts(std::move(sample), ranks);
  std::vector<int64_t> starts(ranks, INT64_MAX);
  starts[0] = INT64_MIN;
  for (size_t d = 1; d <= cuts.size(); ++d) starts[d] = cuts[d - 1];
  std::vector<wire::Writer> out(ranks);
  // This rank's own slices are copied out, so that all of the files' memory goes before the
  // exchange brings the other ranks' events. A slice sent goes as its run's kind (0 narrow, 1
  // wide: see EventRun) and its array.
  BlockArena own;
  std::vector<EventRun> kept;
  for (auto& f : files.runs) {
    f.Visit([&](auto run) {
      using E = typename decltype(run)::value_type;
      constexpr uint8_t kKind = std::is_same_v<E, KeptEvent> ? 1 : 0;
      SplitRun<E>(
          run, starts, [](const E& e) { return UserIdOf(e); },
          [&](size_t d, size_t b, size_t e) {
            if (d == me) {
              kept.push_back(EventRun::Of(own.Copy(std::span<const E>(run.subspan(b, e - b)))));
            } else {
              out[d].Put<uint8_t>(kKind);
              out[d].PutArray(run.data() + b, e - b);
              *rows_out += e - b;
            }
          });
    });
  }
  files = EventRuns();
  std::vector<std::string> msgs;
  for (auto& w : out) msgs.push_back(w.Take());
  std::vector<std::string> in = comm.AllToAll(std::move(msgs));
  // Runs in source-rank order, each rank's in its file order: ranks hold consecutive files, so this
  // is file order, which the reduce's stable merge relies on (a tie goes to the earlier file).
  EventRuns runs;
  runs.memory.push_back(std::move(own));  // a move keeps the blocks, so `kept` stays valid
  runs.memory.emplace_back();
  BlockArena& received = runs.memory.back();
  for (size_t r = 0; r < ranks; ++r) {
    if (r == me) {
      runs.runs.insert(runs.runs.end(), kept.begin(), kept.end());
      continue;
    }
    wire::Reader rd(in[r]);
    auto receive = [&](auto kind) {
      using E = decltype(kind);
      runs.runs.push_back(
          EventRun::Of(rd.GetArray<E>("shuffled events", [&](size_t n) { return received.AllocateArray<E>(n); })));
    };
    while (!rd.done()) {
      auto kind = rd.Get<uint8_t>("shuffled events' kind");
      if (kind == 0)
        receive(NarrowEvent());
      else if (kind == 1)
        receive(KeptEvent());
      else
        throw Error::Internal("shuffled events from rank " + std::to_string(r) + ": kind " + std::to_string(kind) +
                              ", expected 0 (narrow) or 1 (wide)");
      *rows_in += runs.runs.back().size();
    }
    std::string().swap(in[r]);
  }
  return runs;
}

namespace {

// ShuffleByMonth for plays of one kind P (every rank's the same: see ReduceEvents).
template <typename P>
void ShuffleByMonthOf(Communicator& comm, std::vector<HugeVector<int64_t>>* times, std::vector<HugeVector<P>>* plays,
                      uint64_t* rows_out, uint64_t* rows_in) {
  auto ranks = static_cast<size_t>(comm.size());
  auto me = static_cast<size_t>(comm.rank());
  // Rows per month on this rank; every rank merges all ranks' counts the same way.
  std::map<int64_t, uint64_t> weight;
  // Runs are sorted by time: each month is one segment, found by binary search.
  auto count = [&](const auto& runs, auto ts_of) {
    for (const auto& run : runs)
      ForEachMonthSegment(run, ts_of, [&](int64_t month, size_t begin, size_t end) { weight[month] += end - begin; });
  };
  auto ts_of_time = [](int64_t t) { return t; };
  auto ts_of_play = [](const P& p) { return p.ts; };
  count(*times, ts_of_time);
  count(*plays, ts_of_play);
  {
    wire::Writer w;
    w.Put<uint64_t>(weight.size());
    for (const auto& [m, n] : weight) {
      w.Put(m);
      w.Put(n);
    }
    weight.clear();
    for (const auto& s : comm.AllGather(w.Take())) {
      wire::Reader in(s);
      uint64_t k = in.Get<uint64_t>("month count");
      for (uint64_t i = 0; i < k; ++i) {
        auto m = in.Get<int64_t>("month");
        weight[m] += in.Get<uint64_t>("month rows");
      }
    }
  }
  std::vector<int64_t> months;
  std::vector<uint64_t> weights;
  for (const auto& [m, n] : weight) {
    months.push_back(m);
    weights.push_back(n);
  }
  std::vector<size_t> bounds = SplitByWeight(weights, comm.size());
  // Rank d owns timestamps from the start of its first month: contiguous in time, in rank order.
  std::vector<int64_t> starts(ranks, INT64_MAX);
  starts[0] = INT64_MIN;
  for (size_t d = 1; d < ranks; ++d) {
    if (bounds[d] >= months.size()) continue;
    int64_t start;
    starts[d] = MonthStartMillis(months[bounds[d]], &start) ? start : INT64_MIN;
  }
  std::vector<wire::Writer> out(ranks);
  std::vector<HugeVector<int64_t>> kept_times;
  std::vector<HugeVector<P>> kept_plays;
  auto split = [&](auto& runs, auto ts_of, auto& kept, size_t pass) {
    using T = typename std::decay_t<decltype(runs)>::value_type::value_type;
    std::vector<std::vector<std::pair<size_t, size_t>>> shares(ranks);
    for (auto& run : runs) {
      SplitRun<T>(run, starts, ts_of, [&](size_t d, size_t b, size_t e) {
        if (d == me) {
          kept.emplace_back(run.begin() + static_cast<std::ptrdiff_t>(b), run.begin() + static_cast<std::ptrdiff_t>(e));
        } else {
          out[d].Put<uint8_t>(static_cast<uint8_t>(pass));
          out[d].PutArray(run.data() + b, e - b);
          *rows_out += e - b;
        }
      });
      HugeVector<T>().swap(run);
    }
    runs.clear();
  };
  // A run sent goes as its kind: 0 timestamps, 1 narrow plays, 2 wide plays.
  constexpr uint8_t kPlays = std::is_same_v<P, KeptEvent> ? 2 : 1;
  split(*times, ts_of_time, kept_times, 0);
  split(*plays, ts_of_play, kept_plays, kPlays);
  std::vector<std::string> msgs;
  for (auto& w : out) msgs.push_back(w.Take());
  std::vector<std::string> in = comm.AllToAll(std::move(msgs));
  for (size_t s = 0; s < ranks; ++s) {
    if (s == me) {
      for (auto& k : kept_times) times->push_back(std::move(k));
      for (auto& k : kept_plays) plays->push_back(std::move(k));
      continue;
    }
    wire::Reader rd(in[s]);
    while (!rd.done()) {
      auto kind = rd.Get<uint8_t>("run kind");
      if (kind == 0) {
        times->emplace_back();
        rd.GetVector(&times->back(), "shuffled timestamps");
        *rows_in += times->back().size();
      } else if (kind == kPlays) {
        plays->emplace_back();
        rd.GetVector(&plays->back(), "shuffled plays");
        *rows_in += plays->back().size();
      } else {
        throw Error::Internal("runs shuffled by month from rank " + std::to_string(s) + ": kind " +
                              std::to_string(kind) + ", expected 0 or " + std::to_string(kPlays));
      }
    }
    std::string().swap(in[s]);
  }
}

}  // namespace

void ShuffleByMonth(Communicator& comm, EventReduce* r, uint64_t* rows_out, uint64_t* rows_in) {
  r->plays.Visit([&](auto& plays) { ShuffleByMonthOf(comm, &r->times, &plays, rows_out, rows_in); });
}

std::vector<Reject> GatherRejects(Communicator& comm, std::vector<Reject> mine) {
  wire::Writer w;
  w.Put<uint64_t>(mine.size());
  for (const auto& r : mine) PutReject(w, r);
  std::vector<Reject>().swap(mine);
  std::vector<Reject> all;
  for (const auto& s : comm.Gather(w.Take())) {
    wire::Reader in(s);
    uint64_t n = in.Get<uint64_t>("reject count");
    for (uint64_t i = 0; i < n; ++i) all.push_back(GetReject(in));
  }
  // Each file was parsed by one rank: a stable sort by file brings the ranks' lists into file
  // order and keeps each file's own order, as one process has it.
  SortRejects(&all);
  return all;
}

}  // namespace lakeforge
