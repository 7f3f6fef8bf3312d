#include "app/cli_session.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "app/cli_json.h"
#include "core/io/file_util.h"
#include "core/io/npy.h"
#include "core/io/resource_locator.h"
#include "core/model/memory_plan.h"

namespace vitscope::app {

namespace {

/// The largest --size side and pixel count: far beyond any checkpoint (a 4096x4096 input is
/// 65536 patches of 16 pixels).
constexpr int kMaxSide = 16384;
constexpr long long kMaxPixels = 4096LL * 4096;
/// A --input-npy larger than this is not a model input.
constexpr size_t kMaxInputNpyBytes = size_t(1) << 31;

core::Error badInput(const std::string& path, const std::string& what) {
    return core::makeError(core::ErrorCode::BadData, core::fileLabel(path) + ": " + what);
}

/// The --input-npy shape [C, H, W] (or [1, C, H, W]) with every side in range.
core::Result<std::vector<int64_t>> inputNpyShape(const std::string& path,
                                                 const core::NpyArray& arr) {
    std::vector<int64_t> shape = arr.shape;
    if (shape.size() == 4 && shape[0] == 1) {
        shape.erase(shape.begin());
    }
    if (shape.size() != 3) {
        return badInput(path, "shape " + core::shapeToString(arr.shape) +
                                  ", expected a float array [channels, height, width]");
    }
    if (shape[0] < 1 || shape[0] > 4 || shape[1] < 1 || shape[1] > kMaxSide || shape[2] < 1 ||
        shape[2] > kMaxSide) {
        return badInput(path, "shape " + core::shapeToString(arr.shape) +
                                  ", expected 1 to 4 channels and sides from 1 to " +
                                  std::to_string(kMaxSide));
    }
    return shape;
}

core::Result<core::ImageTensor> readInputNpy(const std::string& path) {
    auto bytes = core::readFile(path, kMaxInputNpyBytes);
    if (!bytes) {
        return bytes.error();
    }
    auto arr = core::parseNpy(*bytes, core::fileLabel(path));
    if (!arr) {
        return core::makeError(core::ErrorCode::BadData, arr.error().message);
    }
    if (arr->dtype != core::DType::F32 && arr->dtype != core::DType::F16 &&
        arr->dtype != core::DType::F64) {
        return badInput(path, "dtype '" + arr->descr +
                                  "' is not a float type; expected float32 (float16 and float64 "
                                  "are converted)");
    }
    auto shape = inputNpyShape(path, *arr);
    if (!shape) {
        return shape.error();
    }
    std::vector<float> values = core::toFloat32(*arr);
    int64_t bad = 0;
    int64_t first = -1;
    for (size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
            bad += 1;
            first = first < 0 ? static_cast<int64_t>(i) : first;
        }
    }
    if (bad > 0) {
        return badInput(path, std::to_string(bad) + (bad == 1 ? " value is" : " values are") +
                                  " not finite (NaN or infinity, "
                                  "possibly out of float32's range; first at "
                                  "index " +
                                  std::to_string(first) + ")");
    }
    return core::ImageTensor{static_cast<int>((*shape)[0]), static_cast<int>((*shape)[1]),
                             static_cast<int>((*shape)[2]), std::move(values)};
}

/// --mean / --std: three comma-separated numbers, or one for every channel.
core::Result<std::optional<std::array<float, 3>>> parseTriple(const CliArgs& args,
                                                              const std::string& name) {
    if (!args.has(name)) {
        return std::optional<std::array<float, 3>>();
    }
    const std::string text = args.get(name);
    std::array<float, 3> v{};
    size_t count = 0;
    size_t at = 0;
    while (count < 3) {
        const size_t comma = text.find(',', at);
        const std::string part =
            text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        float value = 0;
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
        if (part.empty() || ec != std::errc() || end != part.data() + part.size()) {
            break;
        }
        v[count++] = value;
        if (comma == std::string::npos) {
            at = std::string::npos;
            break;
        }
        at = comma + 1;
    }
    if (at != std::string::npos || (count != 1 && count != 3)) {
        return core::makeError(
            core::ErrorCode::Usage,
            "--" + name + " must be one number or three separated by commas (R,G,B), got '" + text +
                "'");
    }
    if (count == 1) {
        v = {v[0], v[0], v[0]};
    }
    for (float x : v) {
        if (!std::isfinite(x) || (name == "std" && !(x > 0.0f))) {
            return core::makeError(core::ErrorCode::Usage,
                                   "--" + name + " must be finite numbers" +
                                       (name == "std" ? " greater than 0" : "") + ", got '" + text +
                                       "'");
        }
    }
    return std::optional<std::array<float, 3>>(v);
}

/// --heads, --mean, --std, --recipe onto the loader's overrides.
core::Result<core::LoadOptions> loadOptions(const CliArgs& args) {
    core::LoadOptions load;
    auto heads = args.getInt("heads", 0, 1, 4096);
    if (!heads) {
        return heads.error();
    }
    load.numHeads = *heads;
    auto mean = parseTriple(args, "mean");
    if (!mean) {
        return mean.error();
    }
    auto stdev = parseTriple(args, "std");
    if (!stdev) {
        return stdev.error();
    }
    load.mean = *mean;
    load.std = *stdev;
    if (args.has("recipe")) {
        auto style = core::parseRecipeStyle(args.get("recipe"));
        if (!style) {
            return core::makeError(core::ErrorCode::Usage, "--recipe: " + style.error().message);
        }
        load.recipe = *style;
    }
    if (auto st = core::validateLoadOptions(load); !st) {
        return st.error();
    }
    return load;
}

}  // namespace

