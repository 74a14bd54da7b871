#include "hw_model/vcd_writer.hpp"

#include <stdexcept>

namespace hf::hw {

VcdWriter::VcdWriter(std::ostream& out, std::string timescale) : out_(out), timescale_(std::move(timescale)) {}

std::size_t VcdWriter::add_signal(const std::string& scope, const std::string& name, unsigned width) {
    if (started_) throw std::logic_error("VCD signals must be declared before the first timestamp");
    if (width == 0 || width > 64) throw std::invalid_argument("VCD signal width must be 1..64");
    // Identifiers: printable ASCII 33..126, base-94 digits.
    std::string id;
    std::size_t n = signals_.size();
    do {
        id += static_cast<char>(33 + n % 94);
        n /= 94;
    } while (n);
    signals_.push_back({scope, name, id, width});
    return signals_.size() - 1;
}

void VcdWriter::header() {
    out_ << "$version hashforge pipeline $end\n$timescale " << timescale_ << " $end\n";
    std::string scope;
    for (const auto& s : signals_) {
        if (s.scope != scope) {
            if (!scope.empty()) out_ << "$upscope $end\n";
            out_ << "$scope module " << s.scope << " $end\n";
            scope = s.scope;
        }
        out_ << "$var wire " << s.width << ' ' << s.id << ' ' << s.name << (s.width > 1 ? " [" + std::to_string(s.width - 1) + ":0]" : "")
             << " $end\n";
    }
    if (!scope.empty()) out_ << "$upscope $end\n";
    out_ << "$enddefinitions $end\n";
    started_ = true;
}

void VcdWriter::set(std::size_t signal, std::uint64_t value) {
    Signal& s = signals_.at(signal);
    if (s.width < 64) value &= (std::uint64_t{1} << s.width) - 1;
    s.pending = value;
    s.dirty = true;
}

void VcdWriter::write_value(const Signal& s, std::uint64_t v) {
    if (s.width == 1) {
        out_ << (v ? '1' : '0') << s.id << '\n';
        return;
    }
    out_ << 'b';
    bool leading = true;
    for (int i = static_cast<int>(s.width) - 1; i >= 0; --i) {
        const bool bit = (v >> i) & 1u;
        if (bit) leading = false;
        if (!leading || i == 0) out_ << (bit ? '1' : '0');
    }
    out_ << ' ' << s.id << '\n';
}

void VcdWriter::timestamp(std::uint64_t time) {
    if (!started_) header();
    if (have_time_ && time <= time_) throw std::logic_error("VCD timestamps must increase");
    out_ << '#' << time << '\n';
    if (!have_time_) out_ << "$dumpvars\n";
    for (auto& s : signals_) {
        if (!s.written || (s.dirty && s.pending != s.value)) {
            write_value(s, s.dirty ? s.pending : s.value);
            s.value = s.dirty ? s.pending : s.value;
            s.written = true;
        }
        s.dirty = false;
    }
    if (!have_time_) out_ << "$end\n";
    have_time_ = true;
    time_ = time;
}

void VcdWriter::finish() { out_.flush(); }

}  // namespace hf::hw
