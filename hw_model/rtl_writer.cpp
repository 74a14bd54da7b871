#include "hw_model/rtl_writer.hpp"

#include <bit>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "core/sha256.hpp"

namespace hf::hw {
namespace {

std::string hex32(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "32'h%08x", v);
    return b;
}

std::string num(unsigned v) { return std::to_string(v); }

std::string sized(unsigned width, unsigned v) { return num(width) + "'d" + num(v); }

std::string decl(const char* kind, unsigned width, const std::string& name) {
    return std::string(kind) + (width > 1 ? " [" + num(width - 1) + ":0] " : " ") + name;
}

// The map's entries of one stage, by field.
struct StageRegs {
    const Register* valid = nullptr;
    const Register* nonce = nullptr;
    std::vector<const Register*> state, window, chain;  // [lane * 8 + i], [lane * 16 + j], [lane * 8 + i]
};

std::vector<StageRegs> stage_regs(const PipelineSpec& spec) {
    std::vector<StageRegs> out(spec.stages.size());
    for (const Register& r : spec.registers.registers) {
        if (r.scope != RegisterScope::Stage) continue;
        StageRegs& s = out[r.stage];
        switch (r.field) {
            case RegisterField::Valid: s.valid = &r; break;
            case RegisterField::Nonce: s.nonce = &r; break;
            case RegisterField::State: s.state.push_back(&r); break;
            case RegisterField::Window: s.window.push_back(&r); break;
            case RegisterField::Chain: s.chain.push_back(&r); break;
            default: break;
        }
    }
    return out;
}

std::vector<const Register*> job_regs(const PipelineSpec& spec) {
    std::vector<const Register*> out;
    for (const Register& r : spec.registers.registers)
        if (r.scope == RegisterScope::Job) out.push_back(&r);
    return out;
}

const Register& control_reg(const PipelineSpec& spec, RegisterField f) {
    for (const Register& r : spec.registers.registers)
        if (r.scope == RegisterScope::Control && r.field == f) return r;
    throw std::logic_error("register map without a control register");
}

// {x[last], ..., x[0]}: word i of a packed vector sits at [i*32 +: 32].
std::string pack(const std::vector<std::string>& words) {
    std::string s = "{";
    for (std::size_t i = words.size(); i-- > 0;) s += words[i] + (i ? ", " : "}");
    return s;
}

std::string word(const std::string& vec, unsigned i) { return vec + "[" + num(i * 32) + " +: 32]"; }

class CoreWriter {
public:
    explicit CoreWriter(const PipelineSpec& spec) : spec_(spec), regs_(stage_regs(spec)), job_(job_regs(spec)) {}
    std::string write();

private:
    std::string job_name(unsigned index) const { return job_[index]->name; }
    std::string job_lane(unsigned lane, const std::string& what) const {
        return "job_" + (spec_.lanes > 1 ? "l" + num(lane) + "_" : std::string()) + what;
    }
    // The input of stage s's next-state logic for one of its registers: the previous stage's
    // register (or the nonce counter's feeder) at pass 0, else its own.
    std::string input(const Register* own, const Register* prev_or_null, const std::string& feeder) const {
        const std::string prev = prev_or_null ? prev_or_null->name : feeder;
        if (spec_.config.loop == 1) return prev;
        return "(pass_e == " + sized(spec_.pass_bits, 0) + " ? " + prev + " : " + own->name + ")";
    }
    void declarations();
    void stage_logic(unsigned s);
    void start_compression(unsigned s, const std::string& n);
    void rounds(unsigned s, const std::string& n);
    void control();

