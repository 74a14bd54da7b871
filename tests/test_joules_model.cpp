// The GPU-style kernel's op count (checked to hash right against core and real blocks), the GPU
// model, the reference data, and the report renderers (table, JSON, well-formed SVG).
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "bench/joules/cpu_measure.hpp"
#include "bench/joules/gpu_kernel_ops.hpp"
#include "bench/joules/gpu_model.hpp"
#include "bench/joules/joules_report.hpp"
#include "bench/joules/joules_runner.hpp"
#include "bench/joules/opencl_kernel_ops.hpp"
#include "bench/joules/reference_data.hpp"
#include "bench/joules/svg_chart.hpp"
#include "core/block_header.hpp"
#include "core/sha256_rounds.hpp"
#include "core/sha256d_plan.hpp"
#include "core/target.hpp"
#include "tests/support.hpp"
#include "tests/xml_check.hpp"

using namespace hf;
using namespace hf::joules;

namespace {

constexpr IsaFeatures kPlain{false, false, false};
constexpr IsaFeatures kRotate{true, false, false};
constexpr IsaFeatures kAmd{true, true, false};
constexpr IsaFeatures kLop3{true, false, true};

KernelTrace trace_header(const HeaderBytes& h, const IsaFeatures& isa) {
    std::array<std::uint32_t, 3> tail{};
    for (int i = 0; i < 3; ++i) tail[i] = sha256::load_be32(h.data() + 64 + 4 * i);
    return trace_sha256d_nonce_kernel(header_midstate(h), tail, sha256::load_be32(h.data() + 76), isa);
}

Hash256 digest_of(const sha256::State& s) {
    Hash256 out{};
    for (int i = 0; i < 8; ++i) sha256::store_be32(out.data() + 4 * i, s[i]);
    return out;
}


bool same_counts(const OpCounts& a, const OpCounts& b) {
    return a.adds == b.adds && a.logic == b.logic && a.shifts == b.shifts && a.rotates == b.rotates;
}

}  // namespace

TEST_CASE("the op-counting kernel computes real sha256d: random headers and real blocks") {
    std::mt19937_64 rng(42);
    for (int i = 0; i < 20; ++i) {
        HeaderBytes h{};
        const auto bytes = test::random_bytes(rng, 80);
        std::memcpy(h.data(), bytes.data(), 80);
        const auto t = trace_header(h, kAmd);
        const Hash256 expected = sha256d_from_midstate(header_midstate(h), std::span<const std::uint8_t, 16>(h.data() + 64, 16));
        CHECK(digest_of(t.second_hash) == expected);
        CHECK(t.early_exit_candidate == (expected[28] == 0 && expected[29] == 0 && expected[30] == 0 && expected[31] == 0));
    }
    // Every real block's hash ends (in internal order) with at least 32 zero bits, so the early
    // exit test must flag it: independent truth from the chain.
    const auto v = test::load_vector("blocks.json");
    for (const auto& b : v["blocks"]) {
        CAPTURE(b["height"].get<int>());
        const BlockHeader bh = test::header_from_vector(b);
        const auto t = trace_header(bh.serialize(), kPlain);
        CHECK(to_display_hex(digest_of(t.second_hash)) == b["hash"].get<std::string>());
        CHECK(t.early_exit_candidate);
    }
}

TEST_CASE("op counts depend only on the algorithm, not on the header or nonce") {
    std::mt19937_64 rng(7);
    HeaderBytes a{}, b{};
    auto ra = test::random_bytes(rng, 80), rb = test::random_bytes(rng, 80);
    std::memcpy(a.data(), ra.data(), 80);
    std::memcpy(b.data(), rb.data(), 80);
    const ScanWork wa = ScanWork::from_header(a, U256::max()), wb = ScanWork::from_header(b, U256{});
    for (const auto& isa : {kPlain, kRotate, kAmd, kLop3}) {
        CHECK(same_counts(trace_header(a, isa).with_early_exit, trace_header(b, isa).with_early_exit));
        // The model's count is the OpenCL kernel's, whatever the header, nonce or target.
        CHECK(same_counts(trace_opencl_kernel(wa, 1, isa).ops, trace_opencl_kernel(wb, 0xabcdef, isa).ops));
        CHECK(same_counts(trace_opencl_kernel(wa, 7, isa).ops, kernel_ops_per_nonce(isa)));
        // Two independent writings of the same tricks (the OpenCL C source and the op graph)
        // agree to 1% (the kernel also byte-swaps the nonce and H7, which the graph leaves out).
        CHECK(kernel_ops_per_nonce(isa).total() == doctest::Approx(trace_header(a, isa).with_early_exit.total()).epsilon(0.01));
    }
}

