// The emulated BM1366/BM1397 on a real pseudo-terminal, driven by hw_model/host's driver through a
// termios serial port, and by raw bytes written as ESP-Miner writes them. Packets captured from
// real chips (mujina's Bitaxe Gamma capture, ESP-Miner's and skot's BM1397 notes) are decoded by
// our parsers and reproduced by our encoders; every result is re-hashed with OpenSSL.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "core/backends.hpp"
#include "core/target.hpp"
#include "hw_model/bm13xx_protocol.hpp"
#include "hw_model/host/bm13xx_host.hpp"
#include "hw_model/pty_server.hpp"
#include "hw_model/wire_chain.hpp"
#include "tests/bm13xx_helpers.hpp"

using namespace hf;
using namespace hf::hw;
using namespace hf::hw::bm13xx;
using hf::test::bytes;

namespace {

using Clock = std::chrono::steady_clock;

// mujina-miner src/asic/bm13xx/test_data.rs: ESP-Miner on a Bitaxe Gamma (BM1370, which takes the
// BM1366's full-header job format), 2025-06-19: the job sent, a nonce the chip returned, and the
// share the pool accepted (job 875b4b7, ntime 685468d7, nonce 7552034c, version bits 00b44000).
const char* kCapturedJob =
    "55 AA 21 56 68 01 00 00 00 00 04 3A 02 17 D7 68 54 68 55 19 A7 CB 04 4F 88 72 63 55 91 9E 61 A9 8B CF 71 A0 "
    "C2 87 95 EA 54 DB 8C 36 41 4B 06 DD F5 F0 00 00 00 00 00 00 00 00 96 52 01 00 1D 39 96 BC A3 F4 67 0D FC D4 "
    "F2 01 C1 62 B9 6D FD 55 64 6B 00 00 00 20 72 1C";
const char* kCapturedNonce = "AA 55 4C 03 52 75 0C D2 05 A2 9C";

BackendInfo fastest_backend() {
    static const BackendInfo b = choose_backend(core_backends());
    return b;
}

// A chain served on a pty in a temporary directory, for as long as the object lives.
struct ServedChain {
    WireChain chain;
    std::string link;
    std::unique_ptr<PtyServer> server;
    std::atomic<bool> stop{false};
    std::thread thread;

    ServedChain(WireModel model, unsigned chips, std::uint64_t scale = 65536)
        : chain(WireChainConfig{default_wire_profile(model), chips, scale, fastest_backend()}) {
        link = (std::filesystem::temp_directory_path() / ("hf-wire-" + std::to_string(getpid()) + "-" +
                                                          std::to_string(reinterpret_cast<std::uintptr_t>(this)))).string();
        server = std::make_unique<PtyServer>(chain, link);
        thread = std::thread([this] { server->serve(stop, 1); });
    }
    ~ServedChain() {
        stop = true;
        thread.join();
        server.reset();
    }
};

// Reads raw bytes from the port until `n` arrived or `ms` passed.
std::vector<std::uint8_t> read_n(host::SerialPort& port, std::size_t n, int ms) {
    std::vector<std::uint8_t> got;
    const auto deadline = Clock::now() + std::chrono::milliseconds(ms);
    while (got.size() < n && Clock::now() < deadline) {
        const auto b = port.read(10);
        got.insert(got.end(), b.begin(), b.end());
    }
    return got;
}

// Waits up to 10 s for `done` (the chain acts on bytes as they arrive over the pty).
template <class F>
bool eventually(F done) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!done() && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return done();
}

// Polls until `want` results arrived (or `seconds` passed).
std::vector<host::HostResult> collect(host::Bm13xxHost& h, std::size_t want, double seconds) {
    std::vector<host::HostResult> all;
    const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
    while (all.size() < want && Clock::now() < deadline) {
        auto r = h.poll(20);
        all.insert(all.end(), r.begin(), r.end());
    }
    return all;
}

void check_result_independently(const host::HostResult& r, unsigned floor_bits) {
    // OpenSSL's hash of the header the result names must have the bits the chip promised.
    CHECK(test::openssl_zero_bits(r.job.header, r.version, r.nonce) >= floor_bits);
    CHECK(test::openssl_hash(r.job.header, r.version, r.nonce) == r.hash);
}

host::HostJob job_for(std::uint32_t salt, std::uint32_t mask) {
    host::HostJob j;
    j.header = test::genesis_like_header(salt);
    sha256::store_le32(j.header.data(), 0x20000000);
    j.version_mask = mask;
    return j;
}

}  // namespace

