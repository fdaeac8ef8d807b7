// Deals and contacts: create, change, move, tag, link — each one transaction
// whose events are derived from the difference between the row before and
// after, so every change is recorded the same way.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "engine/impl.hpp"
#include "model/json.hpp"
#include "model/text.hpp"
#include "model/timezone.hpp"

namespace dealcore {

using model::checked_text;
using model::JsonObject;
using store::DealRecord;

namespace {

std::vector<Id> sorted_unique(std::vector<Id> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<Id> minus(const std::vector<Id> &a, const std::vector<Id> &b) {
  std::vector<Id> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

constexpr std::size_t kMaxBulk = 100000;

// fn(i) for each item of an import batch, collected in order; an error
// names the item ("deal #3 of the batch: ...").
template <class F>
auto per_item(const char *what, std::size_t n, F &&fn) {
  std::vector<decltype(fn(std::size_t{0}))> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    try {
      out.push_back(fn(i));
    } catch (const Error &e) {
      throw Error(e.code(), fmt::format("{} #{} of the batch: {}", what, i, e.what()));
    }
  }
  return out;
}

}  // namespace

std::vector<Id> Database::Impl::unique_ids(const std::vector<Id> &ids) const {
  if (ids.empty()) throw Error(Errc::invalid_argument, "no deal ids given");
  if (ids.size() > kMaxBulk) throw Error(Errc::invalid_argument, "at most 100000 deals in one call");
  return sorted_unique(ids);
}

DealRecord Database::Impl::load_deal(Id id) {
  auto d = store_.load_deal(id);
  if (!d) throw Error(Errc::not_found, fmt::format("deal {} does not exist", id));
  return std::move(*d);
}

void Database::Impl::move_record(DealRecord &d, const Stage &target, const std::string &lost_reason) {
  if (d.stage_id == target.id) {
    if (target.kind == StageKind::lost && !lost_reason.empty()) d.lost_reason = lost_reason;
    return;
  }
  Millis t = now();
  d.pipeline_id = target.pipeline_id;
  d.stage_id = target.id;
  d.stage_kind = target.kind;
  d.stage_changed_at = t;
  d.closed_at = target.kind == StageKind::open ? 0 : t;
  d.lost_reason = target.kind == StageKind::lost ? lost_reason : std::string();
}

void Database::Impl::assign_record(DealRecord &d, Id owner) {
  d.owner_id = owner;
  if (!d.department_explicit) d.department_id = owner ? user(owner).department_id : 0;
}

bool Database::Impl::save_deal(Actor actor, const DealRecord *before, DealRecord &after, Pending &pending,
                               const char *stage_reason) {
  Millis t = now();
  auto &s = store_;
  auto ev = [&](const char *kind, const std::string &payload) {
    s.append_event(t, actor.user_id, after.id, kind, payload);
  };
  after.tags = sorted_unique(after.tags);
  after.contacts = sorted_unique(after.contacts);
  if (!before) {
    after.id = s.insert_deal(after);
    if (after.id > static_cast<Id>(UINT32_MAX)) throw Error(Errc::constraint, "the database is full of deals");
    s.open_interval(after.id, after.pipeline_id, after.stage_id, after.stage_changed_at);
    ev("deal.created", JsonObject()
                           .str("name", after.name)
                           .num("pipeline", after.pipeline_id)
                           .num("stage", after.stage_id)
                           .num("amount", after.amount.minor)
                           .str("currency", after.amount.currency)
                           .num("owner", after.owner_id)
                           .num("department", after.department_id)
                           .ids("tags", after.tags)
                           .ids("contacts", after.contacts)
                           .done());
    pending.deals.push_back(after);
    return true;
  }
  const DealRecord &b = *before;
  bool changed = false;
  if (b.stage_id != after.stage_id) {
    JsonObject j;
    j.num("from_stage", b.stage_id).num("to_stage", after.stage_id);
    j.num("from_pipeline", b.pipeline_id).num("to_pipeline", after.pipeline_id);
    j.num("ms_in_previous_stage", std::max<Millis>(0, t - b.stage_changed_at));
    if (!after.lost_reason.empty()) j.str("lost_reason", after.lost_reason);
    if (stage_reason) j.str("reason", stage_reason);
    ev("deal.stage_changed", j.done());
    s.close_interval(after.id, after.stage_changed_at);
    s.open_interval(after.id, after.pipeline_id, after.stage_id, after.stage_changed_at);
    changed = true;
  } else if (b.lost_reason != after.lost_reason) {
    ev("deal.lost_reason_changed", JsonObject().str("from", b.lost_reason).str("to", after.lost_reason).done());
    changed = true;
  }
  if (b.name != after.name) {
    ev("deal.renamed", JsonObject().str("from", b.name).str("to", after.name).done());
    changed = true;
  }
  if (!(b.amount == after.amount)) {
    ev("deal.amount_changed", JsonObject()
                                  .num("from", b.amount.minor)
                                  .str("from_currency", b.amount.currency)
                                  .num("to", after.amount.minor)
                                  .str("to_currency", after.amount.currency)
                                  .done());
    changed = true;
  }
  if (b.owner_id != after.owner_id) {
    ev("deal.owner_changed", JsonObject().num("from", b.owner_id).num("to", after.owner_id).done());
    changed = true;
  }
  if (b.department_id != after.department_id || b.department_explicit != after.department_explicit) {
    ev("deal.department_changed", JsonObject()
                                      .num("from", b.department_id)
                                      .num("to", after.department_id)
                                      .boolean("explicit", after.department_explicit)
                                      .done());
    changed = true;
  }
  if (b.client_ref != after.client_ref || b.client_name != after.client_name) {
    ev("deal.client_changed", JsonObject()
                                  .str("from_ref", b.client_ref)
                                  .str("to_ref", after.client_ref)
                                  .str("to_name", after.client_name)
                                  .done());
    changed = true;
  }
  if (b.segment != after.segment) {
    ev("deal.segment_changed", JsonObject().str("from", b.segment).str("to", after.segment).done());
    changed = true;
  }
  if (b.archived != after.archived) {
    ev("deal.archived", JsonObject().boolean("archived", after.archived).done());
    changed = true;
  }
  auto added = minus(after.tags, b.tags), removed = minus(b.tags, after.tags);
  if (!added.empty() || !removed.empty()) {
    for (Id tg : added) s.add_deal_tag(after.id, tg);
    for (Id tg : removed) s.remove_deal_tag(after.id, tg);
    ev("deal.tags_changed", JsonObject().ids("added", added).ids("removed", removed).done());
    changed = true;
  }
  for (Id c : minus(after.contacts, b.contacts)) {
    s.link_contact(after.id, c);
    ev("deal.contact_linked", JsonObject().num("contact", c).done());
    changed = true;
  }
  for (Id c : minus(b.contacts, after.contacts)) {
    s.unlink_contact(after.id, c);
    ev("deal.contact_unlinked", JsonObject().num("contact", c).done());
    changed = true;
  }
  if (!changed) return false;
  after.updated_at = t;
  s.update_deal(after);
  pending.deals.push_back(after);
  return true;
}

namespace {

// Validates the fields a DealSpec shares with an upsert into `d`.
void fill_from_spec(Database::Impl &impl, const DealSpec &spec, DealRecord &d, bool is_new) {
  d.name = checked_text("deal name", spec.name, true, model::kMaxNameBytes);
  if (spec.amount < 0) throw Error(Errc::invalid_argument, "a deal's amount cannot be negative");
  d.amount.minor = spec.amount;
  d.amount.currency = model::checked_currency(spec.currency);
  d.client_ref = checked_text("client_ref", spec.client_ref, false, model::kMaxRefBytes);
  d.client_name = checked_text("client_name", spec.client_name, false, model::kMaxNameBytes);
  d.segment = checked_text("segment", spec.segment, false, model::kMaxNameBytes);
  d.external_ref = checked_text("external_ref", spec.external_ref, false, model::kMaxRefBytes);

  if (spec.owner_id) {
    const User &u = impl.user(spec.owner_id);
    if (!u.active && (is_new || d.owner_id != spec.owner_id))
      throw Error(Errc::conflict, fmt::format("user {} is inactive and cannot own deals", u.id));
  }
  if (spec.department_id) impl.check_department(spec.department_id);
  d.department_explicit = spec.department_id != 0;
  if (d.department_explicit) d.department_id = spec.department_id;
  impl.assign_record(d, spec.owner_id);

  for (Id t : spec.tags) impl.tag(t);
  d.tags = spec.tags;
  for (Id c : spec.contacts)
    if (!impl.store_.load_contact(c)) throw Error(Errc::not_found, fmt::format("contact {} does not exist", c));
  d.contacts = spec.contacts;
}

const Stage &target_stage(Database::Impl &impl, Id pipeline_id, Id stage_id) {
  if (stage_id) {
    const Stage &st = impl.stage(stage_id);
    if (pipeline_id && st.pipeline_id != pipeline_id)
      throw Error(Errc::conflict,
                  fmt::format("stage {} belongs to pipeline {}, not {}", stage_id, st.pipeline_id, pipeline_id));
    if (impl.pipeline(st.pipeline_id).archived)
      throw Error(Errc::conflict, fmt::format("pipeline {} is archived", st.pipeline_id));
    return st;
  }
  if (!pipeline_id) throw Error(Errc::invalid_argument, "a pipeline or a stage is required");
  const Pipeline &p = impl.pipeline(pipeline_id);
  if (p.archived) throw Error(Errc::conflict, fmt::format("pipeline {} is archived", pipeline_id));
  return impl.first_open_stage(p);
}

}  // namespace

namespace {

// Validates and inserts one new deal inside the caller's transaction.
Id insert_new_deal(Database::Impl &impl, Actor actor, const DealSpec &spec, Database::Impl::Pending &pending) {
  DealRecord d;
  fill_from_spec(impl, spec, d, true);
  const Stage &st = target_stage(impl, spec.pipeline_id, spec.stage_id);
  if (!d.external_ref.empty() && impl.store_.deal_id_by_ref(d.external_ref))
    throw Error(Errc::exists, fmt::format("a deal with external_ref '{}' exists", d.external_ref));
  Millis t = impl.now();
  d.created_at = spec.created_at ? model::checked_time("created_at", *spec.created_at) : t;
  d.updated_at = spec.updated_at ? model::checked_time("updated_at", *spec.updated_at) : t;
  d.pipeline_id = st.pipeline_id;
  d.stage_id = st.id;
  d.stage_kind = st.kind;
  d.stage_changed_at = d.created_at;
  d.closed_at = st.kind == StageKind::open ? 0 : t;
  impl.save_deal(actor, nullptr, d, pending);
  return d.id;
}

}  // namespace

Id Database::create_deal(Actor actor, const DealSpec &spec) {
  return impl_->write(actor, [&](Impl::Pending &pending) { return insert_new_deal(*impl_, actor, spec, pending); });
}

std::vector<Id> Database::create_deals(Actor actor, const std::vector<DealSpec> &specs) {
  if (specs.empty()) throw Error(Errc::invalid_argument, "no deals given");
  if (specs.size() > kMaxBulk) throw Error(Errc::invalid_argument, "at most 100000 deals in one call");
  return impl_->write(actor, [&](Impl::Pending &pending) {
    return per_item("deal", specs.size(),
                    [&](std::size_t i) { return insert_new_deal(*impl_, actor, specs[i], pending); });
  });
}

Id Database::upsert_deal(Actor actor, const DealSpec &spec) {
  if (model::trim(spec.external_ref).empty())
    throw Error(Errc::invalid_argument, "upsert needs an external_ref");
  // Checked even when the deal exists (they then change nothing): the call
  // is refused or not by its arguments, not by what the file holds.
  if (spec.created_at) model::checked_time("created_at", *spec.created_at);
  if (spec.updated_at) model::checked_time("updated_at", *spec.updated_at);
  return impl_->write(actor, [&](Impl::Pending &pending) {
    auto existing = impl_->store_.deal_id_by_ref(model::checked_text("external_ref", spec.external_ref, true,
                                                                     model::kMaxRefBytes));
    if (!existing) return insert_new_deal(*impl_, actor, spec, pending);
    DealRecord before = impl_->load_deal(*existing);
    DealRecord after = before;
    fill_from_spec(*impl_, spec, after, false);
    bool move = (spec.stage_id && spec.stage_id != before.stage_id) ||
                (!spec.stage_id && spec.pipeline_id && spec.pipeline_id != before.pipeline_id);
    if (move) impl_->move_record(after, target_stage(*impl_, spec.pipeline_id, spec.stage_id), {});
    impl_->save_deal(actor, &before, after, pending);
    return after.id;
  });
}

void Database::update_deal(Actor actor, Id deal_id, const DealPatch &patch) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    DealRecord before = impl_->load_deal(deal_id);
    DealRecord d = before;
    if (patch.name) d.name = checked_text("deal name", *patch.name, true, model::kMaxNameBytes);
    if (patch.amount) {
      if (*patch.amount < 0) throw Error(Errc::invalid_argument, "a deal's amount cannot be negative");
      d.amount.minor = *patch.amount;
    }
    if (patch.currency) d.amount.currency = model::checked_currency(*patch.currency);
    if (patch.client_ref) d.client_ref = checked_text("client_ref", *patch.client_ref, false, model::kMaxRefBytes);
    if (patch.client_name)
      d.client_name = checked_text("client_name", *patch.client_name, false, model::kMaxNameBytes);
    if (patch.segment) d.segment = checked_text("segment", *patch.segment, false, model::kMaxNameBytes);
    if (patch.department_id) {
      if (*patch.department_id) impl_->check_department(*patch.department_id);
      d.department_explicit = *patch.department_id != 0;
      if (d.department_explicit) d.department_id = *patch.department_id;
    }
    if (patch.owner_id) {
      if (*patch.owner_id && *patch.owner_id != before.owner_id && !impl_->user(*patch.owner_id).active)
        throw Error(Errc::conflict, fmt::format("user {} is inactive and cannot own deals", *patch.owner_id));
      impl_->assign_record(d, *patch.owner_id);
    } else if (patch.department_id && !d.department_explicit) {
      impl_->assign_record(d, d.owner_id);
    }
    impl_->save_deal(actor, &before, d, pending);
  });
}

