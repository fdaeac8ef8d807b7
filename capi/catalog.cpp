// capi/catalog.cpp — pipelines and stages, departments, users, tags.
#include <memory>

#include "internal.hpp"

using namespace dealcore::capi;

dealcore_pipeline::dealcore_pipeline(dealcore::Pipeline p) : v(std::move(p)) {
  stages.reserve(v.stages.size());
  for (auto &s : v.stages) stages.push_back(dealcore_stage{std::move(s)});
  v.stages.clear();
}

namespace {

template <class List>
const auto *item_at(const List *list, size_t i) {
  return list == nullptr || i >= list->items.size() ? nullptr : &list->items[i];
}

template <class List>
size_t item_count(const List *list) {
  return list == nullptr ? 0 : list->items.size();
}

}  // namespace

extern "C" {

// ---- pipelines -------------------------------------------------------------------

int dealcore_stage_spec_init(dealcore_stage_spec *spec, uint32_t version) noexcept {
  static const dealcore_stage_spec defaults = DEALCORE_STAGE_SPEC_INIT;
  return init_struct("dealcore_stage_spec_init", "dealcore_stage_spec", spec, version,
                     DEALCORE_STAGE_SPEC_VERSION, defaults);
}

int dealcore_pipeline_create(int64_t *out, dealcore_db *db, int64_t actor_id, const char *name,
                             const dealcore_stage_spec *stages, size_t stage_count) noexcept {
  return guard("dealcore_pipeline_create", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = d.create_pipeline(actor(actor_id), text(name, "name"), stage_specs(stages, stage_count));
  });
}

int dealcore_pipeline_rename(dealcore_db *db, int64_t actor_id, int64_t pipeline_id,
                             const char *name) noexcept {
  return guard("dealcore_pipeline_rename", [&] {
    db_of(db).rename_pipeline(actor(actor_id), pipeline_id, text(name, "name"));
  });
}

int dealcore_pipeline_reorder(dealcore_db *db, int64_t actor_id, const int64_t *ids_,
                              size_t count) noexcept {
  return guard("dealcore_pipeline_reorder",
               [&] { db_of(db).reorder_pipelines(actor(actor_id), ids(ids_, count, "ids")); });
}

int dealcore_pipeline_archive(dealcore_db *db, int64_t actor_id, int64_t pipeline_id,
                              int32_t archived) noexcept {
  return guard("dealcore_pipeline_archive",
               [&] { db_of(db).archive_pipeline(actor(actor_id), pipeline_id, flag(archived)); });
}

int dealcore_pipeline_update_stages(dealcore_db *db, int64_t actor_id, int64_t pipeline_id,
                                    const dealcore_stage_spec *stages, size_t stage_count,
                                    const dealcore_stage_move *moves, size_t move_count) noexcept {
  return guard("dealcore_pipeline_update_stages", [&] {
    auto &d = db_of(db);
    auto specs = stage_specs(stages, stage_count);
    std::vector<std::pair<dealcore::Id, dealcore::Id>> pairs;
    if (move_count != 0) {
      need(moves, "moves");
      pairs.reserve(move_count);
      for (size_t i = 0; i < move_count; ++i)
        pairs.emplace_back(moves[i].from_stage_id, moves[i].to_stage_id);
    }
    d.update_stages(actor(actor_id), pipeline_id, specs, pairs);
  });
}

int dealcore_pipeline_list(dealcore_pipelines **out, const dealcore_db *db,
                           int32_t include_archived) noexcept {
  return guard("dealcore_pipeline_list", [&] {
    need_out(out);
    auto list = std::make_unique<dealcore_pipelines>();
    for (auto &p : db_of(db).pipelines(flag(include_archived)))
      list->items.emplace_back(std::move(p));
    *out = list.release();
  });
}

int dealcore_pipeline_get(dealcore_pipeline **out, const dealcore_db *db,
                          int64_t pipeline_id) noexcept {
  return guard("dealcore_pipeline_get", [&] {
    need_out(out);
    *out = std::make_unique<dealcore_pipeline>(db_of(db).pipeline(pipeline_id)).release();
  });
}

void dealcore_pipeline_free(dealcore_pipeline *pipeline) noexcept { delete pipeline; }

