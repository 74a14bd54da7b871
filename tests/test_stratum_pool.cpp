// The built-in pool's block template and its share checks, driven line by line.
#include <doctest/doctest.h>

#include <optional>

#include "core/hex.hpp"
#include "core/sha256.hpp"
#include "core/target.hpp"
#include "stratum/pool.hpp"

using namespace hf;
using namespace hf::stratum;
using nlohmann::json;

TEST_CASE("BIP 34 height pushes, as Bitcoin Core's CScript() << height encodes them") {
    CHECK(hex_encode(bip34_height_push(1)) == "51");
    CHECK(hex_encode(bip34_height_push(16)) == "60");
    CHECK(hex_encode(bip34_height_push(17)) == "0111");
    CHECK(hex_encode(bip34_height_push(127)) == "017f");
    CHECK(hex_encode(bip34_height_push(128)) == "028000");
    CHECK(hex_encode(bip34_height_push(255)) == "02ff00");
    CHECK(hex_encode(bip34_height_push(791512)) == "03d8130c");  // the height in the real job's coinb1
}

TEST_CASE("the coinbase merkle branch gives the root of the full tree") {
    // The full tree computed the plain way (Bitcoin's BlockMerkleRoot, duplicating odd tails).
    auto full_root = [](std::vector<Hash256> level) {
        while (level.size() > 1) {
            if (level.size() % 2) level.push_back(level.back());
            std::vector<Hash256> next;
            for (std::size_t i = 0; i < level.size(); i += 2) {
                std::array<std::uint8_t, 64> pair;
                std::copy(level[i].begin(), level[i].end(), pair.begin());
                std::copy(level[i + 1].begin(), level[i + 1].end(), pair.begin() + 32);
                next.push_back(sha256::hash256d(pair));
            }
            level = next;
        }
        return level[0];
    };
    for (int n = 0; n <= 9; ++n) {
        CAPTURE(n);
        std::vector<Hash256> leaves(static_cast<std::size_t>(n) + 1);
        for (std::size_t i = 0; i < leaves.size(); ++i) leaves[i][0] = static_cast<std::uint8_t>(i + 1);
        const std::vector<Hash256> txids(leaves.begin() + 1, leaves.end());
        CHECK(merkle_root_from_branch(leaves[0], coinbase_merkle_branch(txids)) == full_root(leaves));
    }
}

