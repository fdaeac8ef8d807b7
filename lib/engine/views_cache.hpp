// engine/views_cache.hpp — the views cache: a file beside the database
// ("<path>-views") holding the views as built, so that opening a large file
// loads them instead of reading every table and building them again.
//
// SQLite stays the truth. The cache is stamped with the database's views
// stamp (store::ViewsStamp), which changes on every change to a table the
// views read, by dealcore or by any other SQLite client, and with the last
// event seq the views reflect. A cache is used when its size and checksum
// hold, it parses completely, and either its stamp is the file's current
// one, or only dealcore wrote since (the stamp's `outside` value is the
// same): then the event log after its seq brings it up to date. The cache
// also holds a fingerprint of the event at its seq, which the caller checks
// against the file's (a database restored from a backup beside a newer
// cache has no such event, or another one under that seq). Anything
// else (no file, another program wrote, from another database, torn,
// damaged, written by another format version) means "build from the
// tables", never an error.
//
// Written to a temporary file beside it and renamed over it, so a reader
// sees the old cache or the new one; a write first removes the temporary
// files of writers killed midway (those older than ten minutes). Not
// fsync'ed: after a crash a lost or torn cache fails its checks and the
// views are built from the tables.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/store.hpp"
#include "views/deal_views.hpp"

namespace dealcore {

// "<path>-views"; "" for a database without a file of its own (":memory:").
std::string views_cache_path(const std::string &db_path);

// What a cache holds: the views as of this stamp, which reflect every
// event up to seq.
struct CacheStamp {
  store::ViewsStamp stamp;
  std::int64_t seq = 0;
  std::uint64_t event = 0;  // event_fingerprint of the event at seq; 0 when seq is 0
};

// A 64-bit digest of every field of an event.
std::uint64_t event_fingerprint(const Event &e);

// Writes the views stamped `at`, with the permission bits `mode` (the
// database file's). Throws Error(Errc::io) when the file cannot be written
// (a full disk included); the old cache is then intact and no temporary
// file is left.
void write_views_cache(const std::string &path, const CacheStamp &at, const views::DealViews &v, unsigned mode);

// The views from the cache when it is usable for the file's current stamp:
// the same stamp, or a stale one with the same database id and `outside`
// value (only dealcore wrote since: the caller brings the views up to date
// from the event log after at.seq). nullptr otherwise. `at` gets the
// cache's stamp, seq and event fingerprint, which the caller must check
// against the file's event at.seq before using the views. positions: each
// stage's position, from the catalog; limits: the tables' largest contact
// and task ids.
std::unique_ptr<views::DealViews> read_views_cache(const std::string &path, const store::ViewsStamp &current,
                                                   const std::unordered_map<Id, int> &positions,
                                                   views::DealViews::IdLimits limits, CacheStamp &at);

}  // namespace dealcore
