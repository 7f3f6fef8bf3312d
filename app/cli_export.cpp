// `vitscope-cli export`: any figure of the window on Qt's offscreen platform, or its numbers.
#include <cstdio>
#include <optional>
#include <string>

#include "app/cli_commands.h"
#include "app/cli_session.h"

#ifdef VITSCOPE_NO_FIGURE_EXPORT

namespace vitscope::app {
int runExport(const CliArgs&, const char*) {
    return fail("export", kExitUsage,
                "this build has no figure export (configured with VITSCOPE_BUILD_GUI=OFF)");
}
}  // namespace vitscope::app

#else

#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>
#include <memory>

#include "app/cli_animate.h"
#include "core/io/data_export.h"
#include "core/model/token_names.h"
#include "core/pipeline/dataset.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/export/figure_table.h"
#include "ui/export/pair_builders.h"

namespace vitscope::app {

namespace {

/// posembed-similarity draws gridH x gridW tiles of gridH x gridW values each: 64 per side
/// (a 1024-pixel input at patch 16) is 16.8 million values.
constexpr int kMaxGridSide = 64;
constexpr int kMaxSidePixels = 16384;
/// --resolution runs the model once more at that size.
constexpr long long kMaxPixels = 4096LL * 4096;

/// --layer, --head, --source, --reverse, --discard (need the run's token layout).
core::Status attentionOptions(const CliArgs& args, const core::Run* run, ui::FigureOptions& o) {
    auto usage = [](std::string m) {
        return core::makeError(core::ErrorCode::Usage, std::move(m));
    };
    const std::string layer = args.get("layer", "last");
    if (layer != "last") {
        auto l = args.getInt("layer", 0, 1, 100000);
        if (!l)
            return l.error();
        o.layer = *l - 1;
    }
    const std::string head = args.get("head", "mean");
    if (auto fusion = core::parseHeadFusion(head)) {
        o.head = -1;
        o.fusion = *fusion;
    } else {
        auto h = args.getInt("head", 0, 1, 100000);
        if (!h)
            return usage("--head must be a head number 1..H, mean, max or min, got '" + head + "'");
        o.head = *h - 1;
    }
    o.reverse = args.has("reverse");
    auto discard = args.getReal("discard", 0.0, 0.0, 1.0);
    if (!discard)
        return discard.error();
    o.discardRatio = static_cast<float>(*discard);
    if (run != nullptr && args.has("source")) {
        auto token = core::parseTokenSpec(run->result->tokens, args.get("source"));
        if (!token)
            return usage("--source: " + token.error().message);
        o.sourceToken = *token;
    }
    return core::Ok{};
}

/// --on, --upsample, --display, --mask-mass (how the attention and rollout maps are drawn).
core::Status displayOptions(const CliArgs& args, ui::AttentionDisplayOptions& d) {
    auto usage = [](std::string m) {
        return core::makeError(core::ErrorCode::Usage, std::move(m));
    };
    const std::string on = args.get("on", "input");
    if (on != "input" && on != "original")
        return usage("--on must be input or original, got '" + on + "'");
    d.on = on == "original" ? ui::AttentionBase::Original : ui::AttentionBase::Input;
    const std::string upsample = args.get("upsample", "nearest");
    if (upsample != "nearest" && upsample != "bicubic")
        return usage("--upsample must be nearest or bicubic, got '" + upsample + "'");
    d.upsampling = upsample == "bicubic" ? core::Upsampling::Bicubic : core::Upsampling::Nearest;
    const std::string display = args.get("display", "overlay");
    if (display == "overlay") {
        d.display = ui::AttentionDisplay::Overlay;
    } else if (display == "mask") {
        d.display = ui::AttentionDisplay::Mask;
    } else if (display == "alpha") {
        d.display = ui::AttentionDisplay::Alpha;
    } else {
        return usage("--display must be overlay, mask or alpha, got '" + display + "'");
    }
    auto mass = args.getReal("mask-mass", 60.0, 0.0, 100.0);
    if (!mass)
        return mass.error();
    if (*mass <= 0.0)
        return usage("--mask-mass must be above 0 (a share of the attention mass in percent)");
    if (args.has("mask-mass") && d.display != ui::AttentionDisplay::Mask)
        return usage("--mask-mass applies to --display mask only");
    d.maskMass = *mass / 100.0;
    return core::Ok{};
}

/// Everything else a figure takes.
core::Status figureOptions(const CliArgs& args, const Session& s, ui::FigureOptions& o) {
    auto usage = [](std::string m) {
        return core::makeError(core::ErrorCode::Usage, std::move(m));
    };
    if (args.has("colormap")) {
        auto map = core::parseColormap(args.get("colormap"));
        if (!map)
            return usage("--colormap '" + args.get("colormap") +
                         "': expected viridis, inferno, magma, jet, grey or diverging");
        o.colormap = *map;
    }
    if (auto st = displayOptions(args, o.attentionDisplay); !st)
        return st;
    o.interp = s.run.posInterp.value_or(s.model->config().defaultPosInterp);
    o.experiments.interp = o.interp;
    auto grid = args.getPair("grid", 'x', 1, kMaxGridSide);
    if (!grid)
        return grid.error();
    o.gridH = grid->first;
    o.gridW = grid->second;
    const std::string prefix = args.get("prefix", "renormalise");
    if (prefix == "renormalise" || prefix == "renormalize") {
        o.prefix = core::PrefixHandling::DropAndRenormalise;
    } else if (prefix == "keep") {
        o.prefix = core::PrefixHandling::DropWithoutRenormalising;
    } else {
        return usage("--prefix must be renormalise or keep, got '" + prefix + "'");
    }
    o.rawFilters = args.has("raw-filters");
    auto seed = args.getInt("seed", 0, 0, 1 << 30);
    if (!seed)
        return seed.error();
    o.experiments.seed = static_cast<uint64_t>(*seed);
    auto shift = args.getPair("shift", ',', -kMaxSidePixels, kMaxSidePixels);
    if (!shift)
        return shift.error();
    o.experiments.shiftDy = shift->first;
    o.experiments.shiftDx = shift->second;
    auto resolution = args.getSize("resolution", kMaxSidePixels, kMaxPixels);
    if (!resolution)
        return resolution.error();
    o.experiments.resolutionH = resolution->first;
    o.experiments.resolutionW = resolution->second;
    return core::Ok{};
}

/// Attention distance averaged over --images DIR, through the one dataset loop.
core::Status folderDistances(const CliArgs& args, const Session& s, ui::FigureOptions& o) {
    auto maxImages = args.getInt("max-images", 128, 1, 100000);
    if (!maxImages)
        return maxImages.error();
    auto files = core::listImages(args.get("images"), *maxImages);
    if (!files)
        return files.error();
    auto d = core::folderAttentionDistance(s.model, *files, s.run, o.prefix);
    if (!d)
        return core::makeError(d.error().code, args.get("images") + ": " + d.error().message);
    if (d->skipped > 0) {
        std::fprintf(stderr, "vitscope-cli export: skipped %d %s; the first: %s\n", d->skipped,
                     d->skipped == 1 ? "image" : "images", d->firstProblem.c_str());
    }
    o.distances = d->mean;
    o.distanceImages = d->used;
    return core::Ok{};
}

/// The numbers behind a figure into exactly `path` (bytes, as given): written under a staging
/// name in the target folder, then renamed into place, so a failure leaves nothing behind.
core::Status exportNumbersTo(const QString& figure, const ui::FigureContext& context,
                             const ui::FigureOptions& options, const std::string& path,
                             const QString& suffix) {
    const size_t slash = path.rfind('/');
    const std::string folder = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string temp = folder + ".vitscope-export.tmp." +
                             std::to_string(QCoreApplication::applicationPid()) + "." +
                             suffix.toStdString();
    const QString tempName = QFile::decodeName(QByteArray::fromStdString(temp));
    if (QFile::encodeName(tempName).toStdString() != temp) {
        return core::makeError(core::ErrorCode::Usage,
                               path +
                                   ": the folder name is not valid UTF-8; numbers are "
                                   "written only into folders with UTF-8 names");
    }
    if (auto st = ui::exportNumbers(figure, context, options, tempName); !st) {
        QFile::remove(tempName);
        std::string message = st.error().message;
        if (const size_t at = message.find(temp); at != std::string::npos)
            message.replace(at, temp.size(), path);
        return core::makeError(st.error().code, message);
    }
    return core::renameIntoPlace(temp, path);
}

/// Keeps a QGuiApplication alive for the command when the caller has none.
std::unique_ptr<QGuiApplication> ensureApplication() {
    if (QCoreApplication::instance() != nullptr)
        return nullptr;
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "vitscope-cli";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QGuiApplication>(argc, argv);
}

/// Builds figure `figure` and writes it to `outPath`, or its numbers when `numbers`.
int writeFigure(const QString& figure, const ui::FigureContext& context,
                const ui::FigureOptions& options, const std::string& outPath, const QString& suffix,
                bool numbers, double scale) {
    if (numbers) {
        if (auto st = exportNumbersTo(figure, context, options, outPath, suffix); !st)
            return fail("export", st.error(), Stage::Output);
        return kExitOk;
    }
    auto made = ui::makeFigure(figure, context, options);
    if (!made)
        return fail("export", made.error(), Stage::Input);
    if (auto st = ui::exportFigureToPath(*made.value(), outPath, scale); !st)
        return fail("export", st.error(), Stage::Output);
    return kExitOk;
}

/// A figure drawn from the lab results file (--lab-results, else the bundled one): no model,
/// no image. An unreadable or malformed file is an input error (exit 2).
int exportLabFigure(const CliArgs& args, const QString& figure, const std::string& outPath,
                    const QString& suffix, bool numbers, double scale) {
    ui::FigureOptions options;
    options.labResults = args.get("lab-results");
    auto lab = ui::labResultsFor(options);
    if (!lab)
        return fail("export", lab.error(), Stage::Input);
    options.lab = lab.value();
    auto app = ensureApplication();
    return writeFigure(figure, ui::FigureContext{}, options, outPath, suffix, numbers, scale);
}

/// --compare-model B: checked before anything is loaded (exit 1 for a combination that cannot
/// be drawn).
std::optional<std::string> compareUsage(const CliArgs& args, const QString& figure, bool numbers) {
    if (!args.has("compare-model"))
        return std::nullopt;
    if (!ui::pairFigureNames().contains(figure))
        return "--compare-model draws posembed-similarity or attention-distance, not '" +
               figure.toStdString() + "'";
    if (numbers)
        return "--compare-model draws a figure (.png, .svg or .pdf), not numbers";
    if (args.has("images") || args.has("input-npy"))
        return "--compare-model runs both models on one --image (not --images or --input-npy)";
    return std::nullopt;
}

/// Loads --compare-model B and runs --image through it with B's own recipe; B's errors name B.
int exportPair(const CliArgs& args, const QString& figure, const ui::FigureContext& left,
               const ui::FigureOptions& options, const Session& s, double scale) {
    const std::string path = args.get("compare-model");
    // Messages that do not start with B's path get it in front: every error names B.
    auto named = [&path](const std::string& message) {
        return "--compare-model " + (message.rfind(path, 0) == 0 ? message : path + ": " + message);
    };
    auto model = core::loadModel(path);
    if (!model)
        return fail("export", kExitModel, named(model.error().message));
    ui::FigureContext right;
    right.model = model.value();
    if (left.run) {
        core::RunOptions run;
        run.memoryBudget = s.run.memoryBudget;
        auto result = core::runImageFile(right.model, args.get("image"), run);
        if (!result) {
            const int code = exitCodeFor(result.error(), Stage::Input);
            return fail(
                "export", code,
                code == kExitModel ? named(result.error().message) : result.error().message);
        }
        right.run = std::make_shared<const core::Run>(std::move(result.value()));
    }
    auto made = ui::makePairFigure(figure, left, right, options);
    if (!made)
        return fail("export", made.error(), Stage::Input);
    if (auto st = ui::exportFigureToPath(*made.value(), args.get("out"), scale); !st)
        return fail("export", st.error(), Stage::Output);
    return kExitOk;
}

}  // namespace

int runExport(const CliArgs& args, const char* argv0) {
    for (const char* required : {"figure", "out"}) {
        if (!args.has(required))
            return fail("export", kExitUsage, std::string("needs --") + required);
    }
    const QString figure = QString::fromStdString(args.get("figure"));
    const std::string outPath = args.get("out");
    const QString out = QString::fromStdString(outPath);
    const QString suffix = QFileInfo(out).suffix().toLower();
    const bool numbers = suffix == "npy" || suffix == "csv";
    const bool animate = args.has("animate");
    if (!animate && !numbers && ui::figureFormat(out).isEmpty()) {
        return fail("export", kExitUsage, outPath + ": expected .png, .svg, .pdf, .npy or .csv");
    }
    if (!ui::figureNames().contains(figure)) {
        return fail("export", kExitUsage,
                    "unknown figure '" + figure.toStdString() + "': expected one of " +
                        ui::figureNames().join(", ").toStdString());
    }
    if (animate) {
        if (auto problem = animateUsage(args, figure, outPath))
            return fail("export", kExitUsage, *problem);
    } else if (args.has("frame-ms")) {
        return fail("export", kExitUsage, "--frame-ms is the time per frame of --animate");
    }
    auto scale = args.getReal("scale", 2.0, 0.1, 16.0);
    if (!scale)
        return fail("export", kExitUsage, scale.error().message);
    // Checked here too, so a bad value is refused even when no --images folder is given.
    if (auto maxImages = args.getInt("max-images", 128, 1, 100000); !maxImages)
        return fail("export", kExitUsage, maxImages.error().message);
    const ui::FigureEntry* entry = ui::findFigure(figure);
    if (!entry->needsModel)
        return exportLabFigure(args, figure, outPath, suffix, numbers, *scale);
    const bool folder = figure == "attention-distance" && args.has("images");
    const bool needsImage = entry->needsRun && !folder;
    if (needsImage && !args.has("image") && !args.has("input-npy")) {
        return fail("export", kExitUsage, "--figure " + figure.toStdString() + " needs --image");
    }
    if (auto problem = compareUsage(args, figure, numbers))
        return fail("export", kExitUsage, *problem);
    auto app = ensureApplication();
    Session s;
    if (auto code = openSession(args, "export", argv0, s))
        return *code;
    ui::FigureOptions options;
    if (auto st = figureOptions(args, s, options); !st)
        return fail("export", kExitUsage, st.error().message);
    ui::FigureContext context;
    context.model = s.model;
    if (auto code = runInput(args, s, false, context.run))
        return *code;
    if (auto st = attentionOptions(args, context.run.get(), options); !st) {
        return fail("export", kExitUsage, st.error().message);
    }
    if (folder) {
        if (auto st = folderDistances(args, s, options); !st)
            return fail("export", st.error(), Stage::Input);
    }
    if (animate)
        return exportAnimation(args, figure, context, options, *scale);
    if (args.has("compare-model"))
        return exportPair(args, figure, context, options, s, *scale);
    return writeFigure(figure, context, options, outPath, suffix, numbers, *scale);
}

}  // namespace vitscope::app

#endif  // VITSCOPE_NO_FIGURE_EXPORT
