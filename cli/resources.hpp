// Files built into the program (cli/CMakeLists.txt embeds them as string constants), so the
// pages it writes and serves need nothing beside the binary.
#pragma once

#include <string_view>

namespace hf::cli::resources {

std::string_view pipeline_page();  // cli/resources/pipeline.html: the `pipeline --html` page
std::string_view status_page();    // cli/resources/status.html: the `mine --http` status page
std::string_view joules_report();  // docs/joules.json: the last `bench --joules --json` written into docs/

}  // namespace hf::cli::resources
