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
    explicit AsicEmuBackend(const AsicBackendOptions& o)
        : options_(o), chain_(o.chips, chip_config(o)), link_(chain_, o.baud), driver_(link_) {
        chips_found_ = static_cast<unsigned>(driver_.enumerate().size());
        driver_.set_frequency(o.frequency_mhz);
    }

    std::string_view name() const override { return options_.mode == SimMode::Cycle ? "asic-emu-cycle" : "asic-emu"; }
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
        const std::uint64_t units = std::uint64_t{chips_found_} * options_.cores_per_chip;
        const std::uint64_t chunk_max = (options_.mode == SimMode::Cycle ? 512 : 4096) * units;
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
    static ChipConfig chip_config(const AsicBackendOptions& o) {
        ChipConfig c;
        c.core = o.core;
        c.core.midstates = 1;  // the engine hands over one header (version) at a time
        c.cores = o.cores_per_chip;
        c.frequency_mhz = o.frequency_mhz;
        c.mode = o.mode;
        return c;
    }

    AsicBackendOptions options_;
    ChipChain chain_;
    EmulatedSerialLink link_;
    Bm13xxDriver driver_;
    unsigned chips_found_ = 0;
    bool floor_set_ = false;
};

}  // namespace

std::unique_ptr<HashBackend> make_asic_backend(const AsicBackendOptions& options) {
    return std::make_unique<AsicEmuBackend>(options);
}

BackendInfo asic_emu_backend_info(SimMode mode) {
    BackendInfo info;
    info.name = mode == SimMode::Cycle ? "asic-emu-cycle" : "asic-emu";
    info.era = Era::Asic;
    info.supported = [] { return true; };
    info.create = [mode] {
        AsicBackendOptions o;
        o.mode = mode;
        return make_asic_backend(o);
    };
    return info;
}

}  // namespace hf::hw
