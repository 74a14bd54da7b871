// Counts core/opencl/sha256d.cl by including it with `word` as a counting type (see the header).
// Built with -Wno-unknown-pragmas: the kernel's `#pragma unroll` is for the OpenCL compiler.
#include "bench/joules/opencl_kernel_ops.hpp"

#include <optional>

#include "core/sha256d_plan.hpp"

namespace hf::joules {
namespace opencl_source {

OpGraph* graph = nullptr;  // the graph the current trace builds (one trace at a time)

// A 32-bit word of the kernel: a literal until an operation puts it into the graph.
struct Word {
    std::optional<OpValue> node;
    std::uint32_t literal = 0;
    Word() = default;
    Word(std::uint32_t x) : literal(x) {}  // NOLINT: the kernel's constants convert implicitly
    Word(OpValue v) : node(v) {}           // NOLINT
    OpValue value() const { return node ? *node : graph->literal(literal); }
};
inline Word operator+(const Word& a, const Word& b) { return graph->add(a.value(), b.value()); }
inline Word operator^(const Word& a, const Word& b) { return graph->bxor(a.value(), b.value()); }
inline Word operator&(const Word& a, const Word& b) { return graph->band(a.value(), b.value()); }
inline Word operator|(const Word& a, const Word& b) { return graph->bor(a.value(), b.value()); }
inline Word rotr(const Word& x, int n) { return graph->rotr(x.value(), n); }
inline Word shr(const Word& x, int n) { return graph->shr(x.value(), n); }
inline Word xor3(const Word& a, const Word& b, const Word& c) { return graph->xor3(a.value(), b.value(), c.value()); }
inline Word ch(const Word& e, const Word& f, const Word& g) { return graph->ch(e.value(), f.value(), g.value()); }
inline Word maj(const Word& a, const Word& b, const Word& c) { return graph->maj(a.value(), b.value(), c.value()); }

using uint = std::uint32_t;
using word = Word;
#define CONSTANT const
#include "core/opencl/sha256d.cl"
#undef CONSTANT

}  // namespace opencl_source

OpenClKernelTrace trace_opencl_kernel(const ScanWork& work, std::uint32_t nonce, const IsaFeatures& isa) {
    using namespace opencl_source;
    OpGraph g;
    graph = &g;
    const Sha256dPlan sp = make_sha256d_plan(work);
    Plan p{};  // the kernel's argument, filled as the host fills it (plan values are per job: folded)
    for (int i = 0; i < 8; ++i) {
        p.v3[i] = sp.v3[i];
        p.midstate[i] = sp.midstate[i];
        p.h2_v1[i] = sp.h2_v1[i];
    }
    p.w16 = sp.w16, p.w17 = sp.w17, p.w18_part = sp.w18_part, p.w19_part = sp.w19_part;
    p.w31_part = sp.w31_part, p.w32_part = sp.w32_part, p.h7_limit = sp.h7_limit;

    const Word h7 = sha256d_h7(&p, byteswap(Word(g.nonce_input(nonce))));
    const OpValue top = byteswap(h7).value();
    // The kernel's `top <= h7_limit`: one compare, counted as the model's one-op test.
    const OpValue test = g.equal_test(top, g.literal(sp.h7_limit));
    OpenClKernelTrace t;
    t.h7 = h7.value().value;
    t.candidate = top.value <= sp.h7_limit;
    t.ops = g.count({test}, isa);
    graph = nullptr;
    return t;
}

}  // namespace hf::joules
