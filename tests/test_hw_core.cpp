// The emulated hash core against independent truth: OpenSSL's SHA-256 and real Bitcoin blocks.
// Every configuration must find exactly the nonces the reference finds, in cycle and functional
// mode, and its latency and throughput are proven by counting clocks.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "core/block_header.hpp"
#include "core/sha256_rounds.hpp"
#include "core/target.hpp"
#include "hw_model/core_sim.hpp"
#include "hw_model/pipeline_spec.hpp"
#include "tests/support.hpp"

using namespace hf;
using namespace hf::hw;

namespace {

HeaderBytes block_header(const nlohmann::json& b) { return test::header_from_vector(b).serialize(); }

// Leading zero bits of the hash read as a little-endian 256-bit number, by OpenSSL.
unsigned openssl_leading_zero_bits(HeaderBytes header, std::uint32_t version, std::uint32_t nonce) {
    sha256::store_le32(header.data(), version);
    sha256::store_le32(header.data() + kHeaderNonceOffset, nonce);
    const auto first = test::openssl_sha256({header.begin(), header.end()});
    const auto hash = test::openssl_sha256(first);
    unsigned zeros = 0;
    for (int i = 31; i >= 0; --i) {
        if (hash[i] == 0) {
            zeros += 8;
            continue;
        }
        zeros += static_cast<unsigned>(__builtin_clz(hash[i])) - 24;
        break;
    }
    return zeros;
}

using HitSet = std::set<std::pair<std::uint32_t, unsigned>>;  // (nonce, lane)

HitSet reference_hits(const HeaderBytes& header, const std::vector<std::uint32_t>& versions, std::uint32_t first,
                      unsigned count, unsigned zero_bits) {
    HitSet hits;
    for (unsigned i = 0; i < count; ++i)
        for (unsigned m = 0; m < versions.size(); ++m)
            if (openssl_leading_zero_bits(header, versions[m], first + i) >= zero_bits) hits.insert({first + i, m});
    return hits;
}

HitSet cycle_hits(const PipelineSpec& spec, const CoreJob& job, std::uint32_t first, unsigned count) {
    CycleCore core(spec);
    core.load_job(job, first, count);
    HitSet hits;
    for (unsigned guard = 0; !core.drained() || core.found(); ++guard) {
        REQUIRE(guard < (count + 4) * spec.config.loop + spec.latency_clocks + 4);
        core.clock();
        if (core.found())
            for (unsigned m = 0; m < spec.lanes; ++m)
                if (core.found_lanes() & (1u << m)) hits.insert({core.found_nonce(), m});
    }
    return hits;
}

HitSet functional_hits(const PipelineSpec& spec, const CoreJob& job, std::uint32_t first, unsigned count) {
    FunctionalCore core(spec);
    core.load_job(job);
    std::vector<CoreHit> found;
    core.scan(first, count, found);
    HitSet hits;
    for (const auto& h : found) hits.insert({h.nonce, h.lane});
    return hits;
}

}  // namespace

TEST_CASE("every configuration finds exactly the reference's nonces, cycle and functional") {
    const auto blocks = test::load_vector("blocks.json")["blocks"];
    const HeaderBytes header = block_header(blocks[1]);
    const std::uint32_t first = 0xfffffff0u;  // wraps through zero, as a nonce counter does
    const unsigned count = 40;
    const unsigned zero_bits = 3;  // an easy on-chip floor so that hits occur
    const std::vector<std::uint32_t> versions = {0x20000000u, 0x20002000u, 0x2000e000u, 0x3fffe000u};
    std::map<unsigned, HitSet> expected;
    for (unsigned lanes : {1u, 2u, 4u})
        expected[lanes] = reference_hits(header, {versions.begin(), versions.begin() + lanes}, first, count, zero_bits);
    REQUIRE(expected[1].size() >= 2);  // the test means something only if hits occur

    unsigned configurations = 0;
    for (unsigned R : {1u, 2u, 4u, 16u, 64u})
        for (unsigned L : {1u, 4u, 64u}) {
            if (R * L > 64) continue;
            for (unsigned flags = 0; flags < 16; flags += (R == 1 && L == 1) ? 1 : 5) {
                for (unsigned lanes : {1u, 2u, 4u}) {
                    if (lanes > 1 && (flags % 3 != 0 || L == 64)) continue;
                    CoreConfig cfg;
                    cfg.rounds_per_stage = R;
                    cfg.loop = L;
                    cfg.midstate_from_host = flags & 1;
                    cfg.precompute_job_rounds = flags & 2;
                    cfg.hardwire_padding = flags & 4;
                    cfg.cut_final_rounds = flags & 8;
                    cfg.midstates = lanes;
                    CAPTURE(cfg.describe());
                    const PipelineSpec spec = build_pipeline(cfg);
                    const CoreJob job = core_job_from_header(header, {versions.begin(), versions.begin() + lanes}, zero_bits);
                    CHECK(functional_hits(spec, job, first, count) == expected[lanes]);
                    CHECK(cycle_hits(spec, job, first, count) == expected[lanes]);
                    ++configurations;
                }
            }
        }
    CHECK(configurations > 40);
}

