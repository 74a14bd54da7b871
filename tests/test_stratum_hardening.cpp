// Hostile input to the Stratum parser and the built-in pool (issue 16's defects 1-5 and 7), and the
// pool's vardiff converging on a fast miner. Each repro failed on the code before its fix.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "core/hex.hpp"
#include "core/sha256.hpp"
#include "core/target.hpp"
#include "stratum/pool.hpp"

using namespace hf;
using namespace hf::stratum;
using nlohmann::json;

namespace {

// One connection to a Pool, driven line by line; every line the pool sends must be valid JSON.
struct Miner {
    Pool& pool;
    Pool::ConnectionId id;
    std::vector<json> out;
    explicit Miner(Pool& p) : pool(p) {
        id = pool.open("127.0.0.1:1", [this](const std::string& l) { out.push_back(json::parse(l)); });
    }
    json send(const std::string& line, Clock::time_point now) {
        out.clear();
        REQUIRE(pool.feed(id, line + "\n", now));
        for (const auto& j : out)
            if (!j.contains("method")) return j;
        return json();
    }
    std::vector<json> notifications(const std::string& method) const {
        std::vector<json> r;
        for (const auto& j : out)
            if (j.value("method", "") == method) r.push_back(j);
        return r;
    }
};

const std::string kSubscribe = R"({"id":1,"method":"mining.subscribe","params":["test/1"]})";

}  // namespace

TEST_CASE("defect 1: suggest_difficulty and vardiff make no job per connection, so the current job is never evicted") {
    PoolOptions o;
    Pool pool(o);
    const auto t0 = Clock::now();
    Miner a(pool);
    a.send(kSubscribe, t0);
    const std::string first_job = a.notifications("mining.notify").at(0)["params"][0];
    std::set<std::string> aliases;
    for (int i = 0; i < 65; ++i) {
        const auto r = a.send(R"({"id":2,"method":"mining.suggest_difficulty","params":[)" + std::to_string(1 + i) + "]}", t0);
        CHECK(r["result"] == true);
        // The new difficulty comes with the current job sent again (under an alias of its id that
        // names the difficulty), not with a new pool job.
        const auto notes = a.notifications("mining.notify");
        REQUIRE(notes.size() == 1);
        const std::string id = notes[0]["params"][0];
        CHECK(id.rfind(first_job + ".", 0) == 0);
        CHECK(aliases.insert(id).second);
    }
    // 100 idle subscribers and a vardiff round: the pool neither throws nor loses its job.
    std::vector<std::unique_ptr<Miner>> idle;
    for (int i = 0; i < 100; ++i) {
        idle.push_back(std::make_unique<Miner>(pool));
        CHECK(idle.back()->send(kSubscribe, t0)["result"].is_array());
    }
    for (int s = 1; s <= 40; ++s) CHECK_NOTHROW(pool.tick(t0 + std::chrono::seconds(s)));
    Miner late(pool);
    const auto r = late.send(kSubscribe, t0 + std::chrono::seconds(40));
    CHECK(r["error"].is_null());
    CHECK(r["result"].is_array());
    CHECK(late.notifications("mining.notify").size() == 1);
}

TEST_CASE("defect 2: numbers beyond double's range are a ProtocolError, and the pool answers and carries on") {
    CHECK_THROWS_AS(parse_message(R"({"id":1e400,"method":"mining.subscribe","params":[]})"), ProtocolError);
    CHECK_THROWS_AS(parse_message(R"({"id":null,"method":"mining.set_difficulty","params":[1e400]})"), ProtocolError);
    CHECK_THROWS_AS(parse_json("[-1e400]"), ProtocolError);
    Pool pool(PoolOptions{});
    Miner m(pool);
    const auto now = Clock::now();
    CHECK(m.send(R"({"id":1e400,"method":"mining.subscribe","params":[]})", now)["error"][0] == kErrOther);
    CHECK(m.send(kSubscribe, now)["result"].is_array());
}

