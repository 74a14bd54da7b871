// Every hashing backend against the portable reference (and the reference against OpenSSL): the
// exact set of nonces each one finds on random headers at an easy target must be the reference's.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <random>

#include "core/backend_opencl.hpp"
#include "core/backends.hpp"
#include "core/block_header.hpp"
#include "core/hex.hpp"
#include "core/sha256d_plan.hpp"
#include "core/target.hpp"
#include "tests/support.hpp"

using namespace hf;

namespace {

bool sanitized() { return std::getenv("HASHFORGE_SANITIZED") != nullptr; }

HeaderBytes random_header(std::mt19937_64& rng) {
    HeaderBytes h;
    const auto bytes = test::random_bytes(rng, 80);
    std::copy(bytes.begin(), bytes.end(), h.begin());
    return h;
}

Hash256 openssl_sha256d(const HeaderBytes& header) {
    const auto first = test::openssl_sha256(std::vector<std::uint8_t>(header.begin(), header.end()));
    const auto second = test::openssl_sha256(first);
    Hash256 out;
    std::copy(second.begin(), second.end(), out.begin());
    return out;
}

// Core's backends and the OpenCL kernel (on the first GPU, else device 0: POCL's CPU device here).
std::vector<BackendInfo> core_and_opencl() {
    std::vector<BackendInfo> out = core_backends();
    out.push_back(opencl_backend_info());
    return out;
}

// A backend this machine cannot run is skipped with the reason ("no OpenCL device" where no
// OpenCL platform is installed), never silently.
bool skip_unsupported(const BackendInfo& info) {
    if (info.supported()) return false;
    MESSAGE("skipped " << info.name << ": " << unsupported_reason(info));
    return true;
}

std::vector<BackendInfo> all_backends() {
    std::vector<BackendInfo> out = core_and_opencl();
    for (int n = 1; n <= 4; ++n)
        out.push_back({"shani-x" + std::to_string(n), Era::Cpu, find_backend(core_backends(), "shani")->supported,
                       [n] { return make_shani_backend_streams(n); }});
    if (const auto avx512 = find_backend(core_backends(), "avx512"))
        out.push_back({"avx512-x2", Era::GpuStyle, avx512->supported, [] { return make_avx512_backend_groups(2); }});
    if (const auto hybrid = find_backend(core_backends(), "avx512+shani"))
        for (int n = 1; n <= 3; ++n)
            out.push_back({"avx512+shani-x" + std::to_string(n), Era::GpuStyle, hybrid->supported,
                           [n] { return make_avx512_shani_backend_streams(n); }});
    return out;
}

}  // namespace

TEST_CASE("the reference sha256d of a header with a nonce matches OpenSSL") {
    std::mt19937_64 rng(1);
    for (int i = 0; i < 50; ++i) {
        HeaderBytes h = random_header(rng);
        const auto nonce = static_cast<std::uint32_t>(rng());
        const ScanWork w = ScanWork::from_header(h, U256::max());
        h[76] = static_cast<std::uint8_t>(nonce);
        h[77] = static_cast<std::uint8_t>(nonce >> 8);
        h[78] = static_cast<std::uint8_t>(nonce >> 16);
        h[79] = static_cast<std::uint8_t>(nonce >> 24);
        CHECK(reference_sha256d(w, nonce) == openssl_sha256d(h));
    }
}

TEST_CASE("the plan's early H7 is the last state word of the real hash") {
    std::mt19937_64 rng(2);
    for (int i = 0; i < 200; ++i) {
        const ScanWork w = ScanWork::from_header(random_header(rng), U256::max());
        const auto nonce = static_cast<std::uint32_t>(rng());
        const Hash256 h = reference_sha256d(w, nonce);
        const std::uint32_t h7_be = std::uint32_t{h[28]} << 24 | std::uint32_t{h[29]} << 16 | std::uint32_t{h[30]} << 8 | h[31];
        CHECK(plan_h7(make_sha256d_plan(w), nonce) == h7_be);
    }
}

TEST_CASE("the early-reject limit is the target's top 32 bits") {
    ScanWork w;
    w.target = difficulty1_target();
    CHECK(make_sha256d_plan(w).h7_limit == 0);
    w.target = difficulty_to_target(1.0 / 65536);
    CHECK(make_sha256d_plan(w).h7_limit == 0xffff);
    CHECK(h7_may_meet(0, 0));
    CHECK_FALSE(h7_may_meet(0x01000000, 0));  // last byte of the digest non-zero
    CHECK(h7_may_meet(0xffff0000, 0xffff));
}

TEST_CASE("each backend finds exactly the reference's nonces on random headers") {
    std::mt19937_64 rng(3);
    const int headers = sanitized() ? 3 : 12;
    for (const auto& info : all_backends()) {
        CAPTURE(info.name);
        if (skip_unsupported(info)) continue;
        auto backend = info.create();
        const std::atomic<bool> no_stop{false};
        std::uint64_t compared = 0, matched = 0;
        for (int i = 0; i < headers; ++i) {
            // 1 nonce in 8 .. 1 in 64 qualifies; ranges start anywhere (also just before the 2^32
            // wrap) and have lengths that are not multiples of any lane count.
            const ScanWork w = ScanWork::from_header(random_header(rng), U256::max() >> (3 + rng() % 4));
            const std::uint32_t first = i == 0 ? 0xfffffc00u : static_cast<std::uint32_t>(rng());
            const NonceRange range{first, 1500 + rng() % 37};
            std::vector<std::uint32_t> found, expect;
            CHECK(backend->scan(w, range, found, no_stop) == range.count);
            for (std::uint64_t k = 0; k < range.count; ++k)
                if (reference_meets_target(w, first + static_cast<std::uint32_t>(k))) expect.push_back(first + static_cast<std::uint32_t>(k));
            CHECK(found == expect);
            compared += range.count;
            matched += expect.size();
        }
        CHECK(matched > compared / 100);  // the target really let many nonces through
    }
}

