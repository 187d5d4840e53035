#include "live/http_endpoint.h"

#include <fmt/format.h>
#include <kj/compat/http.h>
#include <kj/timer.h>

#include <asio.hpp>

#include "live/asio_listen.h"
#include "live/asio_stream.h"

namespace dcemu::live {
namespace {

// Timeouts of kj-http (a client's headers, an idle keep-alive) run on this
// timer; a tick a second is fine enough for them.
constexpr auto kTick = std::chrono::seconds(1);
constexpr int kMaxOpenConnections = 64;

class Pages final : public kj::HttpService {
 public:
  Pages(const kj::HttpHeaderTable& table, HttpPages pages) : table_(table), pages_(std::move(pages)) {}

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders&, kj::AsyncInputStream&,
                            Response& response) override {
    if (method != kj::HttpMethod::GET && method != kj::HttpMethod::HEAD)
      return reply(response, 405, "Method Not Allowed", "only GET and HEAD\n");
    std::string path(url.cStr());
    path = path.substr(0, path.find('?'));
    if (path == "/metrics") return reply(response, 200, "OK", pages_.metrics(), "text/plain; version=0.0.4");
    if (path == "/healthz") {
      std::string text;
      bool healthy = pages_.health(text);
      return reply(response, healthy ? 200 : 503, healthy ? "OK" : "Service Unavailable", text + "\n");
    }
    return reply(response, 404, "Not Found", "this node serves /metrics and /healthz\n");
  }

 private:
  kj::Promise<void> reply(Response& response, unsigned status, kj::StringPtr statusText, std::string body,
                          kj::StringPtr contentType = "text/plain; charset=utf-8") {
    kj::HttpHeaders headers(table_);
    headers.set(kj::HttpHeaderId::CONTENT_TYPE, contentType);
    auto stream = response.send(status, statusText, headers, body.size());
    auto written = stream->write(body.data(), body.size());
    return written.attach(kj::mv(stream), kj::mv(body));
  }

  const kj::HttpHeaderTable& table_;
  HttpPages pages_;
};

}  // namespace

struct HttpEndpoint::Impl : kj::TaskSet::ErrorHandler {
  Impl(KjAsioLoop& kj, HttpPages pages)
      : loop(kj),
        timer(kj::origin<kj::TimePoint>()),
        service(table, std::move(pages)),
        server(timer, table, service),
        acceptor(kj.io()),
        ticker(kj.io()),
        tasks(*this) {}

  // A connection that breaks off ends; the endpoint goes on.
  void taskFailed(kj::Exception&&) override {}

  void acceptNext() {
    acceptor.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec && open < kMaxOpenConnections) {
        ++open;
        auto stream = kj::heap<AsioStream>(std::move(socket));
        tasks.add(server.listenHttp(kj::mv(stream)).then([this] { --open; }, [this](kj::Exception&&) { --open; }));
      }
      acceptNext();
    });
  }

  void tick() {
    ticker.expires_after(kTick);
    ticker.async_wait([this](const asio::error_code& ec) {
      if (ec) return;
      timer.advanceTo(kj::origin<kj::TimePoint>() +
                      (std::chrono::steady_clock::now() - started).count() * kj::NANOSECONDS);
      tick();
    });
  }

  KjAsioLoop& loop;
  kj::TimerImpl timer;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  kj::HttpHeaderTable table;
  Pages service;
  kj::HttpServer server;
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer ticker;
  int open = 0;
  kj::TaskSet tasks;
};

HttpEndpoint::HttpEndpoint(KjAsioLoop& loop, HttpPages pages) : impl_(std::make_unique<Impl>(loop, std::move(pages))) {}

HttpEndpoint::~HttpEndpoint() {
  asio::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->ticker.cancel();
}

dc::Result<uint16_t> HttpEndpoint::listen(const std::string& address, uint16_t port) {
  auto listening = listenOn(impl_->acceptor, address, port, "metrics: ");
  if (!listening) return listening;
  impl_->acceptNext();
  impl_->tick();
  return listening;
}

}  // namespace dcemu::live
