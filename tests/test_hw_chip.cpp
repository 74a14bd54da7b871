// The chip, its serial protocol and the host driver. CRCs are checked against packets published in
// the public BM1397/BM13xx notes (captured from real chips and drivers), not against our own encoder.
#include <doctest/doctest.h>

#include <atomic>
#include <set>

#include "core/hex.hpp"
#include "core/sha256_rounds.hpp"
#include "core/target.hpp"
#include "hw_model/asic_backend.hpp"
#include "hw_model/asic_driver.hpp"
#include "hw_model/bm13xx_crc.hpp"
#include "hw_model/bm13xx_protocol.hpp"
#include "tests/bm13xx_helpers.hpp"
#include "tests/support.hpp"

using namespace hf;
using namespace hf::hw;
using namespace hf::hw::bm13xx;
using hf::test::bytes;
using hf::test::genesis_like_header;
using hf::test::openssl_zero_bits;

namespace {

// The job packet ESP-Miner's bm1397_protocol.md shows a BM1397 receiving (4 midstates, CRC16 8C 24).
const char* kPublishedJob =
    "55 AA 21 96 04 04 00 00 00 00 A3 89 06 17 2F A8 0A 64 6F 1C C5 E8 99 CE 15 A2 DE DF 61 49 77 90 69 84 1C 8A 0C E0 "
    "A0 30 E4 0A CB A6 A5 FB 33 19 30 5D E2 46 EF 18 1D 63 63 EB E7 BA D9 8D 4B CA FE 9C 4F 45 F6 45 FA 71 A0 1E 8C B8 "
    "2D 68 DC 6C B8 4E 25 39 8C 50 FA 7E 2E C6 C8 08 61 B9 A5 89 90 71 C4 75 56 E4 78 85 35 22 65 51 EA 68 EB F8 96 B0 "
    "CA 40 77 D4 0C AF 1B D4 47 37 85 BB 39 6A 22 C3 9C 23 56 E7 CE B6 57 4C 1F A3 A9 9A D3 C1 A0 17 79 1F BC 38 8C 24";

}  // namespace

TEST_CASE("CRC5 and CRC16 match packets captured from real chips") {
    // Commands (CRC5 over everything after 55 AA).
    for (const char* p : {"55 AA 52 05 00 00 0A", "55 AA 53 05 00 00 03", "55 AA 40 05 00 00 1C",
                          "55 AA 51 09 00 14 00 00 00 00 1C", "55 AA 51 09 00 28 06 00 00 0F 18",
                          "55 AA 51 09 00 18 00 00 7A 31 15", "55 AA 51 09 00 A4 90 00 FF FF 1C"}) {
        CAPTURE(p);
        const auto b = bytes(p);
        CHECK(crc5(std::span(b).subspan(2, b.size() - 3)) == b.back());
    }
    // Responses: CRC5 over every bit before the last five (the type bits included).
    for (const char* p : {"AA 55 13 97 18 00 00 00 06", "AA 55 00 03 EA 0F 02 20 9C", "AA 55 18 00 A6 40 02 99 22 F9 91",
                          "AA 55 6D B8 8E E1 01 04 03 54 94"}) {
        CAPTURE(p);
        const auto b = bytes(p);
        CHECK(crc5(std::span(b).subspan(2), (b.size() - 2) * 8 - 5) == (b.back() & 0x1f));
    }
    const auto job = bytes(kPublishedJob);
    CHECK(crc16_ccitt_false(std::span(job).subspan(2, job.size() - 4)) == 0x8C24);
    // The standard CRC-16/CCITT-FALSE check value.
    const std::string check = "123456789";
    CHECK(crc16_ccitt_false(std::span(reinterpret_cast<const std::uint8_t*>(check.data()), check.size())) == 0x29B1);
}

