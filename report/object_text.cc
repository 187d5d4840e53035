#include "report/object_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "dc/text.h"

namespace dcemu::report {

std::string objectText(const dc::Directory& dir, const dc::Object& object, const std::vector<std::string>& attributes) {
  const dc::Schema& schema = dc::Schema::builtin();
  std::vector<std::string> names = attributes;
  if (names.empty()) {
    names.push_back("distinguishedName");
    for (const dc::AttributeEntry& entry : object.attributes)
      if (const dc::AttributeDef* def = schema.attributeById(entry.id); def && object.values(entry.id))
        names.push_back(def->name);
    for (const dc::LinkEntry& link : object.links)
      if (const dc::AttributeDef* def = schema.attributeById(link.attributeId);
          def && std::find(names.begin(), names.end(), def->name) == names.end())
        names.push_back(def->name);
    std::sort(names.begin() + 1, names.end(),
              [](const std::string& a, const std::string& b) { return dc::toLower(a) < dc::toLower(b); });
  }
  // Security descriptors in SDDL, with a SID that names an object of the
  // domain written as that object's name, as the file's SDDL may be.
  dc::TrusteeResolver resolver = dir.trusteeResolver();
  auto withNames = [&](const std::string& sddl) {
    std::string out;
    std::regex sid("S-1-5-21(-[0-9]+)+");
    auto last = sddl.cbegin();
    for (auto it = std::sregex_iterator(sddl.begin(), sddl.end(), sid); it != std::sregex_iterator(); ++it) {
      out.append(last, sddl.cbegin() + it->position());
      auto parsed = dc::Sid::parse(it->str());
      auto name = parsed && resolver.nameOfSid ? resolver.nameOfSid(*parsed) : std::nullopt;
      out += name ? *name : it->str();
      last = sddl.cbegin() + it->position() + it->length();
    }
    out.append(last, sddl.cend());
    return out;
  };
  size_t width = 0;
  for (const std::string& name : names) width = std::max(width, name.size());
  std::string text;
  for (const std::string& name : names) {
    auto values = dir.values(object, name);
    const dc::AttributeDef* def = schema.attribute(name);
    std::vector<std::string> shown = values ? *values : std::vector<std::string>();
    if (def->syntax == dc::Syntax::SecurityDescriptor)
      for (std::string& value : shown) value = withNames(value);
    if (shown.empty()) {
      text += fmt::format("{:<{}} : (not set)\n", def->name, width);
      continue;
    }
    text += fmt::format("{:<{}} : {}\n", def->name, width, shown.front());
    for (size_t i = 1; i < shown.size(); ++i) text += fmt::format("{:<{}}   {}\n", "", width, shown[i]);
  }
  return text;
}

}  // namespace dcemu::report
