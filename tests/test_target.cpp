// Targets and difficulty against Bitcoin's consensus rules and the pool definition.
#include <doctest/doctest.h>

#include <cmath>

#include <atomic>

#include "core/backends.hpp"
#include "core/block_header.hpp"
#include "core/sha256d_plan.hpp"
#include "core/hex.hpp"
#include "core/target.hpp"
#include "tests/support.hpp"

using namespace hf;

TEST_CASE("compact nBits decoding follows Bitcoin's SetCompact") {
    struct Case {
        std::uint32_t bits;
        const char* target;
        bool negative;
        bool overflow;
    };
    // Values from the definition of the compact format (mantissa, exponent, sign bit).
    const Case cases[] = {
        {0x00000000, "0000000000000000000000000000000000000000000000000000000000000000", false, false},
        {0x00123456, "0000000000000000000000000000000000000000000000000000000000000000", false, false},
        {0x01003456, "0000000000000000000000000000000000000000000000000000000000000000", false, false},
        {0x04000000, "0000000000000000000000000000000000000000000000000000000000000000", false, false},
        {0x01803456, "0000000000000000000000000000000000000000000000000000000000000000", false, false},
        {0x01123456, "0000000000000000000000000000000000000000000000000000000000000012", false, false},
        {0x01fedcba, "000000000000000000000000000000000000000000000000000000000000007e", true, false},
        {0x02123456, "0000000000000000000000000000000000000000000000000000000000001234", false, false},
        {0x03123456, "0000000000000000000000000000000000000000000000000000000000123456", false, false},
        {0x04123456, "0000000000000000000000000000000000000000000000000000000012345600", false, false},
        {0x04923456, "0000000000000000000000000000000000000000000000000000000012345600", true, false},
        {0x05009234, "0000000000000000000000000000000000000000000000000000000092340000", false, false},
        {0x20123456, "1234560000000000000000000000000000000000000000000000000000000000", false, false},
        {0x1d00ffff, "00000000ffff0000000000000000000000000000000000000000000000000000", false, false},
    };
    for (const auto& c : cases) {
        CAPTURE(c.bits);
        const auto d = compact_to_target(c.bits);
        CHECK(d.target.to_be_hex() == c.target);
        CHECK(d.negative == c.negative);
        CHECK(d.overflow == c.overflow);
    }
    CHECK(compact_to_target(0xff123456).overflow);
    CHECK(compact_to_target(0x21010000).overflow);        // a 3-byte mantissa at size 33 passes 2^256
    CHECK_FALSE(compact_to_target(0x22000001).overflow);  // word 1 at size 34 fits: 1 << 248
    CHECK(compact_to_target(0x23000001).overflow);
}

TEST_CASE("compact encoding is the inverse on canonical values, with the sign-bit adjustment") {
    for (std::uint32_t bits : {0x1d00ffffu, 0x1b04864cu, 0x1a44b9f2u, 0x1705ae3au, 0x01120000u, 0x02123400u,
                               0x03123456u, 0x04123456u, 0x05009234u, 0x20123456u, 0x207fffffu}) {
        CAPTURE(bits);
        CHECK(target_to_compact(compact_to_target(bits).target) == bits);
    }
    CHECK(target_to_compact(U256(0x80)) == 0x02008000u);  // 0x80 would set the sign bit at size 1
    CHECK(target_to_compact(U256()) == 0u);
}

TEST_CASE("difficulty 1 and powers of two are exact") {
    CHECK(difficulty1_target().to_be_hex() == "00000000ffff0000000000000000000000000000000000000000000000000000");
    CHECK(difficulty_to_target(1.0) == difficulty1_target());
    CHECK(difficulty_to_target(2.0) == (difficulty1_target() >> 1));
    CHECK(difficulty_to_target(0.5) == (difficulty1_target() << 1));
    CHECK(difficulty_to_target(65536.0) == (difficulty1_target() >> 16));
    CHECK(target_to_difficulty(difficulty1_target()) == 1.0);
}

