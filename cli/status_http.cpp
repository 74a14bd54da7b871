#include "cli/status_http.hpp"

#include <utility>  // Boost 1.74 Asio uses std::exchange without including it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/resources.hpp"
#include "stratum/message.hpp"
#include "stratum/net_asio.hpp"

namespace hf::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using nlohmann::json;

std::pair<std::string, std::uint16_t> parse_http_listen(const std::string& spec) {
    std::string host = "127.0.0.1", port = spec;
    if (const auto colon = spec.rfind(':'); colon != std::string::npos) {
        host = spec.substr(0, colon);
        port = spec.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        if (host.empty()) host = "127.0.0.1";
    }
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos)
        throw std::invalid_argument("--http: bad port '" + port + "' (expected [HOST:]PORT, PORT 0..65535)");
    const unsigned long value = std::stoul(port);
    if (value > 65535) throw std::invalid_argument("--http: port " + port + " is out of range (0..65535)");
    return {host, static_cast<std::uint16_t>(value)};
}

ShareEvent share_event(const stratum::ShareResult& r, std::int64_t unix_time) {
    ShareEvent e;
    e.unix_time = unix_time;
    e.accepted = r.accepted;
    e.difficulty = r.share.share_difficulty;
    e.nonce = r.share.nonce;
    if (!r.accepted) {
        e.reason = r.submitted ? std::string(stratum::reject_kind_name(r.reason.kind)) : std::string("not submitted");
        if (!r.answered) e.reason += " (no answer)";
        if (r.reason.code || !r.reason.text.empty()) e.reason += ":";
        if (r.reason.code) e.reason += " " + std::to_string(r.reason.code);
        if (!r.reason.text.empty()) e.reason += " " + r.reason.text;
    }
    return e;
}

namespace {

// One cgminer API section, through the API's own reply function.
json api_section(const MinerState& state, const char* command, const char* section) {
    const auto reply = json::parse(api_reply(std::string(R"({"command":")") + command + R"("})", "", state, ApiAllowList(), ApiActions()));
    return reply.at(section);
}

}  // namespace

json status_document(const MinerState& state, const std::deque<HashrateSample>& history, std::chrono::milliseconds interval,
                     const std::deque<ShareEvent>& recent) {
    const auto& t = state.pools.total;
    json rejects = {{"stale", t.rejected[0]},
                    {"duplicate", t.rejected[1]},
                    {"low difficulty", t.rejected[2]},
                    {"other", t.rejected[3]},
                    {"not submitted: job gone (stale)", t.stale_local},
                    {"not submitted: hardware error (failed host re-verification)", t.invalid_local},
                    {"unanswered", t.unanswered}};
    json samples = json::array();
    for (const auto& s : history) samples.push_back(json::array({s.elapsed_s, s.rate_5s}));
    json shares = json::array();
    for (const auto& e : recent)
        shares.push_back({{"time", e.unix_time}, {"accepted", e.accepted}, {"reason", e.reason}, {"difficulty", e.difficulty}, {"nonce", e.nonce}});
    return {{"version", state.version},
            {"backend", state.backend},
            {"threads", state.threads},
            {"uptime_s", state.elapsed_seconds},
            {"active_pool", state.pools.active},
            {"connected", state.pools.connected},
            {"summary", api_section(state, "summary", "SUMMARY").at(0)},
            {"pools", api_section(state, "pools", "POOLS")},
            {"devs", api_section(state, "devs", "DEVS")},
            {"rejects", std::move(rejects)},
            {"recent_shares", std::move(shares)},
            {"history", {{"interval_s", std::chrono::duration<double>(interval).count()}, {"unit", "H/s, measured (5 s average)"}, {"samples", std::move(samples)}}}};
}

// The server's state, shared by its coroutines (all run on the loop's thread).
struct StatusHttpServer::Shared {
    Shared(asio::io_context& io_, StatusHttpOptions o, StateFn s) : io(io_), options(std::move(o)), state(std::move(s)), acceptor(io_), sampler(io_) {}
    asio::io_context& io;
    StatusHttpOptions options;
    StateFn state;
    tcp::acceptor acceptor;
    asio::steady_timer sampler;
    std::size_t connections = 0;
    std::deque<HashrateSample> history;
    std::deque<ShareEvent> recent;