TEST_CASE("a pool job is a well-formed coinbase paying the script, with BIP 34 height and subsidy") {
    TemplateOptions o;
    o.payout_script = hex_decode("0014751e76e8199196d454941c45d1b3a323f1433bd6");  // P2WPKH
    const auto t = make_template(o, 200, Hash256{});
    CHECK(t.coinbase_value == 2'500'000'000);  // one regtest halving at 150
    const MiningJob j = t.make_job(o, "1", 1700000000, true);
    const std::vector<std::uint8_t> en1(4, 0xaa), en2(4, 0xbb);
    const auto cb = build_coinbase(j, en1, en2);
    const std::string hex = hex_encode(cb);
    // version 2 | 1 input | null prevout | script length | height 200 push | en1 | en2 | tag ...
    CHECK(hex.rfind("02000000" "01" + std::string(64, '0') + "ffffffff", 0) == 0);
    const std::string after_prevout = hex.substr(8 + 2 + 64 + 8);
    CHECK(after_prevout.rfind("1c" "02c800" "aaaaaaaa" "bbbbbbbb" "10", 0) == 0);  // 26-byte scriptSig
    CHECK(hex.find("00f9029500000000" "16" "0014751e76e8199196d454941c45d1b3a323f1433bd6" "00000000") != std::string::npos);
    CHECK(j.merkle_branch.size() == 2);  // 3 synthetic transactions + coinbase: 2 levels
}

namespace {

struct PoolHarness {
    Pool pool;
    std::vector<json> out;
    Pool::ConnectionId id;
    Clock::time_point now = Clock::now();
    explicit PoolHarness(PoolOptions o) : pool(o) {
        id = pool.open("test", [this](const std::string& l) { out.push_back(json::parse(l)); });
    }
    json send(const std::string& line) {
        out.clear();
        pool.handle_line(id, line, now);
        for (const auto& j : out)
            if (!j.contains("method")) return j;
        return json();
    }
    json last_notify() const {
        for (auto it = out.rbegin(); it != out.rend(); ++it)
            if (it->value("method", "") == "mining.notify") return *it;
        return json();
    }
};

}  // namespace

TEST_CASE("the pool checks every share and answers with the standard codes") {
    PoolOptions o;
    o.start_difficulty = 1e-6;
    o.vardiff = false;
    PoolHarness h(o);
    const std::string submit_early = R"({"id":9,"method":"mining.submit","params":["w","1","00000000","00000000","00000000"]})";
    CHECK(h.send(submit_early)["error"][0] == 25);
    auto r = h.send(R"({"id":1,"method":"mining.configure","params":[["version-rolling","minimum-difficulty"],{"version-rolling.mask":"ffffffff"}]})");
    CHECK(r["result"]["version-rolling"] == true);
    CHECK(r["result"]["version-rolling.mask"] == "1fffe000");
    CHECK(r["result"]["minimum-difficulty"] == false);
    r = h.send(R"({"id":2,"method":"mining.subscribe","params":["test/1"]})");
    const auto en1 = hex_decode(r["result"][1].get<std::string>());
    CHECK(en1.size() == 4);
    CHECK(r["result"][2] == 4);
    CHECK(r["result"][0][1] == nlohmann::json::array({"mining.notify", r["result"][1]}));  // session id = extranonce1
    const json notify = h.last_notify();
    REQUIRE(notify.is_object());
    const MiningJob job = parse_notify(notify);
    CHECK(job.merkle_branch.size() == 2);
    CHECK(h.send(R"({"id":3,"method":"mining.submit","params":["w",")" + job.job_id + R"(","00000000","00000000","00000000"]})")["error"][0] == 24);
    CHECK(h.send(R"({"id":4,"method":"mining.authorize","params":["w","x"]})")["result"] == true);

    // Find a share at 1e-6 the slow, obvious way, rolling one version bit.
    const std::vector<std::uint8_t> en2{0, 0, 0, 7};
    const std::uint32_t bits = 0x00002000;
    const std::uint32_t version = rolled_version(job.version, 0x1fffe000, bits);
    const U256 target = difficulty_to_target(1e-6);
    std::uint32_t nonce = 0, low_nonce = 0;
    bool have_low = false;
    for (;; ++nonce) {
        const auto w = compute_share(job, en1, en2, job.ntime, nonce, version);
        if (hash_meets_target(w.hash, target)) break;
        if (!have_low) {
            low_nonce = nonce;
            have_low = true;
        }
    }
    auto submit = [&](std::uint32_t n, const std::string& en2hex, const std::string& extra) {
        return R"({"id":5,"method":"mining.submit","params":["w",")" + job.job_id + R"(",")" + en2hex + R"(",")" +
               u32_to_hex(job.ntime) + R"(",")" + u32_to_hex(n) + "\"" + extra + "]}";
    };
    CHECK(h.send(submit(nonce, "00000007", ",\"00002000\""))["result"] == true);
    CHECK(h.send(submit(nonce, "00000007", ",\"00002000\""))["error"][0] == 22);
    CHECK(h.send(submit(low_nonce, "00000007", ",\"00002000\""))["error"][0] == 23);
    CHECK(h.send(submit(nonce, "000007", ",\"00002000\""))["error"][0] == 20);
    CHECK(h.send(submit(nonce, "00000007", ",\"00001000\""))["error"][0] == 20);  // outside the mask
    CHECK(h.send(submit(nonce, "00000007", ""))["error"][0] == 23);  // without the bits it is another header
    CHECK(h.send(R"({"id":6,"method":"mining.submit","params":["w","nosuchjob","00000007","00000000","00000000"]})")["error"][0] == 21);
    CHECK(h.send(R"({"id":7,"method":"mining.frobnicate","params":[]})")["error"][0] == 20);
    CHECK(h.send("{broken")["error"][0] == 20);

    const auto s = h.pool.stats();
    CHECK(s.accepted == 1);
    CHECK(s.workers.at("w").accepted == 1);
    CHECK(s.workers.at("w").accepted_difficulty == doctest::Approx(1e-6));
    CHECK(s.rejected.at(22) == 1);
    CHECK(s.rejected.at(23) == 2);
    CHECK(s.rejected.at(21) == 1);
    CHECK(s.rejected.at(24) == 1);
    CHECK(s.rejected.at(25) == 1);

    // A new block makes the old job stale.
    h.pool.new_block(h.now);
    CHECK(h.send(submit(nonce, "00000008", ",\"00002000\""))["error"][0] == 21);
}

