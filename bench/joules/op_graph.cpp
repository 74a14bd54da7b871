#include "bench/joules/op_graph.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace hf::joules {
namespace {
ValueClass join(std::initializer_list<OpValue> in) {
    ValueClass c = ValueClass::Literal;
    for (const auto& v : in) c = std::max(c, v.cls);
    return c;
}
bool is_zero_literal(const OpValue& v) { return v.cls == ValueClass::Literal && v.value == 0; }
}  // namespace

OpValue OpGraph::make(OpKind kind, std::uint32_t value, ValueClass cls, int shift, std::initializer_list<OpValue> in) {
    Node n{kind, cls, value, shift, {0, 0, 0}, static_cast<std::uint8_t>(in.size())};
    std::size_t i = 0;
    for (const auto& v : in) {
        if (v.graph != this) throw std::logic_error("OpGraph: operand from another graph");
        n.in[i++] = v.index;
    }
    nodes_.push_back(n);
    return OpValue{this, static_cast<std::uint32_t>(nodes_.size() - 1), value, cls};
}

// Operations whose inputs are all Literal or Job are computed once (at compile time or per job
// on the host): they become inputs of their class, with no operands to count.
OpValue OpGraph::fold_or_make(OpKind kind, std::uint32_t value, int shift, std::initializer_list<OpValue> in) {
    const ValueClass cls = join(in);
    if (cls != ValueClass::Nonce) return make(OpKind::Input, value, cls, 0, {});
    return make(kind, value, cls, shift, in);
}

OpValue OpGraph::literal(std::uint32_t v) { return make(OpKind::Input, v, ValueClass::Literal, 0, {}); }
OpValue OpGraph::job_input(std::uint32_t v) { return make(OpKind::Input, v, ValueClass::Job, 0, {}); }
OpValue OpGraph::nonce_input(std::uint32_t v) { return make(OpKind::Input, v, ValueClass::Nonce, 0, {}); }

OpValue OpGraph::add(OpValue a, OpValue b) {
    if (is_zero_literal(a)) return b;
    if (is_zero_literal(b)) return a;
    return fold_or_make(OpKind::Add, a.value + b.value, 0, {a, b});
}
OpValue OpGraph::bxor(OpValue a, OpValue b) {
    if (is_zero_literal(a)) return b;
    if (is_zero_literal(b)) return a;
    return fold_or_make(OpKind::Xor, a.value ^ b.value, 0, {a, b});
}
OpValue OpGraph::band(OpValue a, OpValue b) {
    if (is_zero_literal(a) || is_zero_literal(b)) return literal(0);
    return fold_or_make(OpKind::And, a.value & b.value, 0, {a, b});
}
OpValue OpGraph::bor(OpValue a, OpValue b) {
    if (is_zero_literal(a)) return b;
    if (is_zero_literal(b)) return a;
    return fold_or_make(OpKind::Or, a.value | b.value, 0, {a, b});
}
OpValue OpGraph::rotr(OpValue a, int n) {
    if (is_zero_literal(a)) return a;
    return fold_or_make(OpKind::Rotr, std::rotr(a.value, n), n, {a});
}
OpValue OpGraph::shr(OpValue a, int n) {
    if (is_zero_literal(a)) return a;
    return fold_or_make(OpKind::Shr, a.value >> n, n, {a});
}
OpValue OpGraph::xor3(OpValue a, OpValue b, OpValue c) {
    // With a zero or two foldable operands this is a plain xor.
    if (is_zero_literal(a)) return bxor(b, c);
    if (is_zero_literal(b)) return bxor(a, c);
    if (is_zero_literal(c)) return bxor(a, b);
    const int varying = (a.cls == ValueClass::Nonce) + (b.cls == ValueClass::Nonce) + (c.cls == ValueClass::Nonce);
    if (varying == 1) {
        // Two operands fold into one job constant.
        if (a.cls == ValueClass::Nonce) return bxor(a, bxor(b, c));
        if (b.cls == ValueClass::Nonce) return bxor(b, bxor(a, c));
        return bxor(c, bxor(a, b));
    }
    return fold_or_make(OpKind::Xor3, a.value ^ b.value ^ c.value, 0, {a, b, c});
}
OpValue OpGraph::ch(OpValue e, OpValue f, OpValue g) {
    return fold_or_make(OpKind::Ch, (e.value & f.value) ^ (~e.value & g.value), 0, {e, f, g});
}
OpValue OpGraph::maj(OpValue a, OpValue b, OpValue c) {
    return fold_or_make(OpKind::Maj, (a.value & b.value) ^ (a.value & c.value) ^ (b.value & c.value), 0, {a, b, c});
}
OpValue OpGraph::equal_test(OpValue a, OpValue expected) {
    if (expected.cls == ValueClass::Nonce) throw std::logic_error("equal_test: expected value depends on the nonce");
    return fold_or_make(OpKind::EqualTest, a.value == expected.value ? 1u : 0u, 0, {a, expected});
}

// The instructions one node costs on `isa`. Sub-expressions of Ch/Maj whose operands do not vary
// are precomputed, as a compiler would hoist them.
void OpGraph::cost_of(const Node& n, const IsaFeatures& isa, OpCounts& c) const {
    auto v = [&](int i) { return varies(n.in[i]); };
    switch (n.kind) {
        case OpKind::Input: return;
        case OpKind::Add: c.adds += 1; return;
        case OpKind::Xor:
        case OpKind::And:
        case OpKind::Or:
        case OpKind::EqualTest: c.logic += 1; return;
        case OpKind::Shr: c.shifts += 1; return;
        case OpKind::Rotr:
            if (isa.native_rotate) {
                c.rotates += 1;
            } else {
                c.shifts += 2;  // (x >> n) | (x << (32 - n))
                c.logic += 1;
            }
            return;
        case OpKind::Xor3: c.logic += isa.three_input_logic ? 1 : 2; return;
        case OpKind::Ch:  // g ^ (e & (f ^ g)); BFI_INT(e, f, g) is exactly Ch
            if (isa.three_input_logic || isa.bit_select) {
                c.logic += 1;
            } else {
                c.logic += (v(1) || v(2)) ? 3 : 2;
            }
            return;
        case OpKind::Maj:  // (a & b) | (c & (a | b)); with bit-select: BFI(a ^ b, c, a)
            if (isa.three_input_logic) {
                c.logic += 1;
            } else if (isa.bit_select) {
                c.logic += (v(0) || v(1)) ? 2 : 1;
            } else {
                c.logic += (v(0) || v(1)) ? 4 : 2;
            }
            return;
    }
}

OpCounts OpGraph::count(const std::vector<OpValue>& outputs, const IsaFeatures& isa) const {
    std::vector<bool> live(nodes_.size(), false);
    std::vector<std::uint32_t> stack;
    for (const auto& o : outputs) {
        if (o.graph != this) throw std::logic_error("OpGraph::count: output from another graph");
        stack.push_back(o.index);
    }
    while (!stack.empty()) {
        const std::uint32_t i = stack.back();
        stack.pop_back();
        if (live[i]) continue;
        live[i] = true;
        const Node& n = nodes_[i];
        for (std::uint8_t k = 0; k < n.arity; ++k) stack.push_back(n.in[k]);
    }
    OpCounts c;
    for (std::size_t i = 0; i < nodes_.size(); ++i)
        if (live[i] && nodes_[i].cls == ValueClass::Nonce) cost_of(nodes_[i], isa, c);
    return c;
}

}  // namespace hf::joules
