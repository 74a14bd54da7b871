// The designs `hashforge pipeline` shows, in one place for the text picture, the sweep table and
// the HTML page: the sweep's configurations, the command-line flags that reproduce a
// configuration, and the job every picture runs (the genesis header from a few nonces before the
// genesis nonce, difficulty-1 comparator).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hw_model/core_sim.hpp"
#include "hw_model/pipeline_spec.hpp"

namespace hf::cli {

// The rows of `pipeline --sweep`: R x L over 1..8 rounds per stage and 1..64 loops ...
std::vector<hw::CoreConfig> design_grid();
// ... then R1 L1 as it is, with each ASIC saving undone in turn, and with four midstates.
std::vector<hw::CoreConfig> saving_variants();

// The `hashforge pipeline` flags that select `config`, e.g. "--rounds-per-stage 4 --loop 4 --no-cut".
std::string pipeline_flags(const hw::CoreConfig& config);

// The first nonce the picture issues (the genesis nonce is the fifth, "E").
std::uint32_t picture_first_nonce();

// What the page shows of one stage register: whether it holds a nonce, which, and the a and e
// working words of its first lane, read through the spec's register map.
struct StageView {
    bool valid = false;
    std::uint32_t nonce = 0, a = 0, e = 0;
};
class StageViewer {
public:
    explicit StageViewer(const hw::PipelineSpec& spec);
    StageView operator()(const hw::CycleCore& core, unsigned stage) const;

private:
    std::vector<const hw::Register*> a_, e_;  // per stage, lane 0
};

// Loads the picture's job into `core`: the genesis header, one version-rolled lane per midstate.
void load_picture_job(hw::CycleCore& core, const hw::CoreConfig& config);

}  // namespace hf::cli
