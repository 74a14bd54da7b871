// The ASIC rows of `bench --joules`: hw_model's energy model for each configured chip design.
// Kept in the CLI so that hashforge_joules does not depend on hw_model.
#pragma once

#include <string>
#include <vector>

#include "bench/joules/joules_row.hpp"

namespace hf::cli {

// Appends one modeled row per chip configuration (era "asic", power_source "modeled") and any
// notes on what the model does or does not cover.
void asic_model_rows(std::vector<joules::JoulesRow>& rows, std::vector<std::string>& notes);

}  // namespace hf::cli
