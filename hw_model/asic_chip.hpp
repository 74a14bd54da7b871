// An emulated BM13xx-style mining chip and a chain of them on one serial line.
//
// A chip holds `cores` hash cores (all built from one PipelineSpec); they share the job, and core k
// of the chip at chain position p scans its own slice of the nonce space:
//   nonce = starting_nonce + (p * cores + k) * slice + i,   i < slice,
// where slice comes from the NONCE_RANGE register (default 2^32 / cores: core id in the high bits,
// as real chips report it) and p = address / address interval. The chip is driven only by bytes:
// it parses host frames (CRC-checked), answers register reads, loads jobs, and sends nonce
// responses upstream.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hw_model/bm13xx_protocol.hpp"
#include "hw_model/chip_description.hpp"
#include "hw_model/core_sim.hpp"
#include "hw_model/pipeline_spec.hpp"

namespace hf::hw {

enum class SimMode { Functional, Cycle };
const char* sim_mode_name(SimMode m);

class EmulatedChip {
public:
    // The chip is `chip` (its cores, core design, clock until the host programs the PLL, chip id);
    // its chain position is address / address_interval.
    explicit EmulatedChip(ChipDescription chip, SimMode mode = SimMode::Functional, unsigned address_interval = 2);

    const ChipDescription& description() const { return chip_; }
    SimMode mode() const { return mode_; }
    const PipelineSpec& spec() const { return spec_; }
    std::uint8_t address() const { return address_; }
    bool addressed() const { return addressed_; }
    double frequency_mhz() const;
    std::uint32_t read_register(std::uint8_t reg) const;
    // Hashes per second at the programmed clock: cores * hashes per clock * f (modeled).
    double hashrate() const;

    // Chain plumbing (called by ChipChain).
    void enter_addressing_mode() { addressed_ = false; }
    void assign_address(std::uint8_t a) { address_ = a, addressed_ = true; }
    void write_register(std::uint8_t reg, std::uint32_t value);
    void load_job(const bm13xx::JobPacket& job);

    // Runs `clocks` hash clocks; nonce responses (encoded bytes) are appended to `upstream`.
    void run(std::uint64_t clocks, std::vector<std::uint8_t>& upstream);
    bool idle() const;  // every core has finished its slice
    std::uint64_t clocks() const { return clocks_; }
    std::uint64_t toggles() const;   // flip-flop toggles counted by cycle-mode cores
    std::uint64_t nonces_hashed() const { return hashed_; }

private:
    unsigned zero_bits() const;
    void emit(std::uint32_t nonce, unsigned lanes, std::vector<std::uint8_t>& upstream) const;

    ChipDescription chip_;
    SimMode mode_;
    unsigned address_interval_;
    PipelineSpec spec_;
    std::uint8_t address_ = 0;
    bool addressed_ = false;
    std::map<std::uint8_t, std::uint32_t> registers_;
    bm13xx::JobPacket job_;
    bool have_job_ = false;
    std::vector<std::unique_ptr<CycleCore>> cycle_cores_;
    std::vector<std::unique_ptr<FunctionalCore>> functional_cores_;
    std::vector<std::uint32_t> next_nonce_;      // functional mode: per core
    std::vector<std::uint64_t> left_;            // functional mode: nonces left per core
    double carry_ = 0;                           // functional mode: fractional nonces per clock
    std::uint64_t clocks_ = 0, hashed_ = 0;
};

// Chips in series on one serial line: commands travel down, responses up.
class ChipChain {
public:
    ChipChain(unsigned chips, const ChipDescription& chip, SimMode mode = SimMode::Functional);

    // Bytes from the host. Complete frames are acted on at once.
    void from_host(std::span<const std::uint8_t> bytes);
    // Bytes waiting for the host (register answers, nonces); cleared by the call.
    std::vector<std::uint8_t> to_host();

    // Advances every chip by `seconds` of hash clock at its programmed frequency.
    void advance(double seconds);
    // Runs until every core has finished its slice (or `max_seconds` pass). Returns seconds run.
    double run_until_idle(double max_seconds);

    std::size_t size() const { return chips_.size(); }
    EmulatedChip& chip(std::size_t i) { return *chips_[i]; }
    std::uint64_t frame_errors() const { return parser_.errors(); }

private:
    void act(const bm13xx::HostFrame& f);

    std::vector<std::unique_ptr<EmulatedChip>> chips_;
    bm13xx::HostFrameParser parser_;
    std::vector<std::uint8_t> upstream_;
    std::vector<double> clock_debt_;
};

}  // namespace hf::hw
