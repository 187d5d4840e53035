// Microsoft's published schema for the classes dcemu's directory holds or an
// imported domain carries (dc/schema_published.cc, written by
// scripts/schema-table from the Windows Server 2016 schema LDF files): the
// raw published definitions, from which dc/schema_table.cc builds dcemu's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dcemu::dc {

struct PublishedAttribute {
  const char* name;  // lDAPDisplayName
  const char* commonName;
  const char* oid;              // attributeID
  const char* attributeSyntax;  // 2.5.5.x
  int omSyntax;
  bool singleValued;
  int linkId;
  int64_t rangeUpper;  // -1: none
  bool systemOnly;
  int searchFlags;
  int systemFlags;
  const char* schemaIdGuid;
};

struct PublishedClass {
  const char* name;  // lDAPDisplayName
  const char* commonName;
  const char* oid;  // governsID
  const char* superior;
  int category;  // objectClassCategory: 0 88-class, 1 structural, 2 abstract, 3 auxiliary
  const char* rdnAttribute;
  const char* defaultObjectCategory;  // the class whose classSchema object it names
  std::vector<std::string> mustContain, mayContain, possibleSuperiors, auxiliaryClasses;
  const char* schemaIdGuid;
};

const std::vector<PublishedAttribute>& publishedAttributes();
const std::vector<PublishedClass>& publishedClasses();

}  // namespace dcemu::dc
