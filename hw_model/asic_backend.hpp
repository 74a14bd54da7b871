// `asic-emu`: the search engine's HashBackend that mines through emulated chips. Every nonce it
// reports was found by the modeled silicon (cycle or functional), travelled up the modeled serial
// line as a BM13xx response, and was re-hashed by the host driver.
#pragma once

#include "core/hash_backend.hpp"
#include "hw_model/asic_chip.hpp"

namespace hf::hw {

// A chain of `chips` emulated `chip`s on a modeled serial line of `baud`. The engine hands over
// one header (version) at a time, so every core hashes one midstate whatever the description says.
std::unique_ptr<HashBackend> make_asic_backend(const ChipDescription& chip, SimMode mode, unsigned chips = 1,
                                               unsigned baud = 115200);
// "asic-emu" (functional) and "asic-emu-cycle" (every register every clock): one chip as chips/asic-emu.json
// describes it.
BackendInfo asic_emu_backend_info(SimMode mode);

}  // namespace hf::hw
