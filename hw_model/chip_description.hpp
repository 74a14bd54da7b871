// One chip, written down: the description every part of hashforge that needs a chip reads (the
// emulated chip and the asic-emu backend, the energy model, `chip`, `pipeline --sweep`, the joules
// table). A description is a JSON file; the ones that ship live in chips/ (compiled in, so the
// program needs no data directory), any other is read from its path:
//
//   {"name": "BM1397", "node_nm": 7, "cores": 168, "mhz": 620,        <- required
//    "voltage": 0.36,                                                 <- optional: else estimated
//    "core": {"rounds_per_stage": 1, "loop": 1, "midstates": 4,       <- optional: else the unrolled
//             "midstate": true, "precompute": true,                      core of the BM1387
//             "hardwire": true, "cut": true},
//    "protocol": "bm1397",                                            <- optional: bm1366 | bm1397
//    "machine": {"name": "Antminer S19", "chips": 228,                <- optional: wall figures
//                "psu_efficiency": 0.93, "fans_control_w": 80,
//                "published": {"hashrate_ths": 95, "wall_power_w": 3250, "source": "..."}},
//    "description": "...", "sources": {"cores": "...", "mhz": "..."}} <- optional: prose
//
// Every error names the file and the key, on one line (docs/chips.md has the full format).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hw_model/pipeline_spec.hpp"

namespace hf::hw {

// A description that cannot be read or does not make sense. what() is one line: "FILE: key 'K': why".
class ChipDescriptionError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

enum class ChipProtocol { None, Bm1366, Bm1397 };
const char* protocol_name(ChipProtocol p);  // "", "bm1366", "bm1397"

// A miner's published figures (the whole machine, at the wall): reference data, never fitted to
// except by the one calibration chip (energy_model.hpp).
struct PublishedMachine {
    double hashrate_ths = 0;
    double wall_power_w = 0;
    std::string source;
    double wall_j_per_th() const { return wall_power_w / hashrate_ths; }
};

// The machine the chips sit in, for wall-plug figures.
struct MachineDescription {
    std::string name;
    unsigned chips = 0;
    double psu_efficiency = 0;  // AC -> DC
    double fans_control_w = 0;  // fans and control board
    std::optional<PublishedMachine> published;
};

struct ChipDescription {
    std::string name;
    double node_nm = 0;
    unsigned cores = 0;              // hash cores on the die, each a `core` design
    double mhz = 0;                  // hash clock
    std::optional<double> voltage;   // core supply; absent: the energy model estimates one
    CoreConfig core;                 // default: the fully unrolled core the model uses for the BM1387
    ChipProtocol protocol = ChipProtocol::None;
    std::optional<MachineDescription> machine;
    std::string description;                    // free text
    std::map<std::string, std::string> sources; // key -> where its value comes from
    std::string file;                           // where it was read from ("chips/bm1397.json", a path)

    // The id register 0 answers with: the protocol's chip (0x1366, 0x1397); without a protocol the
    // emulator's in-process BM1397-style framing, so 0x1397.
    std::uint16_t chip_id() const;
};

// Parses one description; `file` is only used in error messages and kept in ChipDescription::file.
ChipDescription parse_chip_description(std::string_view json_text, const std::string& file);
// Reads a description file. Throws ChipDescriptionError (unreadable file, bad JSON, bad key).
ChipDescription read_chip_description(const std::string& path);

// The descriptions compiled in from chips/, sorted by file name.
const std::vector<ChipDescription>& shipped_chips();
// A shipped chip by its name or file stem, case-insensitively ("bm1397", "BM1397", "asic-emu").
// Throws ChipDescriptionError listing the known names.
const ChipDescription& shipped_chip(std::string_view name);
// `--model NAME|FILE`: a path (contains '/', ends in ".json" or names an existing file) is read;
// anything else is a shipped chip's name.
ChipDescription find_chip(const std::string& name_or_file);

}  // namespace hf::hw