TEST_CASE("a difficulty-1 target: only real block nonces, found among their neighbours") {
    const auto v = test::load_vector("blocks.json");
    for (const auto& info : core_and_opencl()) {
        if (skip_unsupported(info)) continue;
        CAPTURE(info.name);
        auto backend = info.create();
        const std::atomic<bool> no_stop{false};
        int checked = 0;
        for (const auto& b : v["blocks"]) {
            if (checked++ == 4) break;
            const BlockHeader h = test::header_from_vector(b);
            const std::uint32_t nonce = h.nonce;
            const ScanWork w = ScanWork::from_header(h.serialize(), compact_to_target(h.bits).target);
            std::vector<std::uint32_t> found;
            backend->scan(w, {nonce - 700, 1400}, found, no_stop);
            CHECK(found == std::vector<std::uint32_t>{nonce});
        }
    }
}

TEST_CASE("backends stop promptly and report what they hashed") {
    for (const auto& info : core_and_opencl()) {
        if (skip_unsupported(info)) continue;
        CAPTURE(info.name);
        auto backend = info.create();
        std::atomic<bool> stop{true};
        std::vector<std::uint32_t> found;
        const ScanWork w = ScanWork::from_header(HeaderBytes{}, U256{});
        CHECK(backend->scan(w, {0, std::uint64_t{1} << 32}, found, stop) == 0);
        stop = false;
        CHECK(backend->scan(w, {5, 0}, found, stop) == 0);
        CHECK(backend->scan(w, {5, 3}, found, stop) == 3);
        CHECK(found.empty());
    }
}

TEST_CASE("self-test passes for every supported backend and dispatch picks a usable one") {
    for (const auto& info : core_and_opencl()) {
        CAPTURE(info.name);
        const std::string why = backend_self_test(info);
        if (info.supported()) CHECK(why.empty());
        else CHECK(why == unsupported_reason(info));
    }
    std::vector<CalibrationResult> report;
    const BackendInfo chosen = choose_backend(core_backends(), std::chrono::milliseconds(2), &report);
    CHECK(report.size() == core_backends().size());
    CHECK(chosen.supported());
    double best = 0;
    for (const auto& r : report) {
        if (r.usable) CHECK(r.hashrate > 0);
        if (r.usable) best = std::max(best, r.hashrate);
    }
    for (const auto& r : report)
        if (r.name == chosen.name) CHECK(r.hashrate == best);  // the measured fastest, not a fixed order
}

TEST_CASE("opencl: usable wherever an OpenCL device exists, and never chosen by auto") {
    const auto devices = opencl_devices();
    const BackendInfo info = opencl_backend_info();
    CHECK(info.era == Era::Gpu);
    if (devices.empty()) {
        MESSAGE("skipped: no OpenCL device (install an OpenCL platform, e.g. Debian's pocl-opencl-icd)");
        CHECK(unsupported_reason(info) == "no OpenCL device");
        CHECK_FALSE(info.supported());
        return;
    }
    CHECK(opencl_unavailable_reason() == "");  // the kernel builds on the selected device
    CHECK(info.supported());
    const OpenClWorkSize w = opencl_work_size();
    CHECK(w.batch % (w.local * w.vector_width) == 0);  // whole work-groups, measured
    CHECK(w.hashrate > 0);
    CHECK_FALSE(find_backend(core_backends(), "opencl"));  // auto calibrates CPU time: not for a device
    CHECK_THROWS_AS(select_opencl_device(static_cast<int>(devices.size())), std::invalid_argument);
    CHECK_THROWS_AS(select_opencl_device(-1), std::invalid_argument);
}

TEST_CASE("opencl: more candidates than the result buffer holds are all reported") {
    const BackendInfo info = opencl_backend_info();
    if (skip_unsupported(info)) return;
    auto backend = info.create();
    const std::atomic<bool> no_stop{false};
    std::mt19937_64 rng(5);
    // Every nonce meets the maximum target: 5000 candidates, far more than the first buffer.
    const ScanWork w = ScanWork::from_header(random_header(rng), U256::max());
    std::vector<std::uint32_t> found;
    CHECK(backend->scan(w, {0xfffff000u, 5000}, found, no_stop) == 5000);
    REQUIRE(found.size() == 5000);
    for (std::uint32_t i = 0; i < 5000; ++i) CHECK(found[i] == 0xfffff000u + i);
}

TEST_CASE("a broken backend fails its self-test and is never chosen") {
    struct OffByOne final : HashBackend {
        std::unique_ptr<HashBackend> inner = make_scalar_backend();
        std::string_view name() const override { return "broken"; }
        Era era() const override { return Era::Cpu; }
        std::uint64_t scan(const ScanWork& w, NonceRange r, std::vector<std::uint32_t>& found,
                           const std::atomic<bool>& stop) override {
            const auto n = inner->scan(w, r, found, stop);
            for (auto& f : found) ++f;  // reports the wrong nonce
            return n;
        }
    };
    const BackendInfo broken{"broken", Era::Cpu, [] { return true; }, [] { return std::make_unique<OffByOne>(); }};
    CHECK_FALSE(backend_self_test(broken).empty());
    std::vector<BackendInfo> list{core_backends().front(), broken};
    std::vector<CalibrationResult> report;
    CHECK(choose_backend(list, std::chrono::milliseconds(1), &report).name == "scalar");
    CHECK_FALSE(report[1].usable);
}
