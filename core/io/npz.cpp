#include "core/io/npz.h"

#include <zip.h>

#include <algorithm>
#include <set>
#include <span>

#include "core/io/file_util.h"
#include "core/io/mapped_file.h"
#include "core/io/npy.h"

namespace vitscope::core {

namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kMaxEntryBytes = 8 * kGiB;
constexpr uint64_t kMaxTotalBytes = 16 * kGiB;
constexpr uint64_t kMaxRatio = 1100;  // deflate's limit is ~1032:1
constexpr uint64_t kRatioSlack = uint64_t{1} << 20;
constexpr size_t kMaxArchiveBytes = size_t{16} << 30;

Error bad(std::string_view label, const std::string& message) {
    return makeError(ErrorCode::BadModel, std::string(label) + ": " + message);
}

struct ZipCloser {
    void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
    void operator()(zip_file_t* f) const { zip_fclose(f); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;

struct EntryInfo {
    zip_uint64_t index = 0;
    std::string name;    // zip entry name, "a/b.npy"
    std::string tensor;  // "a/b"
    uint64_t size = 0;   // declared uncompressed size
};

bool isFloat(DType d) {
    return d == DType::F32 || d == DType::F16 || d == DType::BF16 || d == DType::F64;
}

/// Reads exactly `entry.size` bytes of an entry; the stream must end there with a good CRC.
Result<std::vector<std::byte>> readEntry(zip_t* archive, const EntryInfo& entry,
                                         std::string_view label) {
    const std::string where = "entry '" + entry.name + "'";
    ZipFilePtr file(zip_fopen_index(archive, entry.index, 0));
    if (!file) {
        return bad(label, where + ": cannot open: " + zip_strerror(archive));
    }
    std::vector<std::byte> out(static_cast<size_t>(entry.size));
    uint64_t done = 0;
    while (done < entry.size) {
        const zip_int64_t got = zip_fread(file.get(), out.data() + done, entry.size - done);
        if (got < 0) {
            return bad(label, where + ": " + zip_file_strerror(file.get()) + " after " +
                                  std::to_string(done) + " of " + std::to_string(entry.size) +
                                  " bytes");
        }
        if (got == 0) {
            return bad(label, where + ": data ends after " + std::to_string(done) + " of " +
                                  std::to_string(entry.size) + " declared bytes (truncated)");
        }
        done += static_cast<uint64_t>(got);
    }
    // One more read: it must report the end of the stream, which is where libzip checks the CRC.
    std::byte extra{};
    const zip_int64_t tail = zip_fread(file.get(), &extra, 1);
    if (tail < 0) {
        return bad(label, where + ": " + zip_file_strerror(file.get()));
    }
    if (tail > 0) {
        return bad(label, where + ": data is longer than its declared " +
                              std::to_string(entry.size) + " bytes");
    }
    return out;
}

Result<std::vector<EntryInfo>> listEntries(zip_t* archive, uint64_t archiveSize,
                                           std::string_view label) {
    const zip_int64_t count = zip_get_num_entries(archive, 0);
    if (count < 0) {
        return bad(label, "cannot list the archive's entries");
    }
    const uint64_t totalCap = std::min(kMaxTotalBytes, archiveSize * kMaxRatio + kRatioSlack);
    uint64_t total = 0;
    std::vector<EntryInfo> entries;
    std::set<std::string> seen;
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &st) != 0 ||
            !(st.valid & ZIP_STAT_NAME)) {
            return bad(label, "entry " + std::to_string(i) +
                                  ": cannot read its header: " + zip_strerror(archive));
        }
        std::string name = st.name;
        if (name.size() <= 4 || !name.ends_with(".npy")) {
            continue;  // not an array
        }
        const std::string where = "entry '" + name + "'";
        if (!(st.valid & ZIP_STAT_SIZE)) {
            return bad(label, where + ": no uncompressed size");
        }
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
            return bad(label, where + ": encrypted entries are not supported");
        }
        if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
            st.comp_method != ZIP_CM_DEFLATE) {
            return bad(label, where + ": compression method " + std::to_string(st.comp_method) +
                                  " is not supported, expected stored or deflated");
        }
        if (st.size > kMaxEntryBytes) {
            return bad(label, where + ": declared uncompressed size " + std::to_string(st.size) +
                                  " bytes exceeds the limit of " + std::to_string(kMaxEntryBytes) +
                                  " (zip bomb?)");
        }
        if (!detail::checkedAdd(total, st.size, total) || total > totalCap) {
            return bad(label, where + ": declared uncompressed sizes add up to more than " +
                                  std::to_string(totalCap) + " bytes for a " +
                                  std::to_string(archiveSize) + "-byte archive (zip bomb?)");
        }
        EntryInfo e;
        e.index = static_cast<zip_uint64_t>(i);
        e.tensor = name.substr(0, name.size() - 4);
        e.name = std::move(name);
        e.size = st.size;
        if (!seen.insert(e.tensor).second) {
            return bad(label, where + ": the archive holds this name twice");
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

Result<TensorStore> loadNpzFromBytes(std::span<const std::byte> bytes, std::string_view label) {
    if (bytes.empty()) {
        return bad(label, "not a zip archive (.npz): the file is empty");
    }
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!source) {
        std::string msg = zip_error_strerror(&error);
        zip_error_fini(&error);
        return bad(label, "cannot read the archive: " + msg);
    }
    ZipPtr archive(zip_open_from_source(source, ZIP_RDONLY, &error));
    if (!archive) {
        zip_source_free(source);
        const std::string msg = zip_error_strerror(&error);
        const bool noArchive = zip_error_code_zip(&error) == ZIP_ER_NOZIP;
        zip_error_fini(&error);
        // A file that starts like a zip but has no end-of-central-directory record was cut off.
        const bool startsLikeZip = bytes.size() >= 4 && bytes[0] == std::byte{'P'} &&
                                   bytes[1] == std::byte{'K'} && bytes[2] == std::byte{3} &&
                                   bytes[3] == std::byte{4};
        if (noArchive && startsLikeZip) {
            return bad(label,
                       "truncated or damaged zip archive (.npz): no central directory "
                       "found (" +
                           msg + ")");
        }
        return bad(label, "not a zip archive (.npz): " + msg);
    }
    zip_error_fini(&error);

    auto entries = listEntries(archive.get(), bytes.size(), label);
    if (!entries) {
        return entries.error();
    }
    TensorStore store;
    for (const EntryInfo& e : *entries) {
        auto data = readEntry(archive.get(), e, label);
        if (!data) {
            return data.error();
        }
        const std::string entryLabel = std::string(label) + ": entry '" + e.name + "'";
        auto array = parseNpy(*data, entryLabel);
        if (!array) {
            return makeError(ErrorCode::BadModel, array.error().message);
        }
        if (!isFloat(array->dtype)) {
            continue;
        }
        store.addOwned(e.tensor, array->shape, toFloat32(*array), array->dtype, std::string(label));
    }
    return store;
}

}  // namespace

Result<TensorStore> loadNpzFromBuffer(std::shared_ptr<std::vector<std::byte>> bytes,
                                      std::string_view label) {
    if (!bytes) {
        return bad(label, "not a zip archive (.npz): the file is empty");
    }
    return loadNpzFromBytes(*bytes, label);
}

Result<TensorStore> loadNpz(const std::string& path) {
    // Mapped, not read: libzip reads the central directory and then only the entries, so a
    // large sparse or hostile archive costs no memory before its declared sizes are checked.
    auto file = MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    const std::string label = fileLabel(path);
    if ((*file)->size() > kMaxArchiveBytes) {
        return bad(label, "file is " + std::to_string((*file)->size()) +
                              " bytes, more than the limit of " + std::to_string(kMaxArchiveBytes) +
                              " for a .npz checkpoint");
    }
    auto store = loadNpzFromBytes((*file)->bytes(), label);
    if (auto st = (*file)->intact(); !st) {
        return st.error();  // entries read while the file shrank hold zeros
    }
    return store;
}

}  // namespace vitscope::core
