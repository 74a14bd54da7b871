// Fuzz target: chip description files (chips/*.json and any file a user passes to --model). The
// bytes are parsed as a description and, when they parse, given to the energy model as
// `hashforge chip --energy` does. The contract under test: a bad file raises ChipDescriptionError
// (one line naming the file and key), nothing else escapes, and a description that parses yields a
// report whose figures are finite and positive.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "hw_model/chip_description.hpp"
#include "hw_model/energy_report.hpp"

using namespace hf::hw;

namespace {

void require(bool ok) {
    if (!ok) std::abort();  // a finding: the report broke its own promise
}

void check_report(const EnergyReport& r) {
    for (double v : {r.voltage, r.hashrate_hs, r.power_w, r.j_per_th, r.area_mm2}) require(std::isfinite(v) && v > 0);
    require(r.voltage_source == "given" || r.voltage_source == "estimated");
    if (r.machine) require(std::isfinite(r.machine->wall_j_per_th) && r.machine->wall_j_per_th > 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const ChipDescription chip = parse_chip_description(text, "fuzz.json");
        check_report(energy_report(chip));
    } catch (const ChipDescriptionError& e) {
        require(std::string_view(e.what()).find('\n') == std::string_view::npos);  // one line
    }
    return 0;
}
