// capi/deals.cpp — contacts, deals (create, upsert, update, read), bulk
// operations and the phone / e-mail lookups.
#include <cstdlib>
#include <cstring>
#include <memory>

#include "internal.hpp"

using namespace dealcore::capi;

namespace {

dealcore::ContactSpec contact_spec(const dealcore_contact_spec *spec) {
  need(spec, "spec");
  check_version(spec->version, DEALCORE_CONTACT_SPEC_VERSION, "dealcore_contact_spec");
  dealcore::ContactSpec s;
  s.name = text(spec->name, "spec->name");
  s.phones = texts(spec->phones, spec->phone_count, "spec->phones");
  s.emails = texts(spec->emails, spec->email_count, "spec->emails");
  s.client_ref = opt_text(spec->client_ref);
  s.external_ref = opt_text(spec->external_ref);
  return s;
}

dealcore::DealSpec deal_spec(const dealcore_deal_spec *spec) {
  need(spec, "spec");
  check_version(spec->version, 1, DEALCORE_DEAL_SPEC_VERSION, "dealcore_deal_spec");
  dealcore::DealSpec s;
  s.name = text(spec->name, "spec->name");
  s.pipeline_id = spec->pipeline_id;
  s.stage_id = spec->stage_id;
  s.amount = spec->amount;
  if (spec->currency != nullptr) s.currency = spec->currency;
  s.owner_id = spec->owner_id;
  s.department_id = spec->department_id;
  s.client_ref = opt_text(spec->client_ref);
  s.client_name = opt_text(spec->client_name);
  s.segment = opt_text(spec->segment);
  s.external_ref = opt_text(spec->external_ref);
  s.tags = ids(spec->tags, spec->tag_count, "spec->tags");
  s.contacts = ids(spec->contacts, spec->contact_count, "spec->contacts");
  if (flag(spec->set_created_at)) s.created_at = spec->created_at;
  if (spec->version >= 2 && flag(spec->set_updated_at)) s.updated_at = spec->updated_at;
  return s;
}

// The size of a dealcore_deal_spec of a version: an array of them is laid
// out by the caller's header, whose struct may be an older, shorter one.
std::size_t deal_spec_size(std::uint32_t version) {
  return version == 1 ? offsetof(dealcore_deal_spec, set_updated_at) : sizeof(dealcore_deal_spec);
}

dealcore_id_list *id_list(std::vector<std::int64_t> ids) {
  auto list = std::make_unique<dealcore_id_list>();
  list->ids = std::move(ids);
  return list.release();
}

}  // namespace

extern "C" {

// ---- contacts ---------------------------------------------------------------------

int dealcore_contact_spec_init(dealcore_contact_spec *spec, uint32_t version) noexcept {
  static const dealcore_contact_spec defaults = DEALCORE_CONTACT_SPEC_INIT;
  return init_struct("dealcore_contact_spec_init", "dealcore_contact_spec", spec, version,
                     DEALCORE_CONTACT_SPEC_VERSION, defaults);
}

int dealcore_contact_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                            const dealcore_contact_spec *spec) noexcept {
  return guard("dealcore_contact_create", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = d.create_contact(actor(actor_id), contact_spec(spec));
  });
}

int dealcore_contact_create_many(dealcore_id_list **out, dealcore_db *db, int64_t actor_id,
                                 const dealcore_contact_spec *specs, size_t count) noexcept {
  return guard("dealcore_contact_create_many", [&] {
    need_out(out);
    auto &d = db_of(db);
    if (count > 0) need(specs, "specs");
    std::vector<dealcore::ContactSpec> v;
    v.reserve(count);
    for (size_t i = 0; i < count; ++i) v.push_back(contact_spec(&specs[i]));
    *out = id_list(d.create_contacts(actor(actor_id), v));
  });
}

int dealcore_contact_update(dealcore_db *db, int64_t actor_id, int64_t contact_id,
                            const dealcore_contact_spec *spec) noexcept {
  return guard("dealcore_contact_update", [&] {
    auto &d = db_of(db);
    d.update_contact(actor(actor_id), contact_id, contact_spec(spec));
  });
}

int dealcore_contact_get(dealcore_contact **out, const dealcore_db *db,
                         int64_t contact_id) noexcept {
  return guard("dealcore_contact_get", [&] {
    need_out(out);
    auto c = std::make_unique<dealcore_contact>();
    c->v = db_of(db).contact(contact_id);
    *out = c.release();
  });
}

void dealcore_contact_free(dealcore_contact *contact) noexcept { delete contact; }

int dealcore_contact_link(dealcore_db *db, int64_t actor_id, int64_t deal_id,
                          int64_t contact_id) noexcept {
  return guard("dealcore_contact_link",
               [&] { db_of(db).link_contact(actor(actor_id), deal_id, contact_id); });
}

