// Reads answered from the views: the list, the board, phone and e-mail
// lookup. Input is validated and normalized here; the views only compute.
#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "engine/impl.hpp"
#include "model/text.hpp"
#include "model/timezone.hpp"

namespace dealcore {

namespace {

std::string shown(const std::string &s) { return model::valid_utf8(s) ? s : std::string("(invalid UTF-8)"); }

}  // namespace

// Contacts with this phone: a full number (exact after normalization), or
// 5..9 digits matched against the end of every number.
static std::vector<Id> contacts_for_phone(const Database::Impl &impl, const std::string &phone) {
  if (!model::valid_utf8(phone) || phone.size() > 64)
    throw Error(Errc::invalid_argument, "phone must be UTF-8 of at most 64 bytes");
  std::string digits = model::digits_of(phone);
  bool full = model::trim(phone).starts_with("+") || digits.size() >= 10;
  if (full) {
    // Already E.164 ("+" and 8..15 digits): no parsing needed to look it up.
    std::string t = model::trim(phone);
    if (t.size() >= 9 && t.size() <= 16 && t[0] == '+' && t[1] != '0' && model::digits_of(t).size() == t.size() - 1)
      return impl.views().contacts().by_phone(t);
    auto e = impl.phones_.to_e164(phone);
    if (!e) throw Error(Errc::invalid_argument, fmt::format("'{}' is not a phone number", shown(phone)));
    return impl.views().contacts().by_phone(*e);
  }
  if (digits.size() < 5)
    throw Error(Errc::invalid_argument,
                fmt::format("'{}': give a full phone number or at least its last 5 digits", shown(phone)));
  return impl.views().contacts().by_phone_suffix(digits);
}

static std::vector<Id> contacts_for_email(const Database::Impl &impl, const std::string &email) {
  auto e = model::normalize_email(email);
  if (!e) throw Error(Errc::invalid_argument, fmt::format("'{}' is not an e-mail address", shown(email)));
  return impl.views().contacts().by_email(*e);
}

std::vector<Id> Database::Impl::deals_for_phone(const std::string &phone) const {
  auto d = views().contacts().deals_of(contacts_for_phone(*this, phone));
  return {d.begin(), d.end()};
}

std::vector<Id> Database::Impl::deals_for_email(const std::string &email) const {
  auto d = views().contacts().deals_of(contacts_for_email(*this, email));
  return {d.begin(), d.end()};
}

std::vector<Id> Database::find_contacts_by_phone(const std::string &phone) const {
  std::shared_lock lock(impl_->mu_);
  return contacts_for_phone(*impl_, phone);
}

std::vector<Id> Database::find_contacts_by_email(const std::string &email) const {
  std::shared_lock lock(impl_->mu_);
  return contacts_for_email(*impl_, email);
}

std::vector<Id> Database::find_deals_by_phone(const std::string &phone) const {
  std::shared_lock lock(impl_->mu_);
  return impl_->deals_for_phone(phone);
}

std::vector<Id> Database::find_deals_by_email(const std::string &email) const {
  std::shared_lock lock(impl_->mu_);
  return impl_->deals_for_email(email);
}

std::string Database::normalize_phone(const std::string &phone) const {
  auto e = impl_->phones_.to_e164(phone);
  if (!e) throw Error(Errc::invalid_argument, fmt::format("'{}' is not a phone number", shown(phone)));
  return *e;
}

namespace {

// Validates and prepares the filter, then calls fn(views, pf) under the
// read lock. items: the page will carry items (their task state needs the
// end of the local day).
template <class F>
auto with_prepared_list(Database::Impl &impl, const DealFilter &filter, const ListOptions &options, bool items,
                        F &&fn) {
  views::PreparedFilter pf;
  pf.filter = &filter;
  if (!filter.text.empty()) {
    auto t = model::checked_text("text", filter.text, false, model::kMaxNameBytes);
    pf.text_key = model::fold_key(t);
  }
  for (const auto &s : filter.client_refs)
    if (!model::valid_utf8(s)) throw Error(Errc::invalid_argument, "client_ref is not valid UTF-8");
  for (const auto &s : filter.segments)
    if (!model::valid_utf8(s)) throw Error(Errc::invalid_argument, "segment is not valid UTF-8");
  if (!filter.currency.empty()) model::checked_currency(filter.currency);
  if (!model::valid_utf8(options.cursor)) throw Error(Errc::invalid_argument, "malformed list cursor");
  auto a = static_cast<int>(filter.archived);
  if (a < 0 || a > 2) throw Error(Errc::invalid_argument, "unknown archived mode");
  if (filter.task_due_from && filter.task_due_to && *filter.task_due_from > *filter.task_due_to)
    throw Error(Errc::invalid_argument, "task_due_from is after task_due_to");
  const auto &zone = model::Zone::get(options.time_zone);
  pf.now = impl.now();
  // The end of the local day is for the items' task state only.
  if (items) pf.today_end = zone.day_start_after(pf.now, 1);

  std::shared_lock lock(impl.mu_);
  if (filter.task_due_from || filter.task_due_to)
    pf.task_due_deals = impl.views().tasks().deals_due_between(
        filter.task_due_from.value_or(std::numeric_limits<Millis>::min()),
        filter.task_due_to.value_or(std::numeric_limits<Millis>::max()));
  if (!filter.stages.empty() && (!filter.pipelines.empty() || !filter.kinds.empty())) {
    // A stage lies in one pipeline and has one kind for good (a deal's
    // stage is always one of its pipeline's): when every stage of the
    // filter is in one of its pipelines, its stages' lists imply the
    // pipeline condition, and likewise the kinds.
    pf.stages_imply_pipelines = pf.stages_imply_kinds = true;
    for (Id s : filter.stages) {
      auto st = impl.stages_.find(s);
      if (st == impl.stages_.end()) {
        pf.stages_imply_pipelines = pf.stages_imply_kinds = false;
        break;
      }
      if (std::find(filter.pipelines.begin(), filter.pipelines.end(), st->second.pipeline_id) == filter.pipelines.end())
        pf.stages_imply_pipelines = false;
      if (std::find(filter.kinds.begin(), filter.kinds.end(), st->second.kind) == filter.kinds.end())
        pf.stages_imply_kinds = false;
    }
  }
  if (options.sort == SortField::stage) {
    // Pipelines by id, then stages by position: the order of stage_sort_key.
    for (const auto &p : impl.pipelines_) {
      if (!filter.pipelines.empty() &&
          std::find(filter.pipelines.begin(), filter.pipelines.end(), p.id) == filter.pipelines.end())
        continue;
      for (const auto &st : p.stages)
        pf.stage_order.emplace_back(static_cast<std::uint32_t>(st.id),
                                    static_cast<std::int64_t>(p.id) << 32 | static_cast<std::uint32_t>(st.position));
    }
    std::sort(pf.stage_order.begin(), pf.stage_order.end(),
              [](const auto &a, const auto &b) { return a.second < b.second; });
  }
  if (filter.rotting)
    for (const auto &[id, st] : impl.stages_)
      if (st.rotting_days) pf.rotting_ms[static_cast<std::uint32_t>(id)] = Millis{*st.rotting_days} * 86400000;
  // The activity level reads the task history from SQLite, deal by deal.
  std::unique_lock<std::mutex> store_lock(impl.store_mu_, std::defer_lock);
  if (!filter.activity.empty()) {
    store_lock.lock();
    pf.activity_of = [&impl, now = pf.now](std::uint32_t deal) {
      return impl.compute_activity(deal, 30, now).level;
    };
  }
  if (!filter.phone.empty() || !filter.email.empty()) {
    std::vector<std::uint32_t> deals;
    bool first = true;
    auto narrow = [&](std::vector<Id> ids) {
      std::vector<std::uint32_t> d(ids.begin(), ids.end());
      if (first) {
        deals = std::move(d);
        first = false;
      } else {
        std::vector<std::uint32_t> both;
        std::set_intersection(deals.begin(), deals.end(), d.begin(), d.end(), std::back_inserter(both));
        deals = std::move(both);
      }
    };
    if (!filter.phone.empty()) narrow(impl.deals_for_phone(filter.phone));
    if (!filter.email.empty()) narrow(impl.deals_for_email(filter.email));
    pf.contact_deals = std::move(deals);
  }
  return fn(impl.views(), pf);
}

}  // namespace

DealPage Database::list_deals(const DealFilter &filter, const ListOptions &options) const {
  return with_prepared_list(*impl_, filter, options, !options.ids_only,
                            [&](const views::DealViews &v, const views::PreparedFilter &pf) { return v.list(pf, options); });
}

DealViewPage Database::list_deal_views(const DealFilter &filter, const ListOptions &options) const {
  ListOptions ids_only = options;
  ids_only.ids_only = true;
  return with_prepared_list(*impl_, filter, options, !options.ids_only,
                            [&](const views::DealViews &v, const views::PreparedFilter &pf) {
                              DealPage p = v.list(pf, ids_only);
                              DealViewPage out;
                              if (!options.ids_only) v.page_views(p.ids, pf.now, pf.today_end, out);
                              out.ids = std::move(p.ids);
                              out.next_cursor = std::move(p.next_cursor);
                              out.total = p.total;
                              return out;
                            });
}

Board Database::board(Id pipeline_id, const BoardFilter &filter) const {
  const auto &zone = model::Zone::get(filter.time_zone);
  Millis now = impl_->now();
  std::shared_lock lock(impl_->mu_);
  Board b;
  b.pipeline = impl_->pipeline(pipeline_id);
  // The cards' task state needs the end of the local day; counts and sums do not.
  Millis today_end = filter.cards_per_stage > 0 ? zone.day_start_after(now, 1) : 0;
  b.columns = impl_->views().board(b.pipeline, filter, now, today_end);
  return b;
}

BoardTotals Database::board_totals(Id pipeline_id, const BoardFilter &filter) const {
  std::shared_lock lock(impl_->mu_);
  return impl_->views().board_totals(impl_->pipeline(pipeline_id), filter);
}

std::int64_t Database::deal_count(ArchivedMode mode) const {
  std::shared_lock lock(impl_->mu_);
  return impl_->views().count(mode);
}

}  // namespace dealcore
