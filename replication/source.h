// The source side of IDL_DRSGetNCChanges: what a DC answers a partner that
// pulls from it.
#pragma once

#include <string>
#include <string_view>

#include "dc/directory.h"
#include "replication/transport.h"

namespace dcemu::replication {

// Chunk sizes when a request leaves them at zero (Samba's defaults; Windows
// clients ask for about 133 objects).
inline constexpr uint32_t kDefaultMaxObjects = 1000;
inline constexpr uint64_t kDefaultMaxBytes = 8 << 20;

// Answers one encoded GetNcChangesRequest from `dir`'s replica with an
// encoded GetNcChangesReply: objects whose local USN is above the request's
// high-water mark, in USN order, each with only the attributes and linked
// values the destination's UTD does not cover; at most maxObjects objects
// and about maxBytes; ancestors first under GET_ANC; on the last chunk the
// source's UTD. An RODC refuses: it never serves as a source.
dc::Result<std::string> serveGetNcChanges(const dc::Directory& dir, const dc::Guid& sourceDsa,
                                          std::string_view request);

// serveGetNcChanges as a transport delivers it: a refusal becomes the
// Win32 code the destination records (8456 from an RODC, 8437 otherwise).
TransportReply answerGetNcChanges(const dc::Directory& dir, const dc::Guid& sourceDsa, std::string_view request);

}  // namespace dcemu::replication