TEST_CASE("real blocks: the difficulty-1 comparator finds the block's own nonce and nothing near it") {
    const auto blocks = test::load_vector("blocks.json")["blocks"];  // a named copy: the loop must not range over a temporary
    for (const auto& b : blocks) {
        const HeaderBytes header = block_header(b);
        const std::uint32_t nonce = b["nonce"].get<std::uint32_t>();
        const std::uint32_t version = b["version"].get<std::uint32_t>();
        for (bool cut : {true, false}) {
            CoreConfig cfg;
            cfg.cut_final_rounds = cut;
            const PipelineSpec spec = build_pipeline(cfg);
            // 32 bits = difficulty 1; 40 bits is beyond what the cut core can see (it reports a
            // candidate for the host to check), but the full core checks H6 too.
            for (unsigned zero_bits : {32u, 40u}) {
                const CoreJob job = core_job_from_header(header, std::vector<std::uint32_t>{version}, zero_bits);
                const HitSet hits = cycle_hits(spec, job, nonce - 24, 48);
                CHECK(hits == HitSet{{nonce, 0}});
                CHECK(functional_hits(spec, job, nonce - 24, 48) == hits);
            }
        }
    }
}

TEST_CASE("latency and hashes per clock, proven by counting clocks") {
    const HeaderBytes header = block_header(test::load_vector("blocks.json")["blocks"][0]);
    for (unsigned R : {1u, 2u, 8u})
        for (unsigned L : {1u, 2u, 8u})
            for (unsigned lanes : {1u, 2u}) {
                CoreConfig cfg;
                cfg.rounds_per_stage = R;
                cfg.loop = L;
                cfg.midstates = lanes;
                CAPTURE(cfg.describe());
                const PipelineSpec spec = build_pipeline(cfg);
                // Stages follow from the rounds: 61 of block 2 and 61 of the second hash.
                const unsigned per_stage = R * L;
                CHECK(spec.stages.size() == 2 * ((61 + per_stage - 1) / per_stage));
                std::vector<std::uint32_t> versions;
                for (unsigned m = 0; m < lanes; ++m) versions.push_back(0x20000000u + (m << 13));
                CycleCore core(spec);
                core.load_job(core_job_from_header(header, versions, 0), 1000, 1u << 30);  // every nonce hits
                unsigned first_strobe = 0, strobes = 0, hashes = 0;
                std::uint32_t expect_nonce = 1000;
                const unsigned window = 64 * L;
                for (unsigned clk = 1; clk <= spec.latency_clocks + window; ++clk) {
                    core.clock();
                    if (!core.found()) continue;
                    if (first_strobe == 0) first_strobe = clk;
                    CHECK(core.found_nonce() == expect_nonce++);  // in order, none lost
                    if (clk > spec.latency_clocks) {
                        ++strobes;
                        hashes += static_cast<unsigned>(__builtin_popcount(core.found_lanes()));
                    }
                }
                CHECK(first_strobe == spec.latency_clocks);
                CHECK(spec.latency_clocks == spec.stages.size() * L + 1);
                CHECK(static_cast<double>(hashes) / window == doctest::Approx(spec.hashes_per_clock));
                CHECK(strobes == window / L);
            }
}

