#include "cli/pipeline_designs.hpp"

#include "core/block_header.hpp"

namespace hf::cli {

std::vector<hw::CoreConfig> design_grid() {
    std::vector<hw::CoreConfig> out;
    for (unsigned R : {1u, 2u, 4u, 8u})
        for (unsigned L : {1u, 4u, 16u, 64u}) {
            if (R * L > 64) continue;
            hw::CoreConfig c;
            c.rounds_per_stage = R;
            c.loop = L;
            out.push_back(c);
        }
    return out;
}

std::vector<hw::CoreConfig> saving_variants() {
    std::vector<hw::CoreConfig> out;
    for (int i = 0; i < 6; ++i) {
        hw::CoreConfig c;
        if (i == 1) c.midstate_from_host = false;
        if (i == 2) c.precompute_job_rounds = false;
        if (i == 3) c.hardwire_padding = false;
        if (i == 4) c.cut_final_rounds = false;
        if (i == 5) c.midstates = 4;
        out.push_back(c);
    }
    return out;
}

std::string pipeline_flags(const hw::CoreConfig& c) {
    std::string f = "--rounds-per-stage " + std::to_string(c.rounds_per_stage) + " --loop " + std::to_string(c.loop);
    if (c.midstates != 1) f += " --midstates " + std::to_string(c.midstates);
    if (!c.midstate_from_host) f += " --no-midstate";
    if (!c.precompute_job_rounds) f += " --no-precompute";
    if (!c.hardwire_padding) f += " --no-hardwire";
    if (!c.cut_final_rounds) f += " --no-cut";
    return f;
}

StageViewer::StageViewer(const hw::PipelineSpec& spec) : a_(spec.stages.size()), e_(spec.stages.size()) {
    for (const hw::Register& r : spec.registers.registers)
        if (r.scope == hw::RegisterScope::Stage && r.field == hw::RegisterField::State && r.lane == 0) {
            if (r.index == 0) a_.at(r.stage) = &r;
            if (r.index == 4) e_.at(r.stage) = &r;
        }
}

StageView StageViewer::operator()(const hw::CycleCore& core, unsigned stage) const {
    return {core.stage_valid(stage), core.stage_nonce(stage), a_[stage] ? core.value(*a_[stage]) : 0,
            e_[stage] ? core.value(*e_[stage]) : 0};
}

std::uint32_t picture_first_nonce() { return kGenesisNonce - 4; }

void load_picture_job(hw::CycleCore& core, const hw::CoreConfig& config) {
    std::vector<std::uint32_t> versions;
    for (unsigned m = 0; m < config.midstates; ++m) versions.push_back(1 + (m << 13));
    core.load_job(hw::core_job_from_header(genesis_block_header().serialize(), versions, 32), picture_first_nonce(),
                  std::uint64_t{1} << 32);
}

}  // namespace hf::cli
