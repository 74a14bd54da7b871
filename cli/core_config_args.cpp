#include "cli/core_config_args.hpp"

#include <stdexcept>

namespace hf::cli {

hw::CoreConfig core_config_from_args(const ParsedArgs& args, unsigned default_rounds_per_stage) {
    hw::CoreConfig cfg;
    cfg.rounds_per_stage = static_cast<unsigned>(args.get_int("rounds-per-stage", 1, 64).value_or(default_rounds_per_stage));
    cfg.loop = static_cast<unsigned>(args.get_int("loop", 1, 64).value_or(1));
    cfg.midstates = static_cast<unsigned>(args.get_int("midstates", 1, 4).value_or(1));
    cfg.midstate_from_host = !args.has("no-midstate");
    cfg.precompute_job_rounds = !args.has("no-precompute");
    cfg.hardwire_padding = !args.has("no-hardwire");
    cfg.cut_final_rounds = !args.has("no-cut");
    try {
        hw::validate(cfg);
    } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
    }
    return cfg;
}

}  // namespace hf::cli
