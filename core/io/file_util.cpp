#include "core/io/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <utility>

namespace vitscope::core {

namespace {

/// Why a call on `path` failed, from errno, in words a user can act on.
std::string reason(int err, const std::string& path) {
    struct stat link {};
    if (err == ENOENT && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
        return "it is a symbolic link to a missing file";
    }
    if (err == ENOTDIR) {
        return "a component of the path is a file, not a folder (" +
               std::string(std::strerror(err)) + ")";
    }
    return std::strerror(err);
}

Error sysError(const std::string& what, const std::string& path, int err) {
    return makeError(ErrorCode::Io, path + ": " + what + ": " + reason(err, path));
}

/// nullptr for a regular file, else what it is instead.
const char* notRegular(mode_t mode) {
    if (S_ISREG(mode)) {
        return nullptr;
    }
    if (S_ISDIR(mode)) {
        return "is a directory, expected a file";
    }
    if (S_ISFIFO(mode)) {
        return "is a FIFO (named pipe), not a regular file";
    }
    if (S_ISCHR(mode)) {
        return "is a character device, not a regular file";
    }
    if (S_ISBLK(mode)) {
        return "is a block device, not a regular file";
    }
    if (S_ISSOCK(mode)) {
        return "is a socket, not a regular file";
    }
    return "is not a regular file";
}

}  // namespace

Result<InputFile> InputFile::open(const std::string& path) {
    // stat first: open() itself blocks on a FIFO and a device may stream without end.
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return sysError("cannot open", path, errno);
    }
    if (const char* what = notRegular(st.st_mode)) {
        return makeError(ErrorCode::Io, path + ": " + what);
    }
    // O_NONBLOCK so that a FIFO swapped in since the stat cannot block the open either.
    InputFile file;
    file.mFd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (file.mFd < 0) {
        return sysError("cannot open", path, errno);
    }
    file.mPath = path;
    if (::fstat(file.mFd, &st) != 0) {
        return sysError("cannot stat", path, errno);
    }
    if (const char* what = notRegular(st.st_mode)) {
        return makeError(ErrorCode::Io, path + ": " + what);
    }
    const int flags = ::fcntl(file.mFd, F_GETFL);
    if (flags < 0 || ::fcntl(file.mFd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        return sysError("cannot open", path, errno);
    }
    file.mSize = st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
    return file;
}

InputFile::InputFile(InputFile&& other) noexcept
    : mFd(std::exchange(other.mFd, -1)), mSize(other.mSize), mPath(std::move(other.mPath)) {}

InputFile& InputFile::operator=(InputFile&& other) noexcept {
    if (this != &other) {
        if (mFd >= 0) {
            ::close(mFd);
        }
        mFd = std::exchange(other.mFd, -1);
        mSize = other.mSize;
        mPath = std::move(other.mPath);
    }
    return *this;
}

InputFile::~InputFile() {
    if (mFd >= 0) {
        ::close(mFd);
    }
}

Result<std::vector<std::byte>> InputFile::readAll(size_t maxBytes) {
    if (mSize > maxBytes) {
        return makeError(ErrorCode::Io, mPath + ": file is " + std::to_string(mSize) +
                                            " bytes, more than the limit of " +
                                            std::to_string(maxBytes));
    }
    std::vector<std::byte> out;
    out.reserve(static_cast<size_t>(mSize));  // a regular file's size, already capped
    constexpr size_t kChunk = size_t{1} << 20;
    for (;;) {
        const size_t room = maxBytes - out.size();
        // Ask for what the file's size says is left, plus one byte so that a file that grew is
        // noticed (and one byte past the limit, so that growing past it is noticed too): a
        // small file costs one small buffer, not a zero-filled chunk.
        const size_t expected = out.size() < mSize ? static_cast<size_t>(mSize) - out.size() : 0;
        const size_t want = std::min({kChunk, room == SIZE_MAX ? room : room + 1, expected + 1});
        const size_t old = out.size();
        out.resize(old + want);
        const ssize_t got = ::read(mFd, out.data() + old, want);
        if (got < 0) {
            const int err = errno;
            out.resize(old);
            if (err == EINTR) {
                continue;
            }
            return sysError("read error", mPath, err);
        }
        out.resize(old + static_cast<size_t>(got));
        if (got == 0) {
            break;
        }
        if (out.size() > maxBytes) {
            return makeError(ErrorCode::Io, mPath + ": file is more than the limit of " +
                                                std::to_string(maxBytes) + " bytes");
        }
    }
    return out;
}

Status InputFile::readAt(uint64_t offset, std::byte* out, size_t count) {
    size_t done = 0;
    while (done < count) {
        const ssize_t got =
            ::pread(mFd, out + done, count - done, static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return sysError("read error", mPath, errno);
        }
        if (got == 0) {
            return makeError(ErrorCode::Io, mPath + ": file ended after " +
                                                std::to_string(offset + done) + " of " +
                                                std::to_string(offset + count) +
                                                " bytes (it shrank while being read)");
        }
        done += static_cast<size_t>(got);
    }
    return Ok{};
}

bool pathEntryExists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

Result<bool> isFolder(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        struct stat link {};
        if (err == ENOENT && ::lstat(path.c_str(), &link) != 0) {
            return makeError(ErrorCode::Io, path + ": no such file or folder");
        }
        return sysError("cannot open", path, err);
    }
    return S_ISDIR(st.st_mode);
}

Result<std::vector<std::byte>> readFile(const std::string& path, size_t maxBytes) {
    auto file = InputFile::open(path);
    if (!file) {
        return file.error();
    }
    return file->readAll(maxBytes);
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
