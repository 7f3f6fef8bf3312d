// `vitscope-cli export --animate`: layers or heads as an animated GIF or numbered PNG frames.
#ifndef VITSCOPE_NO_FIGURE_EXPORT

#include "app/cli_animate.h"

#include <QFile>
#include <QFileInfo>

#include "ui/export/animation_export.h"

namespace vitscope::app {

namespace {
constexpr int kDefaultFrameMs = 500;
}  // namespace

std::optional<std::string> animateUsage(const CliArgs& args, const QString& figure,
                                        const std::string& out) {
    const std::string value = args.get("animate");
    const auto over = ui::parseAnimateOver(QString::fromStdString(value));
    if (!over) {
        return "--animate must be layers or heads, got '" + value + "'";
    }
    if (!ui::animatableFigures().contains(figure)) {
        return "--figure " + figure.toStdString() + " has no layers to animate; --animate works " +
               "with " + ui::animatableFigures().join(" and ").toStdString();
    }
    if (figure == QLatin1String("rollout") && *over == ui::AnimateOver::Heads) {
        return "a rollout fuses all heads, so it has no heads to animate; use --animate layers";
    }
    if (*over == ui::AnimateOver::Layers && args.has("layer")) {
        return "--layer picks one layer, and --animate layers shows every layer; give one of them";
    }
    if (*over == ui::AnimateOver::Heads && args.has("head")) {
        return "--head picks one head, and --animate heads shows every head; give one of them";
    }
    if (args.has("compare-model")) {
        return "--compare-model draws one figure, not an animation";
    }
    const QString path = QFile::decodeName(QByteArray::fromStdString(out));
    if (QFileInfo(path).suffix().toLower() != QLatin1String("gif") && !ui::isFramesTarget(path)) {
        return out +
               ": an animation is written as a .gif file, or as numbered PNG frames to DIR/ "
               "or NAME.png";
    }
    if (auto ms = args.getInt("frame-ms", kDefaultFrameMs, 20, 60000); !ms) {
        return ms.error().message;
    }
    return std::nullopt;
}

int exportAnimation(const CliArgs& args, const QString& figure, const ui::FigureContext& context,
                    const ui::FigureOptions& options, double scale) {
    const auto over = ui::parseAnimateOver(QString::fromStdString(args.get("animate")));
    auto animation = ui::tableAnimation(figure, context, options, *over);
    if (!animation) {
        return fail("export", animation.error(), Stage::Input);
    }
    ui::AnimationOutput output;
    output.scale = scale;
    output.frameMs = args.getInt("frame-ms", kDefaultFrameMs, 20, 60000).value();
    const std::string out = args.get("out");
    const QString path = QFile::decodeName(QByteArray::fromStdString(out));
    if (QFileInfo(path).suffix().toLower() == QLatin1String("gif")) {
        if (auto st = ui::writeAnimationGif(animation.value(), out, output); !st) {
            return fail("export", st.error(), Stage::Output);
        }
        return kExitOk;
    }
    auto frames = ui::writeAnimationFrames(animation.value(),
                                           ui::framesTarget(path, animation->name), output);
    if (!frames) {
        return fail("export", frames.error(), Stage::Output);
    }
    return kExitOk;
}

}  // namespace vitscope::app

#endif  // VITSCOPE_NO_FIGURE_EXPORT