Deal Database::get_deal(Id deal_id) const {
  std::lock_guard lock(impl_->store_mu_);
  return impl_->load_deal(deal_id);
}

std::optional<Deal> Database::find_deal_by_ref(const std::string &external_ref) const {
  auto ref = checked_text("external_ref", external_ref, true, model::kMaxRefBytes);
  std::lock_guard lock(impl_->store_mu_);
  auto id = impl_->store_.deal_id_by_ref(ref);
  if (!id) return std::nullopt;
  return Deal(impl_->load_deal(*id));
}

void Database::move_deals(Actor actor, const std::vector<Id> &deal_ids, const MoveTarget &target) {
  auto ids = impl_->unique_ids(deal_ids);
  auto reason = checked_text("lost reason", target.lost_reason, false, model::kMaxTextBytes);
  impl_->write(actor, [&](Impl::Pending &pending) {
    const Stage &st = target_stage(*impl_, target.pipeline_id, target.stage_id);
    if (!reason.empty() && st.kind != StageKind::lost)
      throw Error(Errc::invalid_argument, "a lost reason goes only with a lost stage");
    for (Id id : ids) {
      DealRecord before = impl_->load_deal(id);
      DealRecord after = before;
      impl_->move_record(after, st, reason);
      impl_->save_deal(actor, &before, after, pending);
    }
  });
}

