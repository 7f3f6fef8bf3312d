#pragma once
/// Finds resources/: the bundled default model, the sample images and the label lists, for the
/// window, the CLI and the tests. The one place that knows where they live.
///
/// A folder counts when it has a models/ subfolder. The search, in order:
///   1. `<executable's folder>/../share/vitscope/resources`: the installed layout
///      (`cmake --install` puts the executables in bin/ and resources/ there);
///   2. the source tree's resources/, compiled in, and only for an executable inside this build
///      tree, so that programs run from the build folder work without installing, while an
///      installed program never reads the source tree.

#include <string>

#include "core/result.h"

namespace vitscope::core {

/// The running executable's absolute path, read from /proc/self/exe. When /proc is not mounted,
/// `argv0` made absolute against the working directory; empty when that is null too.
std::string executablePath(const char* argv0 = nullptr);

/// The resources folder for the executable at `exePath` (the search above). Fails with
/// ErrorCode::Io, naming every folder it looked in, when none has models/.
Result<std::string> findResourcesDir(const std::string& exePath);

/// findResourcesDir(executablePath(argv0)): the running program's resources folder.
Result<std::string> resourcesDir(const char* argv0 = nullptr);

/// The bundled Fashion-MNIST ViT folder, `<resources>/models/fashion-mnist-vit`.
Result<std::string> defaultModelPath(const char* argv0 = nullptr);
/// The sample images, `<resources>/samples` (fashion-mnist/, photos/).
Result<std::string> samplesDir(const char* argv0 = nullptr);
/// The ImageNet-1k class names, one per line, `<resources>/labels/imagenet-1k-labels.txt`.
Result<std::string> labelsPath(const char* argv0 = nullptr);

}  // namespace vitscope::core