core::Result<core::PosInterp> parsePosInterp(const std::string& text) {
    for (core::PosInterp p :
         {core::PosInterp::Bicubic, core::PosInterp::BicubicAntialias, core::PosInterp::Bilinear}) {
        if (text == core::toString(p)) {
            return p;
        }
    }
    return core::makeError(
        core::ErrorCode::Usage,
        "--pos-interp must be bicubic, bicubic-aa or bilinear, got '" + text + "'");
}

std::optional<int> readRunOptions(const CliArgs& args, const char* command, Session& s) {
    s.command = command;
    auto threads = args.getInt("threads", 0, 1, 256);
    auto size = args.getSize("size", kMaxSide, kMaxPixels);
    for (const core::Error* e :
         {threads ? nullptr : &threads.error(), size ? nullptr : &size.error()}) {
        if (e != nullptr) {
            return fail(s.command, kExitUsage, e->message);
        }
    }
    if (args.has("pos-interp")) {
        auto interp = parsePosInterp(args.get("pos-interp"));
        if (!interp) {
            return fail(s.command, kExitUsage, interp.error().message);
        }
        s.run.posInterp = *interp;
    }
    if (args.has("memory-budget")) {
        const auto budget = core::parseMemorySize(args.get("memory-budget"));
        if (!budget) {
            return fail(s.command, kExitUsage,
                        "--memory-budget must be a size such as 8G or 512M, between " +
                            core::formatBytes(core::kMinMemoryBudget) + " and " +
                            core::formatBytes(core::kMaxMemoryBudget) + ", got '" +
                            args.get("memory-budget") + "'");
        }
        s.run.memoryBudget = *budget;
    }
    if (*threads > 0) {
        core::setNumThreads(*threads);
    }
    s.run.sizeH = size->first;
    s.run.sizeW = size->second;
    return std::nullopt;
}

std::optional<int> openSession(const CliArgs& args, const char* command, const char* argv0,
                               Session& s) {
    auto load = loadOptions(args);
    if (!load) {
        return fail(command, kExitUsage, load.error().message);
    }
    if (auto code = readRunOptions(args, command, s)) {
        return code;
    }
    std::string path = args.get("model");
    if (!args.has("model")) {
        auto bundled = core::defaultModelPath(argv0);
        if (!bundled) {
            return fail(s.command, kExitModel, bundled.error().message);
        }
        path = *bundled;
    }
    auto model = core::loadModel(path, *load);
    if (!model) {
        return fail(s.command, model.error(), Stage::Model);
    }
    s.model = *model;
    // Guessed settings change every number downstream: say so on stderr, where scripts see it
    // without it mixing into the output.
    if (const auto& inferred = s.model->info().inferred;
        !inferred.empty() && std::string(command) != "info") {
        std::string list;
        for (const auto& g : inferred)
            list +=
                (list.empty() ? "" : "; ") + std::string(core::toString(g.kind)) + " " + g.value;
        std::fprintf(stderr, "vitscope-cli %s: warning: %s: guessed %s (see 'vitscope-cli info')\n",
                     command, printable(path).c_str(), printable(list).c_str());
    }
    // Refuse a bad --size before any image is read.
    if (auto recipe = core::effectiveRecipe(*s.model, s.run); !recipe) {
        return fail(s.command, kExitUsage, "--size: " + recipe.error().message);
    }
    return std::nullopt;
}

std::optional<int> runInput(const CliArgs& args, const Session& s, bool required,
                            core::RunPtr& out) {
    const bool image = args.has("image");
    const bool tensor = args.has("input-npy");
    if (image && tensor) {
        return fail(s.command, kExitUsage, "give either --image or --input-npy, not both");
    }
    if (!image && !tensor) {
        if (required) {
            return fail(s.command, kExitUsage, "needs --image FILE");
        }
        return std::nullopt;
    }
    core::Result<core::Run> run = core::makeError(core::ErrorCode::Usage, "");
    if (image) {
        run = core::runImageFile(s.model, args.get("image"), s.run);
    } else {
        if (s.run.sizeH > 0) {
            return fail(s.command, kExitUsage,
                        "--size does not apply to --input-npy (the tensor is fed as it is)");
        }
        auto input = readInputNpy(args.get("input-npy"));
        if (!input) {
            return fail(s.command, input.error(), Stage::Input);
        }
        run = core::runTensor(s.model, std::move(input.value()), s.run);
        if (!run && run.error().code == core::ErrorCode::BadData) {
            return fail(s.command, kExitInput, args.get("input-npy") + ": " + run.error().message);
        }
    }
    if (!run) {
        return fail(s.command, run.error(), Stage::Input);
    }
    out = std::make_shared<const core::Run>(std::move(run.value()));
    if (!out->result->attention.isFull()) {
        std::fprintf(stderr, "vitscope-cli %s: note: %s\n", s.command.c_str(),
                     out->result->memory.summary().c_str());
    }
    return std::nullopt;
}

}  // namespace vitscope::app
