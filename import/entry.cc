#include "import/entry.h"

#include "dc/text.h"

namespace dcemu::import {

namespace {

// "member;range=0-1499" is member.
std::string_view baseName(std::string_view attribute) {
  return attribute.substr(0, attribute.find(';'));
}

}  // namespace

const std::vector<std::string>* Entry::values(std::string_view name) const {
  for (const auto& [attribute, vals] : attributes)
    if (dc::iequals(baseName(attribute), name)) return &vals;
  return nullptr;
}

const std::string* Entry::first(std::string_view name) const {
  const std::vector<std::string>* vals = values(name);
  return vals && !vals->empty() ? &vals->front() : nullptr;
}

bool Entry::isA(std::string_view cls) const {
  const std::vector<std::string>* classes = values("objectClass");
  if (!classes) return false;
  for (const std::string& c : *classes)
    if (dc::iequals(c, cls)) return true;
  return false;
}

}  // namespace dcemu::import
