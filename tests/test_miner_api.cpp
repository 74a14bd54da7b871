// The cgminer-compatible API: command forms, field names, privileged commands and the allow list,
// and one request over a real loopback socket. Then the status page's HTTP server (mine --http),
// which serves the same numbers.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>

#include "cli/miner_api.hpp"
#include "cli/status_http.hpp"
#include "stratum/message.hpp"
#include "stratum/net.hpp"

using namespace hf;
using namespace hf::cli;
using nlohmann::json;

namespace {

MinerState sample_state() {
    MinerState s;
    s.version = "hashforge 0.1.0";
    s.backend = "shani";
    s.threads = 2;
    s.elapsed_seconds = 120;
    s.now_unix = 1764100000;
    s.hashrate.rate_5s = 52.5e6;
    s.hashrate.rate_total = 50e6;
    s.hashrate.total_hashes = 6'000'000'000ULL;
    stratum::PoolStatus p;
    p.url = "stratum+tcp://127.0.0.1:3333";
    p.user = "w";
    p.alive = true;
    p.difficulty = 0.004;
    p.shares.accepted = 10;
    p.shares.rejected = {1, 2, 3, 4};
    p.shares.stale_local = 5;
    p.shares.accepted_difficulty = 0.04;
    p.shares.best_share = 0.9;
    s.pools.pools = {p, p};
    s.pools.pools[1].url = "stratum+ssl://backup.example:443";
    s.pools.pools[1].alive = false;
    s.pools.total = p.shares;
    return s;
}

}  // namespace

TEST_CASE("summary in JSON with cgminer's field names and units (MH/s)") {
    const auto r = json::parse(api_reply(R"({"command":"summary","parameter":""})", "127.0.0.1", sample_state(), {}, {}));
    CHECK(r["STATUS"][0]["STATUS"] == "S");
    CHECK(r["STATUS"][0]["Code"] == 11);
    const auto& s = r["SUMMARY"][0];
    CHECK(s["MHS av"].get<double>() == doctest::Approx(50.0));
    CHECK(s["MHS 5s"].get<double>() == doctest::Approx(52.5));
    CHECK(s["Accepted"] == 10);
    CHECK(s["Rejected"] == 10);
    CHECK(s["Stale"] == 6);  // 1 rejected as stale by the pool + 5 not submitted
    CHECK(s["Difficulty Accepted"].get<double>() == doctest::Approx(0.04));
    CHECK(s["Best Share"].get<double>() == doctest::Approx(0.9));
    CHECK(s["Elapsed"] == 120);
    CHECK(s["Total MH"].get<double>() == doctest::Approx(6000.0));
}

TEST_CASE("text form, pools, devs, version, config and errors") {
    const auto st = sample_state();
    const std::string text = api_reply("summary", "127.0.0.1", st, {}, {});
    CHECK(text.rfind("STATUS=S,When=1764100000,Code=11,Msg=Summary,Description=hashforge 0.1.0|SUMMARY,Elapsed=120,MHS av=50.000000,", 0) == 0);
    CHECK(text.back() == '|');
    const auto pools = json::parse(api_reply(R"({"command":"pools"})", "127.0.0.1", st, {}, {}));
    REQUIRE(pools["POOLS"].size() == 2);
    CHECK(pools["POOLS"][0]["URL"] == "stratum+tcp://127.0.0.1:3333");
    CHECK(pools["POOLS"][0]["Status"] == "Alive");
    CHECK(pools["POOLS"][1]["Status"] == "Dead");
    CHECK(pools["POOLS"][1]["Priority"] == 1);
    CHECK(json::parse(api_reply(R"({"command":"devs"})", "", st, {}, {}))["DEVS"][0]["MHS 5s"].get<double>() == doctest::Approx(52.5));
    CHECK(json::parse(api_reply(R"({"command":"version"})", "", st, {}, {}))["VERSION"][0]["API"] == "3.7");
    CHECK(json::parse(api_reply(R"({"command":"config"})", "", st, {}, {}))["CONFIG"][0]["Pool Count"] == 2);
    CHECK(json::parse(api_reply(R"({"command":"nonsense"})", "", st, {}, {}))["STATUS"][0]["Code"] == 14);
    CHECK(json::parse(api_reply(R"({"command":)", "", st, {}, {}))["STATUS"][0]["STATUS"] == "E");
    CHECK(api_reply("pools", "", st, {}, {}).find("|POOL=1,URL=stratum+ssl://backup.example:443,Status=Dead,") !=
          std::string::npos);
}

