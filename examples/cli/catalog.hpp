// catalog.hpp — the company's dictionaries read once per command, so that
// output can show names instead of ids and flags can take either.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dealcore/database.hpp>

namespace cli {

class Catalog {
 public:
  explicit Catalog(const dealcore::Database &db);

  const std::vector<dealcore::Pipeline> &pipelines() const { return pipelines_; }
  const std::vector<dealcore::User> &users() const { return users_; }
  const std::vector<dealcore::Department> &departments() const { return departments_; }
  const std::vector<dealcore::Tag> &tags() const { return tags_; }
  const std::vector<dealcore::TaskType> &task_types() const { return task_types_; }

  // Lookups by id; nullptr for an unknown id.
  const dealcore::Pipeline *pipeline(dealcore::Id id) const;
  const dealcore::Stage *stage(dealcore::Id id) const;
  const dealcore::User *user(dealcore::Id id) const;
  const dealcore::Tag *tag(dealcore::Id id) const;

  // Display names: "—" for 0, "#id" for an id that is not in the catalog.
  std::string pipeline_name(dealcore::Id id) const;
  std::string stage_name(dealcore::Id id) const;
  std::string user_name(dealcore::Id id) const;
  std::string department_name(dealcore::Id id) const;
  std::string tag_name(dealcore::Id id) const;
  std::string task_type_name(dealcore::Id id) const;
  // "system" for 0, else user_name.
  std::string actor_name(dealcore::Id id) const { return id == 0 ? "system" : user_name(id); }

  // Resolution of what a user typed: an id, or a name compared
  // case-insensitively (ё = е). Throws Failure naming the kind when nothing
  // matches or a name is ambiguous.
  const dealcore::Pipeline &find_pipeline(std::string_view text) const;
  dealcore::Id find_user(std::string_view text) const;
  dealcore::Id find_department(std::string_view text) const;
  dealcore::Id find_tag(std::string_view text) const;
  // A task type by id or name; "email" is taken for the built-in "e-mail".
  dealcore::Id find_task_type(std::string_view text) const;
  // A stage of the given pipeline, by id or name.
  const dealcore::Stage &find_stage_in(const dealcore::Pipeline &p, std::string_view text) const;
  // Every stage with this id or name, in the given pipelines (all when empty).
  std::vector<dealcore::Id> find_stages(std::string_view text,
                                        const std::vector<dealcore::Id> &pipelines) const;

 private:
  std::vector<dealcore::Pipeline> pipelines_;
  std::vector<dealcore::User> users_;
  std::vector<dealcore::Department> departments_;
  std::vector<dealcore::Tag> tags_;
  std::vector<dealcore::TaskType> task_types_;
  std::map<dealcore::Id, std::size_t> pipeline_index_, user_index_, department_index_, tag_index_;
  std::map<dealcore::Id, std::pair<std::size_t, std::size_t>> stage_index_;  // pipeline, stage
};

}  // namespace cli
