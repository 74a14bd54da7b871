// An expression graph of 32-bit operations that both computes values and counts the operations a
// GPU-style kernel must execute per nonce. The sha256d nonce kernel (gpu_kernel_ops.hpp) is
// written once against OpValue; running it yields the real hash (checked against core's
// sha256d_from_midstate in the tests) and, by construction, its operation count.
//
// Every value has a class:
//   Literal  known when the kernel is compiled (round constants, padding words, the IV);
//   Job      fixed for a whole job (midstate, header words 64..75): the host precomputes anything
//            built only from these, once per 2^32 nonces, so it costs nothing per nonce;
//   Nonce    depends on the nonce: each such operation is executed per hash and is counted.
// Operations on Literal/Job inputs fold; x+0, x^0, x|0 fold to x. Only operations reachable from
// the kernel's outputs are counted, which is how dead work (the last rounds and the unused words
// of the second hash behind the early-exit test) disappears, as it does in a real kernel.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace hf::joules {

enum class ValueClass : std::uint8_t { Literal, Job, Nonce };

// Ops with a distinct cost on different instruction sets. Ch/Maj/Xor3 are kept whole so an ISA
// with bit-select (AMD BFI_INT) or 3-input logic (NVIDIA LOP3, AVX-512 vpternlogd) can do each in
// one instruction, while a plain 2-input ISA pays for the expansion.
enum class OpKind : std::uint8_t { Input, Add, Xor, And, Or, Rotr, Shr, Xor3, Ch, Maj, EqualTest };

// What an instruction set does in one instruction.
struct IsaFeatures {
    bool native_rotate = false;  // AMD BIT_ALIGN_INT / GCN v_alignbit, NVIDIA SHF (sm_32+), AVX-512 vprord
    bool bit_select = false;     // AMD BFI_INT / v_bfi_b32: Ch in 1, Maj in 2
    bool three_input_logic = false;  // NVIDIA LOP3 (sm_50+), AVX-512 vpternlogd: Ch, Maj, xor3 in 1
};

// Instructions per nonce, by the execution resource they use.
struct OpCounts {
    double adds = 0;     // 32-bit integer adds
    double logic = 0;    // and/or/xor/bit-select/lop3 and the final compare
    double shifts = 0;   // shifts, including the two shifts of each emulated rotate
    double rotates = 0;  // native rotates (funnel shift / bit-align)
    double total() const { return adds + logic + shifts + rotates; }
};

class OpGraph;

// A handle to one node: cheap to copy, carries its concrete value and class.
struct OpValue {
    OpGraph* graph = nullptr;
    std::uint32_t index = 0;
    std::uint32_t value = 0;
    ValueClass cls = ValueClass::Literal;
};

class OpGraph {
public:
    OpValue literal(std::uint32_t v);
    OpValue job_input(std::uint32_t v);
    OpValue nonce_input(std::uint32_t v);

    OpValue add(OpValue a, OpValue b);
    OpValue bxor(OpValue a, OpValue b);
    OpValue band(OpValue a, OpValue b);
    OpValue bor(OpValue a, OpValue b);
    OpValue rotr(OpValue a, int n);
    OpValue shr(OpValue a, int n);
    OpValue xor3(OpValue a, OpValue b, OpValue c);
    OpValue ch(OpValue e, OpValue f, OpValue g);
    OpValue maj(OpValue a, OpValue b, OpValue c);
    // `a == expected`, the early-exit test; `expected` must not depend on the nonce.
    OpValue equal_test(OpValue a, OpValue expected);

    // Per-nonce instructions needed to compute `outputs` on an ISA with `isa`'s features.
    OpCounts count(const std::vector<OpValue>& outputs, const IsaFeatures& isa) const;
    std::size_t node_count() const { return nodes_.size(); }

private:
    struct Node {
        OpKind kind;
        ValueClass cls;
        std::uint32_t value;
        int shift;                 // for Rotr/Shr
        std::uint32_t in[3];       // operand node indices
        std::uint8_t arity;
    };
    OpValue make(OpKind kind, std::uint32_t value, ValueClass cls, int shift, std::initializer_list<OpValue> in);
    OpValue fold_or_make(OpKind kind, std::uint32_t value, int shift, std::initializer_list<OpValue> in);
    void cost_of(const Node& n, const IsaFeatures& isa, OpCounts& c) const;
    bool varies(std::uint32_t node) const { return nodes_[node].cls == ValueClass::Nonce; }

    std::vector<Node> nodes_;
};

}  // namespace hf::joules
