#include "core/io/resource_locator.h"

#include <filesystem>
#include <system_error>

// Both come from core/io/sources.cmake: the source tree's resources/ and the build folder whose
// executables may fall back to it.
#if !defined(VITSCOPE_SOURCE_RESOURCES) || !defined(VITSCOPE_BUILD_DIR)
#error "VITSCOPE_SOURCE_RESOURCES and VITSCOPE_BUILD_DIR must be defined by the build"
#endif

namespace vitscope::core {

namespace fs = std::filesystem;

namespace {

/// Where `cmake --install` puts resources/ relative to the executables' bin/ (the install()
/// rules in the top-level CMakeLists.txt and app/CMakeLists.txt).
constexpr const char* kInstalledRelative = "../share/vitscope/resources";

bool hasModels(const fs::path& dir) {
    std::error_code ec;
    return fs::is_directory(dir / "models", ec);
}

/// True when `path` is `dir` or below it, comparing canonical paths (symlinks resolved).
bool isInside(const fs::path& path, const fs::path& dir) {
    std::error_code ec;
    const fs::path rel = fs::relative(path, dir, ec);
    return !ec && !rel.empty() && *rel.begin() != "..";
}

Result<std::string> under(Result<std::string> dir, const char* relative) {
    if (!dir) {
        return dir;
    }
    return (fs::path(*dir) / relative).string();
}

}  // namespace

std::string executablePath(const char* argv0) {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && self.is_absolute()) {
        return self.string();
    }
    if (argv0 == nullptr || *argv0 == '\0') {
        return {};
    }
    const fs::path fromArgv = fs::absolute(argv0, ec);
    return ec ? std::string() : fromArgv.lexically_normal().string();
}

Result<std::string> findResourcesDir(const std::string& exePath) {
    if (exePath.empty()) {
        return makeError(ErrorCode::Io,
                         "vitscope resources not found: the running executable's path is unknown "
                         "(/proc/self/exe unreadable and no argv[0])");
    }
    const fs::path exeDir = fs::path(exePath).parent_path();
    const fs::path installed = (exeDir / kInstalledRelative).lexically_normal();
    if (hasModels(installed)) {
        return installed.string();
    }
    std::string lookedIn = installed.string() + " (installed layout)";

    if (isInside(exeDir, VITSCOPE_BUILD_DIR)) {
        const fs::path source = fs::path(VITSCOPE_SOURCE_RESOURCES).lexically_normal();
        if (hasModels(source)) {
            return source.string();
        }
        lookedIn += " or " + source.string() + " (source tree)";
    }
    return makeError(ErrorCode::Io, "vitscope resources not found for " + exePath +
                                        ": no models/ folder in " + lookedIn);
}

Result<std::string> resourcesDir(const char* argv0) {
    return findResourcesDir(executablePath(argv0));
}

Result<std::string> defaultModelPath(const char* argv0) {
    return under(resourcesDir(argv0), "models/fashion-mnist-vit");
}

Result<std::string> samplesDir(const char* argv0) { return under(resourcesDir(argv0), "samples"); }

Result<std::string> labelsPath(const char* argv0) {
    return under(resourcesDir(argv0), "labels/imagenet-1k-labels.txt");
}

}  // namespace vitscope::core
