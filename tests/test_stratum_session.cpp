// The client protocol state machine fed scripted pool transcripts: every line it sends is checked
// against a hand-written expectation, and every odd shape real pools send is thrown at it.
#include <doctest/doctest.h>

#include "core/hex.hpp"
#include "core/target.hpp"
#include "stratum/client_session.hpp"
#include "tests/support.hpp"

using namespace hf;
using namespace hf::stratum;
using nlohmann::json;

namespace {

struct Harness {
    std::vector<std::string> sent;
    std::vector<SessionJob> jobs;
    std::vector<ShareResult> results;
    std::vector<std::string> logs;
    std::vector<std::string> failures;
    int ready = 0;
    std::vector<std::string> reconnects;
    Clock::time_point now = Clock::time_point{} + std::chrono::hours(1);
    std::unique_ptr<ClientSession> session;

    explicit Harness(SessionOptions o = {}) {
        if (o.user.empty()) o.user = "tb1qworker.rig1";
        if (o.password.empty()) o.password = "x";
        SessionCallbacks cb;
        cb.send = [this](const std::string& l) { sent.push_back(l); };
        cb.job = [this](const SessionJob& j) { jobs.push_back(j); };
        cb.share_result = [this](const ShareResult& r) { results.push_back(r); };
        cb.log = [this](const std::string& t) { logs.push_back(t); };
        cb.ready = [this] { ++ready; };
        cb.fail = [this](const std::string& w) { failures.push_back(w); };
        cb.reconnect = [this](const std::string& h, const std::string& p, int w) {
            reconnects.push_back(h + ":" + p + "/" + std::to_string(w));
        };
        session = std::make_unique<ClientSession>(o, cb, 1);
    }
    void pool(const std::string& line) { session->feed(line + "\n", now); }
    std::string last() const { return sent.empty() ? "" : sent.back(); }
    json last_json() const { return json::parse(last()); }
};

// Drives a session to Ready with the vector's extranonce1 (7 bytes) and extranonce2 size 8.
void handshake(Harness& h, bool rolling) {
    h.session->start(h.now);
    if (rolling) h.pool(R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"},"error":null})");
    const int sub = rolling ? 2 : 1;
    h.pool(R"({"id":)" + std::to_string(sub) +
           R"(,"result":[[["mining.set_difficulty","b4b6693b72a50c7116db18d6497cac52"],["mining.notify","ae6812eb4cd7735a302a8a9dd95cf71f"]],"336508070fca95",8],"error":null})");
    h.pool(R"({"id":)" + std::to_string(sub + 2) + R"(,"result":true,"error":null})");
}

FoundShare share_from_case(const json& v, const json& c, const SessionJob& job) {
    FoundShare s;
    s.job_id = job.work.job.job_id;
    s.extranonce2 = hex_decode(v["extranonce2"].get<std::string>());
    s.ntime = job.work.job.ntime;
    s.nonce = hex_to_u32(c["nonce"].get<std::string>(), "nonce");
    s.version = hex_to_u32(c["version"].get<std::string>(), "version");
    s.version_bits = hex_to_u32(c["version_bits"].get<std::string>(), "version_bits");
    s.hash = from_display_hex(c["hash"].get<std::string>(), "hash");
    s.share_difficulty = c["share_difficulty"].get<double>();
    s.target_difficulty = job.work.difficulty;
    return s;
}

}  // namespace