void Database::assign_deals(Actor actor, const std::vector<Id> &deal_ids, Id owner_id) {
  auto ids = impl_->unique_ids(deal_ids);
  impl_->write(actor, [&](Impl::Pending &pending) {
    if (owner_id && !impl_->user(owner_id).active)
      throw Error(Errc::conflict, fmt::format("user {} is inactive and cannot own deals", owner_id));
    for (Id id : ids) {
      DealRecord before = impl_->load_deal(id);
      DealRecord after = before;
      impl_->assign_record(after, owner_id);
      impl_->save_deal(actor, &before, after, pending);
    }
  });
}

void Database::tag_deals(Actor actor, const std::vector<Id> &deal_ids, const std::vector<Id> &add,
                         const std::vector<Id> &remove) {
  auto ids = impl_->unique_ids(deal_ids);
  auto a = sorted_unique(add), r = sorted_unique(remove);
  std::vector<Id> both;
  std::set_intersection(a.begin(), a.end(), r.begin(), r.end(), std::back_inserter(both));
  if (!both.empty()) throw Error(Errc::invalid_argument, fmt::format("tag {} is both added and removed", both[0]));
  impl_->write(actor, [&](Impl::Pending &pending) {
    for (Id t : a) impl_->tag(t);
    for (Id t : r) impl_->tag(t);
    for (Id id : ids) {
      DealRecord before = impl_->load_deal(id);
      DealRecord after = before;
      std::vector<Id> tags = minus(before.tags, r);
      tags.insert(tags.end(), a.begin(), a.end());
      after.tags = std::move(tags);
      impl_->save_deal(actor, &before, after, pending);
    }
  });
}

