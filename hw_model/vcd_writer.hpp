// A Value Change Dump (IEEE 1364 VCD) writer: the waveform format GTKWave opens. Signals are
// declared first, then each timestamp lists only the values that changed.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace hf::hw {

class VcdWriter {
public:
    VcdWriter(std::ostream& out, std::string timescale = "1ns");
    // Declares a signal in `scope` (declare everything before the first sample). Returns its handle.
    std::size_t add_signal(const std::string& scope, const std::string& name, unsigned width);
    // Sets a value for the current timestamp; only changes are written.
    void set(std::size_t signal, std::uint64_t value);
    // Advances to `time` (must increase) and writes the changes set since the last timestamp.
    void timestamp(std::uint64_t time);
    void finish();

private:
    struct Signal {
        std::string scope, name, id;
        unsigned width;
        std::uint64_t value = 0, pending = 0;
        bool written = false, dirty = false;
    };
    void header();
    void write_value(const Signal& s, std::uint64_t v);

    std::ostream& out_;
    std::string timescale_;
    std::vector<Signal> signals_;
    bool started_ = false;
    bool have_time_ = false;
    std::uint64_t time_ = 0;
};

}  // namespace hf::hw
