// `hashforge pipeline --html FILE`: one self-contained page (script, style and data inline, no
// network) that animates the emulated hash core clock by clock for several designs, charts the
// design sweep and shows the CPU -> GPU -> ASIC hashes-per-joule comparison.
//
// Every clock on the page is a register snapshot of hw::CycleCore taken when the page is written,
// from the same job as the text picture (load_picture_job), so the page and `hashforge pipeline`
// agree clock for clock.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "hw_model/energy_model.hpp"
#include "hw_model/pipeline_spec.hpp"

namespace hf::cli {

struct PipelinePageOptions {
    hw::CoreConfig chosen;               // shown first and highlighted in the sweep
    const hw::TechnologyNode* node = nullptr;
    double voltage = 0;
    double mhz = 0;                      // 0: the model's estimate
    std::optional<std::string> joules_path;  // a `bench --joules --json` file; default docs/joules.json as built in
};

// The page's data: the traced designs, the sweep and the joules rows. Throws std::invalid_argument
// for a joules file that is not a `bench --joules` report.
nlohmann::json pipeline_page_data(const PipelinePageOptions& options);

// The page itself: the built-in HTML with `data` inline.
std::string pipeline_page_html(const nlohmann::json& data);

// Writes the page to `path` and prints what it holds. Returns the process exit code.
int write_pipeline_page(const std::string& path, const PipelinePageOptions& options);

}  // namespace hf::cli