int dealcore_contact_unlink(dealcore_db *db, int64_t actor_id, int64_t deal_id,
                            int64_t contact_id) noexcept {
  return guard("dealcore_contact_unlink",
               [&] { db_of(db).unlink_contact(actor(actor_id), deal_id, contact_id); });
}

int dealcore_contact_find_by_phone(dealcore_id_list **out, const dealcore_db *db,
                                   const char *phone) noexcept {
  return guard("dealcore_contact_find_by_phone", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = id_list(d.find_contacts_by_phone(text(phone, "phone")));
  });
}

int dealcore_contact_find_by_email(dealcore_id_list **out, const dealcore_db *db,
                                   const char *email) noexcept {
  return guard("dealcore_contact_find_by_email", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = id_list(d.find_contacts_by_email(text(email, "email")));
  });
}

int64_t dealcore_contact_id(const dealcore_contact *c) noexcept { return c ? c->v.id : 0; }
const char *dealcore_contact_name(const dealcore_contact *c) noexcept {
  return c ? c->v.name.c_str() : "";
}
size_t dealcore_contact_phone_count(const dealcore_contact *c) noexcept {
  return c ? c->v.phones.size() : 0;
}
const char *dealcore_contact_phone_at(const dealcore_contact *c, size_t i) noexcept {
  return c && i < c->v.phones.size() ? c->v.phones[i].c_str() : "";
}
size_t dealcore_contact_email_count(const dealcore_contact *c) noexcept {
  return c ? c->v.emails.size() : 0;
}
const char *dealcore_contact_email_at(const dealcore_contact *c, size_t i) noexcept {
  return c && i < c->v.emails.size() ? c->v.emails[i].c_str() : "";
}
const char *dealcore_contact_client_ref(const dealcore_contact *c) noexcept {
  return c ? c->v.client_ref.c_str() : "";
}
const char *dealcore_contact_external_ref(const dealcore_contact *c) noexcept {
  return c ? c->v.external_ref.c_str() : "";
}

int dealcore_phone_normalize(char **out, const dealcore_db *db, const char *phone) noexcept {
  return guard("dealcore_phone_normalize", [&] {
    need_out(out);
    auto &d = db_of(db);
    const std::string e164 = d.normalize_phone(text(phone, "phone"));
    // malloc, so that dealcore_string_free (free) matches whatever allocates here.
    char *s = static_cast<char *>(std::malloc(e164.size() + 1));
    if (s == nullptr) throw std::bad_alloc();
    std::memcpy(s, e164.c_str(), e164.size() + 1);
    *out = s;
  });
}

// ---- deals ---------------------------------------------------------------------------

int dealcore_deal_spec_init(dealcore_deal_spec *spec, uint32_t version) noexcept {
  static const dealcore_deal_spec defaults = DEALCORE_DEAL_SPEC_INIT;
  return init_struct("dealcore_deal_spec_init", "dealcore_deal_spec", spec, version, 1,
                     DEALCORE_DEAL_SPEC_VERSION, defaults, deal_spec_size);
}

int dealcore_deal_patch_init(dealcore_deal_patch *patch, uint32_t version) noexcept {
  static const dealcore_deal_patch defaults = DEALCORE_DEAL_PATCH_INIT;
  return init_struct("dealcore_deal_patch_init", "dealcore_deal_patch", patch, version,
                     DEALCORE_DEAL_PATCH_VERSION, defaults);
}

int dealcore_move_target_init(dealcore_move_target *target, uint32_t version) noexcept {
  static const dealcore_move_target defaults = DEALCORE_MOVE_TARGET_INIT;
  return init_struct("dealcore_move_target_init", "dealcore_move_target", target, version,
                     DEALCORE_MOVE_TARGET_VERSION, defaults);
}

int dealcore_deal_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                         const dealcore_deal_spec *spec) noexcept {
  return guard("dealcore_deal_create", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = d.create_deal(actor(actor_id), deal_spec(spec));
  });
}

int dealcore_deal_create_many(dealcore_id_list **out, dealcore_db *db, int64_t actor_id,
                              const dealcore_deal_spec *specs, size_t count) noexcept {
  return guard("dealcore_deal_create_many", [&] {
    need_out(out);
    auto &d = db_of(db);
    if (count > 0) need(specs, "specs");
    std::vector<dealcore::DealSpec> v;
    v.reserve(count);
    // Every element has the first one's version, and so its size: a host
    // built against the version 1 header passes 144-byte elements.
    const std::uint32_t version = count > 0 ? specs->version : 0;
    if (count > 0) check_version(version, 1, DEALCORE_DEAL_SPEC_VERSION, "dealcore_deal_spec");
    const auto *at = reinterpret_cast<const unsigned char *>(specs);
    for (size_t i = 0; i < count; ++i, at += deal_spec_size(version)) {
      const auto *spec = reinterpret_cast<const dealcore_deal_spec *>(at);
      if (spec->version != version)
        throw dealcore::Error(dealcore::Errc::invalid_argument,
                              "specs[" + std::to_string(i) + "] has version " + std::to_string(spec->version) +
                                  ", specs[0] version " + std::to_string(version) +
                                  ": every element must carry the same version");
      v.push_back(deal_spec(spec));
    }
    *out = id_list(d.create_deals(actor(actor_id), v));
  });
}