void Database::archive_deals(Actor actor, const std::vector<Id> &deal_ids, bool archived) {
  auto ids = impl_->unique_ids(deal_ids);
  impl_->write(actor, [&](Impl::Pending &pending) {
    for (Id id : ids) {
      DealRecord before = impl_->load_deal(id);
      DealRecord after = before;
      after.archived = archived;
      impl_->save_deal(actor, &before, after, pending);
    }
  });
}

// ---- contacts ------------------------------------------------------------------

namespace {

Contact checked_contact(const Database::Impl &impl, const ContactSpec &spec) {
  Contact c;
  c.name = checked_text("contact name", spec.name, true, model::kMaxNameBytes);
  c.client_ref = checked_text("client_ref", spec.client_ref, false, model::kMaxRefBytes);
  c.external_ref = checked_text("external_ref", spec.external_ref, false, model::kMaxRefBytes);
  if (spec.phones.size() > 50 || spec.emails.size() > 50)
    throw Error(Errc::invalid_argument, "a contact has at most 50 phones and 50 e-mails");
  for (const auto &p : spec.phones) {
    auto e = impl.phones_.to_e164(p);
    if (!e)
      throw Error(Errc::invalid_argument,
                  fmt::format("'{}' is not a phone number", model::valid_utf8(p) ? p : std::string("?")));
    c.phones.push_back(*e);
  }
  for (const auto &m : spec.emails) {
    auto e = model::normalize_email(m);
    if (!e)
      throw Error(Errc::invalid_argument,
                  fmt::format("'{}' is not an e-mail address", model::valid_utf8(m) ? m : std::string("?")));
    c.emails.push_back(*e);
  }
  auto uniq = [](std::vector<std::string> &v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  uniq(c.phones);
  uniq(c.emails);
  return c;
}

std::string contact_payload(const Contact &c) {
  std::string phones = "[", emails = "[";
  for (std::size_t i = 0; i < c.phones.size(); ++i) {
    if (i) phones += ',';
    model::append_json_string(phones, c.phones[i]);
  }
  for (std::size_t i = 0; i < c.emails.size(); ++i) {
    if (i) emails += ',';
    model::append_json_string(emails, c.emails[i]);
  }
  std::string out = JsonObject().num("contact", c.id).str("name", c.name).done();
  out.pop_back();
  return out + ",\"phones\":" + phones + "],\"emails\":" + emails + "]}";
}

}  // namespace

namespace {

Id insert_new_contact(Database::Impl &impl, Actor actor, Contact c, Database::Impl::Pending &pending) {
  if (!c.external_ref.empty() && impl.store_.contact_id_by_ref(c.external_ref))
    throw Error(Errc::exists, fmt::format("a contact with external_ref '{}' exists", c.external_ref));
  c.id = impl.store_.insert_contact(c);
  if (c.id > static_cast<Id>(UINT32_MAX)) throw Error(Errc::constraint, "the database is full of contacts");
  impl.store_.append_event(impl.now(), actor.user_id, 0, "contact.created", contact_payload(c));
  pending.contacts.emplace_back(std::nullopt, c);
  return c.id;
}

}  // namespace

Id Database::create_contact(Actor actor, const ContactSpec &spec) {
  Contact c = checked_contact(*impl_, spec);
  return impl_->write(actor,
                      [&](Impl::Pending &pending) { return insert_new_contact(*impl_, actor, c, pending); });
}

std::vector<Id> Database::create_contacts(Actor actor, const std::vector<ContactSpec> &specs) {
  if (specs.empty()) throw Error(Errc::invalid_argument, "no contacts given");
  if (specs.size() > kMaxBulk) throw Error(Errc::invalid_argument, "at most 100000 contacts in one call");
  auto checked = per_item("contact", specs.size(), [&](std::size_t i) { return checked_contact(*impl_, specs[i]); });
  return impl_->write(actor, [&](Impl::Pending &pending) {
    return per_item("contact", checked.size(),
                    [&](std::size_t i) { return insert_new_contact(*impl_, actor, checked[i], pending); });
  });
}

void Database::update_contact(Actor actor, Id contact_id, const ContactSpec &spec) {
  Contact c = checked_contact(*impl_, spec);
  c.id = contact_id;
  impl_->write(actor, [&](Impl::Pending &pending) {
    auto old = impl_->store_.load_contact(contact_id);
    if (!old) throw Error(Errc::not_found, fmt::format("contact {} does not exist", contact_id));
    if (!c.external_ref.empty()) {
      auto other = impl_->store_.contact_id_by_ref(c.external_ref);
      if (other && *other != contact_id)
        throw Error(Errc::exists, fmt::format("a contact with external_ref '{}' exists", c.external_ref));
    }
    impl_->store_.update_contact(c);
    impl_->store_.append_event(impl_->now(), actor.user_id, 0, "contact.updated", contact_payload(c));
    pending.contacts.emplace_back(old, c);
  });
}

Contact Database::contact(Id contact_id) const {
  std::lock_guard lock(impl_->store_mu_);
  auto c = impl_->store_.load_contact(contact_id);
  if (!c) throw Error(Errc::not_found, fmt::format("contact {} does not exist", contact_id));
  return *c;
}

void Database::link_contact(Actor actor, Id deal_id, Id contact_id) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    if (!impl_->store_.load_contact(contact_id))
      throw Error(Errc::not_found, fmt::format("contact {} does not exist", contact_id));
    DealRecord before = impl_->load_deal(deal_id);
    DealRecord after = before;
    after.contacts.push_back(contact_id);
    impl_->save_deal(actor, &before, after, pending);
  });
}

void Database::unlink_contact(Actor actor, Id deal_id, Id contact_id) {
  impl_->write(actor, [&](Impl::Pending &pending) {
    if (!impl_->store_.load_contact(contact_id))
      throw Error(Errc::not_found, fmt::format("contact {} does not exist", contact_id));
    DealRecord before = impl_->load_deal(deal_id);
    DealRecord after = before;
    std::erase(after.contacts, contact_id);
    impl_->save_deal(actor, &before, after, pending);
  });
}

}  // namespace dealcore
