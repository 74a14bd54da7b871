// The hash-core configuration flags `hashforge pipeline` and `hashforge rtl` share.
#pragma once

#include "cli/args.hpp"
#include "hw_model/pipeline_spec.hpp"

namespace hf::cli {

// --rounds-per-stage R, --loop L, --midstates M and the savings switches.
inline const OptionSpec kCoreConfigOptions[] = {
    {"rounds-per-stage", 'r', true}, {"loop", 'l', true},         {"midstates", 0, true}, {"no-midstate", 0, false},
    {"no-precompute", 0, false},     {"no-hardwire", 0, false},   {"no-cut", 0, false},
};

// Reads them (default rounds per stage as given); an invalid combination is a UsageError.
hw::CoreConfig core_config_from_args(const ParsedArgs& args, unsigned default_rounds_per_stage);

}  // namespace hf::cli
