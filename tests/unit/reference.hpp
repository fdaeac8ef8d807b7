// A brute-force evaluation of list filters, sorts and boards over deals read
// one by one from SQLite (get_deal) — independent of the views it checks.
#pragma once

#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include "helpers.hpp"
#include "model/contact_norm.hpp"
#include "model/text.hpp"

namespace testutil {

struct Reference {
  std::vector<dealcore::Deal> deals;
  std::map<dealcore::Id, dealcore::Contact> contacts;
  std::map<dealcore::Id, int> stage_pos;

  Reference(dealcore::Database &db, dealcore::Id max_deal, dealcore::Id max_contact) {
    for (dealcore::Id id = 1; id <= max_deal; ++id) deals.push_back(db.get_deal(id));
    for (dealcore::Id id = 1; id <= max_contact; ++id) contacts[id] = db.contact(id);
    for (const auto &p : db.pipelines(true))
      for (const auto &s : p.stages) stage_pos[s.id] = s.position;
  }

  bool phone_hit(const dealcore::Deal &d, const std::string &phone) const {
    auto digits = dealcore::model::digits_of(phone);
    bool full = phone.starts_with("+") || digits.size() >= 10;
    std::string e164 = full ? *dealcore::model::PhoneNormalizer("RU").to_e164(phone) : "";
    for (auto c : d.contacts)
      for (const auto &p : contacts.at(c).phones)
        if (full ? p == e164 : p.ends_with(digits)) return true;
    return false;
  }
  bool email_hit(const dealcore::Deal &d, const std::string &email) const {
    auto e = *dealcore::model::normalize_email(email);
    for (auto c : d.contacts)
      for (const auto &x : contacts.at(c).emails)
        if (x == e) return true;
    return false;
  }

  bool match(const dealcore::Deal &d, const dealcore::DealFilter &f) const {
    using namespace dealcore;
    auto in = [](const auto &v, auto x) { return v.empty() || std::find(v.begin(), v.end(), x) != v.end(); };
    auto has = [&](Id t) { return std::find(d.tags.begin(), d.tags.end(), t) != d.tags.end(); };
    if (!in(f.pipelines, d.pipeline_id) || !in(f.stages, d.stage_id) || !in(f.kinds, d.stage_kind) ||
        !in(f.owners, d.owner_id) || !in(f.departments, d.department_id) || !in(f.client_refs, d.client_ref) ||
        !in(f.segments, d.segment))
      return false;
    if (!f.client_refs.empty() && d.client_ref.empty()) return false;
    if (!f.segments.empty() && d.segment.empty()) return false;
    if (!f.tags_any.empty() && std::none_of(f.tags_any.begin(), f.tags_any.end(), has)) return false;
    if (!std::all_of(f.tags_all.begin(), f.tags_all.end(), has)) return false;
    if (std::any_of(f.tags_none.begin(), f.tags_none.end(), has)) return false;
    if (!f.currency.empty() && d.amount.currency != f.currency) return false;
    if (f.amount_min && d.amount.minor < *f.amount_min) return false;
    if (f.amount_max && d.amount.minor > *f.amount_max) return false;
    if (f.created_from && d.created_at < *f.created_from) return false;
    if (f.created_to && d.created_at >= *f.created_to) return false;
    if (f.updated_from && d.updated_at < *f.updated_from) return false;
    if (f.updated_to && d.updated_at >= *f.updated_to) return false;
    if (!f.text.empty() &&
        model::fold_key(d.name).find(model::fold_key(model::trim(f.text))) == std::string::npos)
      return false;
    if (!f.phone.empty() && !phone_hit(d, f.phone)) return false;
    if (!f.email.empty() && !email_hit(d, f.email)) return false;
    if (f.has_open_tasks && *f.has_open_tasks != (d.open_task_count > 0)) return false;
    if (f.archived == ArchivedMode::exclude && d.archived) return false;
    if (f.archived == ArchivedMode::only && !d.archived) return false;
    return true;
  }

  std::vector<dealcore::Id> list(const dealcore::DealFilter &f, dealcore::SortField s, bool desc) const {
    using namespace dealcore;
    std::vector<const Deal *> hits;
    for (const auto &d : deals)
      if (match(d, f)) hits.push_back(&d);
    auto key = [&](const Deal *d) {
      switch (s) {
        case SortField::updated: return std::make_tuple(d->updated_at, std::string(), d->id);
        case SortField::created: return std::make_tuple(d->created_at, std::string(), d->id);
        case SortField::amount: return std::make_tuple(d->amount.minor, std::string(), d->id);
        case SortField::name: return std::make_tuple(std::int64_t{0}, model::fold_key(d->name), d->id);
        case SortField::stage:
          return std::make_tuple((d->pipeline_id << 32) | stage_pos.at(d->stage_id), std::string(), d->id);
      }
      return std::make_tuple(std::int64_t{0}, std::string(), d->id);
    };
    std::sort(hits.begin(), hits.end(), [&](auto a, auto b) { return desc ? key(b) < key(a) : key(a) < key(b); });
    std::vector<Id> out;
    for (auto *d : hits) out.push_back(d->id);
    return out;
  }

  // Count and per-currency sums of a stage's non-archived deals.
  std::pair<std::int64_t, std::map<std::string, std::int64_t>> column(dealcore::Id stage,
                                                                      const dealcore::BoardFilter &f) const {
    std::pair<std::int64_t, std::map<std::string, std::int64_t>> out;
    auto in = [](const auto &v, auto x) { return v.empty() || std::find(v.begin(), v.end(), x) != v.end(); };
    for (const auto &d : deals) {
      if (d.archived || d.stage_id != stage || !in(f.owners, d.owner_id) || !in(f.departments, d.department_id))
        continue;
      if (!f.tags_any.empty() &&
          std::none_of(f.tags_any.begin(), f.tags_any.end(),
                       [&](auto t) { return std::find(d.tags.begin(), d.tags.end(), t) != d.tags.end(); }))
        continue;
      out.first++;
      out.second[d.amount.currency] += d.amount.minor;
    }
    return out;
  }
};

// Pages through a whole list with the cursor.
inline std::vector<dealcore::Id> page_all(dealcore::Database &db, const dealcore::DealFilter &f,
                                          dealcore::ListOptions o, std::int64_t *total = nullptr) {
  std::vector<dealcore::Id> out;
  o.with_total = total != nullptr;
  for (int guard = 0; guard < 100000; ++guard) {
    auto page = db.list_deals(f, o);
    if (total && page.total) *total = *page.total;
    if (o.ids_only)
      REQUIRE(page.items.empty());
    else
      REQUIRE(page.ids.size() == page.items.size());
    for (std::size_t i = 0; i < page.items.size(); ++i) REQUIRE(page.items[i].id == page.ids[i]);
    out.insert(out.end(), page.ids.begin(), page.ids.end());
    REQUIRE(page.ids.size() <= static_cast<std::size_t>(o.limit));
    if (page.next_cursor.empty()) break;
    REQUIRE(page.ids.size() == static_cast<std::size_t>(o.limit));
    o.cursor = page.next_cursor;
  }
  return out;
}

}  // namespace testutil
