// The prefix a naming context's column family files its keys under, for
// RocksDB's prefix Bloom filters. Every scan the store makes stays inside
// one such prefix, so a seek skips each table file whose filter lacks it:
// above all the seeks that find nothing (is this SID or account name
// unused?), which otherwise read a block of every level and every level-0
// file. Key layouts: dc/store.h.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

namespace rocksdb {
class SliceTransform;
}

namespace dcemu::dc {

// The length of `key`'s prefix:
//   'o', 'u'  the letter alone (all objects, all changes in USN order)
//   'c', 'b'  the letter and a GUID (a parent's children, a target's back links)
//   's'       through the 0 that ends the account name
//   'i'       the letter and the SID, whose bytes carry their own length
//   anything else (or a key too short for its kind): the whole key
size_t indexPrefixLength(std::string_view key);

// An account-name or SID key without the object's GUID that ends it.
std::string_view principalStem(std::string_view key);

// Whether `stem`, an account-name or SID key without its object's GUID,
// ends where its own encoding says: an account name at its first 0, a SID
// after as many sub-authorities as its count byte gives. No such stem
// starts with another, so a seek for one finds only keys of that stem or
// of stems that are not such (a name holding a 0, SID bytes longer than
// their count says).
bool isSelfDelimitingPrincipalStem(std::string_view stem);

// A RocksDB SliceTransform cutting keys at indexPrefixLength.
std::shared_ptr<const rocksdb::SliceTransform> newIndexPrefixExtractor();

// The same cut for the memtable's insert hints, over the kinds whose keys a
// batch writes near each other: objects and USN entries (one prefix each)
// and a parent's children.
std::shared_ptr<const rocksdb::SliceTransform> newInsertHintExtractor();

}  // namespace dcemu::dc
