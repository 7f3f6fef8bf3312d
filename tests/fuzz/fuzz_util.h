#pragma once
// Helpers shared by the libFuzzer harnesses: a private scratch folder for the parsers whose
// public API takes a path (configs, sharded indices, mapped safetensors).

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <span>
#include <string>

namespace vitscope::fuzz {

/// A folder under $TMPDIR (default /tmp) made once per process and removed at exit.
inline const std::string& scratchDir() {
    static const std::string dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/vitscope-fuzz-XXXXXX";
        if (!mkdtemp(templ.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        static std::string removeCmd = "rm -rf '" + templ + "'";
        std::atexit([] { [[maybe_unused]] int rc = std::system(removeCmd.c_str()); });
        return templ;
    }();
    return dir;
}

/// Writes `data` to scratchDir()/name and returns the path.
inline std::string writeScratch(const std::string& name, const uint8_t* data, size_t size) {
    const std::string path = scratchDir() + "/" + name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!out) {
        std::perror(path.c_str());
        std::abort();
    }
    return path;
}

inline std::span<const std::byte> asBytes(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const std::byte*>(data), size};
}

}  // namespace vitscope::fuzz