TEST_CASE("hand-checked transcript: configure, subscribe, authorize, notify, submit with version bits") {
    const auto v = test::load_vector("stratum_job.json");
    Harness h;
    h.session->start(h.now);
    // Line by line what a BIP 310 miner sends; checked by hand against BIP 310 and the Stratum docs.
    REQUIRE(h.sent.size() == 1);
    CHECK(h.sent[0] ==
          "{\"id\":1,\"method\":\"mining.configure\",\"params\":[[\"version-rolling\"],"
          "{\"version-rolling.mask\":\"1fffe000\",\"version-rolling.min-bit-count\":2}]}\n");
    h.pool(R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"},"error":null})");
    REQUIRE(h.sent.size() == 2);
    CHECK(h.sent[1] == "{\"id\":2,\"method\":\"mining.subscribe\",\"params\":[\"hashforge/0.1.0\"]}\n");
    h.pool(R"({"id":2,"result":[[["mining.set_difficulty","1"],["mining.notify","ae6812eb"]],"336508070fca95",8],"error":null})");
    REQUIRE(h.sent.size() == 4);
    CHECK(h.sent[2] == "{\"id\":3,\"method\":\"mining.extranonce.subscribe\",\"params\":[]}\n");
    CHECK(h.sent[3] == "{\"id\":4,\"method\":\"mining.authorize\",\"params\":[\"tb1qworker.rig1\",\"x\"]}\n");
    CHECK(h.session->session_id() == "ae6812eb");
    CHECK(h.session->extranonce2_size() == 8);
    CHECK(h.session->version_mask() == 0x1fffe000);
    h.pool(R"({"id":3,"result":true,"error":null})");
    h.pool(R"({"id":4,"result":true,"error":null})");
    CHECK(h.ready == 1);
    CHECK(h.session->ready());

    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[0.0000000005]})");
    h.pool(v["notify"].dump());
    REQUIRE(h.jobs.size() == 1);
    const SessionJob job = h.jobs[0];
    CHECK(job.work.difficulty == 0.0000000005);
    CHECK(job.work.version_mask == 0x1fffe000);
    CHECK(hex_encode(job.work.extranonce1) == "336508070fca95");

    // A case with rolled version bits and a share difficulty above 5e-10.
    const json* rolled = nullptr;
    for (const auto& c : v["cases"])
        if (c["version_bits"] != "00000000" && c["share_difficulty"].get<double>() >= 0.0000000005) rolled = &c;
    REQUIRE(rolled != nullptr);
    const std::size_t before = h.sent.size();
    h.session->submit(share_from_case(v, *rolled, job), job, h.now);
    REQUIRE(h.sent.size() == before + 1);
    CHECK(h.last() == "{\"id\":5,\"method\":\"mining.submit\",\"params\":[\"tb1qworker.rig1\",\"21554471e8\","
                      "\"0000000000000000\",\"" + v["notify"]["params"][7].get<std::string>() + "\",\"" +
                          (*rolled)["nonce"].get<std::string>() + "\",\"" + (*rolled)["version_bits"].get<std::string>() +
                          "\"]}\n");
    h.now += std::chrono::milliseconds(40);
    h.pool(R"({"id":5,"result":true,"error":null})");
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].accepted);
    CHECK(h.results[0].latency == std::chrono::milliseconds(40));
    CHECK(h.results[0].difficulty == 0.0000000005);
}

TEST_CASE("without version rolling: no configure, five submit parameters") {
    const auto v = test::load_vector("stratum_job.json");
    SessionOptions o;
    o.version_rolling = false;
    o.extranonce_subscribe = false;
    o.suggest_difficulty = 0.001;
    Harness h(o);
    h.session->start(h.now);
    REQUIRE(h.sent.size() == 1);
    CHECK(h.last_json()["method"] == "mining.subscribe");
    h.pool(R"({"id":1,"result":[["mining.notify","s1"],"336508070fca95",8],"error":null})");  // one flat pair
    REQUIRE(h.sent.size() == 3);
    CHECK(h.sent[1] == "{\"id\":2,\"method\":\"mining.suggest_difficulty\",\"params\":[0.001]}\n");
    CHECK(json::parse(h.sent[2])["method"] == "mining.authorize");
    CHECK(h.session->session_id() == "s1");
    h.pool(R"({"id":3,"result":true,"error":null})");
    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[0.0000000005]})");
    h.pool(v["notify"].dump());
    REQUIRE(h.jobs.size() == 1);
    CHECK(h.jobs[0].work.version_mask == 0);
    const auto& c = v["cases"][2];
    REQUIRE(c["version_bits"] == "00000000");
    h.session->submit(share_from_case(v, c, h.jobs[0]), h.jobs[0], h.now);
    const auto params = h.last_json()["params"];
    CHECK(params.size() == 5);
    CHECK(params[4] == c["nonce"]);
}