TEST_CASE("our encoder produces the published command bytes") {
    CHECK(encode_command({Cmd::Read, true, 0, reg::kChipId, 0}) == bytes("55 AA 52 05 00 00 0A"));
    CHECK(encode_command({Cmd::ChainInactive, true, 0, 0, 0}) == bytes("55 AA 53 05 00 00 03"));
    CHECK(encode_command({Cmd::SetAddress, false, 0, 0, 0}) == bytes("55 AA 40 05 00 00 1C"));
    CHECK(encode_command({Cmd::Write, true, 0, reg::kTicketMask, ticket_mask_for_difficulty(1)}) ==
          bytes("55 AA 51 09 00 14 00 00 00 00 1C"));
    CHECK(encode_command({Cmd::Write, true, 0, reg::kVersionMask, 0x9000FFFF}) == bytes("55 AA 51 09 00 A4 90 00 FF FF 1C"));
}

TEST_CASE("the published job and responses parse; round trips are exact") {
    HostFrameParser hp;
    hp.feed(bytes(kPublishedJob));
    auto f = hp.next();
    REQUIRE(f);
    REQUIRE(f->is_job);
    CHECK(f->job.job_id == 4);
    CHECK(f->job.midstates.size() == 4);
    CHECK(f->job.nbits == 0x170689A3u);
    CHECK(f->job.ntime == 0x640AA82Fu);  // Fri Mar 10 2023, as the notes decode it
    CHECK(encode_job(f->job) == bytes(kPublishedJob));

    ChipFrameParser p9(false);
    p9.feed(bytes("AA 55 13 97 18 00 00 00 06 AA 55 00 03 EA 0F 02 20 9C"));
    auto r = p9.next();
    REQUIRE(r);
    CHECK(!r->is_nonce);
    CHECK((r->reg.value >> 16) == 0x1397u);
    r = p9.next();
    REQUIRE(r);
    CHECK(r->is_nonce);
    CHECK(r->nonce.nonce == 0x0FEA0300u);  // little-endian on the wire
    CHECK(r->nonce.job_id == 0x20);
    CHECK(r->nonce.midstate == 2);
    CHECK(encode_nonce_response(r->nonce) == bytes("AA 55 00 03 EA 0F 02 20 9C"));

    ChipFrameParser p11(true);
    p11.feed(bytes("AA 55 18 00 A6 40 02 99 22 F9 91"));
    r = p11.next();
    REQUIRE(r);
    CHECK(r->nonce.nonce == 0x40A60018u);
    REQUIRE(r->nonce.version_bits);
    CHECK(*r->nonce.version_bits == 0x22F9);  // most significant byte first (ESP-Miner: ntohs)
    CHECK(encode_nonce_response(r->nonce) == bytes("AA 55 18 00 A6 40 02 99 22 F9 91"));
}

TEST_CASE("corrupt frames are counted and skipped; the stream resynchronises") {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200; ++i) {
        JobPacket j;
        j.job_id = static_cast<std::uint8_t>(rng());
        j.starting_nonce = static_cast<std::uint32_t>(rng());
        j.nbits = static_cast<std::uint32_t>(rng());
        j.ntime = static_cast<std::uint32_t>(rng());
        for (int m = 0; m < 1 + i % 4; ++m) {
            sha256::State s;
            for (auto& w : s) w = static_cast<std::uint32_t>(rng());
            j.midstates.push_back(s);
        }
        const Command c{static_cast<Cmd>(rng() % 4), (rng() & 1) != 0, static_cast<std::uint8_t>(rng()),
                        static_cast<std::uint8_t>(rng()), static_cast<std::uint32_t>(rng())};
        auto good_job = encode_job(j);
        auto bad_job = good_job;
        bad_job[6 + rng() % (bad_job.size() - 6)] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        HostFrameParser p;
        p.feed(test::random_bytes(rng, 5));
        p.feed(bad_job);
        p.feed(good_job);
        p.feed(encode_command(c));
        auto f1 = p.next();
        REQUIRE(f1);
        CHECK(f1->is_job);
        CHECK(f1->job.job_id == j.job_id);
        CHECK(f1->job.midstates == j.midstates);
        CHECK(f1->job.starting_nonce == j.starting_nonce);
        auto f2 = p.next();
        REQUIRE(f2);
        CHECK(!f2->is_job);
        CHECK(f2->command.cmd == c.cmd);
        CHECK(f2->command.broadcast == c.broadcast);
        if (c.cmd == Cmd::Write) CHECK(f2->command.value == c.value);
        CHECK(p.errors() >= 1);
        CHECK(!p.next());
    }
}

