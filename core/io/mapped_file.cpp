#include "core/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace vitscope::core {

namespace {

Error sysError(const std::string& path, const char* what) {
    return makeError(ErrorCode::Io, path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return sysError(path, "cannot open");
    }
    struct FdCloser {
        int fd;
        ~FdCloser() { ::close(fd); }
    } closer{fd};

    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        return sysError(path, "cannot stat");
    }
    if (S_ISDIR(st.st_mode)) {
        return makeError(ErrorCode::Io, path + ": is a directory, expected a file");
    }
    if (!S_ISREG(st.st_mode)) {
        return makeError(ErrorCode::Io, path + ": not a regular file");
    }
    if (st.st_size < 0 || static_cast<uint64_t>(st.st_size) > SIZE_MAX) {
        return makeError(ErrorCode::Io, path + ": file size does not fit in memory");
    }

    std::shared_ptr<MappedFile> file(new MappedFile());
    file->mPath = path;
    file->mSize = static_cast<size_t>(st.st_size);
    if (file->mSize == 0) {
        return file;  // mmap of length 0 is EINVAL; an empty span is the honest answer
    }
    void* addr = ::mmap(nullptr, file->mSize, PROT_READ, MAP_PRIVATE, fd, 0);
    if (addr == MAP_FAILED) {
        file->mSize = 0;
        return sysError(path, "cannot map");
    }
    file->mData = static_cast<const std::byte*>(addr);
    return file;
}

MappedFile::~MappedFile() {
    if (mData != nullptr) {
        ::munmap(const_cast<std::byte*>(mData), mSize);
    }
}

}  // namespace vitscope::core
