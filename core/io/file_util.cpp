#include "core/io/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <filesystem>

namespace vitscope::core {

namespace {

std::string sysError(const std::string& what, const std::string& path) {
    return path + ": " + what + ": " + std::strerror(errno);
}

}  // namespace

Result<std::vector<std::byte>> readFile(const std::string& path, size_t maxBytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return makeError(ErrorCode::Io, sysError("cannot open", path));
    }
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};

    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return makeError(ErrorCode::Io, sysError("cannot stat", path));
    }
    if (S_ISDIR(st.st_mode)) {
        return makeError(ErrorCode::Io, path + ": is a directory, expected a file");
    }
    const uint64_t statSize = st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
    if (S_ISREG(st.st_mode) && statSize > maxBytes) {
        return makeError(ErrorCode::Io, path + ": file is " + std::to_string(statSize) +
                                            " bytes, more than the limit of " +
                                            std::to_string(maxBytes));
    }

    std::vector<std::byte> out;
    // Only a regular file's size is trusted for the reservation; it is already capped.
    if (S_ISREG(st.st_mode)) {
        out.reserve(static_cast<size_t>(statSize));
    }
    constexpr size_t kChunk = size_t{1} << 20;
    for (;;) {
        const size_t room = maxBytes - out.size();
        // Ask for one byte past the limit so that a file that grew past it is noticed.
        const size_t want = std::min(kChunk, room == SIZE_MAX ? room : room + 1);
        const size_t old = out.size();
        out.resize(old + want);
        const ssize_t got = ::read(fd, out.data() + old, want);
        if (got < 0) {
            if (errno == EINTR) {
                out.resize(old);
                continue;
            }
            return makeError(ErrorCode::Io, sysError("read error", path));
        }
        out.resize(old + static_cast<size_t>(got));
        if (got == 0) {
            break;
        }
        if (out.size() > maxBytes) {
            return makeError(ErrorCode::Io, path + ": file is more than the limit of " +
                                                std::to_string(maxBytes) + " bytes");
        }
    }
    return out;
}

std::string fileLabel(const std::string& path) {
    const std::string name = std::filesystem::path(path).filename().string();
    return name.empty() ? path : name;
}

namespace detail {

bool checkedNumel(std::span<const int64_t> shape, uint64_t& out) {
    uint64_t n = 1;
    for (int64_t s : shape) {
        if (s < 0 || !checkedMul(n, static_cast<uint64_t>(s), n)) {
            return false;
        }
    }
    if (n > static_cast<uint64_t>(INT64_MAX)) {
        return false;
    }
    out = n;
    return true;
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    const uint32_t mantissa = h & 0x3ffu;
    uint32_t bits = 0;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;  // +-0
        } else {
            // Subnormal half: mantissa * 2^-24, exactly representable as a normal float.
            const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
            bits = sign | std::bit_cast<uint32_t>(magnitude);
        }
    } else if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);  // inf, or NaN keeping its payload
    } else {
        bits = sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
    }
    return std::bit_cast<float>(bits);
}

float doubleToFloat(double d) {
    if (std::isfinite(d) && std::fabs(d) > static_cast<double>(FLT_MAX)) {
        // Values that round to FLT_MAX are still in range; beyond half an ulp they overflow.
        const double limit =
            static_cast<double>(FLT_MAX) + std::ldexp(1.0, 127 - 24);  // FLT_MAX + half an ulp
        if (std::fabs(d) >= limit) {
            return std::signbit(d) ? -HUGE_VALF : HUGE_VALF;
        }
        return std::signbit(d) ? -FLT_MAX : FLT_MAX;
    }
    return static_cast<float>(d);
}

}  // namespace detail
}  // namespace vitscope::core