TEST_CASE("defect 3: invalid UTF-8 is refused and the error reply is still valid JSON") {
    const std::string line = "{\"id\":1,\"method\":\"mining.authorize\",\"params\":[\"\xff\xfe\",\"x\"]}";
    CHECK_THROWS_AS(parse_message(line), ProtocolError);
    Pool pool(PoolOptions{});
    Miner m(pool);
    const auto now = Clock::now();
    const auto r = m.send(line, now);  // Miner parses every reply: invalid UTF-8 would throw here
    CHECK(r["error"][0] == kErrOther);
    CHECK(m.send(kSubscribe, now)["result"].is_array());
    // Our own replies replace bad bytes instead of throwing.
    CHECK_NOTHROW(json::parse(make_error(1, kErrOther, "bad \xff\xfe bytes")));
}

TEST_CASE("defect 4: nesting deeper than kMaxJsonDepth is refused before it is built") {
    const std::string deep = R"({"id":1,"method":"mining.subscribe","params":)" + std::string(10000, '[') +
                             std::string(10000, ']') + "}";
    CHECK_THROWS_WITH_AS(parse_message(deep), doctest::Contains("nests deeper than 32"), ProtocolError);
    // Brackets inside strings do not count; the limit itself is allowed.
    CHECK_NOTHROW(parse_json("[\"" + std::string(100, '[') + "\"]"));
    CHECK_NOTHROW(parse_json(std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']')));
    CHECK_THROWS_AS(parse_json(std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']')), ProtocolError);
    Pool pool(PoolOptions{});
    Miner m(pool);
    CHECK(m.send(deep, Clock::now())["error"][0] == kErrOther);
}

TEST_CASE("defect 5: a deadline to subscribe, and an idle limit that a trickle of bytes cannot extend") {
    PoolOptions o;
    o.subscribe_timeout = std::chrono::seconds(15);
    o.idle_timeout = std::chrono::seconds(60);
    Pool pool(o);
    Miner silent(pool), trickle(pool), active(pool);
    const auto t0 = Clock::now();  // after open(), which stamps the connections with the real clock
    trickle.send(kSubscribe, t0);
    active.send(kSubscribe, t0);
    auto expired_ids = [&](Clock::time_point t) {
        std::set<Pool::ConnectionId> ids;
        for (const auto& [id, why] : pool.expired(t)) ids.insert(id);
        return ids;
    };
    CHECK(expired_ids(t0 + std::chrono::seconds(14)).empty());
    CHECK(expired_ids(t0 + std::chrono::seconds(15)) == std::set<Pool::ConnectionId>{silent.id});
    CHECK(pool.expired(t0 + std::chrono::seconds(15)).at(0).second == "not subscribed within 15 s");
    // One byte a second, never a whole line; the active miner sends a line now and then.
    for (int s = 1; s <= 60; ++s) {
        const auto t = t0 + std::chrono::seconds(s);
        REQUIRE(pool.feed(trickle.id, "{", t));
        if (s % 20 == 0) active.send(R"({"id":5,"method":"mining.extranonce.subscribe","params":[]})", t);
    }
    CHECK(expired_ids(t0 + std::chrono::seconds(60)) == std::set<Pool::ConnectionId>{silent.id, trickle.id});
}

TEST_CASE("defect 7: a reject code that is not an int is no code, not undefined behaviour") {
    for (const char* code : {"1e300", "-1e300", "2147483648", "21.5", "\"1e300\""}) {
        CAPTURE(code);
        const auto m = parse_message(std::string(R"({"id":7,"result":null,"error":[)") + code + R"(,"huge",null]})");
        const auto r = parse_reject(m);
        CHECK(r.code == 0);
        CHECK(r.kind == RejectKind::Other);
    }
    CHECK(parse_reject(parse_message(R"({"id":7,"result":null,"error":{"code":21,"message":"x"}})")).code == 21);
}