TEST_CASE("a captured BM13xx full-header job and nonce decode, re-encode and give the pool's share") {
    HostFrameParser hp(JobFormat::FullHeader);
    hp.feed(bytes(kCapturedJob));
    auto f = hp.next();
    REQUIRE(f);
    REQUIRE(f->is_full_job);
    const FullJobPacket& j = f->full_job;
    CHECK(j.job_header == 0x68);
    CHECK(j.nbits == 0x17023A04u);
    CHECK(j.ntime == 0x685468D7u);  // the submit's ntime
    CHECK(j.version == 0x20000000u);
    CHECK(encode_full_job(j) == bytes(kCapturedJob));

    ChipFrameParser cp(true);
    cp.feed(bytes(kCapturedNonce));
    auto r = cp.next();
    REQUIRE(r);
    REQUIRE(r->is_nonce);
    CHECK(r->nonce.nonce == 0x7552034Cu);                                     // the submit's nonce
    CHECK((static_cast<std::uint32_t>(*r->nonce.version_bits) << 13) == 0x00B44000u);  // the submit's version bits
    CHECK(encode_nonce_response(r->nonce) == bytes(kCapturedNonce));

    // The share rebuilt from the two packets alone has the difficulty ESP-Miner logged (29588).
    HeaderBytes h{};
    sha256::store_le32(h.data(), j.version | 0x00B44000u);
    std::copy(j.prev_hash.begin(), j.prev_hash.end(), h.begin() + 4);
    std::copy(j.merkle_root.begin(), j.merkle_root.end(), h.begin() + 36);
    sha256::store_le32(h.data() + 68, j.ntime);
    sha256::store_le32(h.data() + 72, j.nbits);
    const Hash256 hash = test::openssl_hash(h, j.version | 0x00B44000u, r->nonce.nonce);
    CHECK(hash_difficulty(hash) == doctest::Approx(29588.0).epsilon(0.0001));
}

TEST_CASE("ESP-Miner's init bytes: our host writes them, the emulated chips answer as captured") {
    // Commands ESP-Miner's bm1366.c sends as literal bytes; our encoder must produce them.
    CHECK(encode_command({Cmd::Write, true, 0, 0xA8, 0x00070000}) == bytes("55 AA 51 09 00 A8 00 07 00 00 03"));
    CHECK(encode_command({Cmd::Write, true, 0, 0x18, 0xFF0FC100}) == bytes("55 AA 51 09 00 18 FF 0F C1 00 00"));
    CHECK(encode_command({Cmd::Write, true, 0, 0x3C, 0x80008540}) == bytes("55 AA 51 09 00 3C 80 00 85 40 0C"));
    CHECK(encode_command({Cmd::Write, true, 0, 0x58, 0x02111111}) == bytes("55 AA 51 09 00 58 02 11 11 11 06"));
    CHECK(encode_command({Cmd::Write, true, 0, 0x28, 0x11300200}) == bytes("55 AA 51 09 00 28 11 30 02 00 03"));
    CHECK(ticket_mask_for_difficulty(256) == 0x000000FFu);  // ESP-Miner: {00 00 00 FF}
    CHECK(ticket_mask_for_difficulty(512) == 0x000080FFu);

    // A fresh BM1397 answers the broadcast chip-id read with the bytes skot's notes captured.
    ServedChain served(WireModel::BM1397, 1);
    host::SerialPort port(served.link);
    port.write(bytes("55 AA 52 05 00 00 0A"));
    CHECK(read_n(port, 9, 2000) == bytes("AA 55 13 97 18 00 00 00 06"));
    // A BM1366-class chip answers in 9 bytes until version rolling is enabled, then in 11, as
    // mujina's capture shows for the BM1370 (AA 55 13 70 00 00 00 00 00 00 10).
    WireChipProfile p1370 = default_wire_profile(WireModel::BM1366);
    p1370.chip_id = 0x1370;
    WireChain c1370({p1370, 1, 1, fastest_backend()});
    c1370.from_host(bytes("55 AA 51 09 00 A4 90 00 FF FF 1C 55 AA 52 05 00 00 0A"));
    CHECK(c1370.take_upstream() == bytes("AA 55 13 70 00 00 00 00 00 00 10"));
}

