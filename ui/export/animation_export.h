#pragma once
/// Layers (or heads) as a sequence: an Animation is a number of frames, each built on demand as
/// the ordinary attention figure of one layer or head (the same painter and caption, which
/// names the layer), written as an animated GIF (ui/export/gif_writer.h) or as numbered PNG
/// frames through exportFigure(). Frames are built, painted and written one at a time, so a
/// 24-layer ViT-L at scale 2 holds one frame, never the sequence. Nothing here touches a widget:
/// the window runs it as a JobRunner job (AnimationExporter), the CLI on its own thread.

#include <QString>
#include <QStringList>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/analysis/colormap.h"
#include "core/model/inference_result.h"
#include "core/result.h"
#include "ui/export/figure_context.h"
#include "ui/figures/attention_figure.h"
#include "ui/layer_head_picker.h"

namespace vitscope::ui {

/// What changes from frame to frame.
enum class AnimateOver { Layers, Heads };
/// "layers" or "heads" (the CLI's --animate values); nullopt otherwise.
std::optional<AnimateOver> parseAnimateOver(const QString& name);
QString animateOverName(AnimateOver over);

struct Animation {
    int frames = 0;
    /// Frame `index` (0-based) as a figure. May run on any thread; shares immutable data only.
    std::function<core::Result<std::unique_ptr<Figure>>(int index)> frame;
    /// The figures' colormap, whose colours every GIF palette keeps exactly.
    core::Colormap colormap = core::Colormap::Viridis;
    /// Base name of the frame files, e.g. "attention-layers".
    QString name;
};

/// The figures of the table that have layers to animate: attention (layers or heads) and
/// rollout (layers).
QStringList animatableFigures();

/// `figure` from the figure table (ui/export/figure_table.h) with `options`, one frame per
/// layer (options.layer replaced) or per head of options.layer (options.head replaced).
/// Usage errors: a figure with no layers, heads of a rollout, --layer with layers or --head with
/// heads (`options` must leave the animated one at -1); BadImage without a run.
core::Result<Animation> tableAnimation(const QString& figure, const FigureContext& context,
                                       const FigureOptions& options, AnimateOver over);

/// The window's figure: `style` (image, colormap, opacity, overlays, palette) with the map of
/// `query` for each layer (rollout up to each layer when the query is a rollout) or each head
/// of query.layer. Usage error when `result` has no attention, or for heads of a rollout.
core::Result<Animation> viewAnimation(const AttentionFigure& style,
                                      std::shared_ptr<const core::InferenceResult> result,
                                      const AttentionQuery& query, AnimateOver over);

/// "attention-layers-07.png": 1-based, zero-padded to the digits of `count` (at least 2).
QString frameFileName(const QString& base, int index, int count);

struct AnimationOutput {
    double scale = 2.0;                                 ///< pixels per figure unit, as a PNG export
    int frameMs = 500;                                  ///< GIF delay per frame
    const std::atomic<bool>* cancel = nullptr;          ///< checked before each frame
    std::function<void(int done, int total)> progress;  ///< after each frame
};

/// Writes `animation` to `path` (bytes, as given) as an animated GIF (see writeGif).
core::Status writeAnimationGif(const Animation& animation, const std::string& path,
                               const AnimationOutput& output);

/// Where numbered frames go for an output path: "DIR/" (or an existing folder) gives
/// (DIR, animation name); "DIR/name.png" gives (DIR, "name").
struct FramesTarget {
    QString folder;
    QString base;
};
FramesTarget framesTarget(const QString& out, const QString& animationName);
/// True when `out` names numbered PNG frames (a folder or a .png name), false for a .gif.
bool isFramesTarget(const QString& out);

/// Writes every frame as `target.folder/frameFileName(target.base, i, frames)` through
/// exportFigure() (the folder is created when missing). Returns the paths written. A failure or
/// a cancel removes the frames written so far. Errors: Io naming the folder or file, Cancelled,
/// the frame's own error.
core::Result<QStringList> writeAnimationFrames(const Animation& animation,
                                               const FramesTarget& target,
                                               const AnimationOutput& output);

}  // namespace vitscope::ui