TEST_CASE("a new job flushes the pipeline and the counter restarts") {
    const HeaderBytes header = block_header(test::load_vector("blocks.json")["blocks"][0]);
    const PipelineSpec spec = build_pipeline(CoreConfig{});
    CycleCore core(spec);
    core.load_job(core_job_from_header(header, std::vector<std::uint32_t>{1}, 0), 0, 100);
    for (int i = 0; i < 50; ++i) core.clock();
    core.load_job(core_job_from_header(header, std::vector<std::uint32_t>{1}, 0), 5000, 3);
    std::vector<std::uint32_t> seen;
    while (!core.drained() || core.found()) {
        core.clock();
        if (core.found()) seen.push_back(core.found_nonce());
    }
    CHECK(seen == std::vector<std::uint32_t>{5000, 5001, 5002});
}

TEST_CASE("hardware counts respond to each saving") {
    const CoreConfig base;
    const auto full = build_pipeline(base);
    CHECK(full.rounds_per_hash == 122);
    CHECK(full.stages.size() == 122);
    auto without = [&](auto&& change) {
        CoreConfig c = base;
        change(c);
        return build_pipeline(c);
    };
    const auto no_cut = without([](CoreConfig& c) { c.cut_final_rounds = false; });
    const auto no_pre = without([](CoreConfig& c) { c.precompute_job_rounds = false; });
    const auto no_wire = without([](CoreConfig& c) { c.hardwire_padding = false; });
    const auto no_mid = without([](CoreConfig& c) { c.midstate_from_host = false; });
    CHECK(no_cut.rounds_per_hash == 125);
    CHECK(no_pre.rounds_per_hash == 125);
    CHECK(no_mid.rounds_per_hash == 189);
    for (const auto* s : {&no_cut, &no_pre, &no_wire, &no_mid}) {
        CHECK(s->hardware.adders32 > full.hardware.adders32);
        CHECK(s->hardware.register_bits > full.hardware.register_bits);
    }
    // Loop factor trades area for throughput; rounds per stage trades registers for clock.
    const auto looped = without([](CoreConfig& c) { c.loop = 8; });
    CHECK(looped.hardware.adders32 * 6 < full.hardware.adders32);
    CHECK(looped.hashes_per_clock == doctest::Approx(1.0 / 8));
    const auto deep = without([](CoreConfig& c) { c.rounds_per_stage = 4; });
    CHECK(deep.hardware.register_bits * 3 < full.hardware.register_bits);
    // Two lanes share block 2's schedule: less than twice the adders.
    const auto two = without([](CoreConfig& c) { c.midstates = 2; });
    CHECK(two.hardware.adders32 < 2 * full.hardware.adders32);
    CHECK(two.hashes_per_clock == 2);
    CHECK_THROWS_AS(build_pipeline(without([](CoreConfig& c) { c.loop = 3; }).config), std::invalid_argument);
}

// The functional path is a separate, faster implementation (not derived from the register map):
// this holds it equal to cycle mode, hit for hit, on random jobs in every kind of configuration.
TEST_CASE("functional mode equals cycle mode on random jobs") {
    std::uint64_t seed = 0x9e3779b97f4a7c15ull;
    auto next = [&] {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        return seed;
    };
    for (unsigned trial = 0; trial < 24; ++trial) {
        CoreConfig cfg;
        cfg.rounds_per_stage = 1u << (next() % 4);
        cfg.loop = 1u << (next() % 3);
        cfg.midstates = 1u << (next() % 3);
        cfg.midstate_from_host = next() % 4 != 0;
        cfg.precompute_job_rounds = next() % 2;
        cfg.cut_final_rounds = next() % 2;
        CAPTURE(cfg.describe());
        const PipelineSpec spec = build_pipeline(cfg);
        HeaderBytes header{};
        for (auto& b : header) b = static_cast<std::uint8_t>(next());
        std::vector<std::uint32_t> versions;
        for (unsigned m = 0; m < cfg.midstates; ++m) versions.push_back(static_cast<std::uint32_t>(next()));
        const CoreJob job = core_job_from_header(header, versions, 3 + static_cast<unsigned>(next() % 2));
        const auto first = static_cast<std::uint32_t>(next());
        const HitSet functional = functional_hits(spec, job, first, 64);
        CHECK(!functional.empty());
        CHECK(cycle_hits(spec, job, first, 64) == functional);
    }
}