TEST_CASE("privileged commands only for allowed addresses") {
    const auto st = sample_state();
    int quits = 0;
    std::vector<std::size_t> switches;
    ApiActions actions;
    actions.quit = [&] { ++quits; };
    actions.switch_pool = [&](std::size_t i) {
        if (i >= 2) return false;
        switches.push_back(i);
        return true;
    };
    const ApiAllowList none;
    const ApiAllowList lan("W:127.0.0.1,W:192.168.1.0/24");
    auto denied = json::parse(api_reply(R"({"command":"quit"})", "127.0.0.1", st, none, actions));
    CHECK(denied["STATUS"][0]["Code"] == 45);
    CHECK(quits == 0);
    CHECK(json::parse(api_reply(R"({"command":"switchpool","parameter":"1"})", "10.0.0.1", st, lan, actions))["STATUS"][0]["Code"] == 45);
    CHECK(json::parse(api_reply(R"({"command":"switchpool","parameter":"1"})", "192.168.1.77", st, lan, actions))["STATUS"][0]["Code"] == 27);
    CHECK(api_reply("switchpool|0", "127.0.0.1", st, lan, actions).find("Code=27") != std::string::npos);
    CHECK(api_reply("switchpool|7", "127.0.0.1", st, lan, actions).find("STATUS=E") == 0);
    CHECK(switches == std::vector<std::size_t>{1, 0});
    CHECK(api_reply("quit", "::ffff:127.0.0.1", st, lan, actions) == "BYE");
    CHECK(quits == 1);
    CHECK_THROWS_AS(ApiAllowList("W:300.1.1.1"), std::invalid_argument);
    CHECK_THROWS_AS(ApiAllowList("10.0.0.0/40"), std::invalid_argument);
}