int dealcore_deal_upsert(int64_t *out, dealcore_db *db, int64_t actor_id,
                         const dealcore_deal_spec *spec) noexcept {
  return guard("dealcore_deal_upsert", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = d.upsert_deal(actor(actor_id), deal_spec(spec));
  });
}

int dealcore_deal_update(dealcore_db *db, int64_t actor_id, int64_t deal_id,
                         const dealcore_deal_patch *patch) noexcept {
  return guard("dealcore_deal_update", [&] {
    auto &d = db_of(db);
    need(patch, "patch");
    check_version(patch->version, DEALCORE_DEAL_PATCH_VERSION, "dealcore_deal_patch");
    dealcore::DealPatch p;
    if (flag(patch->set_name)) p.name = text(patch->name, "patch->name");
    if (flag(patch->set_amount)) p.amount = patch->amount;
    if (flag(patch->set_currency)) p.currency = text(patch->currency, "patch->currency");
    if (flag(patch->set_owner_id)) p.owner_id = patch->owner_id;
    if (flag(patch->set_department_id)) p.department_id = patch->department_id;
    if (flag(patch->set_client_ref)) p.client_ref = opt_text(patch->client_ref);
    if (flag(patch->set_client_name)) p.client_name = opt_text(patch->client_name);
    if (flag(patch->set_segment)) p.segment = opt_text(patch->segment);
    d.update_deal(actor(actor_id), deal_id, p);
  });
}

int dealcore_deal_get(dealcore_deal **out, const dealcore_db *db, int64_t deal_id) noexcept {
  return guard("dealcore_deal_get", [&] {
    need_out(out);
    auto deal = std::make_unique<dealcore_deal>();
    deal->v = db_of(db).get_deal(deal_id);
    *out = deal.release();
  });
}

int dealcore_deal_find_by_ref(dealcore_deal **out, const dealcore_db *db,
                              const char *external_ref) noexcept {
  return guard("dealcore_deal_find_by_ref", [&] {
    need_out(out);
    auto &d = db_of(db);
    const std::string ref = text(external_ref, "external_ref");
    auto found = d.find_deal_by_ref(ref);
    if (!found)
      throw dealcore::Error(dealcore::Errc::not_found, "no deal has external_ref \"" + ref + "\"");
    auto deal = std::make_unique<dealcore_deal>();
    deal->v = std::move(*found);
    *out = deal.release();
  });
}

void dealcore_deal_free(dealcore_deal *deal) noexcept { delete deal; }

// ---- bulk operations ------------------------------------------------------------------

int dealcore_deal_move(dealcore_db *db, int64_t actor_id, const int64_t *ids_, size_t count,
                       const dealcore_move_target *target) noexcept {
  return guard("dealcore_deal_move", [&] {
    auto &d = db_of(db);
    need(target, "target");
    check_version(target->version, DEALCORE_MOVE_TARGET_VERSION, "dealcore_move_target");
    dealcore::MoveTarget t;
    t.pipeline_id = target->pipeline_id;
    t.stage_id = target->stage_id;
    t.lost_reason = opt_text(target->lost_reason);
    d.move_deals(actor(actor_id), ids(ids_, count, "ids"), t);
  });
}

int dealcore_deal_assign(dealcore_db *db, int64_t actor_id, const int64_t *ids_, size_t count,
                         int64_t owner_id) noexcept {
  return guard("dealcore_deal_assign", [&] {
    auto &d = db_of(db);
    d.assign_deals(actor(actor_id), ids(ids_, count, "ids"), owner_id);
  });
}

int dealcore_deal_tag(dealcore_db *db, int64_t actor_id, const int64_t *ids_, size_t count,
                      const int64_t *add, size_t add_count, const int64_t *remove,
                      size_t remove_count) noexcept {
  return guard("dealcore_deal_tag", [&] {
    auto &d = db_of(db);
    auto deal_ids = ids(ids_, count, "ids");
    auto added = ids(add, add_count, "add");
    auto removed = ids(remove, remove_count, "remove");
    d.tag_deals(actor(actor_id), deal_ids, added, removed);
  });
}

