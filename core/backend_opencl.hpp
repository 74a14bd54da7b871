// The opencl backend (era: GPU): core/opencl/sha256d.cl compiled at run time by the OpenCL driver
// of a device (a GPU's, or POCL's on the CPU), one work-item per nonce. Compiled in always; where
// no OpenCL platform or device exists it is listed as unsupported with the reason.
//
// It is not among core_backends(): "auto" calibration measures the calling thread's CPU time,
// which says nothing about a device, so a GPU is chosen by name (--backend opencl).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/hash_backend.hpp"

namespace hf {

// One OpenCL device, numbered across all platforms in the order the ICD loader lists them.
struct OpenClDeviceInfo {
    int index = 0;
    std::string platform;      // platform name, e.g. "Portable Computing Language"
    std::string name;          // device name
    std::string type;          // "GPU", "CPU", "accelerator" or "other"
    std::string version;       // CL_DEVICE_VERSION
    unsigned compute_units = 0;
    unsigned clock_mhz = 0;
};

// Every device of every platform (empty when there is no OpenCL platform).
std::vector<OpenClDeviceInfo> opencl_devices();

// The device the opencl backend uses: --opencl-device N, else the first GPU, else device 0.
// select_opencl_device throws std::invalid_argument when N names no device.
void select_opencl_device(int index);
int selected_opencl_device();

// Empty when the selected device can run the kernel; else why not ("no OpenCL device", or the
// driver's build log).
std::string opencl_unavailable_reason();

// The work sizes chosen for the selected device by measurement (the first call compiles the
// kernel and measures, a fraction of a second), and the rate seen while choosing.
struct OpenClWorkSize {
    unsigned vector_width = 1;  // nonces per work-item (the device's native int vector width)
    std::size_t local = 0;      // work-group size in work-items (0: the driver chooses)
    std::size_t batch = 0;      // nonces per kernel launch
    double hashrate = 0;        // measured, H/s, at that batch
};
OpenClWorkSize opencl_work_size();

// "opencl", Era::Gpu: supported() when opencl_unavailable_reason() is empty.
BackendInfo opencl_backend_info();

}  // namespace hf
