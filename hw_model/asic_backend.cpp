#include "hw_model/asic_backend.hpp"

#include <algorithm>

#include "core/sha256_rounds.hpp"
#include "core/target.hpp"
#include "hw_model/asic_driver.hpp"
#include "hw_model/serial_link.hpp"

namespace hf::hw {
namespace {

class AsicEmuBackend final : public HashBackend {
public:
    AsicEmuBackend(const ChipDescription& chip, SimMode mode, unsigned chips, unsigned baud)
        : mode_(mode), cores_per_chip_(chip.cores), chain_(chips, one_midstate(chip), mode), link_(chain_, baud), driver_(link_) {
        chips_found_ = static_cast<unsigned>(driver_.enumerate().size());
        driver_.set_frequency(chip.mhz);
    }

    std::string_view name() const override { return mode_ == SimMode::Cycle ? "asic-emu-cycle" : "asic-emu"; }
    Era era() const override { return Era::Asic; }

    std::uint64_t scan(const ScanWork& work, NonceRange range, std::vector<std::uint32_t>& found,
                       const std::atomic<bool>& stop) override {
        // The chip's floor: every hash at or below the target has at least this many leading zeros.
        const unsigned floor = static_cast<unsigned>(256 - work.target.bit_length());
        if (floor != driver_.floor_zero_bits() || !floor_set_) {
            driver_.set_floor_zero_bits(floor);
            floor_set_ = true;
        }
        const std::uint32_t version = sha256::load_le32(work.header.data());
        const std::uint64_t units = std::uint64_t{chips_found_} * cores_per_chip_;
        // Each chunk is one job per core, run until idle: a cycle-mode core spends its pipeline's
        // latency draining at the end of it, so short chunks cost clocks that hash nothing (512
        // nonces per core spent a fifth of the clocks draining a 123-stage pipeline).
        const std::uint64_t chunk_max = 4096 * units;
        std::uint64_t done = 0;
        std::vector<VerifiedNonce> nonces;
        while (done < range.count && !stop.load(std::memory_order_relaxed)) {
            const std::uint64_t chunk = std::min(chunk_max, range.count - done);
            const auto first = static_cast<std::uint32_t>(range.first + done);
            const auto slice = static_cast<std::uint32_t>((chunk + units - 1) / units);
            driver_.set_nonce_range(slice);
            driver_.send_job(work.header, std::span(&version, 1), first);
            chain_.run_until_idle(60.0);
            nonces.clear();
            driver_.poll(nonces);
            for (const auto& n : nonces) {
                // Slices may run past the chunk when it does not divide evenly: keep only the range.
                if (static_cast<std::uint32_t>(n.nonce - first) >= chunk) continue;
                if (hash_meets_target(n.hash, work.target)) found.push_back(n.nonce);
            }
            done += chunk;
        }
        return done;
    }

private:
    static ChipDescription one_midstate(ChipDescription chip) {
        chip.core.midstates = 1;  // the engine hands over one header (version) at a time
        return chip;
    }

    SimMode mode_;
    unsigned cores_per_chip_;
    ChipChain chain_;
    EmulatedSerialLink link_;
    Bm13xxDriver driver_;
    unsigned chips_found_ = 0;
    bool floor_set_ = false;
};

}  // namespace

std::unique_ptr<HashBackend> make_asic_backend(const ChipDescription& chip, SimMode mode, unsigned chips, unsigned baud) {
    return std::make_unique<AsicEmuBackend>(chip, mode, chips, baud);
}

BackendInfo asic_emu_backend_info(SimMode mode) {
    BackendInfo info;
    info.name = mode == SimMode::Cycle ? "asic-emu-cycle" : "asic-emu";
    info.era = Era::Asic;
    info.supported = [] { return true; };
    info.create = [mode] { return make_asic_backend(shipped_chip("asic-emu"), mode); };
    return info;
}

}  // namespace hf::hw
