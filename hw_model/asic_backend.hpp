// `asic-emu`: the search engine's HashBackend that mines through emulated chips. Every nonce it
// reports was found by the modeled silicon (cycle or functional), travelled up the modeled serial
// line as a BM13xx response, and was re-hashed by the host driver.
#pragma once

#include "core/hash_backend.hpp"
#include "hw_model/asic_chip.hpp"

namespace hf::hw {

struct AsicBackendOptions {
    SimMode mode = SimMode::Functional;
    CoreConfig core;            // the default emulated design
    unsigned chips = 1;
    unsigned cores_per_chip = 4;
    double frequency_mhz = 500;
    unsigned baud = 115200;
};

std::unique_ptr<HashBackend> make_asic_backend(const AsicBackendOptions& options);
// "asic-emu" (functional) and "asic-emu-cycle" (every register every clock).
BackendInfo asic_emu_backend_info(SimMode mode);

}  // namespace hf::hw