TEST_CASE("ticket mask and PLL registers") {
    for (std::uint64_t d : {1ull, 2ull, 256ull, 1024ull, 65536ull, 1ull << 31})
        CHECK(difficulty_from_ticket_mask(ticket_mask_for_difficulty(d)) == d);
    CHECK(difficulty_from_ticket_mask(ticket_mask_for_difficulty(1000)) == 512);  // rounded down to a power of two
    CHECK(ticket_mask_for_difficulty(256) == 0x000000FFu);
    CHECK(ticket_mask_for_difficulty(512) == 0x000080FFu);
    for (double mhz : {100.0, 200.0, 425.0, 500.0, 650.0})
        CHECK(frequency_from_pll(pll_for_frequency(mhz)) == doctest::Approx(mhz).epsilon(0.01));
}

TEST_CASE("chain enumeration gives addresses; registers read back per chip") {
    ChipDescription cfg = shipped_chip("asic-emu");
    cfg.cores = 2;
    ChipChain chain(3, cfg);
    EmulatedSerialLink link(chain, 115200);
    Bm13xxDriver driver(link);
    const auto ids = driver.enumerate(2);
    CHECK(ids == std::vector<std::uint16_t>{0x1397, 0x1397, 0x1397});
    for (unsigned i = 0; i < 3; ++i) CHECK(chain.chip(i).address() == 2 * i);
    driver.write_register(reg::kTicketMask, ticket_mask_for_difficulty(64), std::uint8_t{2});
    CHECK(driver.read_register(2, reg::kTicketMask) == ticket_mask_for_difficulty(64));
    CHECK(driver.read_register(4, reg::kTicketMask) == 0u);
    driver.set_frequency(425);
    CHECK(chain.chip(1).frequency_mhz() == doctest::Approx(425).epsilon(0.01));
    CHECK(chain.chip(1).hashrate() == doctest::Approx(2 * 425e6).epsilon(0.01));
    CHECK(link.wire_seconds() == doctest::Approx((link.bytes_down() + link.bytes_up()) * 10.0 / 115200));
}

TEST_CASE("mining through the chain: cycle and functional chips find the reference's nonces") {
    const HeaderBytes header = genesis_like_header(3);
    const std::vector<std::uint32_t> versions = {0x20000000u, 0x20006000u};
    const unsigned floor = 5;
    const std::uint32_t start = 0x7ffffff0u;
    const unsigned per_core = 16, cores = 2, chips = 2;
    std::set<std::pair<std::uint32_t, std::uint32_t>> expected;
    for (std::uint32_t n = start; n != start + per_core * cores * chips; ++n)
        for (auto v : versions)
            if (openssl_zero_bits(header, v, n) >= floor) expected.insert({n, v});
    REQUIRE(expected.size() >= 2);
    for (SimMode mode : {SimMode::Functional, SimMode::Cycle})
        for (unsigned R : {1u, 4u}) {
            CAPTURE(sim_mode_name(mode));
            ChipDescription cfg = shipped_chip("asic-emu");
            cfg.cores = cores;
            cfg.core.rounds_per_stage = R;
            cfg.core.midstates = 2;
            ChipChain chain(chips, cfg, mode);
            EmulatedSerialLink link(chain, 115200);
            Bm13xxDriver driver(link);
            REQUIRE(driver.enumerate().size() == chips);
            driver.set_floor_zero_bits(floor);
            driver.set_nonce_range(per_core);
            driver.send_job(header, versions, start);
            chain.run_until_idle(1.0);
            std::vector<VerifiedNonce> got;
            driver.poll(got);
            std::set<std::pair<std::uint32_t, std::uint32_t>> found;
            for (const auto& g : got) found.insert({g.nonce, g.version});
            CHECK(found == expected);
            CHECK(driver.counters().hardware_errors == 0);
            CHECK(driver.counters().stale_dropped == 0);
        }
}

