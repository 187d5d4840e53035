#include "replication/in_process_transport.h"

#include <fmt/format.h>

#include "replication/source.h"
#include "replication/win32.h"

namespace dcemu::replication {

void InProcessTransport::getNcChanges(const dc::Guid& sourceDsa, std::string request,
                                      std::function<void(TransportReply)> done) {
  auto it = sources_.find(sourceDsa);
  int64_t latency = it == sources_.end() ? 0 : it->second.latency;
  // The source answers when the request arrives, from its state then.
  timer_.after(latency, [this, sourceDsa, latency, request = std::move(request), done = std::move(done)]() mutable {
    auto source = sources_.find(sourceDsa);
    if (source == sources_.end() || !source->second.dir || !source->second.reachable) {
      timer_.after(latency, [sourceDsa, done = std::move(done)] {
        done(TransportReply{
            win32::kRpcServerUnavailable, {}, fmt::format("source {} does not answer", sourceDsa.toString())});
      });
      return;
    }
    TransportReply answer = answerGetNcChanges(*source->second.dir, sourceDsa, request);
    timer_.after(latency, [answer = std::move(answer), done = std::move(done)]() mutable { done(std::move(answer)); });
  });
}

}  // namespace dcemu::replication
