// ua-sample-repo DIR [--filler N] [--files-per-filler K] [--reference-every N]
#include <charconv>
#include <cstdio>
#include <exception>
#include <string_view>

#include "upgrade_agent/sandbox/sample_repo/sample_repo.hpp"

namespace {

bool number(std::string_view text, std::size_t& out) {
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

int usage() {
  std::fputs("usage: ua-sample-repo DIR [--filler N] [--files-per-filler K] [--reference-every N]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  ua::sandbox::SampleRepoOptions options;
  for (int i = 2; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return usage();
    std::size_t* target = flag == "--filler"             ? &options.filler_stacks
                          : flag == "--files-per-filler" ? &options.files_per_filler
                          : flag == "--reference-every"  ? &options.filler_reference_every
                                                         : nullptr;
    if (!target || !number(argv[i + 1], *target)) return usage();
  }
  try {
    ua::sandbox::generate_sample_repo(argv[1], options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ua-sample-repo: %s\n", e.what());
    return 1;
  }
  return 0;
}