int dealcore_deal_archive(dealcore_db *db, int64_t actor_id, const int64_t *ids_, size_t count,
                          int32_t archived) noexcept {
  return guard("dealcore_deal_archive", [&] {
    auto &d = db_of(db);
    d.archive_deals(actor(actor_id), ids(ids_, count, "ids"), flag(archived));
  });
}

int dealcore_deal_find_by_phone(dealcore_id_list **out, const dealcore_db *db,
                                const char *phone) noexcept {
  return guard("dealcore_deal_find_by_phone", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = id_list(d.find_deals_by_phone(text(phone, "phone")));
  });
}

int dealcore_deal_find_by_email(dealcore_id_list **out, const dealcore_db *db,
                                const char *email) noexcept {
  return guard("dealcore_deal_find_by_email", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = id_list(d.find_deals_by_email(text(email, "email")));
  });
}

int dealcore_deal_count(int64_t *out, const dealcore_db *db, int32_t archived) noexcept {
  return guard("dealcore_deal_count", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = d.deal_count(archived_mode(archived, "archived"));
  });
}

// ---- deal accessors (a list page's items read their DealView; tags and
// contacts are empty there, as in list_deals' items) -----------------------------------------------------------------

int64_t dealcore_deal_id(const dealcore_deal *d) noexcept { return d ? (d->view ? d->view->id : d->v.id) : 0; }
const char *dealcore_deal_name(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->name.data() : d->v.name.c_str()) : "";
}
int64_t dealcore_deal_pipeline_id(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->pipeline_id : d->v.pipeline_id) : 0;
}
int64_t dealcore_deal_stage_id(const dealcore_deal *d) noexcept { return d ? (d->view ? d->view->stage_id : d->v.stage_id) : 0; }
int32_t dealcore_deal_stage_kind(const dealcore_deal *d) noexcept {
  return d ? static_cast<int32_t>(d->view ? d->view->stage_kind : d->v.stage_kind) : DEALCORE_STAGE_OPEN;
}
int64_t dealcore_deal_amount(const dealcore_deal *d) noexcept { return d ? (d->view ? d->view->amount : d->v.amount.minor) : 0; }
const char *dealcore_deal_currency(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->currency.data() : d->v.amount.currency.c_str()) : "";
}
int64_t dealcore_deal_owner_id(const dealcore_deal *d) noexcept { return d ? (d->view ? d->view->owner_id : d->v.owner_id) : 0; }
int64_t dealcore_deal_department_id(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->department_id : d->v.department_id) : 0;
}
const char *dealcore_deal_client_ref(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->client_ref.data() : d->v.client_ref.c_str()) : "";
}
const char *dealcore_deal_client_name(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->client_name.data() : d->v.client_name.c_str()) : "";
}
const char *dealcore_deal_segment(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->segment.data() : d->v.segment.c_str()) : "";
}
const char *dealcore_deal_external_ref(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->external_ref.data() : d->v.external_ref.c_str()) : "";
}
const char *dealcore_deal_lost_reason(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->lost_reason.data() : d->v.lost_reason.c_str()) : "";
}
int64_t dealcore_deal_created_at(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->created_at : d->v.created_at) : 0;
}
int64_t dealcore_deal_updated_at(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->updated_at : d->v.updated_at) : 0;
}
int64_t dealcore_deal_closed_at(const dealcore_deal *d) noexcept { return d ? (d->view ? d->view->closed_at : d->v.closed_at) : 0; }
int64_t dealcore_deal_stage_changed_at(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->stage_changed_at : d->v.stage_changed_at) : 0;
}
int32_t dealcore_deal_archived(const dealcore_deal *d) noexcept {
  return d && (d->view ? d->view->archived : d->v.archived) ? 1 : 0;
}
int32_t dealcore_deal_open_task_count(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->open_task_count : d->v.open_task_count) : 0;
}
int64_t dealcore_deal_next_task_due(const dealcore_deal *d) noexcept {
  return d ? (d->view ? d->view->next_task_due : d->v.next_task_due) : 0;
}
int32_t dealcore_deal_task_state(const dealcore_deal *d) noexcept {
  return d ? static_cast<int32_t>(d->view ? d->view->task_state : d->v.task_state) : DEALCORE_TASK_STATE_NONE;
}
size_t dealcore_deal_tag_count(const dealcore_deal *d) noexcept { return d ? d->v.tags.size() : 0; }
const int64_t *dealcore_deal_tags(const dealcore_deal *d) noexcept {
  return d && !d->v.tags.empty() ? d->v.tags.data() : nullptr;
}
size_t dealcore_deal_contact_count(const dealcore_deal *d) noexcept {
  return d ? d->v.contacts.size() : 0;
}
const int64_t *dealcore_deal_contacts(const dealcore_deal *d) noexcept {
  return d && !d->v.contacts.empty() ? d->v.contacts.data() : nullptr;
}

}  // extern "C"
