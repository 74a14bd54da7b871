// Block headers and Stratum work assembly against real chain data and a real pool job.
#include <doctest/doctest.h>

#include "core/block_header.hpp"
#include "core/hex.hpp"
#include "core/target.hpp"
#include "core/work.hpp"
#include "stratum/notify.hpp"
#include "tests/support.hpp"

using namespace hf;

namespace {

std::string hex_of_state(const sha256::State& s) {
    std::string out;
    for (auto w : s) out += u32_to_hex(w);
    return out;
}

}  // namespace

TEST_CASE("every real block header hashes to its recorded hash") {
    const auto v = test::load_vector("blocks.json");
    REQUIRE(v["blocks"].size() > 0);
    for (const auto& b : v["blocks"]) {
        CAPTURE(b["height"].get<int>());
        const BlockHeader h = test::header_from_vector(b);
        CHECK(to_display_hex(h.hash()) == b["hash"].get<std::string>());
        const HeaderBytes bytes = h.serialize();
        CHECK(BlockHeader::parse(bytes) == h);
        CHECK(BlockHeader::parse_hex(hex_encode(bytes)) == h);
        // The midstate shortcut gives the same hash as the full sha256d.
        const auto mid = header_midstate(bytes);
        CHECK(sha256d_from_midstate(mid, std::span<const std::uint8_t, 16>(bytes.data() + 64, 16)) == h.hash());
    }
}

TEST_CASE("block 1, written out by hand from the chain, hashes right") {
    BlockHeader h;
    h.version = 1;
    h.prev_hash = from_display_hex("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", "prev");
    h.merkle_root = from_display_hex("0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098", "merkle");
    h.time = 1231469665;
    h.bits = 0x1d00ffff;
    h.nonce = 2573394689;
    CHECK(to_display_hex(h.hash()) == "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048");
}

TEST_CASE("header parsing rejects the wrong length") {
    CHECK_THROWS_AS(BlockHeader::parse_hex(std::string(158, '0')), HexError);
    CHECK_THROWS_AS(BlockHeader::parse_hex(std::string(162, '0')), HexError);
}

TEST_CASE("a real mainnet Stratum job assembles to the expected coinbase, merkle root, midstate and headers") {
    const auto v = test::load_vector("stratum_job.json");
    const MiningJob job = stratum::parse_notify(v["notify"]);
    CHECK(job.job_id == v["notify"]["params"][0].get<std::string>());
    CHECK(job.clean_jobs == v["notify"]["params"][8].get<bool>());
    const auto en1 = hex_decode(v["extranonce1"].get<std::string>(), "en1");
    const auto en2 = hex_decode(v["extranonce2"].get<std::string>(), "en2");
    const std::uint32_t mask = hex_to_u32(v["version_rolling_mask"].get<std::string>(), "mask");

    const auto coinbase = build_coinbase(job, en1, en2);
    const Hash256 cb_hash = sha256::hash256d(coinbase);
    CHECK(to_display_hex(cb_hash) == v["coinbase_txid_display"].get<std::string>());
    const Hash256 root = merkle_root_from_branch(cb_hash, job.merkle_branch);
    CHECK(hex_encode(root) == v["merkle_root_header_bytes"].get<std::string>());

    // Midstate of the unrolled header (version bits 0).
    const BlockHeader base = build_header(job, root, job.ntime, 0, job.version);
    CHECK(hex_of_state(header_midstate(base.serialize())) == v["midstate_words"].get<std::string>());

    REQUIRE(v["cases"].size() > 0);
    for (const auto& c : v["cases"]) {
        CAPTURE(c["nonce"].get<std::string>());
        const std::uint32_t bits = hex_to_u32(c["version_bits"].get<std::string>(), "version_bits");
        const std::uint32_t version = rolled_version(job.version, mask, bits);
        CHECK(u32_to_hex(version) == c["version"].get<std::string>());
        const ShareWork w = compute_share(job, en1, en2, job.ntime, hex_to_u32(c["nonce"].get<std::string>(), "nonce"), version);
        CHECK(hex_encode(w.header.serialize()) == c["header_hex"].get<std::string>());
        CHECK(to_display_hex(w.hash) == c["hash"].get<std::string>());
        CHECK(hash_difficulty(w.hash) == doctest::Approx(c["share_difficulty"].get<double>()).epsilon(1e-12));
    }
}

TEST_CASE("version rolling refuses bits outside the mask") {
    CHECK(rolled_version(0x20000004, 0x1fffe000, 0x1fffe000) == 0x3fffe004u);
    CHECK(rolled_version(0x3fffe004, 0x1fffe000, 0) == 0x20000004u);  // masked bits come from version_bits
    CHECK_THROWS_AS(rolled_version(0x20000004, 0x1fffe000, 0x00001000), VersionRollingError);
    CHECK_THROWS_AS(rolled_version(0x20000004, 0, 0x00002000), VersionRollingError);
}

TEST_CASE("prevhash word order round-trips") {
    const std::string notify_hex = "8bc8707eb169ad3bda101ae60c8d48bd00aff68a00006c8b0000000000000000";
    const Hash256 h = prevhash_from_notify_hex(notify_hex);
    CHECK(hex_encode(h).substr(0, 8) == "7e70c88b");
    CHECK(prevhash_to_notify_hex(h) == notify_hex);
}

TEST_CASE("malformed mining.notify messages are refused with the field named") {
    const auto v = test::load_vector("stratum_job.json");
    auto with = [&](std::size_t i, nlohmann::json value) {
        auto m = v["notify"];
        m["params"][i] = std::move(value);
        return m;
    };
    CHECK_THROWS_WITH_AS(stratum::parse_notify(with(1, "abcd")), doctest::Contains("prevhash"), stratum::ProtocolError);
    CHECK_THROWS_WITH_AS(stratum::parse_notify(with(2, "0g")), doctest::Contains("coinb1"), stratum::ProtocolError);
    CHECK_THROWS_WITH_AS(stratum::parse_notify(with(3, 5)), doctest::Contains("coinb2"), stratum::ProtocolError);
    CHECK_THROWS_WITH_AS(stratum::parse_notify(with(4, nlohmann::json::array({"00"}))),
                         doctest::Contains("merkle_branch[0]"), stratum::ProtocolError);
    CHECK_THROWS_WITH_AS(stratum::parse_notify(with(5, "2000000")), doctest::Contains("version"), stratum::ProtocolError);
    CHECK_THROWS_WITH_AS(stratum::parse_notify(with(6, "zz05ae3a")), doctest::Contains("nbits"), stratum::ProtocolError);
    CHECK_THROWS_WITH_AS(stratum::parse_notify(with(7, nullptr)), doctest::Contains("ntime"), stratum::ProtocolError);
    CHECK_THROWS_WITH_AS(stratum::parse_notify(with(8, "true")), doctest::Contains("clean_jobs"), stratum::ProtocolError);
    auto short_msg = v["notify"];
    short_msg["params"].erase(8);
    CHECK_THROWS_WITH_AS(stratum::parse_notify(short_msg), doctest::Contains("expected 9"), stratum::ProtocolError);
    CHECK_THROWS_AS(stratum::parse_notify(nlohmann::json{{"method", "mining.set_difficulty"}, {"params", {1}}}),
                    stratum::ProtocolError);
}