TEST_CASE("results of a replaced job are dropped as stale; bad nonces are hardware errors") {
    const HeaderBytes header = genesis_like_header(9);
    ChipDescription cfg = shipped_chip("asic-emu");
    cfg.cores = 1;
    ChipChain chain(1, cfg);
    EmulatedSerialLink link(chain, 115200);
    Bm13xxDriver driver(link);
    driver.enumerate();
    driver.set_floor_zero_bits(0);  // every nonce is a result
    driver.set_nonce_range(8);
    const std::uint32_t v = 0x20000000;
    driver.send_job(header, std::span(&v, 1), 0);
    chain.run_until_idle(1.0);      // 8 results wait in the UART
    driver.send_job(header, std::span(&v, 1), 100, true);  // clean job: the old ones are stale
    std::vector<VerifiedNonce> got;
    driver.poll(got);
    CHECK(got.empty());
    CHECK(driver.counters().stale_dropped == 8);
    chain.run_until_idle(1.0);
    driver.poll(got);
    CHECK(got.size() == 8);
    for (const auto& g : got) CHECK((g.nonce >= 100 && g.nonce < 108));

    // A response whose nonce does not hash to the floor is a hardware error, never a share.
    driver.set_floor_zero_bits(8);
    const std::uint8_t id = driver.send_job(header, std::span(&v, 1), 0, true);
    std::uint32_t bad = 0;
    while (openssl_zero_bits(header, v, bad) >= 8) ++bad;
    ChipChain fake_chain(1, cfg);
    struct Injecting : ByteLink {
        std::vector<std::uint8_t> pending;
        void write(std::span<const std::uint8_t>) override {}
        std::vector<std::uint8_t> read() override { return std::exchange(pending, {}); }
    } inject;
    Bm13xxDriver d2(inject);
    d2.set_floor_zero_bits(8);
    const std::uint8_t id2 = d2.send_job(header, std::span(&v, 1), 0, true);
    inject.pending = encode_nonce_response({bad, 0, id2, std::nullopt});
    auto noise = encode_nonce_response({bad + 1, 0, id2, std::nullopt});
    noise[3] ^= 0x10;  // line noise: the CRC catches it
    inject.pending.insert(inject.pending.end(), noise.begin(), noise.end());
    std::vector<VerifiedNonce> none;
    d2.poll(none);
    CHECK(none.empty());
    CHECK(d2.counters().hardware_errors == 1);
    CHECK(d2.counters().crc_errors >= 1);
    (void)id;
}

TEST_CASE("the asic-emu backend: both modes report exactly the nonces meeting the target") {
    const HeaderBytes header = genesis_like_header(21);
    ScanWork work;
    work.header = header;
    work.target = difficulty_to_target(1.0 / 64);  // about 1 in 64 * 2^... : an easy target
    work.target = U256::max() >> 6;                // hashes with 6 leading zero bits
    const std::uint32_t version = sha256::load_le32(header.data());
    std::vector<std::uint32_t> expected;
    const NonceRange range{0xfffffe00u, 1000};  // wraps through zero
    for (std::uint64_t i = 0; i < range.count; ++i) {
        const auto n = static_cast<std::uint32_t>(range.first + i);
        if (openssl_zero_bits(header, version, n) >= 6) expected.push_back(n);
    }
    REQUIRE(expected.size() > 5);
    std::atomic<bool> stop{false};
    for (SimMode mode : {SimMode::Functional, SimMode::Cycle}) {
        const auto info = asic_emu_backend_info(mode);
        CHECK(info.supported());
        auto backend = info.create();
        CHECK(backend->era() == Era::Asic);
        std::vector<std::uint32_t> found;
        CHECK(backend->scan(work, range, found, stop) == range.count);
        std::sort(found.begin(), found.end(), [&](std::uint32_t a, std::uint32_t b) { return a - range.first < b - range.first; });
        CHECK(found == expected);
    }
}
