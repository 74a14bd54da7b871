// Co-simulation: the Verilog that `hashforge rtl` generates, compiled by Verilator, clocked beside
// the C++ cycle model on the same random jobs; every register of the register map must be equal
// after every clock (not only the found nonces). Jobs change mid-flight (flushes), nonce ranges
// run dry (bubbles), floors are low (many strobes). The Verilator trace of the same run must name
// its signals as the emulator's VCD does.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "Vlooped.h"
#include "Vlooped___024root.h"
#include "Vpartial.h"
#include "Vpartial___024root.h"
#include "Vunrolled.h"
#include "Vunrolled___024root.h"
#include "hw_model/core_sim.hpp"
#include "hw_model/pipeline_spec.hpp"
#include "hw_model/rtl_writer.hpp"
#include "verilated_vcd_c.h"

namespace unrolled {
#include "rtl_unrolled/hf_core_probe.h"
}
namespace partial {
#include "rtl_partial/hf_core_probe.h"
}
namespace looped {
#include "rtl_looped/hf_core_probe.h"
}

using namespace hf;
using namespace hf::hw;

namespace {

struct Rng {
    std::uint64_t s;
    std::uint64_t next() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        return s;
    }
};

CoreJob random_job(const PipelineSpec& spec, Rng& rng) {
    HeaderBytes header{};
    for (auto& b : header) b = static_cast<std::uint8_t>(rng.next());
    std::vector<std::uint32_t> versions;
    for (unsigned m = 0; m < spec.lanes; ++m) versions.push_back(static_cast<std::uint32_t>(rng.next()));
    return core_job_from_header(header, versions, static_cast<unsigned>(rng.next() % 6));
}

// Names of the VCD's $var lines (the last word before $end, or before the [msb:lsb] range).
std::set<std::string> vcd_names(const std::string& path) {
    std::ifstream in(path);
    std::set<std::string> names;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("$var", 0) != 0 && line.find(" $var ") == std::string::npos) continue;
        std::istringstream l(line.substr(line.find("$var")));
        std::string var, kind, width, id, name;
        l >> var >> kind >> width >> id >> name;
        names.insert(name);
    }
    return names;
}

// Clocks the RTL and the model side by side; returns the clocks compared.
template <class Model, class Probe>
unsigned cosimulate(const CoreConfig& cfg, Probe probe, unsigned clocks, const char* trace_path) {
    const PipelineSpec spec = build_pipeline(cfg);
    auto context = std::make_unique<VerilatedContext>();
    Model rtl(context.get());
    std::unique_ptr<VerilatedVcdC> trace;
    if (trace_path) {
        context->traceEverOn(true);
        trace = std::make_unique<VerilatedVcdC>();
        rtl.trace(trace.get(), 99);
        trace->open(trace_path);
    }
    CycleCore model(spec, false);
    const auto regs = probed_registers(spec);
    std::vector<std::uint32_t> values(regs.size());
    Rng rng{0x2545f4914f6cdd1dull ^ cfg.loop ^ (cfg.rounds_per_stage << 8)};
    std::uint64_t time = 0;

    // Both start from all-zero registers (Verilator's default initial values; the model's bank).
    rtl.clk = 0;
    rtl.rst = 0;
    rtl.load = 0;
    rtl.eval();
    probe(*rtl.rootp, values.data());
    for (std::size_t i = 0; i < regs.size(); ++i) REQUIRE(values[i] == model.value(*regs[i]));

    unsigned next_job = 0, compared = 0, strobes = 0;
    for (unsigned clock = 0; clock < clocks; ++clock) {
        rtl.load = 0;
        if (clock == next_job) {
            const CoreJob job = random_job(spec, rng);
            const auto first = static_cast<std::uint32_t>(rng.next());
            // Short ranges drain the pipeline (bubbles); long ones are switched away mid-flight.
            const std::uint64_t count = rng.next() % 3 == 0 ? 1 + rng.next() % 40 : 1 + rng.next() % 100000;
            model.load_job(job, first, count);
            const auto words = job_register_values(spec, model.job(), first, count);
            for (std::size_t i = 0; i < words.size(); ++i) rtl.job[i] = words[i];
            rtl.load = 1;
            next_job = clock + 1 + static_cast<unsigned>(rng.next() % (40 * spec.latency_clocks));
        }
        rtl.clk = 1;
        rtl.eval();
        if (trace) trace->dump(time++);
        rtl.clk = 0;
        rtl.eval();
        if (trace) trace->dump(time++);
        model.clock();
        probe(*rtl.rootp, values.data());
        for (std::size_t i = 0; i < regs.size(); ++i) {
            if (values[i] == model.value(*regs[i])) continue;
            FAIL_CHECK("clock " << model.cycles() << ": register " << regs[i]->name << " RTL " << values[i] << " model " << model.value(*regs[i]));
            return compared;
        }
        CHECK(rtl.found_o == (model.found() ? 1 : 0));
        strobes += model.found();
        ++compared;
    }
    if (trace) trace->close();
    CHECK(strobes > 10);  // the comparison covered hits, not only misses
    return compared;
}

}  // namespace

TEST_CASE("co-simulation: the Verilated RTL equals the cycle model register by register, every clock") {
    SUBCASE("fully unrolled R1 L1 (one round per stage), with a Verilator trace named as the emulator's VCD") {
        CoreConfig cfg;
        const std::string trace = (std::filesystem::temp_directory_path() / "hashforge_cosim_unrolled.vcd").string();
        CHECK(cosimulate<Vunrolled>(cfg, unrolled::hf_core_probe<Vunrolled___024root>, 10000, trace.c_str()) == 10000);
        // Every register the emulator's VCD names (hashforge pipeline --vcd) is in Verilator's trace by that name.
        const std::set<std::string> names = vcd_names(trace);
        const PipelineSpec spec = build_pipeline(cfg);
        for (const Register* r : probed_registers(spec)) CHECK_MESSAGE(names.count(r->name) == 1, r->name);
        std::filesystem::remove(trace);
    }
    SUBCASE("partly unrolled R4 L4, two version-rolling lanes, no final-round cut") {
        CoreConfig cfg;
        cfg.rounds_per_stage = 4;
        cfg.loop = 4;
        cfg.midstates = 2;
        cfg.cut_final_rounds = false;
        CHECK(cosimulate<Vpartial>(cfg, partial::hf_core_probe<Vpartial___024root>, 10000, nullptr) == 10000);
    }
    SUBCASE("looped R2 L32 without a host midstate (three compressions)") {
        CoreConfig cfg;
        cfg.rounds_per_stage = 2;
        cfg.loop = 32;
        cfg.midstate_from_host = false;
        CHECK(cosimulate<Vlooped>(cfg, looped::hf_core_probe<Vlooped___024root>, 20000, nullptr) == 20000);
    }
}