TEST_CASE("a chain of 4 on a pty: init, addresses, read-back, results from every chip, both models") {
    for (WireModel model : {WireModel::BM1366, WireModel::BM1397}) {
        CAPTURE(wire_model_name(model));
        ServedChain served(model, 4);
        host::SerialPort port(served.link);
        host::Bm13xxHost h(port, model == WireModel::BM1366 ? host::ChipModel::BM1366 : host::ChipModel::BM1397);
        REQUIRE(h.init(4, 400, 256) == 4);
        CHECK(h.address_interval() == 64);
        // Register 0 of every chip, in chain order, carries the chip id and the new address.
        const auto ids = h.read_register(reg::kChipId, std::nullopt, 2000);
        REQUIRE(ids.size() == 4);
        for (unsigned i = 0; i < 4; ++i) {
            CHECK((ids[i].value >> 16) == (model == WireModel::BM1366 ? 0x1366u : 0x1397u));
            CHECK(ids[i].chip_address == i * 64);
        }
        // What the host wrote is what it reads back, per chip.
        h.write_register(0x3C, 0x12345678, std::uint8_t{128});
        const auto back = h.read_register(0x3C, std::uint8_t{128}, 2000);
        REQUIRE(back.size() == 1);
        CHECK(back[0].value == 0x12345678u);
        CHECK(back[0].chip_address == 128);
        CHECK(served.chain.read_register(2, reg::kTicketMask) == 0x000000FFu);
        // Ticket 256 at scale 65536: results need 32 + 8 - 16 = 24 zero bits.
        CHECK(served.chain.result_zero_bits(0) == 24);
        h.set_ticket_difficulty(1);
        CHECK(eventually([&] { return served.chain.result_zero_bits(3) == 16; }));

        h.set_version_mask(0x1fffe000);
        h.send_job(job_for(1, 0x1fffe000), true);
        const auto results = collect(h, 40, 20.0);
        CHECK(results.size() >= 40);
        std::set<unsigned> chips;
        for (const auto& r : results) {
            check_result_independently(r, 16);
            chips.insert(r.chip);
            CHECK(r.core < 128);
            CHECK(((r.version ^ 0x20000000u) & ~0x1fffe000u) == 0);
        }
        CHECK(chips.size() == 4);  // the nonce space is split between all four chips
        CHECK(h.counters().hardware_errors == 0);
        CHECK(h.counters().crc_errors == 0);
    }
}

TEST_CASE("bad CRCs, garbage, unknown addresses and jobs before init are ignored and counted") {
    for (WireModel model : {WireModel::BM1366, WireModel::BM1397}) {
        CAPTURE(wire_model_name(model));
        ServedChain served(model, 2);
        host::SerialPort port(served.link);
        // A job before any chip has an address: ignored.
        host::SerialPort raw(served.link);
        host::HostJob early = job_for(9, 0);
        if (model == WireModel::BM1366)
            raw.write(bytes(kCapturedJob));
        else
            raw.write(encode_job({4, 0, 0, 0, {}, {header_midstate(early.header)}}));
        CHECK(eventually([&] { return served.chain.counters().jobs_before_init == 1; }));

        host::Bm13xxHost h(port, model == WireModel::BM1366 ? host::ChipModel::BM1366 : host::ChipModel::BM1397);
        REQUIRE(h.init(2, 400, 1) == 2);
        const auto before = served.chain.counters();
        std::mt19937_64 rng(13);
        auto noise = test::random_bytes(rng, 300);
        for (auto& b : noise)
            if (b == 0x55) b = 0x54;  // no accidental preamble
        raw.write(noise);
        auto bad = encode_command({Cmd::Write, true, 0, 0x3C, 0xDEADBEEF});
        bad.back() ^= 0x01;  // a corrupt CRC5
        raw.write(bad);
        raw.write(encode_command({Cmd::Write, false, 0x33, 0x3C, 1}));  // nobody has address 0x33
        REQUIRE(eventually([&] { return served.chain.counters().no_such_address == before.no_such_address + 1; }));
        const auto after = served.chain.counters();
        CHECK(after.bytes_skipped - before.bytes_skipped >= 300 + bad.size());
        CHECK(after.bad_frames > before.bad_frames);
        CHECK(after.no_such_address == before.no_such_address + 1);
        CHECK(served.chain.read_register(0, 0x3C) != 0xDEADBEEFu);
        // ...and the chain still works: register answers and results arrive intact.
        REQUIRE(h.read_register(reg::kChipId, std::nullopt, 2000).size() == 2);
        h.send_job(job_for(2, 0), true);
        for (const auto& r : collect(h, 5, 10.0)) check_result_independently(r, 16);
        CHECK(h.counters().results >= 5);
        CHECK(h.counters().hardware_errors == 0);
    }
}

TEST_CASE("a job switched mid-search: old results go stale, new ones verify against the new header") {
    for (WireModel model : {WireModel::BM1366, WireModel::BM1397}) {
        CAPTURE(wire_model_name(model));
        ServedChain served(model, 1);
        host::SerialPort port(served.link);
        host::Bm13xxHost h(port, model == WireModel::BM1366 ? host::ChipModel::BM1366 : host::ChipModel::BM1397);
        REQUIRE(h.init(1, 400, 1) == 1);
        h.set_version_mask(0x1fffe000);
        const std::uint8_t first = h.send_job(job_for(3, 0x1fffe000), true);
        REQUIRE(!collect(h, 3, 10.0).empty());
        const std::uint8_t second = h.send_job(job_for(4, 0x1fffe000), true);  // clean: the first goes stale
        CHECK(second != first);
        const auto results = collect(h, 10, 10.0);
        REQUIRE(results.size() >= 10);
        for (const auto& r : results) {
            CHECK(r.job_id == second);
            check_result_independently(r, 16);
            CHECK(r.job.header == job_for(4, 0).header);
        }
        CHECK(h.counters().hardware_errors == 0);
    }
}