// A simulated miner hashing for real: each hash advances simulated time by 1/hashrate, and a share is
// submitted whenever the hash meets the difficulty the pool last sent. Starting 350 times too easy
// (as the demo's 0.0005 is for a 70 MH/s CPU), the pool must reach the goal within 30 s and hold it.
TEST_CASE("vardiff: a fast miner is retargeted to the goal rate within 30 s and held there") {
    PoolOptions o;
    o.start_difficulty = 1e-8;
    o.shares_per_minute = 20;
    Pool pool(o);
    const double hashrate = 5000;  // simulated hashes per second
    const double ideal = hashrate * 60 / o.shares_per_minute / 4294967296.0;
    const auto t0 = Clock::time_point{} + std::chrono::hours(1);
    Miner m(pool);
    double difficulty = 0;
    MiningJob job;
    auto take_notifications = [&](const std::vector<json>& lines) {
        bool new_job = false;
        for (const auto& j : lines) {
            if (j.value("method", "") == "mining.set_difficulty") difficulty = j["params"][0].get<double>();
            if (j.value("method", "") == "mining.notify") job = parse_notify(j), new_job = true;
        }
        return new_job;
    };
    const auto en1 = hex_decode(m.send(kSubscribe, t0)["result"][1].get<std::string>());
    REQUIRE(take_notifications(m.out));
    REQUIRE(m.send(R"({"id":2,"method":"mining.authorize","params":["w","x"]})", t0)["result"] == true);
    std::uint32_t en2 = 0, nonce = 0;
    BlockHeader header = compute_share(job, en1, hex_decode("00000000"), job.ntime, 0, job.version).header;
    double at30 = 0;
    int accepted_after_30 = 0, retargets_after_30 = 0;
    const long total = static_cast<long>(hashrate * 90);
    for (long i = 0; i < total; ++i) {
        const auto now = t0 + std::chrono::microseconds(static_cast<long long>(1e6 * static_cast<double>(i) / hashrate));
        if (i % static_cast<long>(hashrate) == 0) {
            m.out.clear();
            pool.tick(now);
            const double before = difficulty;
            if (take_notifications(m.out)) nonce = 0, header = compute_share(job, en1, hex_decode(u32_to_hex(++en2)), job.ntime, 0, job.version).header;
            if (now - t0 >= std::chrono::seconds(30) && difficulty != before) ++retargets_after_30;
            if (now - t0 == std::chrono::seconds(30)) at30 = difficulty;
        }
        header.nonce = nonce;
        const auto hash = sha256::hash256d(header.serialize());
        if (hash_meets_target(hash, difficulty_to_target(difficulty))) {
            const double before = difficulty;
            const auto r = m.send(R"({"id":9,"method":"mining.submit","params":["w",")" + job.job_id + R"(",")" +
                                      u32_to_hex(en2) + R"(",")" + u32_to_hex(job.ntime) + R"(",")" + u32_to_hex(nonce) + "\"]}",
                                  now);
            CHECK(r["result"] == true);
            if (now - t0 >= std::chrono::seconds(30)) ++accepted_after_30;
            if (take_notifications(m.out)) {
                if (now - t0 >= std::chrono::seconds(30) && difficulty != before) ++retargets_after_30;
                nonce = 0, header = compute_share(job, en1, hex_decode(u32_to_hex(++en2)), job.ntime, 0, job.version).header;
                continue;
            }
        }
        ++nonce;
    }
    INFO("ideal difficulty " << ideal << ", at 30 s " << at30 << ", at 90 s " << difficulty);
    CHECK(at30 > ideal / 2);
    CHECK(at30 < ideal * 2);
    // Held: within the pool's hold band (vardiff_hold_ratio) and no churn. A 12-share window alone
    // (±29%) fell outside ×3 by chance in about 0.4% of runs (a jump of ×3 to ×4 and back); a window
    // outside the band must now be confirmed by twice the shares before it moves the difficulty.
    CHECK(difficulty > ideal / o.vardiff_hold_ratio);
    CHECK(difficulty < ideal * o.vardiff_hold_ratio);
    CHECK(retargets_after_30 <= 1);
    CHECK(accepted_after_30 > 5);    // about 20 expected in the last 60 s
    CHECK(accepted_after_30 < 60);
}