TEST_CASE("the register map names every register once and sums to the register bits") {
    for (unsigned lanes : {1u, 2u})
        for (bool midstate : {true, false}) {
            CoreConfig cfg;
            cfg.rounds_per_stage = 2;
            cfg.loop = 2;
            cfg.midstates = lanes;
            cfg.midstate_from_host = midstate;
            CAPTURE(cfg.describe());
            const PipelineSpec spec = build_pipeline(cfg);
            const RegisterMap& map = spec.registers;
            std::set<std::string> names;
            std::set<unsigned> offsets;
            unsigned stage_bits = 0;
            for (const Register& r : map.registers) {
                CHECK(names.insert(r.name).second);
                if (r.scope != RegisterScope::Job) CHECK(offsets.insert(r.offset).second);
                if (r.scope == RegisterScope::Stage && r.storage == Storage::FlipFlop) stage_bits += r.width;
            }
            unsigned counted = 0;
            for (const PipelineStage& st : spec.stages) counted += st.hardware.register_bits;
            CHECK(counted == stage_bits);
            CHECK(spec.hardware.register_bits ==
                  stage_bits + map.flip_flop_bits(RegisterScope::Control) + map.flip_flop_bits(RegisterScope::Job));
            // Every stage's block has the same layout: stage 1's nonce sits one stage block after stage 0's.
            CHECK(offsets.size() == map.bank_words(spec.stages.size()) - map.control_words + 7);
        }
}

TEST_CASE("the toggle count equals the flip-flop bits that change, register by register") {
    // Independent of how the core counts (per stage, in bank masks, with AVX-512 or AVX2): read
    // every flip-flop register of the map before and after each clock and count the bits that moved.
    const HeaderBytes header = block_header(test::load_vector("blocks.json")["blocks"][0]);
    for (const CoreConfig cfg : {CoreConfig{}, CoreConfig{.rounds_per_stage = 4, .loop = 4, .midstates = 2},
                                 CoreConfig{.rounds_per_stage = 2, .loop = 32, .midstate_from_host = false}}) {
        CAPTURE(cfg.describe());
        const PipelineSpec spec = build_pipeline(cfg);
        CycleCore core(spec);
        std::vector<std::uint32_t> versions(cfg.midstates, 0x20000000u);
        core.load_job(core_job_from_header(header, versions, 4), 1000, 300);
        auto snapshot = [&] {
            std::vector<std::uint32_t> v;
            for (const Register& r : spec.registers.registers)
                if (r.scope != RegisterScope::Job && r.storage == Storage::FlipFlop) v.push_back(core.value(r));
            return v;
        };
        std::uint64_t counted = 0;
        for (int clock = 0; clock < 400; ++clock) {
            const auto before = snapshot();
            const std::uint64_t toggles_before = core.toggles();
            core.clock();
            const auto after = snapshot();
            std::uint64_t moved = 0;
            for (std::size_t i = 0; i < before.size(); ++i) moved += static_cast<unsigned>(std::popcount(before[i] ^ after[i]));
            REQUIRE(core.toggles() - toggles_before == moved);
            counted += moved;
        }
        CHECK(counted > 0);
    }
}

TEST_CASE("the AVX-512 stage step and the portable one give the same registers and toggles") {
    // Where the CPU has no AVX-512 both cores run the portable step and the case holds trivially.
    const HeaderBytes header = block_header(test::load_vector("blocks.json")["blocks"][2]);
    for (const CoreConfig cfg : {CoreConfig{}, CoreConfig{.loop = 2, .midstate_from_host = false, .cut_final_rounds = false},
                                 CoreConfig{.rounds_per_stage = 2, .loop = 4, .precompute_job_rounds = false},
                                 CoreConfig{.rounds_per_stage = 2, .midstates = 4}}) {
        CAPTURE(cfg.describe());
        const PipelineSpec spec = build_pipeline(cfg);
        CycleCore vector_core(spec, true, true), portable_core(spec, true, false);
        std::vector<std::uint32_t> versions;
        for (unsigned m = 0; m < cfg.midstates; ++m) versions.push_back(0x20000000u + (m << 13));
        for (CycleCore* core : {&vector_core, &portable_core}) core->load_job(core_job_from_header(header, versions, 2), 77, 150);
        for (int clock = 0; clock < 400; ++clock) {
            vector_core.clock();
            portable_core.clock();
            for (const Register& r : spec.registers.registers)
                if (r.scope != RegisterScope::Job && vector_core.value(r) != portable_core.value(r)) FAIL_CHECK(r.name << " at clock " << clock);
            REQUIRE(vector_core.toggles() == portable_core.toggles());
            REQUIRE(vector_core.found() == portable_core.found());
        }
        CHECK(vector_core.toggles() > 0);
    }
}
