#include "hw_model/asic_driver.hpp"

#include <algorithm>

#include "core/sha256_rounds.hpp"

namespace hf::hw {

using namespace bm13xx;


void Bm13xxDriver::collect(std::vector<VerifiedNonce>* nonces, std::vector<RegisterResponse>* regs) {
    parser_.feed(link_.read());
    while (auto f = parser_.next()) {
        if (!f->is_nonce) {
            ++counters_.register_reads;
            if (regs) regs->push_back(f->reg);
            continue;
        }
        ++counters_.responses;
        // BM1397 layout: job id in bits 7..2 of the job byte, the midstate number in bits 1..0.
        const std::uint8_t id = f->nonce.job_id & 0xfc;
        const auto job = std::find_if(jobs_.begin(), jobs_.end(), [&](const ActiveJob& j) { return j.id == id; });
        if (job == jobs_.end()) {
            ++counters_.stale_dropped;
            continue;
        }
        if (f->nonce.midstate >= job->versions.size()) {
            ++counters_.hardware_errors;
            continue;
        }
        // Never trust the chip: rebuild the header and hash it here.
        HeaderBytes header = job->header;
        const std::uint32_t version = job->versions[f->nonce.midstate];
        sha256::store_le32(header.data(), version);
        sha256::store_le32(header.data() + kHeaderNonceOffset, f->nonce.nonce);
        VerifiedNonce v;
        v.nonce = f->nonce.nonce;
        v.version = version;
        v.midstate = f->nonce.midstate;
        v.job_id = id;
        v.hash = sha256::hash256d(header);
        v.zero_bits = leading_zero_bits(v.hash);
        if (v.zero_bits < floor_) {
            ++counters_.hardware_errors;
            continue;
        }
        if (nonces) nonces->push_back(v);
    }
    counters_.crc_errors = parser_.errors();
}

std::vector<std::uint16_t> Bm13xxDriver::enumerate(unsigned address_interval) {
    link_.write(encode_command({Cmd::Read, true, 0, reg::kChipId, 0}));
    std::vector<RegisterResponse> regs;
    collect(nullptr, &regs);
    std::vector<std::uint16_t> ids;
    for (const auto& r : regs) ids.push_back(static_cast<std::uint16_t>(r.value >> 16));
    link_.write(encode_command({Cmd::ChainInactive, true, 0, 0, 0}));
    for (std::size_t i = 0; i < ids.size(); ++i)
        link_.write(encode_command({Cmd::SetAddress, false, static_cast<std::uint8_t>(i * address_interval), 0, 0}));
    return ids;
}

void Bm13xxDriver::write_register(std::uint8_t reg, std::uint32_t value, std::optional<std::uint8_t> chip) {
    link_.write(encode_command({Cmd::Write, !chip.has_value(), chip.value_or(0), reg, value}));
}

std::optional<std::uint32_t> Bm13xxDriver::read_register(std::uint8_t chip, std::uint8_t reg) {
    link_.write(encode_command({Cmd::Read, false, chip, reg, 0}));
    std::vector<RegisterResponse> regs;
    collect(nullptr, &regs);
    for (const auto& r : regs)
        if (r.chip_address == chip && r.reg_address == reg) return r.value;
    return std::nullopt;
}

void Bm13xxDriver::set_frequency(double mhz) { write_register(reg::kPll0, pll_for_frequency(mhz)); }

void Bm13xxDriver::set_floor_zero_bits(unsigned zero_bits) {
    floor_ = std::min(zero_bits, 64u);
    if (floor_ >= 32) {
        write_register(reg::kTicketMask, ticket_mask_for_difficulty(std::uint64_t{1} << (floor_ - 32)));
        write_register(reg::kEmuZeroBits, 0xffffffffu);
    } else {
        write_register(reg::kTicketMask, ticket_mask_for_difficulty(1));
        write_register(reg::kEmuZeroBits, floor_);
    }
}

void Bm13xxDriver::set_nonce_range(std::uint32_t per_core) { write_register(reg::kNonceRange, per_core); }

std::uint8_t Bm13xxDriver::send_job(const HeaderBytes& header, std::span<const std::uint32_t> versions,
                                   std::uint32_t starting_nonce, bool clean) {
    JobPacket p;
    p.job_id = next_id_;
    next_id_ = static_cast<std::uint8_t>((next_id_ + 8) & 0x7f);  // job ids step by 8, as BM1397 drivers use them
    p.starting_nonce = starting_nonce;
    p.ntime = sha256::load_le32(header.data() + kHeaderTimeOffset);
    p.nbits = sha256::load_le32(header.data() + kHeaderBitsOffset);
    std::copy(header.begin() + kHeaderMerkleTailOffset, header.begin() + kHeaderMerkleTailOffset + 4, p.merkle_tail.begin());
    for (std::uint32_t v : versions) {
        HeaderBytes h = header;
        sha256::store_le32(h.data(), v);
        p.midstates.push_back(header_midstate(h));
    }
    if (clean) jobs_.clear();
    while (jobs_.size() >= 2) jobs_.pop_front();
    jobs_.push_back({p.job_id, header, {versions.begin(), versions.end()}});
    link_.write(encode_job(p));
    return p.job_id;
}

void Bm13xxDriver::poll(std::vector<VerifiedNonce>& out) { collect(&out, nullptr); }

}  // namespace hf::hw