TEST_CASE("the counted OpenCL kernel source computes the real H7 and flags real blocks") {
    std::mt19937_64 rng(43);
    for (int i = 0; i < 20; ++i) {
        HeaderBytes h{};
        const auto bytes = test::random_bytes(rng, 80);
        std::memcpy(h.data(), bytes.data(), 80);
        const ScanWork w = ScanWork::from_header(h, U256::max() >> 8);
        const auto nonce = static_cast<std::uint32_t>(rng());
        const OpenClKernelTrace t = trace_opencl_kernel(w, nonce, kAmd);
        CHECK(t.h7 == plan_h7(make_sha256d_plan(w), nonce));
        const Hash256 hash = reference_sha256d(w, nonce);
        CHECK(t.candidate == (hash[31] == 0));  // top 8 bits zero <=> meets max >> 8 in its top word
    }
    const auto blocks = test::load_vector("blocks.json");  // kept alive: the loop walks into it
    for (const auto& b : blocks["blocks"]) {
        CAPTURE(b["height"].get<int>());
        const BlockHeader bh = test::header_from_vector(b);
        const ScanWork w = ScanWork::from_header(bh.serialize(), compact_to_target(bh.bits).target);
        CHECK(trace_opencl_kernel(w, bh.nonce, kPlain).candidate);
        CHECK_FALSE(trace_opencl_kernel(w, bh.nonce + 1, kPlain).candidate);
    }
}

TEST_CASE("op counts follow the ISA cost model exactly") {
    const OpCounts plain = kernel_ops_per_nonce(kPlain);
    const OpCounts rot = kernel_ops_per_nonce(kRotate);
    const OpCounts amd = kernel_ops_per_nonce(kAmd);
    const OpCounts lop3 = kernel_ops_per_nonce(kLop3);
    // An emulated rotate is two shifts and an or; a native one is one instruction.
    CHECK(plain.rotates == 0);
    CHECK(plain.shifts == rot.shifts + 2 * rot.rotates);
    CHECK(plain.logic == rot.logic + rot.rotates);
    CHECK(plain.adds == rot.adds);
    // Bit-select and 3-input logic only ever remove logic ops.
    CHECK(amd.adds == rot.adds);
    CHECK(amd.rotates == rot.rotates);
    CHECK(amd.logic < rot.logic);
    CHECK(lop3.logic < amd.logic);
    // Early exit skips at least rounds 61..63 (7 adds each) and the final 8-word addition.
    const auto t = trace_sha256d_nonce_kernel(sha256::kInitialState, {1, 2, 3}, 4, kRotate);
    CHECK(t.without_early_exit.adds - t.with_early_exit.adds >= 3 * 7);
}

TEST_CASE("the optimised kernel costs less than a naive sha256d, but not implausibly less") {
    // Naive: two full compressions for the 80-byte header plus one for the second hash, every
    // op executed: per round 7 adds, 6 rotates, 4 xors (the sigmas), Ch 3, Maj 4; per schedule
    // word 3 adds, 4 rotates, 2 shifts, 4 xors; 8 feed-forward adds per compression.
    const double naive_per_block = 64 * (7 + 6 + 4 + 3 + 4) + 48 * (3 + 4 + 2 + 4) + 8;
    const double naive = 3 * naive_per_block;
    const double optimised = kernel_ops_per_nonce(kRotate).total();
    // Midstate removes a third; the early rounds, padding words and early exit a further ~10%.
    CHECK(optimised < naive * 2 / 3);
    CHECK(optimised > naive * 0.5);
}