    http::response<http::string_body> respond(const http::request<http::string_body>& req);
};

namespace {

using Response = http::response<http::string_body>;

Response make_response(http::status status, unsigned version, bool keep_alive, const char* type, std::string body) {
    Response res{status, version};
    res.set(http::field::server, "hashforge");
    res.set(http::field::content_type, type);
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

// Counts a connection for the connection bound while it lives.
struct ConnectionSlot {
    explicit ConnectionSlot(StatusHttpServer::Shared& s) : shared(s) { ++shared.connections; }
    ~ConnectionSlot() { --shared.connections; }
    StatusHttpServer::Shared& shared;
};

// One connection: requests answered in turn (HTTP/1.1 keep-alive), each read and write with a deadline.
asio::awaitable<void> serve(std::shared_ptr<StatusHttpServer::Shared> shared, beast::tcp_stream stream) {
    ConnectionSlot slot(*shared);
    beast::flat_buffer buffer(shared->options.max_request_bytes);
    error_code ec;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(shared->options.max_request_bytes));
        parser.body_limit(shared->options.max_request_bytes);
        stream.expires_after(shared->options.io_timeout);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == http::error::header_limit || ec == http::error::body_limit || ec == http::error::buffer_overflow) {
            Response res = make_response(http::status::payload_too_large, 11, false, "text/plain", "request too large\n");
            stream.expires_after(shared->options.io_timeout);
            co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
            break;
        }
        if (ec) break;  // closed, timed out, or not HTTP
        Response res = shared->respond(parser.get());
        stream.expires_after(shared->options.io_timeout);
        co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_loop(std::shared_ptr<StatusHttpServer::Shared> shared) {
    asio::steady_timer pause(shared->io);
    for (;;) {
        error_code ec;
        tcp::socket socket = co_await shared->acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || !shared->acceptor.is_open()) co_return;
        if (ec) {  // e.g. out of file descriptors: wait a little instead of spinning
            pause.expires_after(std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        if (shared->connections >= shared->options.max_connections) {
            socket.close(ec);  // over the bound: refused at once, as a busy device would
            continue;
        }
        asio::co_spawn(shared->io, serve(shared, beast::tcp_stream(std::move(socket))), asio::detached);
    }
}

// Every sample_interval: the 5 s hashrate, for the plot.
asio::awaitable<void> sample_loop(std::shared_ptr<StatusHttpServer::Shared> shared) {
    for (;;) {
        error_code ec;
        shared->sampler.expires_after(shared->options.sample_interval);
        co_await shared->sampler.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
        const MinerState s = shared->state();
        shared->history.push_back({s.elapsed_seconds, s.hashrate.rate_5s});
        while (shared->history.size() > shared->options.max_samples) shared->history.pop_front();
    }
}

}  // namespace

Response StatusHttpServer::Shared::respond(const http::request<http::string_body>& req) {
    const unsigned v = req.version();
    const bool keep = req.keep_alive();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        Response res = make_response(http::status::method_not_allowed, v, keep, "text/plain", "only GET and HEAD\n");
        res.set(http::field::allow, "GET, HEAD");
        return res;
    }
    std::string target(req.target());
    if (const auto q = target.find('?'); q != std::string::npos) target.resize(q);
    Response res;
    if (target == "/" || target == "/index.html") {
        res = make_response(http::status::ok, v, keep, "text/html; charset=utf-8", std::string(resources::status_page()));
    } else if (target == "/api/status") {
        res = make_response(http::status::ok, v, keep, "application/json", stratum::dump_json(status_document(state(), history, options.sample_interval, recent)));
    } else if (target == "/api/summary" || target == "/api/pools" || target == "/api/devs") {
        const std::string command(target.substr(5));
        res = make_response(http::status::ok, v, keep, "application/json",
                            api_reply(R"({"command":")" + command + R"("})", "", state(), ApiAllowList(), ApiActions()));
    } else {
        res = make_response(http::status::not_found, v, keep, "text/plain", "not found\n");
    }
    if (req.method() == http::verb::head) {
        const auto length = res.body().size();
        res.body().clear();
        res.content_length(length);
    }
    return res;
}

StatusHttpServer::StatusHttpServer(net::EventLoop& loop, StatusHttpOptions options, StateFn state)
    : shared_(std::make_shared<Shared>(net::io_context(loop), std::move(options), std::move(state))) {
    error_code ec;
    const auto address = asio::ip::make_address(shared_->options.host, ec);
    if (ec) throw std::runtime_error("--http: not an IP address: '" + shared_->options.host + "'");
    const tcp::endpoint endpoint(address, shared_->options.port);
    auto& a = shared_->acceptor;
    a.open(endpoint.protocol(), ec);
    if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) a.bind(endpoint, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("--http: cannot listen on " + shared_->options.host + ":" + std::to_string(shared_->options.port) + ": " + ec.message());
    asio::co_spawn(shared_->io, accept_loop(shared_), asio::detached);
    asio::co_spawn(shared_->io, sample_loop(shared_), asio::detached);
}

StatusHttpServer::~StatusHttpServer() {
    error_code ec;
    shared_->acceptor.close(ec);
    shared_->sampler.cancel();
}

std::uint16_t StatusHttpServer::port() const { return shared_->acceptor.local_endpoint().port(); }

void StatusHttpServer::note_share(const stratum::ShareResult& result) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    asio::post(shared_->io, [shared = shared_, e = share_event(result, now)] {
        shared->recent.push_back(e);
        while (shared->recent.size() > shared->options.max_recent_shares) shared->recent.pop_front();
    });
}

}  // namespace hf::cli