TEST_CASE("mining.suggest_difficulty is the connection's difficulty and vardiff's floor") {
    PoolOptions o;
    o.start_difficulty = 1;
    o.vardiff_interval = std::chrono::seconds(1);
    Pool pool(o);
    const auto t0 = Clock::now();
    Miner m(pool);
    m.send(kSubscribe, t0);
    m.send(R"({"id":2,"method":"mining.suggest_difficulty","params":[512]})", t0);
    REQUIRE(m.notifications("mining.set_difficulty").size() == 1);
    CHECK(m.notifications("mining.set_difficulty")[0]["params"][0] == 512.0);
    m.out.clear();
    for (int s = 1; s <= 10; ++s) pool.tick(t0 + std::chrono::seconds(s));  // no shares: would fall by 4 each
    CHECK(m.notifications("mining.set_difficulty").empty());
}

namespace {

// A scripted miner for vardiff: each share is a real one (a nonce found by hashing, at the
// difficulty in force), submitted at a time the test chooses, so the pool sees exactly the share
// stream the test describes.
struct ScriptedShares {
    Miner m;
    MiningJob job;
    std::vector<std::uint8_t> en1;
    double difficulty = 0;
    std::uint32_t en2 = 0, nonce = 0;
    int retargets = 0;
    ScriptedShares(Pool& pool, Clock::time_point t0) : m(pool) {
        en1 = hex_decode(m.send(kSubscribe, t0)["result"][1].get<std::string>());
        take();
        REQUIRE(m.send(R"({"id":2,"method":"mining.authorize","params":["w","x"]})", t0)["result"] == true);
    }
    void take() {
        for (const auto& j : m.out) {
            if (j.value("method", "") == "mining.set_difficulty") {
                retargets += difficulty != 0;
                difficulty = j["params"][0].get<double>();
            }
            if (j.value("method", "") == "mining.notify") job = parse_notify(j), ++en2, nonce = 0;
        }
    }
    void share_at(Clock::time_point now) {
        BlockHeader h = compute_share(job, en1, hex_decode(u32_to_hex(en2)), job.ntime, 0, job.version).header;
        for (;; ++nonce) {
            h.nonce = nonce;
            if (hash_meets_target(sha256::hash256d(h.serialize()), difficulty_to_target(difficulty))) break;
        }
        const auto r = m.send(R"({"id":9,"method":"mining.submit","params":["w",")" + job.job_id + R"(",")" +
                                  u32_to_hex(en2) + R"(",")" + u32_to_hex(job.ntime) + R"(",")" + u32_to_hex(nonce++) + "\"]}",
                              now);
        REQUIRE(r["result"] == true);
        take();
    }
};

}  // namespace

// The held-phase jump, made deterministic: a miner exactly on the goal (a share every 3 s at the
// difficulty it holds) that once finds 12 shares in 10.8 s, as Poisson counts do about once in
// 1,000 windows. The pool used to act on that one window (a jump to ×3.3 that a miner of unchanged
// hashrate then undoes); a window outside the band must now be confirmed, and the 24-share one is not.
TEST_CASE("vardiff: one lucky 12-share window does not move a held difficulty; a real change does") {
    PoolOptions o;
    o.start_difficulty = 5e-7;  // about 2,000 hashes a share: quick to find even under ThreadSanitizer
    o.shares_per_minute = 20;
    Pool pool(o);
    const auto t0 = Clock::time_point{} + std::chrono::hours(1);
    ScriptedShares s(pool, t0);
    auto at = [&](double seconds) { return t0 + std::chrono::microseconds(static_cast<long long>(seconds * 1e6)); };
    // The first retarget measures the rate shown: 4 shares in 12 s is the goal at the start difficulty.
    double t = 0;
    for (int i = 0; i < 4; ++i) s.share_at(at(t += 3));
    REQUIRE(s.difficulty == 5e-7);
    // A burst of 12 shares in 10.8 s (×3.3 the goal), then the miner's steady rate again.
    for (int i = 0; i < 12; ++i) s.share_at(at(t += 0.9));
    for (int i = 0; i < 24; ++i) s.share_at(at(t += 3));
    CHECK(s.retargets == 0);
    CHECK(s.difficulty == 5e-7);
    // The miner really becomes 4 times faster: a share every 0.75 s. Confirmed, it is retargeted.
    for (int i = 0; i < 24 && s.retargets == 0; ++i) s.share_at(at(t += 0.75));
    CHECK(s.retargets == 1);
    CHECK(s.difficulty == doctest::Approx(2e-6).epsilon(0.01));
}