TEST_CASE("fractional and huge pool difficulties round-trip") {
    for (double d : {0.0001, 0.001, 0.5, 1.0, 3.0, 1000.0, 65536.0, 1.5e6, 1e12, 1e15, 9.2e16}) {
        CAPTURE(d);
        const U256 t = difficulty_to_target(d);
        CHECK(target_to_difficulty(t) == doctest::Approx(d).epsilon(1e-12));
    }
    // 1 / 0.0001 = 10000: the target is 10000 difficulty-1 targets (up to the double's rounding of 0.0001).
    const double ratio = difficulty_to_target(0.0001).to_double() / difficulty1_target().to_double();
    CHECK(ratio == doctest::Approx(10000.0).epsilon(1e-12));
    CHECK(difficulty_to_target(1e-12) == U256::max());  // would pass 2^256
    CHECK_THROWS(difficulty_to_target(0));
    CHECK_THROWS(difficulty_to_target(-1));
    CHECK_THROWS(difficulty_to_target(std::nan("")));
}

TEST_CASE("tiny difficulties whose numerator passes 2^256 are still exact") {
    // d = 3 * 2^-33: target = 0xFFFF * 2^241 / 3. The numerator has 257 bits; the quotient fits.
    const double d = std::ldexp(1.5, -32);
    const U256 t = difficulty_to_target(d);
    // Independent route: 0xFFFF * 2^241 / 3 = (0xFFFF / 3) * 2^241 exactly, since 0xFFFF = 3 * 0x5555.
    CHECK(t == (U256(0x5555) << 241));
    CHECK(target_to_difficulty(t) == doctest::Approx(d).epsilon(1e-12));
    CHECK(difficulty_to_target(std::ldexp(1.5, -33)) == U256::max());  // 0x5555 * 2^242 passes 2^256
    CHECK(difficulty_to_target(std::ldexp(1.0, -40)) == U256::max());
}

TEST_CASE("256-bit addition and remainder") {
    CHECK(U256(5) + U256(7) == U256(12));
    CHECK((U256::max() + U256(1)).is_zero());
    CHECK((U256(1) << 200).mod_u64(1000) == (U256(1) << 200).mod_u64(1000));
    CHECK(U256(1000003).mod_u64(1000) == 3u);
    const U256 big = U256::from_be_hex("00000000ffff0000000000000000000000000000000000000000000000000001");
    CHECK(big.div_u64(7).div_u64(1) + U256(0) == big.div_u64(7));
    CHECK(big.mod_u64(2) == 1u);
}

TEST_CASE("difficulty 3 is the floor of diff1 / 3") {
    const U256 t = difficulty_to_target(3.0);
    CHECK(t == difficulty1_target().div_u64(3));
}

TEST_CASE("real blocks meet their own nBits target and a harder one rejects them") {
    const auto v = test::load_vector("blocks.json");
    for (const auto& b : v["blocks"]) {
        CAPTURE(b["height"].get<int>());
        const Hash256 h = from_display_hex(b["hash"].get<std::string>(), "hash");
        const auto bits = hex_to_u32(b["bits"].get<std::string>(), "bits");
        const U256 target = compact_to_target(bits).target;
        CHECK(hash_meets_target(h, target));
        // The hash's own value is the hardest target it meets.
        const U256 value = hash_to_u256(h);
        CHECK(hash_meets_target(h, value));
        CHECK_FALSE(hash_meets_target(h, value.div_u64(2)));
        CHECK(hash_difficulty(h) >= target_to_difficulty(target));
    }
}

TEST_CASE("expected hashes per share: the published 2^48/0xffff, and what sha256d actually gives") {
    // Bitcoin's figure: difficulty 1 takes 4295032833 hashes per block on average.
    CHECK(expected_hashes_per_share(1.0) == doctest::Approx(4295032833.0).epsilon(1e-12));
    CHECK(difficulty_for_hashes_per_share(expected_hashes_per_share(0.037)) == doctest::Approx(0.037));
    // Count real shares at difficulty 2^-28 (about 16 hashes each) over 2^16 nonces of 4 headers:
    // about 4096 expected, so a scale wrong by 10% cannot pass (10% is 6 standard deviations).
    const double d = std::ldexp(1.0, -28);
    auto backend = make_scalar_backend();
    const std::atomic<bool> no_stop{false};
    std::uint64_t shares = 0, hashes = 0;
    for (std::uint8_t seed = 1; seed <= 4; ++seed) {
        HeaderBytes h{};
        for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(seed * 31 + i * 7);
        std::vector<std::uint32_t> found;
        hashes += backend->scan(ScanWork::from_header(h, difficulty_to_target(d)), {0, 1u << 14}, found, no_stop);
        shares += found.size();
    }
    CHECK(static_cast<double>(shares) == doctest::Approx(static_cast<double>(hashes) / expected_hashes_per_share(d)).epsilon(0.1));
}
