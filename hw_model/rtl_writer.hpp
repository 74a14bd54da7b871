// Verilog-2005 from the PipelineSpec: the hash core (hf_core), its job registers (hf_top), a
// self-checking testbench for Icarus, and a probe header for a Verilated model. Every register is
// named and placed as in the spec's RegisterMap, so the RTL, the cycle model and both VCDs agree
// signal by signal. docs/rtl.md describes the interface.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw_model/core_sim.hpp"
#include "hw_model/pipeline_spec.hpp"

namespace hf::hw {

// hf_core: the datapath and control. Ports: clk, rst (synchronous), load (the job bus becomes the
// job during this clock: the pipeline is flushed and the counter starts at the job's first
// nonce), job (the job registers in map order, 32 bits each, word 0 in the low bits), found_o,
// found_nonce_o, found_lanes_o.
std::string core_verilog(const PipelineSpec& spec);
// hf_top: hf_core plus the job registers behind a write port (job_we, job_addr, job_data).
std::string top_verilog(const PipelineSpec& spec);

// What the C++ cycle model finds for one job: the clock (1 = the clock with `load`) of each strobe.
struct ExpectedHit {
    std::uint64_t clock = 0;
    std::uint32_t nonce = 0;
    unsigned lanes = 0;
};
struct TestbenchJob {
    std::vector<std::uint32_t> job_words;  // job registers in map order
    std::vector<ExpectedHit> hits;
    std::uint64_t clocks = 0;              // clocks to run after `load`
    std::string description;
};
// Runs the cycle model on `job` for every nonce in [first, first + count) until drained.
TestbenchJob model_testbench_job(const PipelineSpec& spec, const CoreJob& job, std::uint32_t first, std::uint32_t count);
// hf_tb: drives hf_top with the job; exits 0 only if found_o strobes exactly at the model's clocks
// with the model's nonces and lanes, and nowhere else. Uses Icarus's $finish_and_return.
std::string testbench_verilog(const PipelineSpec& spec, const TestbenchJob& job);

// A C++ header for a model Verilated with --public-flat-rw: hf_core_probe(root, out) copies every
// register (map order, control and stage scopes, RTL registers only) into out.
std::string verilator_probe_header(const PipelineSpec& spec);
// The registers the probe reads, in its order.
std::vector<const Register*> probed_registers(const PipelineSpec& spec);

}  // namespace hf::hw