TEST_CASE("GPU model: predicted hashrates near the published ones, and AMD beats NVIDIA of 2012") {
    const ReferenceData d = load_embedded_reference_data();
    REQUIRE(d.gpus.size() >= 2);
    for (const auto& g : d.gpus) {
        CAPTURE(g.name);
        const GpuPrediction p = predict_gpu(g);
        // Against the hashrates miners published for these cards (cited in the data file), not
        // against the model's own formula: the op counts come from running the real kernel.
        if (g.published_hashrate) {
            REQUIRE(p.error_vs_published);
            CHECK(p.hashrate == doctest::Approx(*g.published_hashrate).epsilon(0.25));
        } else {
            CHECK_FALSE(p.error_vs_published);  // a modern GPU may have none
        }
    }
    GpuSpec amd, nvidia;
    for (const auto& g : d.gpus) {
        if (g.name.find("7970") != std::string::npos) amd = g;
        if (g.name.find("GTX 680") != std::string::npos) nvidia = g;
    }
    REQUIRE(amd.lanes > 0);
    REQUIRE(nvidia.lanes > 0);
    // Published: the GTX 680 mined at about a fifth of the HD 7970's rate; the model must agree
    // on the direction and the rough size of that gap from the ISA alone.
    CHECK(predict_gpu(amd).hashrate > 3 * predict_gpu(nvidia).hashrate);
}

