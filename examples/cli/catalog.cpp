#include "catalog.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "args.hpp"
#include "text.hpp"

namespace cli {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() < 19 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Finds the one item whose id is `text` or whose name folds to the same key.
template <class T>
const T &resolve(const std::vector<T> &items, std::string_view text, std::string_view kind) {
  if (all_digits(text)) {
    const auto id = std::stoll(std::string(text));
    for (const T &item : items)
      if (item.id == id) return item;
  }
  const std::string key = fold(text);
  const T *found = nullptr;
  for (const T &item : items) {
    if (fold(item.name) != key) continue;
    if (found) throw Failure(fmt::format("{} name '{}' is ambiguous; use its id", kind, text));
    found = &item;
  }
  if (!found) throw Failure(fmt::format("unknown {}: '{}'", kind, text));
  return *found;
}

}  // namespace

Catalog::Catalog(const dealcore::Database &db)
    : pipelines_(db.pipelines(true)),
      users_(db.users()),
      departments_(db.departments()),
      tags_(db.tags()),
      task_types_(db.task_types()) {
  for (std::size_t i = 0; i < pipelines_.size(); ++i) {
    pipeline_index_[pipelines_[i].id] = i;
    for (std::size_t k = 0; k < pipelines_[i].stages.size(); ++k)
      stage_index_[pipelines_[i].stages[k].id] = {i, k};
  }
  for (std::size_t i = 0; i < users_.size(); ++i) user_index_[users_[i].id] = i;
  for (std::size_t i = 0; i < departments_.size(); ++i) department_index_[departments_[i].id] = i;
  for (std::size_t i = 0; i < tags_.size(); ++i) tag_index_[tags_[i].id] = i;
}

const dealcore::Pipeline *Catalog::pipeline(dealcore::Id id) const {
  auto it = pipeline_index_.find(id);
  return it == pipeline_index_.end() ? nullptr : &pipelines_[it->second];
}

const dealcore::Stage *Catalog::stage(dealcore::Id id) const {
  auto it = stage_index_.find(id);
  return it == stage_index_.end() ? nullptr
                                  : &pipelines_[it->second.first].stages[it->second.second];
}

const dealcore::User *Catalog::user(dealcore::Id id) const {
  auto it = user_index_.find(id);
  return it == user_index_.end() ? nullptr : &users_[it->second];
}

const dealcore::Tag *Catalog::tag(dealcore::Id id) const {
  auto it = tag_index_.find(id);
  return it == tag_index_.end() ? nullptr : &tags_[it->second];
}

namespace {
template <class Map, class Vec>
std::string name_of(const Map &index, const Vec &items, dealcore::Id id) {
  if (id == 0) return "—";
  auto it = index.find(id);
  return it == index.end() ? fmt::format("#{}", id) : items[it->second].name;
}
}  // namespace

std::string Catalog::pipeline_name(dealcore::Id id) const {
  return name_of(pipeline_index_, pipelines_, id);
}
std::string Catalog::stage_name(dealcore::Id id) const {
  const dealcore::Stage *s = stage(id);
  return s ? s->name : id == 0 ? "—" : fmt::format("#{}", id);
}
std::string Catalog::user_name(dealcore::Id id) const { return name_of(user_index_, users_, id); }
std::string Catalog::department_name(dealcore::Id id) const {
  return name_of(department_index_, departments_, id);
}
std::string Catalog::tag_name(dealcore::Id id) const { return name_of(tag_index_, tags_, id); }
std::string Catalog::task_type_name(dealcore::Id id) const {
  for (const auto &t : task_types_)
    if (t.id == id) return t.name;
  return fmt::format("#{}", id);
}
dealcore::Id Catalog::find_task_type(std::string_view text) const {
  if (fold(text) == "email") text = "e-mail";
  return resolve(task_types_, text, "task type").id;
}

const dealcore::Pipeline &Catalog::find_pipeline(std::string_view text) const {
  return resolve(pipelines_, text, "pipeline");
}
dealcore::Id Catalog::find_user(std::string_view text) const {
  return resolve(users_, text, "user").id;
}
dealcore::Id Catalog::find_department(std::string_view text) const {
  return resolve(departments_, text, "department").id;
}
dealcore::Id Catalog::find_tag(std::string_view text) const {
  return resolve(tags_, text, "tag").id;
}

const dealcore::Stage &Catalog::find_stage_in(const dealcore::Pipeline &p,
                                              std::string_view text) const {
  if (all_digits(text)) {
    const auto id = std::stoll(std::string(text));
    for (const auto &s : p.stages)
      if (s.id == id) return s;
    if (const dealcore::Stage *other = stage(id))
      throw Failure(fmt::format("stage {} ({}) belongs to pipeline '{}', not '{}'", id,
                                other->name, pipeline_name(other->pipeline_id), p.name));
  }
  try {
    return resolve(p.stages, text, "stage");
  } catch (const Failure &) {
    throw Failure(fmt::format("pipeline '{}' has no stage '{}'", p.name, text));
  }
}

std::vector<dealcore::Id> Catalog::find_stages(std::string_view text,
                                               const std::vector<dealcore::Id> &pipelines) const {
  std::vector<dealcore::Id> out;
  const bool numeric = all_digits(text);
  const std::string key = fold(text);
  for (const auto &p : pipelines_) {
    if (!pipelines.empty() && std::find(pipelines.begin(), pipelines.end(), p.id) == pipelines.end())
      continue;
    for (const auto &s : p.stages)
      if ((numeric && std::to_string(s.id) == text) || fold(s.name) == key) out.push_back(s.id);
  }
  if (out.empty()) throw Failure(fmt::format("unknown stage: '{}'", text));
  return out;
}

}  // namespace cli
