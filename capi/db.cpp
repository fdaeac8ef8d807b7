// capi/db.cpp — opening and closing a database, verify, refresh, and the
// event log.
#include <cstddef>
#include <memory>

#include "internal.hpp"

using namespace dealcore::capi;

extern "C" {

int dealcore_open_options_init(dealcore_open_options *opts, uint32_t version) noexcept {
  static const dealcore_open_options defaults = DEALCORE_OPEN_OPTIONS_INIT;
  return init_struct("dealcore_open_options_init", "dealcore_open_options", opts, version, 1,
                     DEALCORE_OPEN_OPTIONS_VERSION, defaults, [](uint32_t v) {
                       return v == 1 ? offsetof(dealcore_open_options, views_cache) : sizeof(dealcore_open_options);
                     });
}

int dealcore_db_open(dealcore_db **out, const char *path,
                     const dealcore_open_options *options) noexcept {
  // The payload belongs to us from the start: released on failure too.
  std::unique_ptr<dealcore_db> handle;
  int status = guard("dealcore_db_open", [&] {
    handle = std::make_unique<dealcore_db>();
    if (options != nullptr) {
      handle->clock.payload = options->clock_payload;
      handle->clock.free_payload = options->clock_payload_free;
    }
    need_out(out);
    const std::string file = text(path, "path");
    dealcore::Options opts;
    if (options != nullptr) {
      check_version(options->version, 1, DEALCORE_OPEN_OPTIONS_VERSION, "dealcore_open_options");
      opts.create_if_missing = flag(options->create_if_missing);
      if (options->default_region != nullptr) opts.default_region = options->default_region;
      opts.busy_timeout_ms = options->busy_timeout_ms;
      opts.max_size_bytes = options->max_size_bytes;
      if (options->version >= 2) {
        opts.views_cache = flag(options->views_cache);
        opts.views_cache_min_deals = options->views_cache_min_deals;
      }
      if (options->clock != nullptr) {
        opts.clock = [clock = options->clock, payload = options->clock_payload] {
          return clock(payload);
        };
      }
    }
    handle->db.emplace(dealcore::Database::open(file, opts));
    *out = handle.release();
  });
  if (status != DEALCORE_OK && handle == nullptr && options != nullptr &&
      options->clock_payload_free != nullptr) {
    // make_unique itself failed: nobody holds the payload yet.
    options->clock_payload_free(options->clock_payload);
  }
  return status;
}

void dealcore_db_close(dealcore_db *db) noexcept { delete db; }

const char *dealcore_db_path(const dealcore_db *db) noexcept {
  return db == nullptr ? "" : db->db->path().c_str();
}

int dealcore_db_verify(dealcore_verify_report **out, const dealcore_db *db) noexcept {
  return guard("dealcore_db_verify", [&] {
    need_out(out);
    auto report = std::make_unique<dealcore_verify_report>();
    report->v = db_of(db).verify();
    *out = report.release();
  });
}

int dealcore_db_refresh(int32_t *out, dealcore_db *db) noexcept {
  return guard("dealcore_db_refresh", [&] {
    need_out(out);
    *out = db_of(db).refresh() ? 1 : 0;
  });
}

int dealcore_db_save_views_cache(int32_t *out_saved, dealcore_db *db) noexcept {
  return guard("dealcore_db_save_views_cache", [&] {
    need_out(out_saved);
    *out_saved = db_of(db).save_views_cache() ? 1 : 0;
  });
}

int dealcore_db_views_from_cache(int32_t *out, const dealcore_db *db) noexcept {
  return guard("dealcore_db_views_from_cache", [&] {
    need_out(out);
    *out = db_of(db).views_from_cache() ? 1 : 0;
  });
}

int32_t dealcore_verify_report_ok(const dealcore_verify_report *report) noexcept {
  return report != nullptr && report->v.ok ? 1 : 0;
}

size_t dealcore_verify_report_difference_count(const dealcore_verify_report *report) noexcept {
  return report == nullptr ? 0 : report->v.differences.size();
}

const char *dealcore_verify_report_difference_at(const dealcore_verify_report *report,
                                                 size_t i) noexcept {
  if (report == nullptr || i >= report->v.differences.size()) return "";
  return report->v.differences[i].c_str();
}

void dealcore_verify_report_free(dealcore_verify_report *report) noexcept { delete report; }

// ---- the event log ------------------------------------------------------------

int dealcore_event_list(dealcore_events **out, const dealcore_db *db, int64_t after_seq,
                        int32_t limit) noexcept {
  return guard("dealcore_event_list", [&] {
    need_out(out);
    auto list = std::make_unique<dealcore_events>();
    for (auto &e : db_of(db).events_after(after_seq, limit))
      list->items.push_back(dealcore_event{std::move(e)});
    *out = list.release();
  });
}

int dealcore_event_last_seq(int64_t *out, const dealcore_db *db) noexcept {
  return guard("dealcore_event_last_seq", [&] {
    need_out(out);
    *out = db_of(db).last_event_seq();
  });
}

size_t dealcore_events_count(const dealcore_events *list) noexcept {
  return list == nullptr ? 0 : list->items.size();
}

const dealcore_event *dealcore_events_at(const dealcore_events *list, size_t i) noexcept {
  return list == nullptr || i >= list->items.size() ? nullptr : &list->items[i];
}

void dealcore_events_free(dealcore_events *list) noexcept { delete list; }

int64_t dealcore_event_seq(const dealcore_event *e) noexcept { return e ? e->v.seq : 0; }
int64_t dealcore_event_at(const dealcore_event *e) noexcept { return e ? e->v.at : 0; }
int64_t dealcore_event_actor_id(const dealcore_event *e) noexcept { return e ? e->v.actor_id : 0; }
int64_t dealcore_event_deal_id(const dealcore_event *e) noexcept { return e ? e->v.deal_id : 0; }
const char *dealcore_event_kind(const dealcore_event *e) noexcept {
  return e ? e->v.kind.c_str() : "";
}
const char *dealcore_event_payload(const dealcore_event *e) noexcept {
  return e ? e->v.payload.c_str() : "";
}

}  // extern "C"
