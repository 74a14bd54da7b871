// hashforge mine and hashforge pool end to end: the embedded default mines and gets shares accepted,
// the protocol dump shows the session, bad options are refused with a clear message.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support.hpp"

using hf::test::run_hashforge;

TEST_CASE("hashforge mine with no -o mines against the built-in pool and gets shares accepted") {
    const auto r = run_hashforge("mine --duration 6 -t 1 --pool-difficulty 0.00003 --suggest-diff off --status-interval 2 -P", true);
    CAPTURE(r.output);
    CHECK(r.exit_status == 0);
    CHECK(r.output.find("no -o given: mining against the built-in pool at stratum+tcp://127.0.0.1:") != std::string::npos);
    CHECK(r.output.find("accepted: share diff") != std::string::npos);
    CHECK(r.output.find("REJECTED") == std::string::npos);
    CHECK(r.output.find("> {\"id\":1,\"method\":\"mining.configure\"") != std::string::npos);
    CHECK(r.output.find("< {\"id\":null,\"method\":\"mining.notify\"") != std::string::npos);
    CHECK(r.output.find("\"method\":\"mining.submit\",\"params\":[\"hashforge.embedded\"") != std::string::npos);
    CHECK(r.output.find("(5s)") != std::string::npos);  // a status line
    CHECK(r.output.find("Summary after") != std::string::npos);
    CHECK(r.output.find("rejected        0 ") != std::string::npos);
}

TEST_CASE("hashforge mine suggests a difficulty: auto from the measured hashrate, a number as given, or none") {
    const std::string sent = "\"method\":\"mining.suggest_difficulty\",\"params\":[";
    const auto given = run_hashforge("mine --duration 1 -t 1 -P --suggest-diff 0.25", true);
    CAPTURE(given.output);
    CHECK(given.output.find(sent + "0.25]}") != std::string::npos);
    CHECK(given.output.find("suggesting difficulty") == std::string::npos);  // no measuring when given
    // The built-in pool takes the suggestion: its next set_difficulty is the suggested value.
    CHECK(given.output.find("< {\"id\":null,\"method\":\"mining.set_difficulty\",\"params\":[0.25]}") != std::string::npos);

    const auto automatic = run_hashforge("mine --duration 1 -t 1 -P", true);
    CAPTURE(automatic.output);
    const auto log = automatic.output.find("suggesting difficulty ");
    REQUIRE(log != std::string::npos);
    const double logged = std::stod(automatic.output.substr(log + 22));
    const auto at = automatic.output.find(sent);
    REQUIRE(at != std::string::npos);
    const double suggested = std::stod(automatic.output.substr(at + sent.size()));
    CHECK(suggested == doctest::Approx(logged).epsilon(0.01));
    CHECK(suggested >= 0.0005);  // never below the built-in pool's start difficulty

    const auto off = run_hashforge("mine --duration 0.5 -t 1 -P --suggest-diff off", true);
    CHECK(off.output.find("mining.subscribe") != std::string::npos);
    CHECK(off.output.find("suggest") == std::string::npos);
}

TEST_CASE("hashforge mine refuses bad options, naming them") {
    struct Case {
        std::string args, names;
    };
    const std::string cfg = (std::filesystem::temp_directory_path() / ("hf-mine-" + std::to_string(::getpid()) + ".json")).string();
    std::ofstream(cfg) << R"({"pools":[{"url":"stratum+tcp://127.0.0.1:1"}],"threads":1,"frobnicate":true})";
    const Case cases[] = {
        {"mine -o http://127.0.0.1:1 -u w", "unknown scheme"},
        {"mine -o stratum+tcp://127.0.0.1 -u w", "no port"},
        {"mine -o stratum+tcp://127.0.0.1:1", "no user name"},
        {"mine -t zero", "--threads"},
        {"mine --api-allow W:999.1.1.1", "--api-allow"},
        {"mine -c /nonexistent.json", "--config /nonexistent.json: cannot read: No such file or directory"},
        {"mine -o stratum+ssl://127.0.0.1:1 -u w --cert /nonexistent.pem", "--cert /nonexistent.pem: cannot read: No such"},
        {"mine -o stratum+ssl://127.0.0.1:1 -u w --cert " + cfg, "no PEM CERTIFICATE"},
        {"pool --tls-cert /nonexistent.pem --tls-key /nonexistent.key", "--tls-cert /nonexistent.pem: cannot read"},
        {"mine -c " + cfg, "frobnicate"},
        {"mine --backend nosuch", "--backend"},
        {"mine --suggest-diff lots", "--suggest-diff"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.args);
        const auto r = run_hashforge(c.args, true);
        CHECK(r.exit_status == 2);
        CHECK(r.output.find(c.names) != std::string::npos);
        CHECK(r.output.find("connecting") == std::string::npos);  // refused before mining starts
    }
    std::filesystem::remove(cfg);
    CHECK(run_hashforge("mine --help").output.find("--api-listen") != std::string::npos);
    CHECK(run_hashforge("pool --help").output.find("--listen") != std::string::npos);
}

TEST_CASE("hashforge pool listens, then stops by itself with --duration") {
    const auto r = run_hashforge("pool --listen 127.0.0.1:0 --duration 0.5", true);
    CHECK(r.exit_status == 0);
    CHECK(r.output.find("pool listening on stratum+tcp://127.0.0.1:") != std::string::npos);
    CHECK(r.output.find("pool summary") != std::string::npos);
    CHECK(run_hashforge("pool --listen nowhere", true).exit_status == 2);
}