    const PipelineSpec& spec_;
    std::vector<StageRegs> regs_;
    std::vector<const Register*> job_;
    std::ostringstream o_;
};

void CoreWriter::declarations() {
    const unsigned M = spec_.lanes;
    const unsigned P = spec_.pass_bits;
    o_ << "  // Job registers (outside this module, see hf_top), in register-map order.\n";
    for (const Register* r : job_) o_ << "  " << decl("wire", 32, r->name) << " = job[" << r->index * 32 << " +: 32];\n";
    o_ << "\n  // Control registers.\n";
    for (const Register& r : spec_.registers.registers) {
        if (r.scope != RegisterScope::Control) continue;
        if (r.is_register()) o_ << "  " << decl("reg", r.width, r.name) << ";\n";
        else o_ << "  " << decl("wire", r.width, r.name) << " = " << r.width << "'d0;  // unrolled: no pass counter\n";
    }
    o_ << "  // `load` makes the job bus the job during this clock: the pipeline is flushed, the counter restarts.\n";
    o_ << "  wire " << (P > 0 ? "[" + num(P - 1) + ":0] " : "") << "pass_e = load ? " << sized(std::max(1u, P), 0) << " : pass;\n";
    o_ << "  wire [31:0] counter_e = load ? job_first_nonce : nonce_counter;\n";
    o_ << "  wire [63:0] remaining_e = load ? {job_count_hi, job_count_lo} : {remaining_hi, remaining_lo};\n";
    o_ << "  wire issue = pass_e == " << sized(std::max(1u, P), 0) << " && remaining_e != 64'd0;\n\n";
    for (unsigned s = 0; s < spec_.stages.size(); ++s) {
        const StageRegs& sr = regs_[s];
        o_ << "  // stage " << s << ": " << spec_.stages[s].name() << "\n";
        std::vector<const Register*> all = {sr.valid, sr.nonce};
        all.insert(all.end(), sr.state.begin(), sr.state.end());
        all.insert(all.end(), sr.window.begin(), sr.window.end());
        all.insert(all.end(), sr.chain.begin(), sr.chain.end());
        for (const Register* r : all) {
            if (r->is_register()) {
                o_ << "  " << decl("reg", r->width, r->name) << ";\n";
            } else if (r->storage == Storage::Constant) {
                o_ << "  " << decl("wire", r->width, r->name) << " = " << hex32(r->constant) << ";\n";
            } else {
                o_ << "  " << decl("wire", r->width, r->name) << " = " << job_name(r->constant) << ";\n";
            }
        }
        const std::string n = "n" + num(s) + "_";
        o_ << "  reg " << n << "valid;\n  reg [31:0] " << n << "nonce;\n";
        for (unsigned m = 0; m < M; ++m) {
            o_ << "  reg [255:0] " << n << "st" << m << ";\n  reg [511:0] " << n << "w" << m << ";\n";
            if (spec_.registers.has_chain) o_ << "  reg [255:0] " << n << "ch" << m << ";\n";
        }
        if (spec_.config.loop > 1) o_ << "  reg " << n << "go, " << n << "sch;\n  reg [31:0] " << n << "k;\n  reg [3:0] " << n << "ix, " << n << "i14, " << n << "i9, " << n << "i1;\n";
    }
}

void CoreWriter::start_compression(unsigned s, const std::string& n) {
    const PipelineStage& st = spec_.stages[s];
    const unsigned M = spec_.lanes;
    const char* in = spec_.config.loop == 1 ? "    " : "      ";
    std::vector<std::string> iv;
    for (unsigned i = 0; i < 8; ++i) iv.push_back(hex32(sha256::kInitialState[i]));
    static const char* const names[8] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    switch (st.compression) {
        case Compression::Block1:
            for (unsigned m = 0; m < M; ++m) {
                std::vector<std::string> w;
                for (unsigned j = 0; j < 16; ++j) w.push_back(job_lane(m, "block1_w" + num(j)));
                o_ << in << n << "st" << m << " = " << pack(iv) << ";\n" << in << n << "w" << m << " = " << pack(w) << ";\n";
            }
            break;
        case Compression::Block2: {
            for (unsigned m = 0; m < M; ++m) {
                if (spec_.config.midstate_from_host) {
                    const std::string what = spec_.block2_first_round > 0 ? "start_" : "midstate_";
                    std::vector<std::string> v;
                    for (unsigned i = 0; i < 8; ++i) v.push_back(job_lane(m, what + names[i]));
                    o_ << in << n << "st" << m << " = " << pack(v) << ";\n";
                } else {  // the first block's digest: the chaining value of block 2 and of the feed-forward
                    o_ << in << n << "ch" << m << " = add8(" << pack(iv) << ", " << n << "st" << m << ");\n";
                    o_ << in << n << "st" << m << " = " << n << "ch" << m << ";\n";
                }
            }
            std::vector<std::string> w(16, "32'h00000000");
            const std::string nonce_be = "bswap(" + n + "nonce)";  // the nonce sits little-endian in the header
            w[3] = nonce_be;
            w[4] = hex32(0x80000000u);
            w[15] = hex32(640);
            if (spec_.block2_first_round == 3) {
                w[0] = "job_w16";
                w[1] = "job_w17";
                w[2] = "sched(job_w16, 32'h00000000, " + nonce_be + ", job_tail2)";  // W18 needs the nonce
            } else {
                w[0] = "job_tail0";
                w[1] = "job_tail1";
                w[2] = "job_tail2";
            }
            o_ << in << n << "w0 = " << pack(w) << ";\n";
            break;
        }
        case Compression::Hash2:
            for (unsigned m = 0; m < M; ++m) {
                std::string chain;
                if (spec_.config.midstate_from_host) {
                    std::vector<std::string> v;
                    for (unsigned i = 0; i < 8; ++i) v.push_back(job_lane(m, std::string("midstate_") + names[i]));
                    chain = pack(v);
                } else {
                    chain = n + "ch" + num(m);
                }
                o_ << in << n << "w" << m << " = {32'd256, 192'd0, 32'h80000000, add8(" << chain << ", " << n << "st" << m << ")};\n";
                o_ << in << n << "st" << m << " = " << pack(iv) << ";\n";
            }
            break;
    }
}

void CoreWriter::rounds(unsigned s, const std::string& n) {
    const PipelineStage& st = spec_.stages[s];
    const unsigned M = spec_.lanes, R = spec_.config.rounds_per_stage, L = spec_.config.loop;
    const bool shared = st.compression == Compression::Block2;
    const unsigned windows = shared ? 1 : M;
    const unsigned units = std::min(R, st.round_count);
    for (unsigned u = 0; u < units; ++u) {
        if (L == 1) {
            const unsigned t = st.first_round + u;
            o_ << "    // round " << t << "\n";
            for (unsigned m = 0; m < M; ++m)
                o_ << "    " << n << "st" << m << " = sha_round(" << n << "st" << m << ", " << hex32(sha256::kRoundConstants[t]) << " + "
                   << word(n + "w" + num(shared ? 0 : m), t & 15) << ");\n";
            for (unsigned m = 0; m < windows; ++m) {
                const std::string w = n + "w" + num(m);
                o_ << "    " << word(w, t & 15) << " = ";
                if (t + 16 <= 63)
                    o_ << "sched(" << word(w, (t + 14) & 15) << ", " << word(w, (t + 9) & 15) << ", " << word(w, (t + 1) & 15) << ", " << word(w, t & 15) << ");\n";
                else
                    o_ << "32'h00000000;  // past W63: nothing\n";
            }
            continue;
        }
        // A looped stage: round unit u does round first + pass*R + u; the pass selects K, the window
        // words and whether the schedule continues.
        o_ << "    // round unit " << u << "\n    case (pass_e)\n";
        for (unsigned p = 0; p < L; ++p) {
            const unsigned t = st.first_round + p * R + u;
            if (t >= st.first_round + st.round_count) continue;
            o_ << "      " << sized(spec_.pass_bits, p) << ": begin " << n << "go = 1'b1; " << n << "k = " << hex32(sha256::kRoundConstants[t]) << "; " << n
               << "ix = 4'd" << (t & 15) << "; " << n << "i14 = 4'd" << ((t + 14) & 15) << "; " << n << "i9 = 4'd" << ((t + 9) & 15) << "; " << n
               << "i1 = 4'd" << ((t + 1) & 15) << "; " << n << "sch = 1'b" << (t + 16 <= 63 ? 1 : 0) << "; end  // round " << t << "\n";
        }
        o_ << "      default: begin " << n << "go = 1'b0; " << n << "k = 32'h00000000; " << n << "ix = 4'd0; " << n << "i14 = 4'd0; " << n << "i9 = 4'd0; " << n
           << "i1 = 4'd0; " << n << "sch = 1'b0; end\n    endcase\n";
        o_ << "    if (" << n << "go) begin\n";
        for (unsigned m = 0; m < M; ++m)
            o_ << "      " << n << "st" << m << " = sha_round(" << n << "st" << m << ", " << n << "k + " << n << "w" << (shared ? 0 : m) << "[" << n << "ix*32 +: 32]);\n";
        for (unsigned m = 0; m < windows; ++m) {
            const std::string w = n + "w" + num(m);
            auto at = [&](const char* i) { return w + "[" + n + i + "*32 +: 32]"; };
            o_ << "      " << at("ix") << " = " << n << "sch ? sched(" << at("i14") << ", " << at("i9") << ", " << at("i1") << ", " << at("ix")
               << ") : 32'h00000000;\n";
        }
        o_ << "    end\n";
    }
}

void CoreWriter::stage_logic(unsigned s) {
    const PipelineStage& st = spec_.stages[s];
    const StageRegs& sr = regs_[s];
    const StageRegs* prev = s > 0 ? &regs_[s - 1] : nullptr;
    const unsigned M = spec_.lanes;
    const std::string n = "n" + num(s) + "_";
    o_ << "  // stage " << s << ": " << st.name() << "\n  always @* begin\n";
    // Valid bits are flushed by `load`.
    const std::string prev_valid = prev ? "(" + prev->valid->name + " & ~load)" : "issue";
    o_ << "    " << n << "valid = " << (spec_.config.loop == 1 ? prev_valid : "(pass_e == " + sized(spec_.pass_bits, 0) + " ? " + prev_valid + " : " + sr.valid->name + ")")
       << ";\n";
    o_ << "    " << n << "nonce = " << input(sr.nonce, prev ? prev->nonce : nullptr, "counter_e") << ";\n";
    auto group = [&](const std::vector<const Register*>& own, const std::vector<const Register*>* prev_list, unsigned lane, unsigned size) {
        std::vector<std::string> w;
        for (unsigned i = 0; i < size; ++i)
            w.push_back(input(own[lane * size + i], prev_list ? (*prev_list)[lane * size + i] : nullptr, "32'h00000000"));
        return pack(w);
    };
    for (unsigned m = 0; m < M; ++m) {
        o_ << "    " << n << "st" << m << " = " << group(sr.state, prev ? &prev->state : nullptr, m, 8) << ";\n";
        o_ << "    " << n << "w" << m << " = " << group(sr.window, prev ? &prev->window : nullptr, m, 16) << ";\n";
        if (spec_.registers.has_chain) o_ << "    " << n << "ch" << m << " = " << group(sr.chain, prev ? &prev->chain : nullptr, m, 8) << ";\n";
    }
    if (st.starts_compression) {
        if (spec_.config.loop == 1) {
            start_compression(s, n);
        } else {
            o_ << "    if (pass_e == " << sized(spec_.pass_bits, 0) << ") begin\n";
            start_compression(s, n);
            o_ << "    end\n";
        }
    }
    rounds(s, n);
    o_ << "  end\n  always @(posedge clk) begin\n";
    o_ << "    " << sr.valid->name << " <= rst ? 1'b0 : " << n << "valid;\n";
    o_ << "    " << sr.nonce->name << " <= " << n << "nonce;\n";
    auto commit = [&](const std::vector<const Register*>& list, const char* vec, unsigned size) {
        for (unsigned m = 0; m < M; ++m)
            for (unsigned i = 0; i < size; ++i) {
                const Register* r = list[m * size + i];
                if (r->is_register()) o_ << "    " << r->name << " <= " << word(n + vec + num(m), i) << ";\n";
            }
    };
    commit(sr.state, "st", 8);
    commit(sr.window, "w", 16);
    if (spec_.registers.has_chain) commit(sr.chain, "ch", 8);
    o_ << "  end\n\n";
}

void CoreWriter::control() {
    const unsigned M = spec_.lanes, L = spec_.config.loop, P = spec_.pass_bits;
    const StageRegs& last = regs_.back();
    const bool cut = spec_.config.cut_final_rounds;
    o_ << "  // Comparator: the last register holds a finished hash at pass 0. With the final-round cut, e after\n"
          "  // round 60 is what becomes h: H7 is known three rounds early. The ticket mask selects the bits of the\n"
          "  // hash's top words (H7, H6 byte-swapped) that must be zero.\n";
    o_ << "  wire [" << M - 1 << ":0] lanes_hit;\n";
    for (unsigned m = 0; m < M; ++m) {
        const std::string h7 = last.state[m * 8 + (cut ? 4 : 7)]->name + " + " + hex32(sha256::kInitialState[7]);
        o_ << "  wire [31:0] h7_l" << m << " = " << h7 << ";\n";
        std::string hit = "(bswap(h7_l" + num(m) + ") & job_mask7) == 32'd0";
        if (!cut) {
            o_ << "  wire [31:0] h6_l" << m << " = " << last.state[m * 8 + 6]->name << " + " << hex32(sha256::kInitialState[6]) << ";\n";
            hit += " && (bswap(h6_l" + num(m) + ") & job_mask6) == 32'd0";
        }
        o_ << "  assign lanes_hit[" << m << "] = " << last.valid->name << " && !load && pass_e == " << sized(std::max(1u, P), 0) << " && " << hit << ";\n";
    }
    o_ << "\n  always @(posedge clk) begin\n    if (rst) begin\n";
    for (const Register& r : spec_.registers.registers)
        if (r.scope == RegisterScope::Control && r.is_register()) o_ << "      " << r.name << " <= " << sized(r.width, 0) << ";\n";
    o_ << "    end else begin\n";
    o_ << "      nonce_counter <= issue ? counter_e + 32'd1 : counter_e;\n";
    o_ << "      {remaining_hi, remaining_lo} <= issue ? remaining_e - 64'd1 : remaining_e;\n";
    if (L > 1) o_ << "      pass <= pass_e == " << sized(P, L - 1) << " ? " << sized(P, 0) << " : pass_e + " << sized(P, 1) << ";\n";
    o_ << "      found <= lanes_hit != " << sized(M, 0) << ";\n";
    o_ << "      if (lanes_hit != " << sized(M, 0) << ") begin\n        found_nonce <= " << last.nonce->name << ";\n        found_lanes <= lanes_hit;\n      end\n";
    o_ << "    end\n  end\n\n";
    o_ << "  assign found_o = found;\n  assign found_nonce_o = found_nonce;\n  assign found_lanes_o = found_lanes;\n";
    (void)control_reg;
}

const char* kFunctions = R"(  // SHA-256 (FIPS 180-4): word i of a packed state or window sits at [i*32 +: 32]; state word 0 is a.
  function [31:0] bswap(input [31:0] x);
    bswap = {x[7:0], x[15:8], x[23:16], x[31:24]};
  endfunction
  function [31:0] bsig0(input [31:0] x);
    bsig0 = {x[1:0], x[31:2]} ^ {x[12:0], x[31:13]} ^ {x[21:0], x[31:22]};
  endfunction
  function [31:0] bsig1(input [31:0] x);
    bsig1 = {x[5:0], x[31:6]} ^ {x[10:0], x[31:11]} ^ {x[24:0], x[31:25]};
  endfunction
  function [31:0] ssig0(input [31:0] x);
    ssig0 = {x[6:0], x[31:7]} ^ {x[17:0], x[31:18]} ^ {3'b000, x[31:3]};
  endfunction
  function [31:0] ssig1(input [31:0] x);
    ssig1 = {x[16:0], x[31:17]} ^ {x[18:0], x[31:19]} ^ {10'b0000000000, x[31:10]};
  endfunction
  // W[t] from W[t-2], W[t-7], W[t-15], W[t-16].
  function [31:0] sched(input [31:0] w2, input [31:0] w7, input [31:0] w15, input [31:0] w16);
    sched = ssig1(w2) + w7 + ssig0(w15) + w16;
  endfunction
  // One round; kw = K[t] + W[t].
  function [255:0] sha_round(input [255:0] v, input [31:0] kw);
    reg [31:0] t1, t2;
    begin
      t1 = v[224 +: 32] + bsig1(v[128 +: 32]) + (v[192 +: 32] ^ (v[128 +: 32] & (v[160 +: 32] ^ v[192 +: 32]))) + kw;
      t2 = bsig0(v[0 +: 32]) + ((v[0 +: 32] & v[32 +: 32]) | (v[64 +: 32] & (v[0 +: 32] | v[32 +: 32])));
      sha_round = {v[192 +: 32], v[160 +: 32], v[128 +: 32], v[96 +: 32] + t1, v[64 +: 32], v[32 +: 32], v[0 +: 32], t1 + t2};
    end
  endfunction
  // Word-wise sum of two states (the feed-forward).
  function [255:0] add8(input [255:0] x, input [255:0] y);
    integer i;
    begin
      for (i = 0; i < 8; i = i + 1) add8[i*32 +: 32] = x[i*32 +: 32] + y[i*32 +: 32];
    end
  endfunction

)";

std::string CoreWriter::write() {
    const unsigned M = spec_.lanes;
    o_ << "// Generated by `hashforge rtl` from the pipeline description " << spec_.config.describe() << "; do not edit.\n"
       << "// " << spec_.stages.size() << " stages, latency " << spec_.latency_clocks << " clocks, " << spec_.hashes_per_clock
       << " hashes per clock. Registers are named as in the register map (docs/rtl.md).\n"
       << "`default_nettype none\n"
       << "// Temporaries carry whole windows; words that are wires in silicon are not stored.\n"
       << "/* verilator lint_off UNUSEDSIGNAL */\n"
       << "module " << kRtlModuleName << " (\n  input  wire clk,\n  input  wire rst,\n  input  wire load,\n"
       << "  input  wire [" << job_.size() * 32 - 1 << ":0] job,\n  output wire found_o,\n  output wire [31:0] found_nonce_o,\n"
       << "  output wire " << (M > 1 ? "[" + num(M - 1) + ":0] " : "") << "found_lanes_o\n);\n";
    o_ << kFunctions;
    declarations();
    o_ << "\n";
    for (unsigned s = 0; s < spec_.stages.size(); ++s) stage_logic(s);
    control();
    o_ << "endmodule\n/* verilator lint_on UNUSEDSIGNAL */\n`default_nettype wire\n";
    return o_.str();
}

}  // namespace

std::string core_verilog(const PipelineSpec& spec) { return CoreWriter(spec).write(); }

std::string top_verilog(const PipelineSpec& spec) {
    const auto jobs = job_regs(spec);
    const unsigned M = spec.lanes;
    const unsigned A = std::max(1u, static_cast<unsigned>(std::bit_width(jobs.size() - 1)));
    std::ostringstream o;
    o << "// Generated by `hashforge rtl` (" << spec.config.describe() << "): hf_core and its job registers; do not edit.\n"
      << "`default_nettype none\nmodule hf_top (\n  input  wire clk,\n  input  wire rst,\n"
      << "  input  wire job_we,            // writes job register job_addr (map order, docs/rtl.md)\n"
      << "  input  wire [" << A - 1 << ":0] job_addr,\n  input  wire [31:0] job_data,\n"
      << "  input  wire load,              // start the job: flush, counter = first nonce\n"
      << "  output wire found_o,\n  output wire [31:0] found_nonce_o,\n  output wire " << (M > 1 ? "[" + num(M - 1) + ":0] " : "") << "found_lanes_o\n);\n";
    o << "  reg [" << jobs.size() * 32 - 1 << ":0] job_q;\n";
    o << "  always @(posedge clk)\n    case (job_addr)\n";
    for (std::size_t i = 0; i < jobs.size(); ++i)
        o << "      " << A << "'d" << i << ": if (job_we) job_q[" << i * 32 << " +: 32] <= job_data;  // " << jobs[i]->name << "\n";
    o << "      default: ;\n    endcase\n";
    o << "  " << kRtlModuleName << " core (.clk(clk), .rst(rst), .load(load), .job(job_q), .found_o(found_o), .found_nonce_o(found_nonce_o),\n"
      << "               .found_lanes_o(found_lanes_o));\nendmodule\n`default_nettype wire\n";
    return o.str();
}

TestbenchJob model_testbench_job(const PipelineSpec& spec, const CoreJob& job, std::uint32_t first, std::uint32_t count) {
    TestbenchJob tb;
    CycleCore core(spec, false);
    core.load_job(job, first, count);
    tb.job_words = job_register_values(spec, core.job(), first, count);
    while (!core.drained() || core.found()) {
        core.clock();
        if (core.found()) tb.hits.push_back({core.cycles(), core.found_nonce(), core.found_lanes()});
    }
    tb.clocks = core.cycles() + 2;  // and two quiet clocks after the last strobe
    return tb;
}

std::string testbench_verilog(const PipelineSpec& spec, const TestbenchJob& job) {
    const auto jobs = job_regs(spec);
    const unsigned M = spec.lanes;
    const unsigned A = std::max(1u, static_cast<unsigned>(std::bit_width(jobs.size() - 1)));
    std::ostringstream o;
    o << "// Generated by `hashforge rtl` (" << spec.config.describe() << "): self-checking testbench; do not edit.\n"
      << "// " << job.description << "\n// The C++ cycle model found " << job.hits.size() << " strobes in " << job.clocks
      << " clocks; the RTL must strobe exactly there.\n"
      << "`timescale 1ns/1ps\n`default_nettype none\nmodule hf_tb;\n"
      << "  reg clk = 1'b0, rst = 1'b1, job_we = 1'b0, load = 1'b0;\n  reg [" << A - 1 << ":0] job_addr = 0;\n  reg [31:0] job_data = 0;\n"
      << "  wire found;\n  wire [31:0] found_nonce;\n  wire " << (M > 1 ? "[" + num(M - 1) + ":0] " : "") << "found_lanes;\n"
      << "  hf_top dut (.clk(clk), .rst(rst), .job_we(job_we), .job_addr(job_addr), .job_data(job_data), .load(load), .found_o(found),\n"
      << "              .found_nonce_o(found_nonce), .found_lanes_o(found_lanes));\n"
      << "  always #1 clk = ~clk;\n\n"
      << "  reg [31:0] job_words [0:" << jobs.size() - 1 << "];\n"
      << "  reg [63:0] hit_clock [0:" << std::max<std::size_t>(1, job.hits.size()) - 1 << "];\n"
      << "  reg [31:0] hit_nonce [0:" << std::max<std::size_t>(1, job.hits.size()) - 1 << "];\n"
      << "  reg [3:0] hit_lanes [0:" << std::max<std::size_t>(1, job.hits.size()) - 1 << "];\n"
      << "  integer i, next_hit, errors, seen;\n  reg [63:0] clock;\n\n  initial begin\n";
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        char b[32];
        std::snprintf(b, sizeof b, "32'h%08x", job.job_words[i]);
        o << "    job_words[" << i << "] = " << b << ";  // " << jobs[i]->name << "\n";
    }
    for (std::size_t i = 0; i < job.hits.size(); ++i) {
        char b[256];
        std::snprintf(b, sizeof b, "hit_clock[%zu] = 64'd%llu; hit_nonce[%zu] = 32'h%08x; hit_lanes[%zu] = 4'd%u;", i,
                      static_cast<unsigned long long>(job.hits[i].clock), i, job.hits[i].nonce, i, job.hits[i].lanes);
        o << "    " << b << "\n";
    }
    o << "    errors = 0; seen = 0; next_hit = 0;\n"
      << "    @(posedge clk); #0.5 rst = 1'b0;\n"
      << "    for (i = 0; i < " << jobs.size() << "; i = i + 1) begin\n"
      << "      job_we = 1'b1; job_addr = i; job_data = job_words[i]; @(posedge clk); #0.5;\n    end\n"
      << "    job_we = 1'b0; load = 1'b1;\n"
      << "    for (clock = 1; clock <= 64'd" << job.clocks << "; clock = clock + 1) begin\n"
      << "      @(posedge clk); #0.5 load = 1'b0;\n"
      << "      if (next_hit < " << job.hits.size() << " && hit_clock[next_hit] == clock) begin\n"
      << "        if (found !== 1'b1 || found_nonce !== hit_nonce[next_hit] || found_lanes !== hit_lanes[next_hit]) begin\n"
      << "          errors = errors + 1;\n"
      << "          $display(\"hf_tb: clock %0d: expected nonce %08x lanes %0d, got found=%b nonce %08x lanes %0d\", clock, hit_nonce[next_hit],\n"
      << "                   hit_lanes[next_hit], found, found_nonce, found_lanes);\n"
      << "        end else seen = seen + 1;\n"
      << "        next_hit = next_hit + 1;\n"
      << "      end else if (found !== 1'b0) begin\n"
      << "        errors = errors + 1;\n"
      << "        $display(\"hf_tb: clock %0d: unexpected strobe found=%b nonce %08x\", clock, found, found_nonce);\n"
      << "      end\n    end\n"
      << "    if (errors == 0 && seen == " << job.hits.size() << ") begin\n"
      << "      $display(\"hf_tb: PASS " << spec.config.describe() << ": %0d of " << job.hits.size()
      << " nonces at the model's clocks, %0d clocks, no other strobe\", seen, clock - 1);\n"
      << "      $finish_and_return(0);\n    end\n"
      << "    $display(\"hf_tb: FAIL " << spec.config.describe() << ": %0d errors, %0d of " << job.hits.size() << " nonces matched\", errors, seen);\n"
      << "    $finish_and_return(1);\n  end\nendmodule\n`default_nettype wire\n";
    return o.str();
}

std::vector<const Register*> probed_registers(const PipelineSpec& spec) {
    std::vector<const Register*> out;
    for (const Register& r : spec.registers.registers)
        if (r.scope != RegisterScope::Job && r.is_register()) out.push_back(&r);
    return out;
}

std::string verilator_probe_header(const PipelineSpec& spec) {
    std::ostringstream o;
    o << "// Generated by `hashforge rtl` (" << spec.config.describe() << "): reads every register of " << kRtlModuleName
      << " from a model\n// Verilated with --public-flat-rw, in the order of hf::hw::probed_registers(spec). Do not edit.\n#pragma once\n#include <cstdint>\n\n"
      << "template <class Root>\nvoid hf_core_probe(const Root& r, std::uint32_t* out) {\n";
    const auto regs = probed_registers(spec);
    for (std::size_t i = 0; i < regs.size(); ++i)
        o << "    out[" << i << "] = r." << kRtlModuleName << "__DOT__" << regs[i]->name << ";\n";
    o << "}\n";
    return o.str();
}

}  // namespace hf::hw
