#include "core/io/mapped_file.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>

#include "core/io/file_util.h"

namespace vitscope::core {

namespace {

/// The mappings the SIGBUS handler may repair. Lock-free slots: the handler only reads them.
struct Slot {
    std::atomic<uintptr_t> begin{0};
    std::atomic<uintptr_t> end{0};
    std::atomic<bool> truncated{false};
};
constexpr int kSlots = 256;
Slot gSlots[kSlots];
std::atomic<bool> gSlotUsed[kSlots];
struct sigaction gPrevious {};

void onSigbus(int sig, siginfo_t* info, void* context) {
    const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
    for (Slot& s : gSlots) {
        const uintptr_t begin = s.begin.load(std::memory_order_acquire);
        const uintptr_t end = s.end.load(std::memory_order_acquire);
        if (begin == 0 || addr < begin || addr >= end) {
            continue;
        }
        // Zero pages from the faulting page to the end of the mapping: the file ends before it.
        const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
        const uintptr_t from = addr & ~(page - 1);
        if (::mmap(reinterpret_cast<void*>(from), end - from, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
            s.truncated.store(true, std::memory_order_release);
            return;  // the faulting read is retried and now reads zeros
        }
        break;
    }
    // Not ours: what would have happened without this handler.
    if (gPrevious.sa_flags & SA_SIGINFO) {
        if (gPrevious.sa_sigaction != nullptr) {
            gPrevious.sa_sigaction(sig, info, context);
            return;
        }
    } else if (gPrevious.sa_handler != SIG_DFL && gPrevious.sa_handler != SIG_IGN) {
        gPrevious.sa_handler(sig);
        return;
    }
    ::signal(SIGBUS, SIG_DFL);
    ::raise(SIGBUS);  // delivered with the default action once this handler returns
}

void installHandler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_sigaction = onSigbus;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGBUS, &sa, &gPrevious);
    });
}

int registerMapping(const std::byte* data, size_t size) {
    installHandler();
    for (int i = 0; i < kSlots; ++i) {
        bool expected = false;
        if (gSlotUsed[i].compare_exchange_strong(expected, true)) {
            gSlots[i].truncated.store(false);
            gSlots[i].end.store(reinterpret_cast<uintptr_t>(data) + size);
            gSlots[i].begin.store(reinterpret_cast<uintptr_t>(data), std::memory_order_release);
            return i;
        }
    }
    return -1;
}

void unregisterMapping(int slot) {
    gSlots[slot].begin.store(0, std::memory_order_release);
    gSlots[slot].end.store(0);
    gSlotUsed[slot].store(false, std::memory_order_release);
}

}  // namespace

bool insideFileMapping(const void* p, size_t bytes) {
    const auto begin = reinterpret_cast<uintptr_t>(p);
    if (bytes > UINTPTR_MAX - begin) {
        return false;
    }
    for (int i = 0; i < kSlots; ++i) {
        const uintptr_t b = gSlots[i].begin.load(std::memory_order_acquire);
        if (b != 0 && begin >= b && begin + bytes <= gSlots[i].end.load()) {
            return true;
        }
    }
    return false;
}

Result<std::shared_ptr<MappedFile>> MappedFile::open(const std::string& path) {
    auto input = InputFile::open(path);
    if (!input) {
        return input.error();
    }
    if (input->size() > SIZE_MAX) {
        return makeError(ErrorCode::Io, path + ": file size does not fit in memory");
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->mPath = path;
    const auto size = static_cast<size_t>(input->size());
    if (size == 0) {
        return file;  // mmap of length 0 is EINVAL; an empty span is the honest answer
    }
    if (size <= kReadLimit) {
        // Owned memory cannot vanish under the reader, whatever happens to the file.
        file->mOwned.reset(new (std::nothrow) std::byte[size]);
        if (!file->mOwned) {
            return makeError(ErrorCode::Io, path + ": not enough memory to read " +
                                                std::to_string(size) + " bytes");
        }
        if (auto st = input->readAt(0, file->mOwned.get(), size); !st) {
            return st.error();
        }
        file->mData = file->mOwned.get();
        file->mSize = size;
        return file;
    }
    void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, input->fd(), 0);
    if (addr == MAP_FAILED) {
        return makeError(ErrorCode::Io, path + ": cannot map: " + std::strerror(errno));
    }
    file->mData = static_cast<const std::byte*>(addr);
    file->mSize = size;
    file->mSlot = registerMapping(file->mData, size);
    if (file->mSlot < 0) {
        return makeError(ErrorCode::Io, path + ": too many checkpoint files are open at once");
    }
    file->mFd = ::dup(input->fd());
    return file;
}

namespace {

/// The file's size now, or -1 when it cannot be told.
int64_t currentSize(int fd) {
    struct stat st {};
    return fd >= 0 && ::fstat(fd, &st) == 0 ? static_cast<int64_t>(st.st_size) : -1;
}

}  // namespace

bool MappedFile::truncated() const {
    if (mSlot < 0) {
        return false;
    }
    // The handler's flag, or a new end inside the last page (read as zeros without a fault).
    const int64_t now = currentSize(mFd);
    return gSlots[mSlot].truncated.load(std::memory_order_acquire) ||
           (now >= 0 && static_cast<uint64_t>(now) < mSize);
}

Status MappedFile::intact() const {
    if (!truncated()) {
        return Ok{};
    }
    const int64_t now = currentSize(mFd);
    const std::string size = now >= 0 ? std::to_string(now) + " bytes" : "an unknown size";
    return makeError(ErrorCode::BadModel,
                     fileLabel(mPath) + " changed size while in use (truncated from " +
                         std::to_string(mSize) + " bytes to " + size + "); reload it");
}

MappedFile::~MappedFile() {
    if (mSlot >= 0) {
        unregisterMapping(mSlot);
    }
    if (mOwned == nullptr && mData != nullptr) {
        ::munmap(const_cast<std::byte*>(mData), mSize);
    }
    if (mFd >= 0) {
        ::close(mFd);
    }
}

}  // namespace vitscope::core