size_t dealcore_pipelines_count(const dealcore_pipelines *list) noexcept {
  return item_count(list);
}
const dealcore_pipeline *dealcore_pipelines_at(const dealcore_pipelines *list, size_t i) noexcept {
  return item_at(list, i);
}
void dealcore_pipelines_free(dealcore_pipelines *list) noexcept { delete list; }

int64_t dealcore_pipeline_id(const dealcore_pipeline *p) noexcept { return p ? p->v.id : 0; }
const char *dealcore_pipeline_name(const dealcore_pipeline *p) noexcept {
  return p ? p->v.name.c_str() : "";
}
int32_t dealcore_pipeline_position(const dealcore_pipeline *p) noexcept {
  return p ? p->v.position : 0;
}
int32_t dealcore_pipeline_archived(const dealcore_pipeline *p) noexcept {
  return p && p->v.archived ? 1 : 0;
}
size_t dealcore_pipeline_stage_count(const dealcore_pipeline *p) noexcept {
  return p ? p->stages.size() : 0;
}
const dealcore_stage *dealcore_pipeline_stage_at(const dealcore_pipeline *p, size_t i) noexcept {
  return p == nullptr || i >= p->stages.size() ? nullptr : &p->stages[i];
}

int64_t dealcore_stage_id(const dealcore_stage *s) noexcept { return s ? s->v.id : 0; }
int64_t dealcore_stage_pipeline_id(const dealcore_stage *s) noexcept {
  return s ? s->v.pipeline_id : 0;
}
const char *dealcore_stage_name(const dealcore_stage *s) noexcept {
  return s ? s->v.name.c_str() : "";
}
int32_t dealcore_stage_kind(const dealcore_stage *s) noexcept {
  return s ? static_cast<int32_t>(s->v.kind) : DEALCORE_STAGE_OPEN;
}
int32_t dealcore_stage_position(const dealcore_stage *s) noexcept { return s ? s->v.position : 0; }
const char *dealcore_stage_color(const dealcore_stage *s) noexcept {
  return s ? s->v.color.c_str() : "";
}
int32_t dealcore_stage_probability(const dealcore_stage *s) noexcept {
  return s && s->v.probability ? *s->v.probability : DEALCORE_NONE;
}
int32_t dealcore_stage_rotting_days(const dealcore_stage *s) noexcept {
  return s && s->v.rotting_days ? *s->v.rotting_days : DEALCORE_NONE;
}

// ---- departments ------------------------------------------------------------------

int dealcore_department_create(int64_t *out, dealcore_db *db, int64_t actor_id,
                               const char *name) noexcept {
  return guard("dealcore_department_create", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = d.create_department(actor(actor_id), text(name, "name"));
  });
}

int dealcore_department_rename(dealcore_db *db, int64_t actor_id, int64_t department_id,
                               const char *name) noexcept {
  return guard("dealcore_department_rename", [&] {
    db_of(db).rename_department(actor(actor_id), department_id, text(name, "name"));
  });
}

int dealcore_department_list(dealcore_departments **out, const dealcore_db *db) noexcept {
  return guard("dealcore_department_list", [&] {
    need_out(out);
    auto list = std::make_unique<dealcore_departments>();
    for (auto &x : db_of(db).departments()) list->items.push_back({std::move(x)});
    *out = list.release();
  });
}

size_t dealcore_departments_count(const dealcore_departments *list) noexcept {
  return item_count(list);
}
const dealcore_department *dealcore_departments_at(const dealcore_departments *list,
                                                   size_t i) noexcept {
  return item_at(list, i);
}
void dealcore_departments_free(dealcore_departments *list) noexcept { delete list; }
int64_t dealcore_department_id(const dealcore_department *d) noexcept { return d ? d->v.id : 0; }
const char *dealcore_department_name(const dealcore_department *d) noexcept {
  return d ? d->v.name.c_str() : "";
}

// ---- users ---------------------------------------------------------------------------

int dealcore_user_create(int64_t *out, dealcore_db *db, int64_t actor_id, const char *name,
                         int64_t department_id, const char *external_ref) noexcept {
  return guard("dealcore_user_create", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out =
        d.create_user(actor(actor_id), text(name, "name"), department_id, opt_text(external_ref));
  });
}

