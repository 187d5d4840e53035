// The data behind Schema::builtin(); only schema.cc includes this.
#pragma once

#include <vector>

#include "dc/schema.h"

namespace dcemu::dc {

std::vector<AttributeDef> builtinAttributes();
std::vector<ClassDef> builtinClasses();

}  // namespace dcemu::dc