TEST_CASE("the API over a loopback socket: one request, one NUL-terminated answer") {
    net::EventLoop loop;
    std::thread t([&] { loop.run(); });
    std::unique_ptr<net::RequestListener> listener;
    std::promise<void> made;
    loop.post([&] {
        listener = std::make_unique<net::RequestListener>(loop, "127.0.0.1", 0, [](const std::string& req, const std::string& peer) {
            return api_reply(req, peer, sample_state(), {}, {});
        });
        made.set_value();
    });
    REQUIRE(made.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    std::promise<std::string> reply;
    auto got = reply.get_future();
    auto buffer = std::make_shared<std::string>();
    auto replied = std::make_shared<bool>(false);
    loop.post([&, buffer, replied] {
        net::LineConnection::connect(loop, "127.0.0.1", std::to_string(listener->port()), {}, std::chrono::seconds(3),
                                     [&, buffer, replied](std::shared_ptr<net::LineConnection> c, std::string error) {
                                         if (!c) {
                                             reply.set_value("connect failed: " + error);
                                             return;
                                         }
                                         c->start({[buffer](std::string_view b) { buffer->append(b); },
                                                   [&, buffer, replied, c](const std::string&) {
                                                       if (!*replied) {
                                                           *replied = true;
                                                           reply.set_value(*buffer);
                                                       }
                                                   }},
                                                  std::chrono::seconds(5));
                                         c->send(R"({"command":"summary"})");  // no newline, as cgminer clients send
                                     });
    });
    REQUIRE(got.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    const std::string text = got.get();
    REQUIRE(!text.empty());
    CHECK(text.back() == '\0');
    CHECK(json::parse(text.substr(0, text.size() - 1))["SUMMARY"][0]["Accepted"] == 10);
    loop.post([&] { listener.reset(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    loop.stop();
    t.join();
}

// ---- the status page's server (mine --http) ---------------------------------------------------
namespace {

// A blocking loopback client: sends `request`, reads until the server closes (or 5 s pass).
std::string http_exchange(std::uint16_t port, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string reply;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        for (std::size_t sent = 0; sent < request.size();) {
            const auto n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) break;
            sent += static_cast<std::size_t>(n);
        }
        char buf[4096];
        for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return reply;
}

struct RunningServer {
    net::EventLoop loop;
    std::unique_ptr<StatusHttpServer> server;
    std::thread thread;
    explicit RunningServer(StatusHttpOptions o) {
        server = std::make_unique<StatusHttpServer>(loop, o, [] { return sample_state(); });
        thread = std::thread([this] { loop.run(); });
    }
    ~RunningServer() {
        loop.stop();
        thread.join();
        server.reset();
    }
};

}  // namespace

TEST_CASE("--http addresses: loopback unless a host is given") {
    CHECK(parse_http_listen("8080") == std::pair<std::string, std::uint16_t>{"127.0.0.1", 8080});
    CHECK(parse_http_listen(":81") == std::pair<std::string, std::uint16_t>{"127.0.0.1", 81});
    CHECK(parse_http_listen("0.0.0.0:8080") == std::pair<std::string, std::uint16_t>{"0.0.0.0", 8080});
    CHECK(parse_http_listen("[::1]:8080") == std::pair<std::string, std::uint16_t>{"::1", 8080});
    CHECK_THROWS_AS(parse_http_listen("80a"), std::invalid_argument);
    CHECK_THROWS_AS(parse_http_listen("65536"), std::invalid_argument);
    CHECK_THROWS_AS(parse_http_listen("host:"), std::invalid_argument);
}

// Issue 16: a privileged client's request bytes or a string that is not UTF-8 (a worker name from
// the command line) must not reach a reply as is: nlohmann's strict dump threw, which ended the
// miner from inside the API's handler, and the text form echoed the raw bytes. Every reply is
// valid UTF-8, bad bytes replaced by U+FFFD, as the pool's replies are.
TEST_CASE("invalid UTF-8 in a request or in the miner's strings: every API reply is valid UTF-8") {
    auto st = sample_state();
    st.pools.pools[0].user = "w\xff\xfe";
    st.pools.pools[1].url = "stratum+tcp://\xc3(:3333";  // a truncated two-byte sequence
    const std::string bad = "\xef\xbf\xbd";  // U+FFFD in UTF-8
    auto valid_utf8 = [](const std::string& text) {
        CHECK_NOTHROW(json(text).dump());  // nlohmann's strict dump throws on invalid UTF-8
    };
    std::string reply;
    REQUIRE_NOTHROW(reply = api_reply(R"({"command":"pools"})", "127.0.0.1", st, {}, {}));
    const auto pools = json::parse(reply);
    CHECK(pools["POOLS"][0]["User"] == "w" + bad + bad);
    CHECK(pools["POOLS"][1]["URL"] == "stratum+tcp://" + bad + "(:3333");
    REQUIRE_NOTHROW(reply = api_reply("pools", "127.0.0.1", st, {}, {}));
    valid_utf8(reply);
    CHECK(reply.find("User=w" + bad + bad) != std::string::npos);
    // A privileged client's parameter is echoed in the error, with the bad bytes replaced.
    const ApiAllowList local("127.0.0.1");
    ApiActions actions;
    actions.switch_pool = [](std::size_t) { return false; };
    REQUIRE_NOTHROW(reply = api_reply("switchpool|\xff\xfe", "127.0.0.1", st, local, actions));
    valid_utf8(reply);
    CHECK(reply.find("Msg=Invalid pool id " + bad + bad) != std::string::npos);
    // A JSON request with bad bytes is refused as invalid JSON (parse_json), in valid JSON.
    CHECK(json::parse(api_reply("{\"command\":\"pools\xff\"}", "127.0.0.1", st, {}, {}))["STATUS"][0]["Code"] == 23);
    // The status page's document is written the same way.
    const auto doc = status_document(st, {}, std::chrono::seconds(1), {});
    CHECK(json::parse(stratum::dump_json(doc))["pools"][0]["User"] == "w" + bad + bad);
}

TEST_CASE("/api/status carries the cgminer API's own numbers, reject reasons and the history") {
    std::deque<HashrateSample> history{{1.0, 5e6}, {2.0, 6e6}};
    stratum::ShareResult rejected;
    rejected.submitted = true;
    rejected.reason = {stratum::RejectKind::Stale, 21, "Job not found"};
    std::deque<ShareEvent> recent{share_event(rejected, 1764100000)};
    const MinerState s = sample_state();
    const auto doc = status_document(s, history, std::chrono::seconds(1), recent);
    const auto api = json::parse(api_reply(R"({"command":"summary"})", "", s, {}, {}));
    CHECK(doc["summary"] == api["SUMMARY"][0]);
    CHECK(doc["pools"] == json::parse(api_reply(R"({"command":"pools"})", "", s, {}, {}))["POOLS"]);
    CHECK(doc["rejects"]["stale"] == 1);
    CHECK(doc["rejects"]["low difficulty"] == 3);
    CHECK(doc["rejects"]["not submitted: job gone (stale)"] == 5);
    CHECK(doc["recent_shares"][0]["reason"] == "stale: 21 Job not found");
    CHECK(doc["history"]["samples"].size() == 2);
    CHECK(doc["history"]["samples"][1][1].get<double>() == doctest::Approx(6e6));
    CHECK(doc["backend"] == "shani");
}

TEST_CASE("the status server: page, JSON, errors and the API's bounds") {
    StatusHttpOptions o;
    o.max_connections = 2;
    o.io_timeout = std::chrono::milliseconds(700);
    o.sample_interval = std::chrono::milliseconds(50);
    RunningServer rs(o);
    const auto port = rs.server->port();

    const auto page = http_exchange(port, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(page.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(page.find("text/html") != std::string::npos);
    CHECK(page.find("api/status") != std::string::npos);

    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const auto status = http_exchange(port, "GET /api/status HTTP/1.0\r\n\r\n");
    REQUIRE(status.rfind("HTTP/1.0 200", 0) == 0);
    const auto doc = json::parse(status.substr(status.find("\r\n\r\n") + 4));
    CHECK(doc["summary"]["Accepted"] == 10);
    CHECK(doc["history"]["samples"].size() >= 2);  // sampled every 50 ms here

    const auto summary = http_exchange(port, "GET /api/summary HTTP/1.0\r\n\r\n");
    CHECK(json::parse(summary.substr(summary.find("\r\n\r\n") + 4)) == json::parse(api_reply(R"({"command":"summary"})", "", sample_state(), {}, {})));
    CHECK(http_exchange(port, "GET /nothing HTTP/1.0\r\n\r\n").rfind("HTTP/1.0 404", 0) == 0);
    CHECK(http_exchange(port, "POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n").rfind("HTTP/1.0 405", 0) == 0);
    const auto head = http_exchange(port, "HEAD / HTTP/1.0\r\n\r\n");
    CHECK(head.rfind("HTTP/1.0 200", 0) == 0);
    CHECK(head.substr(head.find("\r\n\r\n") + 4).empty());
    // More than 64 KiB of request: refused with 413, as the API refuses it.
    const std::string big = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(70 * 1024, 'a') + "\r\n\r\n";
    CHECK(http_exchange(port, big).rfind("HTTP/1.1 413", 0) == 0);
    // Not HTTP: closed without an answer.
    CHECK(http_exchange(port, std::string("\x16\x03\x01\x02\x00", 5)).empty());

    // Two idle connections fill the bound: a third is closed at once; after the idle ones time
    // out (0.7 s here), requests are served again.
    auto idle = [port] {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        return fd;
    };
    const int a = idle(), b = idle();
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    CHECK(http_exchange(port, "GET /api/devs HTTP/1.0\r\n\r\n").empty());
    char byte;
    timeval tv{3, 0};
    ::setsockopt(a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    CHECK(::recv(a, &byte, 1, 0) == 0);  // the server closed it at the deadline
    ::close(a);
    ::close(b);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK(http_exchange(port, "GET /api/devs HTTP/1.0\r\n\r\n").rfind("HTTP/1.0 200", 0) == 0);
}

TEST_CASE("an API handler that throws costs that request only: closed unanswered, the next one served") {
    net::EventLoop loop;
    std::thread t([&] { loop.run(); });
    std::unique_ptr<net::RequestListener> listener;
    std::promise<void> made;
    loop.post([&] {
        listener = std::make_unique<net::RequestListener>(loop, "127.0.0.1", 0, [](const std::string& req, const std::string&) {
            if (req == "boom") throw std::runtime_error("handler failed");
            return std::string("ok");
        });
        made.set_value();
    });
    REQUIRE(made.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    CHECK(http_exchange(listener->port(), "boom\n").empty());
    CHECK(http_exchange(listener->port(), "summary\n") == std::string("ok\0", 3));
    loop.post([&] { listener.reset(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    loop.stop();
    t.join();
}