int dealcore_user_patch_init(dealcore_user_patch *patch, uint32_t version) noexcept {
  static const dealcore_user_patch defaults = DEALCORE_USER_PATCH_INIT;
  return init_struct("dealcore_user_patch_init", "dealcore_user_patch", patch, version,
                     DEALCORE_USER_PATCH_VERSION, defaults);
}

int dealcore_user_update(dealcore_db *db, int64_t actor_id, int64_t user_id,
                         const dealcore_user_patch *patch) noexcept {
  return guard("dealcore_user_update", [&] {
    auto &d = db_of(db);
    need(patch, "patch");
    check_version(patch->version, DEALCORE_USER_PATCH_VERSION, "dealcore_user_patch");
    std::optional<std::string> name;
    std::optional<dealcore::Id> department;
    std::optional<bool> active;
    if (flag(patch->set_name)) name = text(patch->name, "patch->name");
    if (flag(patch->set_department_id)) department = patch->department_id;
    if (flag(patch->set_active)) active = flag(patch->active);
    d.update_user(actor(actor_id), user_id, name, department, active);
  });
}

int dealcore_user_list(dealcore_users **out, const dealcore_db *db) noexcept {
  return guard("dealcore_user_list", [&] {
    need_out(out);
    auto list = std::make_unique<dealcore_users>();
    for (auto &x : db_of(db).users()) list->items.push_back({std::move(x)});
    *out = list.release();
  });
}

size_t dealcore_users_count(const dealcore_users *list) noexcept { return item_count(list); }
const dealcore_user *dealcore_users_at(const dealcore_users *list, size_t i) noexcept {
  return item_at(list, i);
}
void dealcore_users_free(dealcore_users *list) noexcept { delete list; }
int64_t dealcore_user_id(const dealcore_user *u) noexcept { return u ? u->v.id : 0; }
const char *dealcore_user_name(const dealcore_user *u) noexcept {
  return u ? u->v.name.c_str() : "";
}
int64_t dealcore_user_department_id(const dealcore_user *u) noexcept {
  return u ? u->v.department_id : 0;
}
int32_t dealcore_user_active(const dealcore_user *u) noexcept { return u && u->v.active ? 1 : 0; }
const char *dealcore_user_external_ref(const dealcore_user *u) noexcept {
  return u ? u->v.external_ref.c_str() : "";
}

// ---- tags ---------------------------------------------------------------------------------

int dealcore_tag_create(int64_t *out, dealcore_db *db, int64_t actor_id, const char *name,
                        const char *color) noexcept {
  return guard("dealcore_tag_create", [&] {
    need_out(out);
    auto &d = db_of(db);
    *out = d.create_tag(actor(actor_id), text(name, "name"), opt_text(color));
  });
}

int dealcore_tag_rename(dealcore_db *db, int64_t actor_id, int64_t tag_id,
                        const char *name) noexcept {
  return guard("dealcore_tag_rename",
               [&] { db_of(db).rename_tag(actor(actor_id), tag_id, text(name, "name")); });
}

int dealcore_tag_delete(dealcore_db *db, int64_t actor_id, int64_t tag_id) noexcept {
  return guard("dealcore_tag_delete", [&] { db_of(db).delete_tag(actor(actor_id), tag_id); });
}

int dealcore_tag_list(dealcore_tags **out, const dealcore_db *db) noexcept {
  return guard("dealcore_tag_list", [&] {
    need_out(out);
    auto list = std::make_unique<dealcore_tags>();
    for (auto &x : db_of(db).tags()) list->items.push_back({std::move(x)});
    *out = list.release();
  });
}

size_t dealcore_tags_count(const dealcore_tags *list) noexcept { return item_count(list); }
const dealcore_tag *dealcore_tags_at(const dealcore_tags *list, size_t i) noexcept {
  return item_at(list, i);
}
void dealcore_tags_free(dealcore_tags *list) noexcept { delete list; }
int64_t dealcore_tag_id(const dealcore_tag *t) noexcept { return t ? t->v.id : 0; }
const char *dealcore_tag_name(const dealcore_tag *t) noexcept { return t ? t->v.name.c_str() : ""; }
const char *dealcore_tag_color(const dealcore_tag *t) noexcept {
  return t ? t->v.color.c_str() : "";
}

}  // extern "C"
