#include "core/io/data_export.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vitscope::core {

namespace {

Error ioError(const std::string& path, const char* what, int err) {
    return makeError(ErrorCode::Io, path + ": " + what + ": " + std::strerror(err));
}

}  // namespace

Status writeAtomically(const std::string& path, const std::function<bool(std::FILE*)>& body) {
    const std::string temp = stagingPath(path);
    FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f) {
        return ioError(path, "cannot create", errno);
    }
    bool ok = body(f);
    int err = errno;
    ok = ok && std::fflush(f) == 0;
    if (ok) {
        ok = ::fsync(::fileno(f)) == 0;
    }
    if (!ok) {
        err = errno;
    }
    if (std::fclose(f) != 0 && ok) {
        ok = false;
        err = errno;
    }
    if (!ok) {
        std::remove(temp.c_str());
        return ioError(path, "cannot write", err);
    }
    return renameIntoPlace(temp, path);
}

namespace {

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) {
        return s;
    }
    std::string out = "\"";
    for (char c : s) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

}  // namespace

Status writeCsv(const std::string& path, int rows, int cols, const float* data,
                const std::vector<std::string>& header) {
    if (rows < 0 || cols < 0 || (rows > 0 && cols > 0 && data == nullptr)) {
        return makeError(ErrorCode::Usage, path + ": cannot write a " + std::to_string(rows) + "x" +
                                               std::to_string(cols) + " CSV" +
                                               (data ? "" : " without data"));
    }
    if (!header.empty() && header.size() != static_cast<size_t>(cols)) {
        return makeError(ErrorCode::Usage, path + ": CSV header has " +
                                               std::to_string(header.size()) + " names for " +
                                               std::to_string(cols) + " columns");
    }
    return writeAtomically(path, [&](FILE* f) {
        if (!header.empty()) {
            for (int c = 0; c < cols; ++c) {
                const std::string field = csvField(header[static_cast<size_t>(c)]);
                if (std::fprintf(f, "%s%s", c > 0 ? "," : "", field.c_str()) < 0) {
                    return false;
                }
            }
            if (std::fputc('\n', f) == EOF) {
                return false;
            }
        }
        for (int r = 0; r < rows; ++r) {
            const float* row = data + static_cast<size_t>(r) * static_cast<size_t>(cols);
            for (int c = 0; c < cols; ++c) {
                if (std::fprintf(f, c > 0 ? ",%.9g" : "%.9g", static_cast<double>(row[c])) < 0) {
                    return false;
                }
            }
            if (std::fputc('\n', f) == EOF) {
                return false;
            }
        }
        return true;
    });
}

std::string stagingPath(const std::string& path) {
    const size_t slash = path.rfind('/');
    const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    return folder + "." + name + ".tmp." + std::to_string(::getpid());
}

Status renameIntoPlace(const std::string& from, const std::string& to) {
    if (std::rename(from.c_str(), to.c_str()) != 0) {
        const int err = errno;
        std::remove(from.c_str());
        return ioError(to, "cannot replace", err);
    }
    return Ok{};
}

Status writeBytes(const std::string& path, const void* data, size_t size) {
    return writeAtomically(
        path, [&](FILE* f) { return size == 0 || std::fwrite(data, 1, size, f) == size; });
}

Status writeJson(const std::string& path, const std::string& text) {
    return writeAtomically(path, [&](FILE* f) {
        return text.empty() || std::fwrite(text.data(), 1, text.size(), f) == text.size();
    });
}

}  // namespace vitscope::core