TEST_CASE("a pool that never answers mining.configure: carry on without version rolling") {
    Harness h;
    h.session->start(h.now);
    CHECK(h.sent.size() == 1);
    h.now += std::chrono::milliseconds(2999);
    h.session->tick(h.now);
    CHECK(h.sent.size() == 1);
    h.now += std::chrono::milliseconds(1);
    h.session->tick(h.now);
    REQUIRE(h.sent.size() == 2);
    CHECK(h.last_json()["method"] == "mining.subscribe");
    CHECK(h.session->version_mask() == 0);
    // A late answer to configure must not restart anything.
    h.pool(R"({"id":1,"result":{"version-rolling":true,"version-rolling.mask":"1fffe000"},"error":null})");
    CHECK(h.sent.size() == 2);
}

TEST_CASE("a pool that refuses mining.configure, and one that never answers subscribe") {
    Harness h;
    h.session->start(h.now);
    h.pool(R"({"id":1,"result":null,"error":[20,"Method 'mining.configure' not found",null]})");
    CHECK(h.session->version_mask() == 0);
    CHECK(h.last_json()["method"] == "mining.subscribe");
    h.now += std::chrono::seconds(16);
    h.session->tick(h.now);
    REQUIRE(h.failures.size() == 1);
    CHECK(h.failures[0].find("mining.subscribe") != std::string::npos);
}

TEST_CASE("difficulty applies from the next job; shares are judged by the job's difficulty") {
    const auto v = test::load_vector("stratum_job.json");
    Harness h;
    handshake(h, true);
    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[0.0000000005]})");
    h.pool(v["notify"].dump());
    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":{"difficulty":"1024"}})");
    CHECK(h.session->difficulty() == 1024);
    REQUIRE(h.jobs.size() == 1);
    CHECK(h.jobs[0].work.difficulty == 0.0000000005);
    // A share found on the first job still counts at the old difficulty.
    const auto& c = v["cases"][0];
    const std::size_t before = h.sent.size();
    h.session->submit(share_from_case(v, c, h.jobs[0]), h.jobs[0], h.now);
    CHECK(h.sent.size() == before + 1);
    auto second = v["notify"];
    second["params"][0] = "next";
    second["params"][8] = false;
    h.pool(second.dump());
    REQUIRE(h.jobs.size() == 2);
    CHECK(h.jobs[1].work.difficulty == 1024);
    CHECK_FALSE(h.jobs[1].work.job.clean_jobs);
}

TEST_CASE("the client never submits a share it could not re-verify") {
    const auto v = test::load_vector("stratum_job.json");
    Harness h;
    handshake(h, true);
    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[0.0000000005]})");
    h.pool(v["notify"].dump());
    const SessionJob job = h.jobs.at(0);
    const auto& c = v["cases"][0];
    const std::size_t before = h.sent.size();

    FoundShare wrong_hash = share_from_case(v, c, job);
    wrong_hash.hash[0] ^= 1;
    h.session->submit(wrong_hash, job, h.now);
    FoundShare wrong_nonce = share_from_case(v, c, job);
    wrong_nonce.nonce ^= 0x100;
    h.session->submit(wrong_nonce, job, h.now);
    FoundShare outside_mask = share_from_case(v, c, job);
    outside_mask.version |= 0x1000;
    outside_mask.version_bits = outside_mask.version & 0x1fffe000;
    h.session->submit(outside_mask, job, h.now);
    FoundShare short_en2 = share_from_case(v, c, job);
    short_en2.extranonce2.pop_back();
    h.session->submit(short_en2, job, h.now);
    SessionJob harder = job;
    harder.work.difficulty = 1e6;
    h.session->submit(share_from_case(v, c, harder), harder, h.now);

    CHECK(h.sent.size() == before);  // nothing went to the pool
    REQUIRE(h.results.size() == 5);
    for (const auto& r : h.results) {
        CHECK_FALSE(r.submitted);
        CHECK_FALSE(r.accepted);
        CHECK(r.reason.kind == RejectKind::Other);
    }
}

