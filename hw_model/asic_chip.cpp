#include "hw_model/asic_chip.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

#include "core/sha256_rounds.hpp"

namespace hf::hw {

using namespace bm13xx;

const char* sim_mode_name(SimMode m) { return m == SimMode::Cycle ? "cycle" : "functional"; }

EmulatedChip::EmulatedChip(ChipDescription chip, SimMode mode, unsigned address_interval)
    : chip_(std::move(chip)), mode_(mode), address_interval_(address_interval), spec_(build_pipeline(chip_.core)) {
    if (chip_.cores == 0 || chip_.cores > 4096) throw std::invalid_argument("a chip has 1 to 4096 cores");
    if (address_interval_ == 0) throw std::invalid_argument("chip address interval must be positive");
    registers_[reg::kPll0] = pll_for_frequency(chip_.mhz);
    registers_[reg::kTicketMask] = 0;  // difficulty 1
    registers_[reg::kEmuZeroBits] = 0xffffffffu;
    registers_[reg::kNonceRange] = 0;  // 0: 2^32 / cores
    for (unsigned k = 0; k < chip_.cores; ++k) {
        if (mode_ == SimMode::Cycle) cycle_cores_.push_back(std::make_unique<CycleCore>(spec_));
        else functional_cores_.push_back(std::make_unique<FunctionalCore>(spec_));
    }
    next_nonce_.assign(chip_.cores, 0);
    left_.assign(chip_.cores, 0);
}

double EmulatedChip::frequency_mhz() const { return frequency_from_pll(read_register(reg::kPll0)); }

double EmulatedChip::hashrate() const { return chip_.cores * spec_.hashes_per_clock * frequency_mhz() * 1e6; }

std::uint32_t EmulatedChip::read_register(std::uint8_t r) const {
    if (r == reg::kChipId)  // chip id, core count (capped to a byte), address
        return static_cast<std::uint32_t>(chip_.chip_id()) << 16 | std::min(chip_.cores, 255u) << 8 | address_;
    const auto it = registers_.find(r);
    return it == registers_.end() ? 0 : it->second;
}

void EmulatedChip::write_register(std::uint8_t r, std::uint32_t value) {
    if (r == reg::kChipId) return;  // read-only
    if (r == reg::kPll0 && frequency_from_pll(value) <= 0) return;  // a PLL that cannot lock is ignored
    registers_[r] = value;
}

unsigned EmulatedChip::zero_bits() const {
    const std::uint32_t emu = read_register(reg::kEmuZeroBits);
    if (emu < 32) return emu;
    const std::uint64_t difficulty = difficulty_from_ticket_mask(read_register(reg::kTicketMask));
    return std::min(64u, 32u + static_cast<unsigned>(std::bit_width(difficulty) - 1));
}

void EmulatedChip::load_job(const JobPacket& job) {
    job_ = job;
    have_job_ = true;
    const unsigned lanes = spec_.lanes;
    CoreJob cj;
    for (unsigned m = 0; m < lanes; ++m) cj.midstates.push_back(job.midstates[std::min<std::size_t>(m, job.midstates.size() - 1)]);
    cj.tail = {sha256::load_be32(job.merkle_tail.data()), __builtin_bswap32(job.ntime), __builtin_bswap32(job.nbits)};
    cj.zero_bits = zero_bits();
    const std::uint64_t slice = read_register(reg::kNonceRange) != 0 ? read_register(reg::kNonceRange)
                                                                     : (std::uint64_t{1} << 32) / chip_.cores;
    const std::uint64_t position = address_ / address_interval_;
    for (unsigned k = 0; k < chip_.cores; ++k) {
        const auto base = static_cast<std::uint32_t>(job.starting_nonce + (position * chip_.cores + k) * slice);
        if (mode_ == SimMode::Cycle) {
            cycle_cores_[k]->load_job(cj, base, slice);
        } else {
            functional_cores_[k]->load_job(cj);
            next_nonce_[k] = base;
            left_[k] = slice;
        }
    }
    carry_ = 0;
}

void EmulatedChip::emit(std::uint32_t nonce, unsigned lanes, std::vector<std::uint8_t>& upstream) const {
    for (unsigned m = 0; m < spec_.lanes; ++m) {
        if (!(lanes & (1u << m)) || m >= job_.midstates.size()) continue;  // padding lanes are not reported
        // As a BM1397 sends it: the midstate number in byte 6 and in the job byte's low two bits.
        const auto job_byte = static_cast<std::uint8_t>((job_.job_id & 0xfc) | m);
        const auto bytes = encode_nonce_response({nonce, static_cast<std::uint8_t>(m), job_byte, std::nullopt});
        upstream.insert(upstream.end(), bytes.begin(), bytes.end());
    }
}

void EmulatedChip::run(std::uint64_t clocks, std::vector<std::uint8_t>& upstream) {
    clocks_ += clocks;
    if (!have_job_) return;
    if (mode_ == SimMode::Cycle) {
        for (auto& core : cycle_cores_) {
            const std::uint64_t before = core->issued();
            for (std::uint64_t c = 0; c < clocks; ++c) {
                if (core->drained() && !core->found()) break;  // the rest of the clocks change nothing
                core->clock();
                if (core->found()) emit(core->found_nonce(), core->found_lanes(), upstream);
            }
            hashed_ += core->issued() - before;
        }
        return;
    }
    // Functional: each core retires loop-factor-limited nonces per clock, no stage model.
    carry_ += static_cast<double>(clocks) / chip_.core.loop;
    const auto nonces = static_cast<std::uint64_t>(carry_);
    carry_ -= static_cast<double>(nonces);
    std::vector<CoreHit> hits;
    for (unsigned k = 0; k < chip_.cores; ++k) {
        const std::uint64_t n = std::min(nonces, left_[k]);
        if (n == 0) continue;
        hits.clear();
        functional_cores_[k]->scan(next_nonce_[k], n, hits);
        for (const auto& h : hits) emit(h.nonce, 1u << h.lane, upstream);
        next_nonce_[k] += static_cast<std::uint32_t>(n);
        left_[k] -= n;
        hashed_ += n;
    }
}

bool EmulatedChip::idle() const {
    if (!have_job_) return true;
    if (mode_ == SimMode::Cycle)
        return std::all_of(cycle_cores_.begin(), cycle_cores_.end(), [](const auto& c) { return c->drained() && !c->found(); });
    return std::all_of(left_.begin(), left_.end(), [](std::uint64_t l) { return l == 0; });
}

std::uint64_t EmulatedChip::toggles() const {
    std::uint64_t t = 0;
    for (const auto& c : cycle_cores_) t += c->toggles();
    return t;
}

// ---- the chain ----------------------------------------------------------------------------------

ChipChain::ChipChain(unsigned chips, const ChipDescription& chip, SimMode mode) {
    if (chips == 0 || chips > 256) throw std::invalid_argument("a chain has 1 to 256 chips");
    for (unsigned i = 0; i < chips; ++i) chips_.push_back(std::make_unique<EmulatedChip>(chip, mode));
    clock_debt_.assign(chips, 0);
}

void ChipChain::from_host(std::span<const std::uint8_t> bytes) {
    parser_.feed(bytes);
    while (auto f = parser_.next()) act(*f);
}

std::vector<std::uint8_t> ChipChain::to_host() {
    std::vector<std::uint8_t> out;
    out.swap(upstream_);
    return out;
}

void ChipChain::act(const HostFrame& f) {
    if (f.is_job) {  // jobs go to every chip
        for (auto& c : chips_) c->load_job(f.job);
        return;
    }
    const Command& c = f.command;
    switch (c.cmd) {
        case Cmd::ChainInactive:
            for (auto& chip : chips_) chip->enter_addressing_mode();
            return;
        case Cmd::SetAddress:
            // The first chip without an address keeps the command; addressed chips pass it on.
            for (auto& chip : chips_)
                if (!chip->addressed()) {
                    chip->assign_address(c.chip_address);
                    return;
                }
            return;
        case Cmd::Write:
            for (auto& chip : chips_)
                if (c.broadcast || chip->address() == c.chip_address) chip->write_register(c.reg_address, c.value);
            return;
        case Cmd::Read:
            for (auto& chip : chips_)
                if (c.broadcast || chip->address() == c.chip_address) {
                    const auto bytes = encode_register_response({chip->read_register(c.reg_address), chip->address(), c.reg_address});
                    upstream_.insert(upstream_.end(), bytes.begin(), bytes.end());
                }
            return;
    }
}

void ChipChain::advance(double seconds) {
    for (std::size_t i = 0; i < chips_.size(); ++i) {
        clock_debt_[i] += seconds * chips_[i]->frequency_mhz() * 1e6;
        const auto clocks = static_cast<std::uint64_t>(clock_debt_[i]);
        clock_debt_[i] -= static_cast<double>(clocks);
        chips_[i]->run(clocks, upstream_);
    }
}

double ChipChain::run_until_idle(double max_seconds) {
    double ran = 0;
    const double step = 1e-4;  // 100 us of hash clock per step
    while (ran < max_seconds && !std::all_of(chips_.begin(), chips_.end(), [](const auto& c) { return c->idle(); })) {
        advance(step);
        ran += step;
    }
    return ran;
}

}  // namespace hf::hw
