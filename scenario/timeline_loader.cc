// The [[step]] and [[fault]] half of the loader: each action and fault kind
// takes exactly its own fields, and every name it uses must exist.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "scenario/loader_internal.h"
#include "scenario/units.h"

namespace dcemu::scenario::loader {
namespace {

struct Shape {
  const char* name;
  std::vector<const char*> required;
  std::vector<const char*> optional;
};

const std::vector<Shape>& actionShapes() {
  static const std::vector<const char*> kMigration = {"superseded", "expect_error"};
  static const std::vector<Shape> shapes = {
      {"new-dmsa", {"dc", "dmsa"}, {"expect_error"}},
      {"start-migration", {"dc", "dmsa"}, kMigration},
      {"complete-migration", {"dc", "dmsa"}, kMigration},
      {"undo-migration", {"dc", "dmsa"}, kMigration},
      {"reset-migration", {"dc", "dmsa"}, kMigration},
      {"ldap-add", {"dc", "dn", "attrs"}, {"id", "expect_error"}},
      {"ldap-modify", {"dc"}, {"dn", "object", "replace", "add", "delete", "expect_error"}},
      {"ldap-delete", {"dc"}, {"dn", "object", "tree", "expect_error"}},
      {"ldap-undelete", {"dc", "new_dn"}, {"dn", "object", "expect_error"}},
      {"ldap-rename", {"dc", "new_dn"}, {"dn", "object", "expect_error"}},
      {"replicate", {"from", "to"}, {"full", "forced", "expect_error"}},
      {"remove-lingering-objects", {"dc", "source"}, {"advisory", "expect_error"}},
      {"prepopulate-passwords", {"dc", "from", "accounts"}, {"expect_error"}},
      {"disable-replication", {"dc", "direction"}, {}},
      {"enable-replication", {"dc", "direction"}, {}},
      {"host-logon", {"host", "service"}, {}},
      {"expect",
       {"dc"},
       {"dn", "object", "exists", "deleted", "name_conflict", "parent", "attr", "equals", "includes", "excludes",
        "version", "count", "originating_dc", "link"}},
      {"expect-auth", {"host", "service", "result"}, {"pac_includes", "pac_excludes"}},
      {"expect-event", {"event", "on"}, {"since", "until", "fields", "count", "logged"}},
  };
  return shapes;
}

const std::vector<Shape>& faultShapes() {
  static const std::vector<Shape> shapes = {
      {"partition", {"link", "from", "to"}, {}},
      {"isolate-site", {"site", "from", "to"}, {}},
      {"dc-down", {"dc", "from", "to"}, {}},
      {"replication-broken", {"dc", "from", "to"}, {}},
      {"connection-broken", {"dc", "source", "from", "to"}, {"error"}},
      {"clock-skew", {"dc", "offset", "from", "to"}, {}},
      {"usn-rollback", {"dc", "at", "to_snapshot_at"}, {}},
      {"slow-link", {"link", "latency", "from", "to"}, {}},
      {"random-partitions", {"rate", "mean"}, {"links", "from", "to"}},
  };
  return shapes;
}

const Shape* findShape(const std::vector<Shape>& shapes, const std::string& name) {
  for (const Shape& shape : shapes)
    if (name == shape.name) return &shape;
  return nullptr;
}

bool belongs(const Shape& shape, std::string_view key) {
  auto is = [&](const char* k) { return key == k; };
  return std::any_of(shape.required.begin(), shape.required.end(), is) ||
         std::any_of(shape.optional.begin(), shape.optional.end(), is);
}

std::string knownNames(const std::vector<Shape>& shapes) {
  std::string out;
  for (const Shape& shape : shapes) out += (out.empty() ? "" : ", ") + std::string(shape.name);
  return out;
}

// Keys other than the shape's (and the common ones) are refused by name.
void checkKeys(const toml::table& table, const Shape& shape, std::initializer_list<const char*> common,
               const char* what, LoadErrors& errors) {
  for (const auto& [key, value] : table) {
    bool allowed = std::any_of(common.begin(), common.end(), [&](const char* k) { return key.str() == k; }) ||
                   belongs(shape, key.str());
    if (!allowed) {
      std::vector<std::string> known(common.begin(), common.end());
      known.insert(known.end(), shape.required.begin(), shape.required.end());
      known.insert(known.end(), shape.optional.begin(), shape.optional.end());
      errors.add(key.source(), fmt::format("unknown key \"{}\" for {} \"{}\"{}", key.str(), what, shape.name,
                                           nearestKeyHint(key.str(), known)));
    }
  }
  for (const char* key : shape.required)
    if (!table.contains(key)) errors.add(table.source(), fmt::format("{} \"{}\" needs \"{}\"", what, shape.name, key));
}

// The name under `key`, which must be one of `set`'s. Under a key the shape
// does not take (already reported) nothing is looked up.
std::string readName(TomlFields& f, const Shape& shape, const char* key, const NameSet& set) {
  if (!belongs(shape, key)) {
    f.node(key);
    return {};
  }
  auto value = f.string(key).value_or("");
  if (f.has(key) && !set.contains(value)) f.fail(key, fmt::format("unknown {} \"{}\"", set.kind(), value));
  return value;
}

AttributeValues readAttributeTable(TomlFields& f, const char* key, LoadErrors& errors) {
  AttributeValues out;
  const toml::node* value = f.node(key);
  if (!value) return out;
  const toml::table* table = value->as_table();
  if (!table) {
    f.fail(key, fmt::format("\"{}\" must be a table of attribute = value or [values]", key));
    return out;
  }
  TomlFields values(*table, fmt::format("\"{}\"", key), errors);
  for (const auto& [attribute, v] : *table) {
    auto list = values.stringOrStrings(attribute.str());
    if (list) out.emplace_back(std::string(attribute.str()), *list);
  }
  return out;
}

// expect's `link = { value = "<dn>", active = false, version = N }`.
std::optional<Step::LinkCheck> readLinkCheck(TomlFields& f, LoadErrors& errors) {
  const toml::node* node = f.node("link");
  if (!node) return std::nullopt;
  const toml::table* table = node->as_table();
  if (!table) {
    f.fail("link", "\"link\" must be a table { value = \"<dn>\", active = true|false, version = N }");
    return std::nullopt;
  }
  TomlFields fields(*table, "\"link\"", errors);
  Step::LinkCheck check;
  check.value = fields.string("value", true).value_or("");
  check.active = fields.boolean("active");
  if (auto version = fields.integer("version", 0, UINT32_MAX)) check.version = static_cast<uint32_t>(*version);
  fields.finish();
  if (!check.active && !check.version) errors.add(node->source(), "\"link\" needs \"active\" or \"version\"");
  return check;
}

void readEventExpectation(TomlFields& f, Step& step, const Names& names, LoadErrors& errors) {
  if (auto id = f.integer("event", 1, 65535)) step.eventId = static_cast<int>(*id);
  step.eventOn = f.string("on").value_or("");
  if (f.has("on") && !names.hosts.contains(step.eventOn) && !names.dcs.contains(step.eventOn))
    f.fail("on", fmt::format("unknown host or DC \"{}\"", step.eventOn));
  step.eventFrom = f.duration("since");
  step.eventTo = f.duration("until");
  if (step.eventFrom && step.eventTo && *step.eventTo < *step.eventFrom)
    f.fail("until", "\"until\" comes before \"since\"");
  if (step.eventTo && *step.eventTo > step.at)
    f.fail("until",
           fmt::format("\"until\" is after the step ({}): the step can only look back", formatDuration(step.at)));
  if (const toml::node* fields = f.node("fields")) {
    const toml::table* table = fields->as_table();
    if (!table) {
      f.fail("fields", "\"fields\" must be a table of field name = value");
    } else {
      TomlFields values(*table, "\"fields\"", errors);
      for (const auto& [name, value] : *table)
        if (auto text = values.string(name.str())) step.eventFields.emplace_back(std::string(name.str()), *text);
    }
  }
  step.eventLogged = f.boolean("logged");
  if (step.count && step.eventLogged) errors.add(step.where, "give \"count\" or \"logged\", not both");
}

void readStep(TomlFields& f, const toml::table& table, Scenario& s, const Names& names,
              const std::set<std::string>& ids, LoadErrors& errors) {
  Step step;
  step.where = f.where();
  step.action = f.string("action", true).value_or("");
  if (auto at = f.duration("at", true, true)) {
    if (*at < 0) f.fail("at", fmt::format("step at \"{}\" is before time zero", *f.string("at")));
    step.at = *at;
  }
  const Shape* shape = findShape(actionShapes(), step.action);
  if (!shape) {
    if (f.has("action"))
      f.fail("action", fmt::format("unknown action \"{}\" (use {})", step.action, knownNames(actionShapes())));
    return;
  }
  checkKeys(table, *shape, {"at", "action"}, "action", errors);
  // Every key is read below; checkKeys has judged which belong.
  auto name = [&](const char* key, const NameSet& set) { return readName(f, *shape, key, set); };
  step.dc = name("dc", names.dcs);
  step.from = name("from", names.dcs);
  step.to = name("to", names.dcs);
  step.source = name("source", names.dcs);
  step.advisory = f.boolean("advisory").value_or(false);
  step.accounts = f.strings("accounts").value_or(std::vector<std::string>());
  for (const std::string& account : step.accounts)
    if (!names.users.contains(account) && !names.serviceAccounts.contains(account) && !names.dmsas.contains(account) &&
        !names.hosts.contains(account))
      f.fail("accounts", fmt::format("unknown account \"{}\"", account));
  if (step.action == "prepopulate-passwords" && f.has("dc") && f.has("from")) {
    int rodc = s.dcIndex(step.dc), source = s.dcIndex(step.from);
    if (rodc >= 0 && !s.dcs[static_cast<size_t>(rodc)].rodc) f.fail("dc", fmt::format("{} is not an RODC", step.dc));
    if (source >= 0 && s.dcs[static_cast<size_t>(source)].rodc)
      f.fail("from", fmt::format("{} is an RODC: secrets come from a writable DC", step.from));
  }
  // A migration operation on an RODC is refused when it runs (an RODC
  // takes no originating write: referral, MS-ADTS 3.1.1.1.9); refuse it
  // here unless the step expects that refusal.
  if (step.action.ends_with("-migration") && f.has("dc") && !f.has("expect_error")) {
    int dc = s.dcIndex(step.dc);
    if (dc >= 0 && s.dcs[static_cast<size_t>(dc)].rodc)
      f.fail("dc", fmt::format("{} is an RODC, which refuses {} with a referral: run it on a writable DC (or expect "
                               "the refusal with expect_error = \"referral\")",
                               step.dc, step.action));
    else if (dc >= 0 && s.dcs[static_cast<size_t>(dc)].os != "2025")
      f.fail("dc", fmt::format("{} runs Windows Server {}, which refuses {} (the operation exists from Windows Server "
                               "2025): run it on a 2025 DC (or expect the refusal with expect_error = "
                               "\"unwillingToPerform\")",
                               step.dc, s.dcs[static_cast<size_t>(dc)].os, step.action));
  }
  step.host = name("host", names.hosts);
  step.dmsa = name("dmsa", names.dmsas);
  step.superseded = name("superseded", names.serviceAccounts);
  step.service = f.string("service").value_or("");
  if (f.has("service") && !names.serviceAccounts.contains(step.service) && !names.dmsas.contains(step.service))
    f.fail("service", fmt::format("unknown service account \"{}\"", step.service));
  step.dn = f.string("dn").value_or("");
  step.object = f.string("object").value_or("");
  step.objectWhere = f.whereOf("object");
  if (f.has("object") && !names.isObjectName(step.object) && !ids.count(lower(step.object)))
    f.fail("object", fmt::format("unknown object \"{}\" (an ldap-add id or a topology name)", step.object));
  bool needsTarget = step.action == "ldap-modify" || step.action == "ldap-delete" || step.action == "ldap-rename" ||
                     step.action == "ldap-undelete" || step.action == "expect";
  if (needsTarget && f.has("dn") == f.has("object"))
    errors.add(step.where, fmt::format("action \"{}\" needs exactly one of \"dn\" and \"object\"", step.action));
  step.newDn = f.string("new_dn").value_or("");
  step.id = f.string("id").value_or("");
  step.full = f.boolean("full").value_or(false);
  step.forced = f.boolean("forced").value_or(true);
  step.tree = f.boolean("tree").value_or(false);
  step.direction = f.string("direction").value_or("");
  if (f.has("direction") && step.direction != "inbound" && step.direction != "outbound" && step.direction != "both")
    f.fail("direction", fmt::format("unknown direction \"{}\" (use inbound, outbound or both)", step.direction));
  step.attrs = readAttributeTable(f, "attrs", errors);
  step.replace = readAttributeTable(f, "replace", errors);
  step.add = readAttributeTable(f, "add", errors);
  step.remove = readAttributeTable(f, "delete", errors);
  if (step.action == "ldap-modify" && step.replace.empty() && step.add.empty() && step.remove.empty())
    errors.add(step.where, "action \"ldap-modify\" needs \"replace\", \"add\" or \"delete\"");
  step.exists = f.boolean("exists");
  step.deleted = f.boolean("deleted");
  step.nameConflict = f.boolean("name_conflict");
  step.parent = f.string("parent");
  step.attr = f.string("attr");
  step.equals = f.strings("equals");
  step.includes = f.strings("includes");
  step.excludes = f.strings("excludes");
  if (auto version = f.integer("version", 0, UINT32_MAX)) step.version = static_cast<uint32_t>(*version);
  if (auto count = f.integer("count", 0, UINT32_MAX)) step.count = static_cast<uint32_t>(*count);
  step.originatingDc = f.string("originating_dc");
  if (step.originatingDc && !names.dcs.contains(*step.originatingDc))
    f.fail("originating_dc", fmt::format("unknown DC \"{}\"", *step.originatingDc));
  step.link = readLinkCheck(f, errors);
  if (step.action == "expect") {
    bool valueCheck = step.equals || step.includes || step.excludes || step.version || step.count || step.originatingDc;
    if (valueCheck && !step.attr)
      errors.add(step.where, "equals, includes, excludes, count, version and originating_dc need \"attr\"");
    if (step.attr && !valueCheck && !step.link)
      errors.add(step.where, "\"attr\" needs equals, includes, excludes, count, version, originating_dc or link");
    if (step.link && !step.attr) errors.add(step.where, "\"link\" needs \"attr\" (the linked attribute)");
    if (!valueCheck && !step.link && !step.exists && !step.deleted && !step.nameConflict && !step.parent)
      errors.add(step.where, "an expect step needs at least one check");
  }
  if (step.action == "expect-event") readEventExpectation(f, step, names, errors);
  step.result = f.string("result").value_or("");
  if (f.has("result") && step.result != "ok" && step.result != "failed")
    f.fail("result", fmt::format("unknown result \"{}\" (use ok or failed)", step.result));
  step.pacIncludes = f.strings("pac_includes").value_or(std::vector<std::string>());
  step.pacExcludes = f.strings("pac_excludes").value_or(std::vector<std::string>());
  if (const toml::node* expectError = f.node("expect_error")) {
    if (expectError->is_boolean()) {
      if (*expectError->value<bool>()) step.expectError = "";
    } else if (expectError->is_string()) {
      step.expectError = *expectError->value<std::string>();
    } else {
      f.fail("expect_error", "\"expect_error\" must be true or an LDAP result name");
    }
  }
  s.steps.push_back(std::move(step));
}

void readFault(TomlFields& f, const toml::table& table, Scenario& s, const Names& names, LoadErrors& errors) {
  Fault fault;
  fault.where = f.where();
  fault.kind = f.string("kind", true).value_or("");
  const Shape* shape = findShape(faultShapes(), fault.kind);
  if (!shape) {
    if (f.has("kind"))
      f.fail("kind", fmt::format("unknown fault kind \"{}\" (use {})", fault.kind, knownNames(faultShapes())));
    return;
  }
  checkKeys(table, *shape, {"kind"}, "fault", errors);
  auto name = [&](const char* key, const NameSet& set) { return readName(f, *shape, key, set); };
  fault.link = name("link", names.links);
  fault.site = name("site", names.sites);
  fault.dc = name("dc", names.dcs);
  fault.source = name("source", names.dcs);
  if (!fault.source.empty() && lower(fault.source) == lower(fault.dc))
    f.fail("source", fmt::format("\"{}\" is the DC itself: a connection's source is a partner", fault.source));
  if (auto error = f.integer("error", 1, UINT32_MAX)) fault.error = static_cast<uint32_t>(*error);
  fault.links = f.strings("links").value_or(std::vector<std::string>());
  for (const auto& link : fault.links)
    if (!names.links.contains(link)) f.fail("links", fmt::format("unknown site link \"{}\"", link));
  if (fault.kind == "usn-rollback") {
    fault.from = f.duration("at").value_or(0);
    fault.to = f.duration("to_snapshot_at").value_or(0);
    if (fault.to > fault.from) f.fail("to_snapshot_at", "\"to_snapshot_at\" is after \"at\": a snapshot must be older");
  } else {
    fault.from = f.duration("from").value_or(0);
    fault.to = f.duration("to").value_or(fault.kind == "random-partitions" ? INT64_MAX : 0);
    if ((f.has("from") || f.has("to")) && fault.to <= fault.from)
      f.fail("to", fmt::format("fault \"to\" ({}) does not come after \"from\" ({})", formatDuration(fault.to),
                               formatDuration(fault.from)));
  }
  fault.offset = f.duration("offset", false, true).value_or(0);
  fault.latency = f.duration("latency").value_or(0);
  fault.mean = f.duration("mean").value_or(0);
  if (f.has("mean") && fault.mean <= 0) f.fail("mean", "\"mean\" must be positive");
  fault.rate = f.number("rate", 0, 1e6).value_or(0);
  s.faults.push_back(std::move(fault));
}

// What `run` resolves, `validate` checks: an ldap-add id names nothing
// before the ldap-add that labels it runs, and a dMSA made by a new-dmsa
// step nothing before that step. (An ldap-add or new-dmsa that the
// directory refuses at run time is the run's finding.)
void checkObjectsExistWhenNamed(const Scenario& scenario, const Names& names, LoadErrors& errors) {
  std::set<std::string> made;  // ids and dMSAs whose step has run
  std::set<std::string> madeLater;
  for (const Step& step : scenario.steps) {
    if (step.action == "ldap-add" && !step.id.empty()) madeLater.insert(lower(step.id));
    if (step.action == "new-dmsa") madeLater.insert(lower(step.dmsa));
  }
  for (const Step& step : scenario.steps) {
    std::string object = lower(step.object);
    bool topologyName = names.isObjectName(step.object) && !names.dmsas.contains(step.object);
    if (!object.empty() && !topologyName && madeLater.count(object) && !made.count(object)) {
      errors.add(step.objectWhere, fmt::format("object \"{}\" is named at {} before the step that makes it runs",
                                               step.object, formatDuration(step.at)));
    }
    std::string dmsa = lower(step.dmsa);
    if (step.action != "new-dmsa" && !dmsa.empty() && madeLater.count(dmsa) && !made.count(dmsa)) {
      errors.add(step.where, fmt::format("dMSA \"{}\" is named at {} before its new-dmsa step runs", step.dmsa,
                                         formatDuration(step.at)));
    }
    if (step.action == "ldap-add" && !step.id.empty()) made.insert(lower(step.id));
    if (step.action == "new-dmsa") made.insert(dmsa);
  }
  // A forest whose schema predates Windows Server 2025 has no dMSA class:
  // provisioning could not make the file's dMSAs, and a new-dmsa step is
  // refused unless it expects that.
  if (schemaHasDmsaClass(scenario)) return;
  std::string why = fmt::format(
      "the forest's schema is Windows Server {}'s, which has no msDS-DelegatedManagedServiceAccount class: raise it "
      "with adprep /forestprep from Windows Server 2025 ([domain] schema = \"2025\")",
      scenario.schemaVersion);
  for (const DmsaSpec& dmsa : scenario.dmsas)
    if (!madeLater.count(lower(dmsa.name))) errors.add(dmsa.where, fmt::format("dMSA \"{}\": {}", dmsa.name, why));
  for (const Step& step : scenario.steps)
    if (step.action == "new-dmsa" && !step.expectError)
      errors.add(step.where, fmt::format("new-dmsa \"{}\": {} (or expect the refusal with expect_error = "
                                         "\"objectClassViolation\")",
                                         step.dmsa, why));
}

}  // namespace

bool Names::isObjectName(std::string_view name) const {
  return serviceAccounts.contains(name) || dmsas.contains(name) || hosts.contains(name) || dcs.contains(name) ||
         users.contains(name) || groups.contains(name) ||
         std::any_of(userBatches.begin(), userBatches.end(), [&](const UserBatch& b) { return b.holds(name); });
}

void loadTimeline(const toml::table& root, Scenario& scenario, Names& names, LoadErrors& errors) {
  auto entries = [&](const char* key) -> const toml::array* {
    const toml::node* value = root.get(key);
    if (!value) return nullptr;
    if (!value->is_array_of_tables()) {
      errors.add(value->source(), fmt::format("\"{}\" must be written as [[{}]] tables", key, key));
      return nullptr;
    }
    return value->as_array();
  };
  std::set<std::string> ids;
  if (const toml::array* steps = entries("step")) {
    for (const toml::node& entry : *steps) {
      const toml::table& table = *entry.as_table();
      if (const toml::node* id = table.get("id"); id && id->is_string()) {
        if (!ids.insert(lower(*id->value<std::string>())).second)
          errors.add(id->source(), fmt::format("duplicate step id \"{}\"", *id->value<std::string>()));
      }
    }
    for (const toml::node& entry : *steps) {
      TomlFields fields(*entry.as_table(), "[[step]]", errors);
      readStep(fields, *entry.as_table(), scenario, names, ids, errors);
    }
  }
  // Steps at the same moment run in file order.
  std::stable_sort(scenario.steps.begin(), scenario.steps.end(),
                   [](const Step& a, const Step& b) { return a.at < b.at; });
  checkObjectsExistWhenNamed(scenario, names, errors);
  if (const toml::array* faults = entries("fault")) {
    for (const toml::node& entry : *faults) {
      TomlFields fields(*entry.as_table(), "[[fault]]", errors);
      readFault(fields, *entry.as_table(), scenario, names, errors);
    }
  }
}

}  // namespace dcemu::scenario::loader