TEST_CASE("clean jobs make older jobs stale locally; rejects are classified") {
    const auto v = test::load_vector("stratum_job.json");
    Harness h;
    handshake(h, true);
    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[0.0000000005]})");
    h.pool(v["notify"].dump());
    const SessionJob old_job = h.jobs.at(0);
    auto clean = v["notify"];
    clean["params"][0] = "fresh";
    clean["params"][8] = true;
    h.pool(clean.dump());
    const std::size_t before = h.sent.size();
    h.session->submit(share_from_case(v, v["cases"][0], old_job), old_job, h.now);
    CHECK(h.sent.size() == before);
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].reason.kind == RejectKind::Stale);
    CHECK_FALSE(h.results[0].submitted);

    const SessionJob fresh = h.jobs.at(1);
    h.session->submit(share_from_case(v, v["cases"][0], fresh), fresh, h.now);
    h.session->submit(share_from_case(v, v["cases"][1], fresh), fresh, h.now);
    const auto id1 = json::parse(h.sent[h.sent.size() - 2])["id"].get<int>();
    const auto id2 = h.last_json()["id"].get<int>();
    h.pool(R"({"id":")" + std::to_string(id2) + R"(","result":null,"error":[22,"Duplicate share",null]})");  // id as a string
    h.pool(R"({"id":)" + std::to_string(id1) + R"(,"result":false,"error":null,"reject-reason":"Low difficulty share"})");
    REQUIRE(h.results.size() == 3);
    CHECK(h.results[1].submitted);
    CHECK(h.results[1].reason.kind == RejectKind::Duplicate);
    CHECK(h.results[2].reason.kind == RejectKind::LowDifficulty);
}

