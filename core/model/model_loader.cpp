// loadModel: from a path the user chose to an immutable VitModel. Resolves folders and sibling
// config files, refuses pickles, dispatches to the format parsers, maps the naming onto the
// canonical one, derives and checks the config, binds the weights, and assembles labels,
// preprocessing recipe and a description of what was assumed.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "core/io/file_util.h"
#include "core/io/mapped_file.h"
#include "core/io/npz.h"
#include "core/io/pickle_guard.h"
#include "core/io/safetensors.h"
#include "core/model/config_io.h"
#include "core/model/imagenet_labels.h"
#include "core/model/vit_model.h"
#include "core/model/weights_binding.h"

namespace vitscope::core {
namespace {

namespace fs = std::filesystem;
using detail::ConfigHints;
using detail::Naming;

enum class WeightsKind { Safetensors, ShardedIndex, Npz };

struct Resolved {
    std::string weights;  ///< file to parse
    WeightsKind kind = WeightsKind::Safetensors;
    std::string config;        ///< config.json, or empty
    std::string preprocessor;  ///< preprocessor_config.json, or empty
    std::string display;       ///< what the user opened
};

bool endsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lower(std::string s) {
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

Error badModel(const std::string& message) { return makeError(ErrorCode::BadModel, message); }

/// `dir`/`name` when there is anything by that name: a folder, FIFO or dangling link there is
/// then refused by its reader with the reason, not silently replaced by guesses.
std::string siblingIfExists(const fs::path& dir, const char* name) {
    const fs::path p = dir / name;
    return pathEntryExists(p.string()) ? p.string() : std::string();
}

/// Refuses a pickle by name or content before any parser sees the file.
Status checkNotPickle(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped)
        return makeError(ErrorCode::Io, mapped.error().message);
    if (auto msg = refusePickle(path, (*mapped)->bytes()))
        return badModel(*msg);
    return Ok{};
}

/// A folder: its index or model.safetensors, else its only .safetensors or .npz.
Result<Resolved> resolveFolder(const std::string& path, Resolved r) {
    std::error_code ec;
    const fs::path p(path);
    r.config = siblingIfExists(p, "config.json");
    r.preprocessor = siblingIfExists(p, "preprocessor_config.json");
    if (auto idx = siblingIfExists(p, "model.safetensors.index.json"); !idx.empty()) {
        r.weights = idx;
        r.kind = WeightsKind::ShardedIndex;
        return r;
    }
    if (auto st = siblingIfExists(p, "model.safetensors"); !st.empty()) {
        r.weights = st;
        return r;
    }
    std::vector<fs::path> safetensors, npz, pickles;
    fs::directory_iterator entries(p, ec);
    if (ec)
        return makeError(ErrorCode::Io, path + ": cannot list the folder: " + ec.message());
    for (const auto& e : entries) {
        if (!e.is_regular_file(ec))
            continue;
        const std::string ext = lower(e.path().extension().string());
        if (ext == ".safetensors")
            safetensors.push_back(e.path());
        else if (ext == ".npz")
            npz.push_back(e.path());
        else if (ext == ".bin" || ext == ".pth" || ext == ".pt" || ext == ".ckpt" || ext == ".pkl")
            pickles.push_back(e.path());
    }
    if (safetensors.size() == 1) {
        r.weights = safetensors[0].string();
        return r;
    }
    if (safetensors.empty() && npz.size() == 1) {
        r.weights = npz[0].string();
        r.kind = WeightsKind::Npz;
        return r;
    }
    if (safetensors.empty() && npz.empty() && !pickles.empty()) {
        auto msg = refusePickle(pickles[0].string(), {});
        return badModel(
            msg.value_or(pickles[0].string() + ": PyTorch pickle checkpoints are refused"));
    }
    if (safetensors.size() > 1)
        return badModel(
            path +
            ": several .safetensors files and no model.safetensors.index.json; open one file");
    return badModel(path + ": no model.safetensors (or .npz) in this folder");
}

Result<Resolved> resolvePath(const std::string& path) {
    const fs::path p(path);
    auto folder = isFolder(path);
    if (!folder)
        return folder.error();
    Resolved r;
    r.display = path;
    if (*folder)
        return resolveFolder(path, std::move(r));
    if (auto st = checkNotPickle(path); !st)
        return st.error();
    const std::string name = lower(p.filename().string());
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    if (endsWith(name, ".safetensors.index.json")) {
        r.kind = WeightsKind::ShardedIndex;
    } else if (endsWith(name, ".safetensors")) {
        r.kind = WeightsKind::Safetensors;
    } else if (endsWith(name, ".npz")) {
        r.kind = WeightsKind::Npz;
        r.weights = path;
        return r;  // Google files carry no config
    } else {
        return badModel(
            path +
            ": unknown model format (expected .safetensors, a model.safetensors.index.json, "
            "a Hugging Face or timm folder, or a Google .npz)");
    }
    r.weights = path;
    r.config = siblingIfExists(dir, "config.json");
    r.preprocessor = siblingIfExists(dir, "preprocessor_config.json");
    return r;
}

Result<TensorStore> loadStore(const Resolved& r) {
    if (r.kind == WeightsKind::Npz)
        return loadNpz(r.weights);
    if (r.kind == WeightsKind::ShardedIndex)
        return loadShardedSafetensors(r.weights);
    return loadSafetensors(r.weights);
}

std::string dtypeSummary(const TensorStore& store) {
    std::map<std::string, int> counts;
    for (const auto& n : store.names()) counts[toString(store.find(n)->sourceDType)]++;
    std::string s;
    for (const auto& [k, v] : counts) s += (s.empty() ? "" : ", ") + k;
    if (s != "F32" && !s.empty())
        s += " (converted to F32 at load)";
    return s;
}

/// Class names: the config's, the ImageNet-1k list for unnamed 1000-class heads, else "class N".
/// The last two are guesses and recorded in `inferred`.
std::vector<std::string> pickLabels(const VitConfig& c, const ConfigHints* h, std::string& source,
                                    std::vector<InferredSetting>& inferred) {
    if (!c.hasHead()) {
        source = "none (the model has no classification head)";
        return {};
    }
    if (h && !h->labels.empty() && !h->labelsArePlaceholders &&
        static_cast<int>(h->labels.size()) == c.numClasses) {
        source = fs::path(h->file).filename().string() +
                 (h->kind == detail::ConfigKind::HuggingFace ? " id2label" : " label_names");
        return h->labels;
    }
    std::string why = "no config.json names the classes";
    if (h && !h->labels.empty()) {
        why = fs::path(h->file).filename().string() +
              (h->labelsArePlaceholders
                   ? " has only placeholder names"
                   : " names " + std::to_string(h->labels.size()) + " classes, the head has " +
                         std::to_string(c.numClasses));
    } else if (h) {
        why = fs::path(h->file).filename().string() + " names no classes";
    }
    if (c.numClasses == 1000) {
        source = "ImageNet-1k class list (bundled)";
        inferred.push_back(
            {InferredSetting::Kind::Labels, "ImageNet-1k class names", why + "; 1000 classes"});
        return imagenetLabels();
    }
    source = "none in the file: shown as \"class N\"";
    inferred.push_back({InferredSetting::Kind::Labels, "'class N'", why});
    return {};
}

std::string formatValues(const std::array<float, 3>& v, int channels) {
    auto one = [](float x) {
        std::ostringstream os;
        os << x;
        return os.str();
    };
    if (channels == 1 || (v[0] == v[1] && v[1] == v[2]))
        return one(v[0]);
    return "(" + one(v[0]) + ", " + one(v[1]) + ", " + one(v[2]) + ")";
}

/// Resize part of a recipe only ("resize to 28x28 (bilinear)").
std::string describeResize(PreprocessRecipe r) {
    r.rescale = false;
    r.normalize = false;
    r.channels = 3;
    return r.describe();
}

/// Why no recipe came from the files, in the naming's terms.
std::string recipeMissingWhy(Naming naming, const ConfigHints* h) {
    switch (naming) {
        case Naming::Google:
            return "Google .npz files state no preprocessing";
        case Naming::Timm:
            return h ? fileLabel(h->file) + " has no pretrained_cfg"
                     : "no config.json with a pretrained_cfg";
        default:
            return "no preprocessor_config.json";
    }
}

/// Applies the user's recipe / mean / std over `recipe`; records what still is a guess when the
/// files stated no preprocessing.
void applyRecipeOverrides(PreprocessRecipe& recipe, const VitConfig& c, const LoadOptions& o,
                          bool guessed, const std::string& why,
                          std::vector<InferredSetting>& inferred) {
    if (o.recipe)
        recipe = recipeForStyle(*o.recipe, c.imageH, c.imageW, c.channels, recipe.mean, recipe.std);
    if (o.mean)
        recipe.mean = *o.mean;
    if (o.std)
        recipe.std = *o.std;
    if (!guessed)
        return;
    if (!o.mean || !o.std) {
        const std::string mean = formatValues(recipe.mean, c.channels),
                          stdv = formatValues(recipe.std, c.channels);
        const std::string value =
            mean == stdv ? "mean/std " + mean : "mean " + mean + " std " + stdv;
        inferred.push_back({InferredSetting::Kind::Normalization, value,
                            why + (o.mean  ? "; std assumed"
                                   : o.std ? "; mean assumed"
                                           : "")});
    }
    if (!o.recipe)
        inferred.push_back({InferredSetting::Kind::Resize, describeResize(recipe), why});
}

/// Store tensors the bound model does not use: allow-listed ones are returned, others fail.
Result<std::vector<std::string>> checkUnused(const TensorStore& store,
                                             const std::set<std::string>& used,
                                             const detail::DetectedNaming& naming,
                                             const std::string& label) {
    std::vector<std::string> ignored, unknown;
    for (const std::string& name : store.names()) {
        if (used.count(name) != 0)
            continue;
        (detail::harmlessExtra(name, naming).empty() ? unknown : ignored).push_back(name);
    }
    std::sort(ignored.begin(), ignored.end());
    std::sort(unknown.begin(), unknown.end());
    if (unknown.empty())
        return ignored;
    constexpr size_t kShown = 5;
    std::string list;
    for (size_t i = 0; i < std::min(kShown, unknown.size()); ++i)
        list += (i ? ", " : "") + unknown[i];
    if (unknown.size() > kShown)
        list += " (and " + std::to_string(unknown.size() - kShown) + " more)";
    return badModel(label + ": this checkpoint has tensors vitscope does not use: " + list +
                    "; it may be an architecture vitscope does not support");
}

PreprocessRecipe defaultRecipe(const VitConfig& c, Naming naming) {
    constexpr std::array<float, 3> kImageNetMean{0.485f, 0.456f, 0.406f},
        kImageNetStd{0.229f, 0.224f, 0.225f};
    constexpr std::array<float, 3> kHalf{0.5f, 0.5f, 0.5f};
    PreprocessRecipe r;
    r.channels = c.channels;
    switch (naming) {
        case Naming::HfVit:
        case Naming::Google:
            r = hfExactResizeRecipe(c.imageH, c.imageW, Resample::Bilinear, kHalf, kHalf);
            r.channels = c.channels;
            break;
        case Naming::HfDeit:
        case Naming::HfDinov2:
            r = detail::timmRecipe(c.imageH, c.imageW, 0.875, Resample::Bicubic, kImageNetMean,
                                   kImageNetStd, c.channels);
            r.cropRounding = CropRounding::Floor;
            if (naming == Naming::HfDinov2) {  // BitImageProcessor: shortest edge 256, crop 224
                r.shortestEdge = 256;
                r.cropH = r.cropW = 224;
            }
            break;
        case Naming::Timm:
            r = detail::timmRecipe(c.imageH, c.imageW, 0.9, Resample::Bicubic,
                                   c.distToken ? kImageNetMean : kHalf,
                                   c.distToken ? kImageNetStd : kHalf, c.channels);
            break;
    }
    return r;  // listed in ModelInfo::inferred by the caller
}

std::string formatName(const Resolved& r, Naming naming, const ConfigHints* h) {
    if (naming == Naming::Google)
        return "Google .npz (big_vision / vision_transformer)";
    if (r.kind == WeightsKind::ShardedIndex)
        return "sharded safetensors";
    const bool hf =
        naming == Naming::HfVit || naming == Naming::HfDeit || naming == Naming::HfDinov2;
    if (hf)
        return h ? "Hugging Face folder (config.json + safetensors)"
                 : "Hugging Face safetensors (no config)";
    return h ? "timm safetensors + hub config.json"
             : "timm safetensors (no config: inferred from tensor names)";
}

/// config.json next to the weights, if there is one.
Result<std::optional<ConfigHints>> readHints(const Resolved& r) {
    if (r.config.empty())
        return std::optional<ConfigHints>();
    auto h = detail::readConfigFile(r.config);
    if (!h)
        return h.error();
    return std::optional<ConfigHints>(std::move(*h));
}

/// Which naming the file uses; Google .npz tensors are converted to canonical ones in place,
/// with the head count their attention kernels state stored in `googleHeads`.
Result<detail::DetectedNaming> detectAndConvert(TensorStore& store, const std::string& label,
                                                int& googleHeads) {
    detail::DetectedNaming naming;
    if (!detail::detectNaming(store, naming)) {
        return badModel(
            label +
            ": no ViT tensors recognised (looked for Hugging Face "
            "'embeddings.patch_embeddings.projection.weight', timm 'patch_embed.proj.weight' "
            "or Google 'embedding/kernel')");
    }
    googleHeads = 0;
    if (naming.naming == Naming::Google) {
        auto heads = detail::convertGoogleNpz(store, label);
        if (!heads)
            return heads.error();
        googleHeads = *heads;
    }
    return naming;
}

/// The preprocessing recipe: preprocessor_config.json, the config's own, or a default for the
/// naming; then the user's overrides (guesses are recorded in `inferred`).
Result<PreprocessRecipe> chooseRecipe(const Resolved& r, const ConfigHints* hints,
                                      const VitConfig& config, Naming naming,
                                      const LoadOptions& options,
                                      std::vector<InferredSetting>& inferred) {
    PreprocessRecipe recipe;
    const bool recipeGuessed = r.preprocessor.empty() && !(hints && hints->recipe);
    if (!r.preprocessor.empty()) {
        auto rec = detail::readPreprocessorConfig(r.preprocessor, config.channels);
        if (!rec)
            return rec.error();
        recipe = *rec;
        recipe.source = fileLabel(r.preprocessor);
    } else if (hints && hints->recipe) {
        recipe = *hints->recipe;
        recipe.channels = config.channels;
        recipe.source = fileLabel(hints->file);
    } else {
        recipe = defaultRecipe(config, naming);
    }
    applyRecipeOverrides(recipe, config, options, recipeGuessed, recipeMissingWhy(naming, hints),
                         inferred);
    // Sizes that would allocate gigabytes or a crop no image can fit: refused at load time.
    if (auto st = checkRecipe(recipe); !st) {
        return st.error();
    }
    return recipe;
}

/// The descriptive fields of ModelInfo (path, format, architecture, sizes).
void describeModel(ModelInfo& info, const Resolved& r, Naming naming, const ConfigHints* hints,
                   const TensorStore& store, int64_t params) {
    info.path = r.display;
    info.format = formatName(r, naming, hints);
    info.naming = detail::namingId(naming);
    info.architecture = hints && !hints->architecture.empty()
                            ? hints->architecture
                            : std::string("ViT (") + info.naming + ")";
    info.weightsDType = dtypeSummary(store);
    info.numParameters = params;
    info.mappedBytes = store.borrowedBytes();
    info.ownedBytes = store.ownedBytes();
}

}  // namespace

Status validateLoadOptions(const LoadOptions& options) {
    if (options.numHeads < 0) {
        return makeError(ErrorCode::Usage,
                         "head count must be positive, not " + std::to_string(options.numHeads));
    }
    auto finite = [](const std::array<float, 3>& v) {
        return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
    };
    if (options.mean && !finite(*options.mean))
        return makeError(ErrorCode::Usage, "mean must be finite numbers");
    if (options.std &&
        (!finite(*options.std) || !std::all_of(options.std->begin(), options.std->end(),
                                               [](float x) { return x > 0.0f; }))) {
        return makeError(ErrorCode::Usage, "std must be finite numbers greater than 0");
    }
    return Ok{};
}

Result<ModelPtr> loadModel(const std::string& path, const LoadOptions& options) {
    if (auto st = validateLoadOptions(options); !st)
        return st.error();
    auto resolved = resolvePath(path);
    if (!resolved)
        return resolved.error();
    const Resolved& r = *resolved;
    if (options.progress)
        options.progress(0.0f);

    // Read the config and the tensors.
    auto hintsRead = readHints(r);
    if (!hintsRead)
        return hintsRead.error();
    const ConfigHints* hints = *hintsRead ? &**hintsRead : nullptr;
    auto store = loadStore(r);
    if (!store)
        return store.error();
    if (options.cancel && options.cancel->load())
        return makeError(ErrorCode::Cancelled, "cancelled");
    if (options.progress)
        options.progress(0.8f);

    // Recognise the naming and map the tensors to canonical names.
    const std::string label = fileLabel(r.weights);
    int googleHeads = 0;
    auto detected = detectAndConvert(*store, label, googleHeads);
    if (!detected)
        return detected.error();
    const detail::DetectedNaming& naming = *detected;
    const detail::CanonicalTensors canon = detail::canonicalize(*store, naming);
    detail::DeriveContext ctx{naming.naming, naming.prefix, label, options.numHeads, googleHeads};

    // Derive the architecture, bind the weights, refuse unknown tensors.
    ModelInfo info;
    auto config = detail::deriveConfig(canon, hints, ctx, info.notes, info.inferred);
    if (!config)
        return config.error();
    VitWeights weights;
    std::set<std::string> used;
    auto params = detail::bindWeights(canon, *config, ctx, weights, used);
    if (!params)
        return params.error();
    auto ignored = checkUnused(*store, used, naming, label);
    if (!ignored)
        return ignored.error();
    info.ignoredTensors = std::move(*ignored);

    // Preprocessing, description and labels.
    auto recipe = chooseRecipe(r, hints, *config, naming.naming, options, info.inferred);
    if (!recipe)
        return recipe.error();
    describeModel(info, r, naming.naming, hints, *store, *params);
    std::vector<std::string> labels = pickLabels(*config, hints, info.labelsSource, info.inferred);

    weights.storage = std::move(*store);
    if (options.progress)
        options.progress(1.0f);
    return ModelPtr(std::make_shared<const VitModel>(*config, std::move(weights), std::move(labels),
                                                     *recipe, std::move(info)));
}

}  // namespace vitscope::core