TEST_CASE("a share is judged and credited at the difficulty its job id was sent with") {
    PoolOptions o;
    o.start_difficulty = 1e-6;
    o.vardiff = false;
    PoolHarness h(o);
    const auto en1 = hex_decode(h.send(R"({"id":1,"method":"mining.subscribe","params":[]})")["result"][1].get<std::string>());
    const MiningJob job = parse_notify(h.last_notify());
    REQUIRE(h.send(R"({"id":2,"method":"mining.authorize","params":["w","x"]})")["result"] == true);
    // Four times the difficulty: the same job comes again under a new id, not clean.
    h.out.clear();
    h.pool.set_difficulty_all(4e-6, h.now);
    REQUIRE(h.out.size() == 2);
    CHECK(h.out[0]["params"][0] == 4e-6);
    const std::string alias = h.out[1]["params"][0];
    CHECK(alias != job.job_id);
    CHECK(h.out[1]["params"][8] == false);
    CHECK(parse_notify(h.out[1]).coinb1 == job.coinb1);
    CHECK(parse_notify(h.out[1]).ntime == job.ntime + 1);  // new headers for a miner that restarts extranonce2

    // Nonces whose hash meets 4e-6 (two) and one that meets only 1e-6.
    const std::vector<std::uint8_t> en2{0, 0, 0, 1};
    std::vector<std::uint32_t> high;
    std::optional<std::uint32_t> low;
    for (std::uint32_t n = 0; high.size() < 2 || !low; ++n) {
        const auto hash = compute_share(job, en1, en2, job.ntime, n, job.version).hash;
        if (hash_meets_target(hash, difficulty_to_target(4e-6))) high.push_back(n);
        else if (!low && hash_meets_target(hash, difficulty_to_target(1e-6))) low = n;
    }
    auto submit = [&](const std::string& id, std::uint32_t n) {
        return h.send(R"({"id":5,"method":"mining.submit","params":["w",")" + id + R"(","00000001",")" +
                      u32_to_hex(job.ntime) + R"(",")" + u32_to_hex(n) + R"("]})");
    };
    auto credited = [&] { return h.pool.stats().workers.at("w").accepted_difficulty; };
    // On the alias a hash must meet 4e-6; on the job as first sent, 1e-6, and it is credited at
    // 1e-6 even when it happens to meet 4e-6.
    CHECK(submit(alias, *low)["error"][0] == 23);
    CHECK(submit(job.job_id, *low)["result"] == true);
    CHECK(credited() == doctest::Approx(1e-6));
    CHECK(submit(job.job_id, high[0])["result"] == true);
    CHECK(credited() == doctest::Approx(2e-6));
    // The same header under either id is one share; a new one on the alias is credited at 4e-6.
    CHECK(submit(alias, high[0])["error"][0] == 22);
    CHECK(submit(alias, high[1])["result"] == true);
    CHECK(credited() == doctest::Approx(6e-6));
    // An alias this miner was never sent is an unknown job.
    CHECK(submit(job.job_id + ".99", high[1])["error"][0] == 21);
}

TEST_CASE("vardiff moves the difficulty towards the goal, and a new difficulty comes with the current job again") {
    PoolOptions o;
    o.start_difficulty = 1;
    o.vardiff_interval = std::chrono::milliseconds(1000);
    PoolHarness h(o);
    h.send(R"({"id":2,"method":"mining.subscribe","params":[]})");
    h.out.clear();
    h.pool.tick(h.now + std::chrono::seconds(2));  // no shares at all: difficulty falls by 4
    REQUIRE(h.out.size() == 2);
    CHECK(h.out[0]["method"] == "mining.set_difficulty");
    CHECK(h.out[0]["params"][0] == 0.25);
    CHECK(h.out[1]["method"] == "mining.notify");
    CHECK(h.out[1]["params"][8] == false);
    h.out.clear();
    h.pool.set_difficulty_all(8, h.now);
    REQUIRE(h.out.size() == 2);
    CHECK(h.out[0]["params"][0] == 8.0);
}