TEST_CASE("odd and hostile messages are reported and skipped, never crash") {
    const auto v = test::load_vector("stratum_job.json");
    Harness h;
    handshake(h, true);
    const std::size_t jobs_before = h.jobs.size();
    const std::size_t logs_before = h.logs.size();
    const char* odd[] = {
        "{not json",
        "[\"an\",\"array\"]",
        R"({"id":null,"method":"mining.notify","params":["j",1,2]})",
        R"({"id":null,"method":"mining.set_difficulty","params":[-4]})",
        R"({"id":null,"method":"mining.set_difficulty","params":["lots"]})",
        R"({"id":null,"method":"mining.set_extranonce","params":["xyz",4]})",
        R"({"id":null,"method":"mining.set_version_mask","params":[12]})",
        R"({"id":null,"method":"mining.something_new","params":[]})",
        R"({"id":99,"result":true,"error":null})",
        R"({"id":null,"result":null,"error":[20,"Something broke",null]})",
    };
    for (const char* line : odd) h.pool(line);
    CHECK(h.jobs.size() == jobs_before);
    CHECK(h.logs.size() >= logs_before + 8);
    CHECK(h.failures.empty());
    CHECK(h.session->difficulty() == 1.0);

    // Requests the pool makes of the miner are answered.
    h.pool(R"({"id":"v1","method":"client.get_version","params":[]})");
    CHECK(h.last() == "{\"error\":null,\"id\":\"v1\",\"result\":\"hashforge/0.1.0\"}\n");
    h.pool(R"({"id":17,"method":"mining.ping","params":[]})");
    CHECK(h.last_json()["result"] == "pong");
    h.pool(R"({"id":18,"method":"mining.unknown_request","params":[]})");
    CHECK(h.last_json()["error"][0] == 20);
    h.pool(R"({"id":null,"method":"client.show_message","params":["maintenance at 12:00"]})");
    CHECK(h.logs.back().find("maintenance at 12:00") != std::string::npos);

    // Several messages in one read, and one split over three reads.
    const std::string n = v["notify"].dump();
    h.session->feed(R"({"id":null,"method":"mining.set_difficulty","params":[2]})" "\n" + n.substr(0, 50), h.now);
    h.session->feed(n.substr(50, 100), h.now);
    CHECK(h.jobs.size() == jobs_before);
    h.session->feed(n.substr(150) + "\n", h.now);
    REQUIRE(h.jobs.size() == jobs_before + 1);
    CHECK(h.jobs.back().work.difficulty == 2);

    // set_extranonce and set_version_mask take effect for the following work.
    h.pool(R"({"id":null,"method":"mining.set_extranonce","params":["a1b2c3d4",6]})");
    h.pool(n);
    CHECK(hex_encode(h.jobs.back().work.extranonce1) == "a1b2c3d4");
    CHECK(h.jobs.back().work.extranonce2_size == 6);
    h.pool(R"({"id":null,"method":"mining.set_version_mask","params":["00ffe000"]})");
    CHECK(h.jobs.back().work.version_mask == 0x00ffe000);

    h.pool(R"({"id":null,"method":"client.reconnect","params":["pool.example.org",3334,5]})");
    REQUIRE(h.reconnects.size() == 1);
    CHECK(h.reconnects[0] == "pool.example.org:3334/5");

    // A line longer than 64 KiB ends the session instead of growing the buffer.
    h.session->feed(std::string(kMaxLineBytes + 10, 'a'), h.now);
    REQUIRE(h.failures.size() == 1);
    CHECK(h.failures[0].find("longer") != std::string::npos);
}

TEST_CASE("authorization refused ends the session; unanswered submits are returned for resubmission") {
    Harness h;
    h.session->start(h.now);
    h.pool(R"({"id":1,"result":false,"error":null})");
    h.pool(R"({"id":2,"result":[[],"00000001",4],"error":null})");
    h.pool(R"({"id":4,"result":false,"error":[24,"Unauthorized worker",null]})");
    REQUIRE(h.failures.size() == 1);
    CHECK(h.failures[0].find("authorization refused") != std::string::npos);
    CHECK(h.session->take_unanswered().empty());
}

TEST_CASE("defects 2 and 4: a pool's 1e400 or 10,000-deep message is logged and skipped; the session carries on") {
    Harness h;
    handshake(h, true);
    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[0.5]})");
    CHECK_NOTHROW(h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[1e400]})"));
    CHECK_NOTHROW(h.pool(R"({"id":null,"method":"mining.notify","params":)" + std::string(10000, '[') +
                         std::string(10000, ']') + "}"));
    CHECK_NOTHROW(h.pool("{\"id\":null,\"method\":\"client.show_message\",\"params\":[\"\xff\xfe\"]}"));
    CHECK(h.session->difficulty() == 0.5);
    CHECK(h.failures.empty());
    REQUIRE(h.logs.size() >= 3);
    CHECK(h.logs[h.logs.size() - 3].find("malformed") != std::string::npos);
}

// Issue 16 asked whether shares found under an old extranonce1 are re-checked against the new one.
// They were not: they passed re-verification (against the job's own extranonce1, correctly) and were
// submitted, for the pool to reject. Now they are counted stale locally, with the reason.
TEST_CASE("a share from before mining.set_extranonce is stale locally, not submitted") {
    const auto v = test::load_vector("stratum_job.json");
    Harness h;
    handshake(h, true);
    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[0.0000000005]})");
    h.pool(v["notify"].dump());
    const SessionJob job = h.jobs.at(0);
    h.pool(R"({"id":null,"method":"mining.set_extranonce","params":["aabbccdd",8]})");
    const std::size_t before = h.sent.size();
    h.session->submit(share_from_case(v, v["cases"][0], job), job, h.now);
    CHECK(h.sent.size() == before);
    REQUIRE(h.results.size() == 1);
    CHECK_FALSE(h.results[0].submitted);
    CHECK(h.results[0].reason.kind == RejectKind::Stale);
    CHECK(h.results[0].reason.text.find("extranonce1 336508070fca95") != std::string::npos);
}

