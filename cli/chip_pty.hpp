// `hashforge chip --pty PATH`: serve a chain of emulated chips on a pseudo-terminal, speaking the
// real chips' wire protocol (docs/serial-chip.md).
#pragma once

#include "cli/args.hpp"
#include "hw_model/chip_description.hpp"

namespace hf::cli {

int run_chip_pty(const hw::ChipDescription& chip, const ParsedArgs& args);

}  // namespace hf::cli
