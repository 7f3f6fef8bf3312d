#include "core/pipeline/dataset.h"

#include <omp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>

#include "core/analysis/patch_grid.h"

namespace vitscope::core {

namespace {
/// A batch keeps every core busy, so the model's idle-priority packing (vit_model.h) would never
/// run during it: a batch of many images waits for it once (the cores are idle meanwhile) and
/// then runs on the packed weights.
void waitForPackingBeforeBatch(const VitModel& model, int images) {
    constexpr int kWorthWaiting = 32;
    if (images >= kWorthWaiting) {
        model.waitForPacking();
    }
}
}  // namespace

namespace fs = std::filesystem;

const std::vector<std::string>& imageExtensions() {
    static const std::vector<std::string> kExtensions = {
        ".png",  ".jpg", ".jpeg", ".jpe", ".bmp", ".dib", ".tif", ".tiff",
        ".webp", ".pbm", ".pgm",  ".ppm", ".pnm", ".pxm", ".sr",  ".ras"};
    return kExtensions;
}

std::string imageNamePatterns() {
    std::string out;
    for (const std::string& e : imageExtensions()) {
        out += (out.empty() ? "*" : " *") + e;
    }
    return out;
}

Result<std::vector<std::string>> listImages(const std::string& folder, int maxImages) {
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) {
        return makeError(ErrorCode::BadImage,
                         folder + ": cannot list the folder (" + ec.message() + ")");
    }
    std::vector<std::string> files;
    for (const fs::directory_entry& entry : it) {
        if (!entry.is_regular_file(ec)) {
            continue;
        }
        std::string ext = entry.path().extension().string();
        std::transform(ext.begin(), ext.end(), ext.begin(),
                       [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
        const auto& known = imageExtensions();
        if (std::find(known.begin(), known.end(), ext) != known.end()) {
            files.push_back(entry.path().string());
        }
    }
    if (files.empty()) {
        return makeError(ErrorCode::BadImage,
                         folder + ": no image files (" + imageNamePatterns() + ")");
    }
    std::sort(files.begin(), files.end());
    if (maxImages > 0 && static_cast<int>(files.size()) > maxImages) {
        files.resize(static_cast<size_t>(maxImages));
    }
    return files;
}

Result<FolderDistance> folderAttentionDistance(const ModelPtr& model,
                                               const std::vector<std::string>& files,
                                               const RunOptions& options, PrefixHandling prefix,
                                               const std::function<void(int, int)>& progress) {
    FolderDistance out;
    AttentionDistanceAccumulator accumulator;
    auto workspace = makeWorkspace();
    const int total = static_cast<int>(files.size());
    waitForPackingBeforeBatch(*model, total);
    for (int i = 0; i < total; ++i) {
        if (options.cancel != nullptr && options.cancel->load()) {
            out.cancelled = true;
            break;
        }
        auto run = runImageFile(model, files[i], options, workspace.get());
        if (!run && run.error().code == ErrorCode::Cancelled) {
            out.cancelled = true;
            break;
        }
        Status added = run ? accumulator.add(*run->result, model->config().patchSize, prefix)
                           : Status(run.error());
        if (!added) {
            ++out.skipped;
            if (out.firstProblem.empty()) {
                out.firstProblem = added.error().message;
            }
        }
        if (progress) {
            progress(i + 1, total);
        }
    }
    out.used = accumulator.count();
    out.mean = accumulator.mean();
    if (out.used == 0 && !out.cancelled) {
        return makeError(
            ErrorCode::BadImage,
            "no image could be used" +
                (out.firstProblem.empty() ? std::string() : " (" + out.firstProblem + ")"));
    }
    return out;
}

Result<Evaluation> evaluateIdx(const ModelPtr& model, const IdxImages& images,
                               const IdxLabels& labels, int limit, const RunOptions& options,
                               const std::string& imagesLabel, const std::string& labelsLabel,
                               std::optional<uint64_t> shuffleSeed) {
    if (static_cast<size_t>(images.count) != labels.labels.size()) {
        return makeError(ErrorCode::BadData, imagesLabel + " holds " +
                                                 std::to_string(images.count) + " images but " +
                                                 labelsLabel + " holds " +
                                                 std::to_string(labels.labels.size()) + " labels");
    }
    const VitConfig& c = model->config();
    if (!c.hasHead()) {
        return makeError(ErrorCode::Usage,
                         model->info().path + ": the model has no classification head");
    }
    Evaluation e;
    e.images = limit > 0 ? std::min(limit, images.count) : images.count;
    e.classes = c.numClasses;
    for (int i = 0; i < e.images; ++i) {
        if (labels.labels[i] >= e.classes) {
            return makeError(ErrorCode::BadData,
                             labelsLabel + ": label " + std::to_string(labels.labels[i]) +
                                 " of image " + std::to_string(i) + " is not one of the model's " +
                                 std::to_string(e.classes) + " classes");
        }
    }
    const size_t pixels = static_cast<size_t>(images.rows) * images.cols;
    e.predicted.assign(static_cast<size_t>(e.images), -1);
    std::string firstError;
    RunOptions base = options;
    base.topK = 1;
    base.progress = {};
    auto recipe = effectiveRecipe(*model, base);
    if (!recipe) {
        return recipe.error();
    }
    // The grid the shuffle permutes: the recipe's output size, or the images' own without one.
    const bool fixedSize = recipe->centerCrop || recipe->resizeRule == ResizeRule::Exact;
    if (shuffleSeed && !fixedSize && recipe->resizeRule != ResizeRule::None) {
        return makeError(ErrorCode::Usage,
                         "shuffled patches need a fixed input size; this recipe resizes the "
                         "shortest edge without a crop (pass --size HxW)");
    }
    const int inputH = fixedSize ? recipe->outputH() : images.rows;
    const int inputW = fixedSize ? recipe->outputW() : images.cols;
    const int patches = (inputH / c.patchSize) * (inputW / c.patchSize);
    waitForPackingBeforeBatch(*model, e.images);
    const auto start = std::chrono::steady_clock::now();
    // Images are independent: one per thread, each with its own workspace (the GEMMs stay
    // single-threaded inside the parallel region).
#pragma omp parallel
    {
        auto ws = makeWorkspace();
#pragma omp for schedule(dynamic, 16)
        for (int i = 0; i < e.images; ++i) {
            const auto first = images.pixels.begin() + static_cast<std::ptrdiff_t>(i * pixels);
            auto image = std::make_shared<const Image8>(
                Image8{images.cols, images.rows, 1,
                       std::vector<uint8_t>(first, first + static_cast<std::ptrdiff_t>(pixels))});
            RunOptions perImage = base;
            if (shuffleSeed && !base.dropPositionEmbeddings) {
                perImage.positionPermutation = inversePermutation(
                    shufflePermutation(patches, *shuffleSeed + static_cast<uint64_t>(i)));
            }
            auto run = runImage(model, std::move(image), perImage, ws.get());
            if (!run) {
#pragma omp critical
                if (firstError.empty()) {
                    firstError =
                        imagesLabel + ": image " + std::to_string(i) + ": " + run.error().message;
                }
                continue;
            }
            e.predicted[static_cast<size_t>(i)] = run->predictions.front().classIndex;
        }
    }
    e.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    e.threads = omp_get_max_threads();
    if (!firstError.empty()) {
        return makeError(ErrorCode::BadData, firstError);
    }
    // classes^2 counts: 4 MB at 1000 classes, 40 GB at 100,000. Beyond the cap only accuracy.
    const bool confusion = e.classes <= kMaxConfusionClasses;
    if (confusion)
        e.confusion.assign(static_cast<size_t>(e.classes) * e.classes, 0);
    for (int i = 0; i < e.images; ++i) {
        const int truth = labels.labels[i];
        e.correct += e.predicted[i] == truth;
        if (confusion)
            e.confusion[static_cast<size_t>(truth) * e.classes + e.predicted[i]]++;
    }
    return e;
}

}  // namespace vitscope::core