namespace {

// A session ready and mining the vector's job at difficulty 5e-10, with the vector's shares that
// meet it (at least two).
std::pair<SessionJob, std::vector<FoundShare>> mining_with_shares(Harness& h, const json& v) {
    handshake(h, true);
    h.pool(R"({"id":null,"method":"mining.set_difficulty","params":[0.0000000005]})");
    h.pool(v["notify"].dump());
    REQUIRE(h.jobs.size() == 1);
    const SessionJob job = h.jobs[0];
    std::vector<FoundShare> shares;
    for (const auto& c : v["cases"])
        if (c["share_difficulty"].get<double>() >= 0.0000000005) shares.push_back(share_from_case(v, c, job));
    REQUIRE(shares.size() >= 2);
    return {job, shares};
}

}  // namespace

// A pool that keeps sending jobs but no longer reads (a half-open connection) answers nothing: the
// submit deadline is the only sign. cgminer and cpuminer treat EOF as a dead pool; here the first
// submit past its deadline ends the connection too, so the miner reconnects instead of mining into
// the void. The late share is counted unanswered; a younger one goes back for resubmission.
TEST_CASE("a submit unanswered past submit_timeout ends the connection; younger submits are kept for resubmission") {
    const auto v = test::load_vector("stratum_job.json");
    SessionOptions o;
    o.submit_timeout = std::chrono::seconds(10);
    Harness h(o);
    const auto [job, shares] = mining_with_shares(h, v);
    h.session->submit(shares[0], job, h.now);
    h.now += std::chrono::seconds(6);
    h.session->submit(shares[1], job, h.now);
    h.pool(v["notify"].dump());  // work still arrives: the connection looks alive
    h.now += std::chrono::seconds(3);
    h.session->tick(h.now);
    CHECK(h.failures.empty());
    CHECK(h.results.empty());
    h.now += std::chrono::seconds(1);  // the first submit is 10 s old
    h.session->tick(h.now);
    REQUIRE(h.results.size() == 1);
    CHECK(h.results[0].share.nonce == shares[0].nonce);
    CHECK(h.results[0].submitted);
    CHECK_FALSE(h.results[0].answered);
    REQUIRE(h.failures.size() == 1);
    CHECK(h.failures[0] == "mining.submit not answered within 10 s and nothing answered since: the pool is not reading "
                           "(half-open connection?)");
    const auto kept = h.session->take_unanswered();
    REQUIRE(kept.size() == 1);
    CHECK(kept[0].first.nonce == shares[1].nonce);
}

TEST_CASE("one lost submit answer among others is counted unanswered and keeps the connection") {
    const auto v = test::load_vector("stratum_job.json");
    SessionOptions o;
    o.submit_timeout = std::chrono::seconds(10);
    Harness h(o);
    const auto [job, shares] = mining_with_shares(h, v);
    h.session->submit(shares[0], job, h.now);  // its answer is lost
    h.now += std::chrono::seconds(2);
    h.session->submit(shares[1], job, h.now);
    const auto second_id = h.last_json()["id"];
    h.now += std::chrono::seconds(1);
    h.pool(R"({"id":)" + second_id.dump() + R"(,"result":true,"error":null})");
    h.now += std::chrono::seconds(8);
    h.session->tick(h.now);
    REQUIRE(h.results.size() == 2);
    CHECK(h.results[0].accepted);
    CHECK_FALSE(h.results[1].answered);
    CHECK(h.results[1].share.nonce == shares[0].nonce);
    CHECK(h.failures.empty());
    CHECK(h.session->ready());
}