TEST_CASE("reference data: embedded file parses, every row cites a source, bad files are refused") {
    const ReferenceData d = load_embedded_reference_data();
    std::set<std::string> eras;
    for (const auto& r : d.machines) {
        CAPTURE(r.name);
        CHECK(!r.source.empty());
        CHECK(r.valid());
        CHECK(r.power_source == PowerSource::Reference);
        eras.insert(r.era);
    }
    CHECK(eras == std::set<std::string>{"cpu", "gpu", "fpga", "asic"});
    REQUIRE(d.cpu_power_default_for("Some Unknown CPU"));
    CHECK(d.cpu_power_default_for("AMD EPYC 7763 64-Core Processor")->match == "EPYC 7763");

    CHECK_THROWS_WITH_AS(parse_reference_data("{"), doctest::Contains("not valid JSON"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(
        parse_reference_data(R"({"reference_machines":[{"name":"X","era":"asic","year":2020,"hashrate":1,"watts":1}]})"),
        doctest::Contains("'source'"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(
        parse_reference_data(R"({"reference_machines":[{"name":"X","era":"quantum","year":2020,"hashrate":1,"watts":1,"source":"s"}]})"),
        doctest::Contains("'era'"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(
        parse_reference_data(R"({"reference_machines":[{"name":"X","era":"asic","year":2020,"hashrate":-5,"watts":1,"source":"s"}]})"),
        doctest::Contains("'hashrate'"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_reference_data(R"({"gpu_models":[{"name":"G","year":2011,"lanes":10,"clock_mhz":1,"board_watts":1}]})"),
                         doctest::Contains("spec_source"), std::invalid_argument);
}

namespace {

JoulesReport sample_report() {
    JoulesReport rep;
    rep.machine = "Test CPU <&> \"quoted\"";
    rep.generated = "2026-01-01 00:00 UTC";
    JoulesRow scalar{"cpu", "scalar", 1, 0, 2e6, 5, HashrateSource::Measured, PowerSource::Assumed, "5 W/core", "this machine", {}};
    JoulesRow scalar2 = scalar;
    scalar2.threads = 2;
    scalar2.hashrate = 4e6;
    scalar2.watts = 10;
    scalar2.power_source = PowerSource::Declared;
    JoulesRow avx2{"gpu-style", "avx2", 1, 0, 8e6, 5, HashrateSource::Measured, PowerSource::Measured, "RAPL", "this machine", {}};
    JoulesRow gpu{"gpu-model", "Radeon & friends", 0, 2009, 4e8, 188, HashrateSource::Modeled, PowerSource::Modeled, "board", "model", {}};
    JoulesRow asic{"asic", "S21", 0, 2023, 2e14, 3500, HashrateSource::Reference, PowerSource::Reference, "published", "cite", {}};
    rep.rows = {asic, gpu, avx2, scalar, scalar2};
    rep.notes = {"avx512: skipped (this CPU has no AVX-512)"};
    set_ratios_to_scalar(rep.rows);
    return rep;
}

}  // namespace

TEST_CASE("ratios, table and JSON carry every row and its sources") {
    JoulesReport rep = sample_report();
    for (const auto& r : rep.rows) {
        REQUIRE(r.ratio_to_scalar);
        CHECK(*r.ratio_to_scalar == doctest::Approx(r.hashes_per_joule() / (2e6 / 5)));
    }
    const std::string table = render_table(rep);
    for (const auto& r : rep.rows) CHECK(table.find(r.name) != std::string::npos);
    CHECK(table.find("assumed") != std::string::npos);
    CHECK(table.find("declared") != std::string::npos);
    CHECK(table.find("measured") != std::string::npos);
    CHECK(table.find("avx512: skipped") != std::string::npos);
    CHECK(table.find("57.1 kJ") == std::string::npos);  // format sanity: S21 is 17.5 J/TH
    CHECK(table.find("17.5 J/TH") != std::string::npos);

    const nlohmann::json j = report_to_json(rep);
    REQUIRE(j["rows"].size() == rep.rows.size());
    for (const auto& row : j["rows"]) {
        for (const char* key : {"era", "name", "hashrate", "watts", "joules_per_terahash", "power_source", "source"})
            CHECK_MESSAGE(row.contains(key), key);
        CHECK(parse_power_source(row["power_source"].get<std::string>()).has_value());
    }
    // Display order: CPU first, ASIC last.
    CHECK(j["rows"].front()["era"] == "cpu");
    CHECK(j["rows"].back()["era"] == "asic");

    // Without a scalar row there is no baseline, and no ratios are invented.
    std::vector<JoulesRow> no_scalar = {rep.rows[0], rep.rows[1]};
    CHECK_FALSE(set_ratios_to_scalar(no_scalar));
    CHECK_FALSE(no_scalar[0].ratio_to_scalar);
}

TEST_CASE("the SVG chart is well-formed XML with every row, legend and escaped text") {
    const JoulesReport rep = sample_report();
    const std::string svg = render_svg(rep);
    const auto check = hf::test::check_xml(svg);
    CHECK_MESSAGE(check.ok, check.error);
    CHECK(check.root == "svg");
    for (const auto& r : rep.rows) CHECK(svg.find("data-name=\"" + xml_escape(r.name) + "\"") != std::string::npos);
    CHECK(svg.find("Radeon &amp; friends") != std::string::npos);
    CHECK(svg.find("Test CPU &lt;&amp;&gt; &quot;quoted&quot;") != std::string::npos);
    for (const char* legend : {"power measured here", "power declared", "power assumed", "modeled", "published machine", "ASIC"})
        CHECK(svg.find(legend) != std::string::npos);
    // Each power source gets its own marker shape/fill.
    CHECK(svg.find("stroke-dasharray") != std::string::npos);  // assumed: dashed hollow circle
    CHECK(svg.find("<polygon") != std::string::npos);           // declared / modeled: diamonds
    CHECK(svg.find("<rect x=") != std::string::npos);           // reference: squares

    // The checker itself rejects broken XML.
    CHECK_FALSE(hf::test::check_xml("<svg><g></svg>").ok);
    CHECK_FALSE(hf::test::check_xml("<svg a=\"1></svg>").ok);
    CHECK_FALSE(hf::test::check_xml("<svg>&bogus;</svg>").ok);
    CHECK_FALSE(hf::test::check_xml("<svg></svg><svg></svg>").ok);
    CHECK(hf::test::check_xml("<?xml version=\"1.0\"?>\n<svg a='1'><t>x &amp; &#65;</t><e/></svg>\n").ok);
}

namespace {

// A backend that hashes for real with core's midstate sha256d, one nonce at a time.
class MidstateBackend : public HashBackend {
public:
    std::string_view name() const override { return "test-midstate"; }
    Era era() const override { return Era::Cpu; }
    std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                       const std::atomic<bool>& stop) override {
        std::array<std::uint8_t, 16> tail{};
        std::memcpy(tail.data(), work.header.data() + 64, 12);
        std::uint64_t done = 0;
        for (; done < range.count; ++done) {
            if ((done & 1023) == 0 && stop.load(std::memory_order_relaxed)) break;
            const std::uint32_t nonce = range.first + static_cast<std::uint32_t>(done);
            sha256::store_le32(tail.data() + 12, nonce);
            const Hash256 h = sha256d_from_midstate(work.midstate, tail);
            if (hash_meets_target(h, work.target)) found.push_back(nonce);
        }
        return done;
    }
};

}  // namespace

TEST_CASE("run_backend counts hashes over the wall time on several threads") {
    BackendInfo info{"test-midstate", Era::Cpu, [] { return true; }, [] { return std::make_unique<MidstateBackend>(); }};
    RaplReader no_rapl("/nonexistent/powercap");
    const BackendRun run = run_backend(info, 2, 0.2, &no_rapl);
    CHECK(run.hashes > 1000);
    CHECK(run.seconds >= 0.2);
    CHECK(run.seconds < 5.0);
    CHECK_FALSE(run.energy);
    CHECK(run.rapl_note.find("does not exist") != std::string::npos);
}

TEST_CASE("build_joules_report: measured rows per thread count, skipped backends, models and references") {
    const std::vector<BackendInfo> backends = {
        {"scalar", Era::Cpu, [] { return true; }, [] { return std::make_unique<MidstateBackend>(); }},
        {"wide", Era::GpuStyle, [] { return false; }, [] { return std::make_unique<MidstateBackend>(); }},
    };
    JoulesOptions o;
    o.seconds = 0.05;
    o.thread_counts = {1, 2};
    o.powercap_root = "/nonexistent/powercap";
    o.data = load_embedded_reference_data();
    o.cpu_brand = "Imaginary CPU";

    SUBCASE("assumed power, with the default's source in every CPU row") {
        const auto rep = build_joules_report(o, backends, nullptr, {}, nullptr);
        std::size_t cpu_rows = 0, gpu_rows = 0, refs = 0;
        for (const auto& r : rep.rows) {
            if (r.era == "cpu" && r.hashrate_source == HashrateSource::Measured) {
                ++cpu_rows;
                CHECK(r.power_source == PowerSource::Assumed);
                CHECK(r.power_note.find(o.data.cpu_power_defaults.back().source) != std::string::npos);
                CHECK(r.watts == doctest::Approx(o.data.cpu_power_defaults.back().watts_per_core * r.threads));
                CHECK(r.hashrate > 0);
            }
            if (r.era == "gpu-model") ++gpu_rows;
            if (r.hashrate_source == HashrateSource::Reference) ++refs;
            CHECK(r.ratio_to_scalar.has_value());
        }
        CHECK(cpu_rows == 2);
        CHECK(gpu_rows == o.data.gpus.size());
        CHECK(refs == o.data.machines.size());
        bool skipped = false, not_measured = false;
        for (const auto& n : rep.notes) {
            skipped = skipped || n.find("wide: skipped") != std::string::npos;
            not_measured = not_measured || n.find("not measured") != std::string::npos;
        }
        CHECK(skipped);
        CHECK(not_measured);
    }
    SUBCASE("declared power wins over the default; a RAPL counter that never moves is not a measurement") {
        std::random_device rd;
        const auto root = std::filesystem::temp_directory_path() / ("hf-joules-rapl-" + std::to_string(rd()));
        std::filesystem::create_directories(root / "intel-rapl:0");
        std::ofstream(root / "intel-rapl:0" / "name") << "package-0\n";
        std::ofstream(root / "intel-rapl:0" / "energy_uj") << "123456\n";
        std::ofstream(root / "intel-rapl:0" / "max_energy_range_uj") << "262143328850\n";
        o.powercap_root = root;
        o.cpu_watts_per_core = 7.5;
        o.only_backends = {"scalar"};
        const auto rep = build_joules_report(o, backends, nullptr, {}, nullptr);
        std::filesystem::remove_all(root);
        for (const auto& r : rep.rows) {
            if (r.hashrate_source != HashrateSource::Measured) continue;
            CHECK(r.power_source == PowerSource::Declared);
            CHECK(r.watts == doctest::Approx(7.5 * std::min<unsigned>(r.threads, std::max(1u, std::thread::hardware_concurrency()))));
            CHECK(r.power_note.find("did not advance") != std::string::npos);
        }
    }
    SUBCASE("bad options are refused") {
        o.seconds = 0;
        CHECK_THROWS_AS(build_joules_report(o, backends, nullptr, {}, nullptr), std::invalid_argument);
        o.seconds = 0.05;
        o.only_backends = {"nonesuch"};
        CHECK_THROWS_WITH_AS(build_joules_report(o, backends, nullptr, {}, nullptr), doctest::Contains("nonesuch"),
                             std::invalid_argument);
        o.only_backends.clear();
        o.cpu_watts_per_core = -3;
        CHECK_THROWS_AS(build_joules_report(o, backends, nullptr, {}, nullptr), std::invalid_argument);
    }
}
