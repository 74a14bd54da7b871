// The ONE description of the emulated SHA-256d hash core. Everything else is derived from it: the
// cycle simulator (core_sim), the functional model, the hardware counts behind the area and energy
// figures, the terminal picture and the VCD of `hashforge pipeline`, and (later) generated Verilog.
//
// A hash core computes, for each nonce, the second block of the header's first SHA-256 and the
// whole second SHA-256 (plus the first block when the host does not supply the midstate). Those
// rounds are cut into PipelineStages; each stage owns a register set and does `rounds_per_stage`
// rounds per clock, `loop` times (its hardware is reused `loop` times per hash), so
//   stages  = sum over compressions of ceil(rounds / (rounds_per_stage * loop)),
//   latency = stages * loop + 1 clocks (the +1 is the registered comparator),
//   hashes per clock = midstates / loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hf::hw {

// The knobs real designs turn to trade area for speed, and the ASIC-specific savings, each
// switchable so their effect on the counts (and the energy) can be shown.
struct CoreConfig {
    unsigned rounds_per_stage = 1;  // combinational depth: 1, 2, 4, 8, 16, 32, 64 rounds per clock
    unsigned loop = 1;              // times each stage's hardware is reused per hash: 1 (unrolled) .. 64
    bool midstate_from_host = true;     // off: the core also compresses the header's first block per nonce
    bool precompute_job_rounds = true;  // rounds 0..2 of block 2 (before the nonce word) and W16, W17 per job
    bool hardwire_padding = true;       // constant padding words are wires, not registers and adders
    bool cut_final_rounds = true;       // the second hash stops after round 60: H7 is then known
    unsigned midstates = 1;             // version rolling: midstates per job sharing block 2's schedule (1, 2, 4)

    std::string describe() const;  // e.g. "R1 L1 M1 +midstate +precompute +hardwire +cut"
};

// Throws std::invalid_argument naming the bad field.
void validate(const CoreConfig& config);

enum class Compression : std::uint8_t {
    Block1,  // SHA-256 of header bytes 0..63 (only without midstate_from_host)
    Block2,  // header bytes 64..79 + padding, from the midstate: the first hash's digest
    Hash2,   // SHA-256 of that 32-byte digest: the block hash
};
const char* compression_name(Compression c);

// Where a 32-bit value comes from, which decides whether hardware must compute and hold it.
enum class WordClass : std::uint8_t {
    Constant,  // fixed by the design (padding, length, IV): a wire when hard-wired
    PerJob,    // fixed for a job (merkle tail, time, bits, midstate): computed once per job
    PerNonce,  // changes with every nonce: needs adders and pipeline registers
};

// The hardware one stage contains, counted per instance (once, however often it loops).
struct HardwareCount {
    unsigned adders32 = 0;      // 32-bit carry-propagate adders
    unsigned logic32 = 0;       // 32-bit wide logic functions (Sigma/sigma XOR trees, Ch, Maj, muxes)
    unsigned register_bits = 0; // flip-flops
    unsigned comparator_bits = 0;

    HardwareCount& operator+=(const HardwareCount& o);
};

struct PipelineStage {
    unsigned index = 0;
    Compression compression = Compression::Block2;
    unsigned first_round = 0;   // rounds [first_round, first_round + round_count) of its compression
    unsigned round_count = 0;   // <= rounds_per_stage * loop; the last stage of a compression may be short
    bool starts_compression = false;  // its input is initialised (IV / feed-forward / job words)
    bool shares_schedule = false;     // one message schedule for all midstate lanes (Block2)
    unsigned window_words = 0;        // message words this stage's input register must hold (per schedule)
    HardwareCount hardware;           // per stage instance
    std::string name() const;         // e.g. "b2 r3-3"
};

struct PipelineSpec {
    CoreConfig config;
    std::vector<PipelineStage> stages;
    HardwareCount hardware;        // the whole core: stages, nonce counter, comparator, control
    unsigned latency_clocks = 0;   // nonce issued -> found strobe
    double hashes_per_clock = 0;   // midstates / loop
    unsigned rounds_per_hash = 0;  // rounds actually computed per nonce and lane
    unsigned critical_path_rounds = 0;  // combinational depth in rounds (rounds_per_stage)
    unsigned block2_first_round = 0;    // 3 with per-job precompute, else 0
    unsigned hash2_last_round = 63;     // 60 with the final-round cut
    unsigned lanes = 1;                 // midstates

    // Word classes of the message schedule words 0..63 of a compression (derived from the config).
    std::vector<WordClass> word_classes(Compression c) const;
};

PipelineSpec build_pipeline(const CoreConfig& config);

}  // namespace hf::hw
