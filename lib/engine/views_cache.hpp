// engine/views_cache.hpp — the views cache: a file beside the database
// ("<path>-views") holding the views as built, so that opening a large file
// loads them instead of reading every table and building them again.
//
// SQLite stays the truth. The cache is stamped with the database's views
// stamp (store::ViewsStamp), which triggers replace on every change to a
// table the views read, by dealcore or by any other SQLite client; a cache
// is used only when its stamp is the file's current one, its size and
// checksum hold, and it parses completely. Anything else (no file, stale,
// from another database, torn, damaged, written by another format version)
// means "build from the tables", never an error.
//
// Written to a temporary file beside it and renamed over it, so a reader
// sees the old cache or the new one. Not fsync'ed: after a crash a lost or
// torn cache fails its checks and the views are built from the tables.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/store.hpp"
#include "views/deal_views.hpp"

namespace dealcore {

// "<path>-views"; "" for a database without a file of its own (":memory:").
std::string views_cache_path(const std::string &db_path);

// Writes the views stamped `stamp`, with the permission bits `mode` (the
// database file's). Throws Error(Errc::io) when the file cannot be written
// (a full disk included); the old cache is then intact and no temporary
// file is left.
void write_views_cache(const std::string &path, const store::ViewsStamp &stamp, const views::DealViews &v,
                       unsigned mode);

// The views from the cache when it is usable for `stamp` (see above);
// nullptr otherwise. positions: each stage's position, from the catalog.
std::unique_ptr<views::DealViews> read_views_cache(const std::string &path, const store::ViewsStamp &stamp,
                                                   const std::unordered_map<Id, int> &positions);

}  // namespace dealcore
