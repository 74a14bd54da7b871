// The cgminer-compatible API: command forms, field names, privileged commands and the allow list,
// and one request over a real loopback socket.
#include <doctest/doctest.h>

#include <future>

#include "cli/miner_api.hpp"
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
