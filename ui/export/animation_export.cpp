#include "ui/export/animation_export.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <algorithm>

#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/export/gif_writer.h"

namespace vitscope::ui {

using core::ErrorCode;
using core::makeError;

namespace {

core::Error usage(const QString& message) {
    return makeError(ErrorCode::Usage, message.toStdString());
}

bool hasAttention(const core::InferenceResult* result) {
    return result != nullptr && !result->attention.empty();
}

core::Status checkScale(double scale) {
    if (!(scale > 0.0 && scale <= 16.0)) {
        return usage(QStringLiteral("scale %1: expected a value in (0, 16]").arg(scale));
    }
    return core::Ok{};
}

}  // namespace

std::optional<AnimateOver> parseAnimateOver(const QString& name) {
    if (name == QLatin1String("layers")) {
        return AnimateOver::Layers;
    }
    if (name == QLatin1String("heads")) {
        return AnimateOver::Heads;
    }
    return std::nullopt;
}

QString animateOverName(AnimateOver over) {
    return over == AnimateOver::Layers ? QStringLiteral("layers") : QStringLiteral("heads");
}

QStringList animatableFigures() { return {QStringLiteral("attention"), QStringLiteral("rollout")}; }

core::Result<Animation> tableAnimation(const QString& figure, const FigureContext& context,
                                       const FigureOptions& options, AnimateOver over) {
    if (!animatableFigures().contains(figure)) {
        return usage(QStringLiteral("figure '%1' has no layers to animate; --animate works with %2")
                         .arg(figure, animatableFigures().join(QStringLiteral(" and "))));
    }
    const bool rollout = figure == QLatin1String("rollout");
    if (rollout && over == AnimateOver::Heads) {
        return usage(QStringLiteral(
            "a rollout fuses all heads, so it has no heads to animate; use --animate layers"));
    }
    if (over == AnimateOver::Layers && options.layer >= 0) {
        return usage(QStringLiteral(
            "--layer picks one layer, and --animate layers shows every layer; give one of them"));
    }
    if (over == AnimateOver::Heads && options.head >= 0) {
        return usage(QStringLiteral(
            "--head picks one head, and --animate heads shows every head; give one of them"));
    }
    if (!hasAttention(context.result())) {
        return makeError(ErrorCode::BadImage, "an animation needs an image run through the model");
    }
    const core::AttentionStack& attention = context.result()->attention;
    Animation animation;
    animation.frames = over == AnimateOver::Layers ? attention.layers() : attention.heads();
    animation.colormap = options.colormap;
    animation.name = figure + QLatin1Char('-') + animateOverName(over);
    animation.frame = [figure, context, options, over](int index) {
        FigureOptions frame = options;
        (over == AnimateOver::Layers ? frame.layer : frame.head) = index;
        return makeFigure(figure, context, frame);
    };
    return animation;
}

core::Result<Animation> viewAnimation(const AttentionFigure& style,
                                      std::shared_ptr<const core::InferenceResult> result,
                                      const AttentionQuery& query, AnimateOver over) {
    if (!hasAttention(result.get())) {
        return usage(
            QStringLiteral("There is no attention to animate: open a model and an "
                           "image first."));
    }
    if (query.rollout && over == AnimateOver::Heads) {
        return usage(
            QStringLiteral("A rollout fuses all heads, so it has no heads to animate. "
                           "Animate the layers, or turn the rollout off."));
    }
    Animation animation;
    animation.frames =
        over == AnimateOver::Layers ? result->attention.layers() : result->attention.heads();
    animation.colormap = style.colormap();
    animation.name = QStringLiteral("attention-") + animateOverName(over);
    animation.frame = [style, result, query,
                       over](int index) -> core::Result<std::unique_ptr<Figure>> {
        AttentionQuery q = query;
        (over == AnimateOver::Layers ? q.layer : q.head) = index;
        auto map = attentionMapOrError(*result, q);
        if (!map) {
            return map.error();
        }
        const core::TokenLayout& tokens = result->tokens;
        auto figure = std::make_unique<AttentionFigure>(style);
        figure->setGrid(tokens.gridH, tokens.gridW);
        figure->setMap(map.value());
        if (tokens.isPatch(q.sourceToken) && tokens.gridW > 0) {
            const int patch = q.sourceToken - tokens.numPrefix;
            figure->setSelectedPatch(patch / tokens.gridW, patch % tokens.gridW);
        } else {
            figure->setSelectedPatch(-1, -1);
        }
        figure->setCaption(
            describeQuery(q, tokens, result->attention.layers(), result->attention.heads()));
        return std::unique_ptr<Figure>(std::move(figure));
    };
    return animation;
}

QString frameFileName(const QString& base, int index, int count) {
    const int digits = std::max(2, static_cast<int>(QString::number(std::max(count, 1)).size()));
    return QStringLiteral("%1-%2.png").arg(base).arg(index + 1, digits, 10, QLatin1Char('0'));
}

core::Status writeAnimationGif(const Animation& animation, const std::string& path,
                               const AnimationOutput& output) {
    if (auto st = checkScale(output.scale); !st) {
        return st;
    }
    GifOptions gif;
    gif.delayMs = output.frameMs;
    gif.reserved = reservedColours(animation.colormap);
    gif.cancel = output.cancel;
    gif.progress = output.progress;
    const double scale = output.scale;
    return writeGif(
        path, animation.frames,
        [&animation, scale](int index) -> core::Result<QImage> {
            auto figure = animation.frame(index);
            if (!figure) {
                return figure.error();
            }
            return renderFigureImage(*figure.value(), scale);
        },
        gif);
}

bool isFramesTarget(const QString& out) {
    return out.endsWith(QLatin1Char('/')) || QFileInfo(out).isDir() ||
           QFileInfo(out).suffix().toLower() == QLatin1String("png");
}

FramesTarget framesTarget(const QString& out, const QString& animationName) {
    const QFileInfo info(out);
    if (out.endsWith(QLatin1Char('/')) || info.isDir()) {
        return {out, animationName};
    }
    return {info.path(), info.completeBaseName()};
}

core::Result<QStringList> writeAnimationFrames(const Animation& animation,
                                               const FramesTarget& target,
                                               const AnimationOutput& output) {
    if (auto st = checkScale(output.scale); !st) {
        return st.error();
    }
    if (target.folder.isEmpty() || !QDir().mkpath(target.folder)) {
        return makeError(
            ErrorCode::Io,
            (target.folder + QStringLiteral(": cannot create the folder")).toStdString());
    }
    const QDir folder(target.folder);
    QStringList written;
    auto failed = [&written](core::Error error) {
        for (const QString& path : std::as_const(written)) {
            QFile::remove(path);
        }
        return error;
    };
    for (int i = 0; i < animation.frames; ++i) {
        if (output.cancel && output.cancel->load()) {
            return failed(makeError(ErrorCode::Cancelled, "export cancelled"));
        }
        auto figure = animation.frame(i);
        if (!figure) {
            return failed(figure.error());
        }
        const QString path = folder.filePath(frameFileName(target.base, i, animation.frames));
        if (auto st = exportFigure(*figure.value(), path, output.scale); !st) {
            return failed(st.error());
        }
        written << path;
        if (output.progress) {
            output.progress(i + 1, animation.frames);
        }
    }
    return written;
}

}  // namespace vitscope::ui
