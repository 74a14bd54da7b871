// The ONE description of the emulated SHA-256d hash core. Everything else is derived from it: the
// cycle simulator (core_sim), the functional model, the hardware counts behind the area and energy
// figures, the terminal picture and the VCD of `hashforge pipeline`, and the generated Verilog
// (hw_model/rtl_writer): all of them name and index the core's state through its RegisterMap.
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
    unsigned last_round = 0;    // the compression's last round (the window keeps only words up to it)
    bool starts_compression = false;  // its input is initialised (IV / feed-forward / job words)
    HardwareCount hardware;           // per stage instance
    std::string name() const;         // e.g. "b2 r3-3"
};

// ---- the register map: every named register of the core ---------------------------------------
// One entry per register of at most 32 bits. The cycle core keeps one 32-bit word per control and
// stage entry (at `offset` in its register bank), the VCD and the Verilog name their signals
// `name`, and the register-bit count (area, clock energy) is the sum of `width` over the entries
// that are flip-flops in silicon.
enum class RegisterScope : std::uint8_t { Control, Stage, Job };
enum class RegisterField : std::uint8_t {
    Counter, RemainingLo, RemainingHi, Pass, Found, FoundNonce, FoundLanes,  // control
    Valid, Nonce, State, Window, Chain,                                    // per stage
    JobWord,                                                               // job register
};
// What silicon has for an entry. The cycle core holds a word for every control and stage entry
// either way; only FlipFlop entries are counted and toggled; FlipFlop and Unused entries are
// registers in the RTL and compared with it clock by clock.
enum class Storage : std::uint8_t {
    FlipFlop,  // a register
    Unused,    // computed but never read later: synthesis removes it (kept in the RTL for co-simulation)
    Constant,  // a constant wire (hard-wired padding, words past W63, unused lane windows)
    JobWire,   // a wire from a job register (the per-job precompute's words)
};
struct Register {
    std::string name;   // e.g. "nonce_counter", "s3_valid", "s3_e", "s3_l1_w5", "job_w16"
    RegisterScope scope = RegisterScope::Control;
    RegisterField field = RegisterField::Counter;
    unsigned stage = 0;  // Stage scope
    unsigned lane = 0;
    unsigned index = 0;  // state word 0..7 (a..h), window word 0..15, chain word 0..7, job word
    unsigned width = 32;
    unsigned offset = 0;  // word in the cycle core's bank (control and stage scopes)
    Storage storage = Storage::FlipFlop;
    std::uint32_t constant = 0;  // Constant: the value; JobWire: the JobRegister it reads
    bool is_register() const { return storage == Storage::FlipFlop || storage == Storage::Unused; }
};

// The cycle core's bank: control words, then one equal block of words per stage.
struct RegisterMap {
    std::vector<Register> registers;  // control, stage 0, stage 1, ..., job
    unsigned control_words = 0;
    unsigned stage_words = 0;
    // Offsets inside a stage block (identical for every stage).
    unsigned valid = 0, nonce = 1;
    unsigned state0 = 0, window0 = 0, chain0 = 0;
    bool has_chain = false;  // only without a host midstate
    unsigned state(unsigned lane) const { return state0 + 8 * lane; }
    unsigned window(unsigned lane) const { return window0 + 16 * lane; }
    unsigned chain(unsigned lane) const { return chain0 + 8 * lane; }
    unsigned control(RegisterField f) const;  // bank offset of a control register
    unsigned bank_words(std::size_t stages) const { return control_words + stage_words * static_cast<unsigned>(stages); }
    unsigned flip_flop_bits(RegisterScope scope) const;
    std::vector<std::uint32_t> flip_flop_masks() const;  // per bank word: the bits that are flip-flops
};

struct PipelineSpec {
    CoreConfig config;
    std::vector<PipelineStage> stages;
    RegisterMap registers;
    HardwareCount hardware;        // the whole core: stages, nonce counter, comparator, control
    unsigned latency_clocks = 0;   // nonce issued -> found strobe
    double hashes_per_clock = 0;   // midstates / loop
    unsigned rounds_per_hash = 0;  // rounds actually computed per nonce and lane
    unsigned block2_first_round = 0;    // 3 with per-job precompute, else 0
    unsigned hash2_last_round = 63;     // 60 with the final-round cut
    unsigned lanes = 1;                 // midstates
    unsigned pass_bits = 0;             // width of the pass counter: log2(loop)
};

// The generated RTL's core module; the VCD of `hashforge pipeline` uses it as its scope too.
inline constexpr const char* kRtlModuleName = "hf_core";

// The job registers the per-job precompute writes and stage wires read (map entries of scope Job).
enum JobRegister : std::uint32_t { kJobTail0, kJobTail1, kJobTail2, kJobW16, kJobW17 };

PipelineSpec build_pipeline(const CoreConfig& config);

// Word classes of the message schedule words 0..63 of a compression (derived from the config).
std::vector<WordClass> word_classes(Compression c);
// The SHA-256 padding words hard-wired into block 2 and the second hash.
std::uint32_t constant_word(Compression c, unsigned t);
// Builds spec.registers from the stages (called by build_pipeline; hw_model/register_map.cpp).
RegisterMap build_register_map(const PipelineSpec& spec);

}  // namespace hf::hw
