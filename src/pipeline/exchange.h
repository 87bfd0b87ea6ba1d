// How the ETL's records travel between ranks (dist/wire.h encodings). Everything a rank receives
// is decoded to exactly the values it would have computed itself in a one-process run.
#pragma once

#include <string>
#include <vector>

#include "dist/communicator.h"
#include "dist/wire.h"
#include "io/file_system.h"
#include "sparkify/event_tables.h"
#include "sparkify/profile_pool.h"
#include "sparkify/records.h"
#include "warehouse/table_writer.h"

namespace lakeforge {

void PutSongRecord(wire::Writer& w, const SongRecord& r);
SongRecord GetSongRecord(wire::Reader& in);

void PutReject(wire::Writer& w, const Reject& r);
Reject GetReject(wire::Reader& in);

void PutProfile(wire::Writer& w, const Profile& p);
// The strings point into the message: it must outlive the profile.
Profile GetProfile(wire::Reader& in);

void PutTableReports(wire::Writer& w, const std::vector<TableReport>& tables);
std::vector<TableReport> GetTableReports(wire::Reader& in);

// Merges the table reports of every rank (each listing the files that rank wrote, by partition
// ordinal) into one report per table, files in partition order: what the manifest lists.
std::vector<TableReport> MergeTableReports(const std::vector<std::vector<TableReport>>& per_rank);

// The ETL's exchanges between ranks, in the order a run makes them. Each is a collective: every
// rank calls it at the same point. rows_out/rows_in count the rows this rank sent to / got from
// the other ranks.

// Rank 0's input listing (and the folders it skipped), on every rank.
void ShareListing(Communicator& comm, std::vector<FileInfo>* songs, std::vector<FileInfo>* logs,
                  std::vector<std::string>* skipped);

// A local output seen by several ranks must be one shared file system: rank 0 writes a marker
// into `output`/_temporary/ (cleared by the next run, should a rank die here), every other rank
// looks for it. Throws (on every rank) Error::Usage naming the
// rank and the folder when one cannot see it; the marker is gone afterwards either way.
void CheckSharedOutput(Communicator& comm, FileSystem& fs, const std::string& output, const std::string& run_id);

// Every rank interned its profiles in its own pool: builds in *global the union of all pools (the
// same on every rank) and rewrites the profile ids of this rank's events to it.
void MergeProfiles(Communicator& comm, const ProfilePool& local, ProfilePool* global, EventRuns* files);

// Sends every event to the rank owning its user (contiguous user-id ranges cut from a sample of
// all ranks' events) and returns the sorted runs this rank received.
EventRuns ShuffleByUser(Communicator& comm, EventRuns files, uint64_t* rows_out, uint64_t* rows_in);

// Sends the timestamps and plays to the rank owning their month (contiguous month ranges,
// balanced by rows), replacing r->times and r->plays with the runs this rank received.
void ShuffleByMonth(Communicator& comm, EventReduce* r, uint64_t* rows_out, uint64_t* rows_in);

// The records every rank rejected, on rank 0, in (file, line) order (then the order each file's
// parser found them); empty on the other ranks.
std::vector<Reject> GatherRejects(Communicator& comm, std::vector<Reject> mine);

}  // namespace lakeforge
