// What the topology half of the loader hands the timeline half (steps and
// faults): the scenario so far and case-insensitive name lookups.
#pragma once

#include <toml++/toml.h>

#include <map>
#include <string>
#include <string_view>

#include "scenario/scenario.h"
#include "scenario/toml_fields.h"

namespace dcemu::scenario::loader {

std::string lower(std::string_view text);

// Names are case-insensitive for lookup and keep their spelling for display.
class NameSet {
 public:
  explicit NameSet(std::string kind) : kind_(std::move(kind)) {}
  // Records `name`; reports a duplicate at `where`.
  void add(const std::string& name, const Location& where, LoadErrors& errors);
  bool contains(std::string_view name) const { return names_.count(lower(name)) > 0; }
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
  std::map<std::string, std::string> names_;  // lower → as written
};

struct Names {
  NameSet sites{"site"}, dcs{"DC"}, links{"site link"}, bridges{"site link bridge"}, users{"user"}, groups{"group"},
      serviceAccounts{"service account"}, dmsas{"dMSA"}, hosts{"host"};
  std::vector<UserBatch> userBatches;
  // An `object` in a step: a topology name (a [[user_group]]'s users
  // included); ldap-add ids are checked apart, in the order steps run.
  bool isObjectName(std::string_view name) const;
};

// Reads [[step]] and [[fault]] entries into `scenario`.
void loadTimeline(const toml::table& root, Scenario& scenario, Names& names, LoadErrors& errors);

}  // namespace dcemu::scenario::loader
