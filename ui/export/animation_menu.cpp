#include "ui/export/animation_menu.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QProgressDialog>

#include "ui/attention_view.h"
#include "ui/export/animation_export.h"
#include "ui/export/export_location.h"
#include "ui/inference_controller.h"
#include "ui/job_runner.h"
#include "ui/layer_head_picker.h"
#include "ui/layer_player.h"

namespace vitscope::ui {

namespace {

struct Outcome {
    QString error;    ///< empty on success
    QString written;  ///< what the status bar says was written
};

Outcome writeAnimation(const Animation& animation, const QString& path,
                       const AnimationOutput& output) {
    Outcome outcome;
    if (isFramesTarget(path)) {
        const FramesTarget target = framesTarget(path, animation.name);
        auto frames = writeAnimationFrames(animation, target, output);
        if (!frames) {
            outcome.error = QString::fromStdString(frames.error().message);
        } else {
            outcome.written = QObject::tr("%1 frames, %2 to %3")
                                  .arg(frames->size())
                                  .arg(QFileInfo(frames->first()).fileName(),
                                       QFileInfo(frames->last()).fileName());
        }
        return outcome;
    }
    const core::Status status =
        writeAnimationGif(animation, QFile::encodeName(path).toStdString(), output);
    if (!status) {
        outcome.error = QString::fromStdString(status.error().message);
    } else {
        outcome.written = path;
    }
    return outcome;
}

}  // namespace

AnimationExporter::AnimationExporter(QMenu* menu, const Sources& sources, QWidget* dialogParent)
    : QObject(dialogParent),
      mSources(sources),
      mDialogParent(dialogParent),
      mJobs(new JobRunner(this)) {
    mChoosePath = [this](const QString& suggested) {
        return QFileDialog::getSaveFileName(
            mDialogParent, tr("Export Animation"), suggested,
            tr("Animated GIF (*.gif);;Numbered PNG frames (*.png)"));
    };
    mAction = menu->addAction(tr("A&nimation (Layers or Heads)..."), this,
                              &AnimationExporter::exportAnimation);
    mAction->setObjectName(QStringLiteral("exportAnimationAction"));
    mAction->setToolTip(
        tr("The layers or heads the Play button steps through, as an animated "
           "GIF or as numbered PNG frames"));
    connect(mJobs, &JobRunner::progressChanged, this,
            [this](const QString& text, int value, int maximum) {
                if (mProgress) {
                    mProgress->setMaximum(maximum);
                    mProgress->setValue(value);
                    mProgress->setLabelText(text);
                }
            });
    connect(mJobs, &JobRunner::failed, this, [this](const QString& what, const QString& message) {
        done(what + QStringLiteral(": ") + message, {});
    });
}

bool AnimationExporter::isRunning() const { return mJobs->isBusy(); }

QProgressDialog* AnimationExporter::progressDialog() const { return mProgress; }

void AnimationExporter::exportAnimation() {
    if (isRunning()) {
        emit statusMessage(tr("An animation export is already running"), 4000);
        return;
    }
    const SnapshotPtr snapshot = mSources.controller->current();
    AttentionFigure style = mSources.view->figure();
    style.setPalette({});  // print colours, as a single export
    auto animation =
        viewAnimation(style, snapshot && snapshot->run ? snapshot->run->result : nullptr,
                      mSources.picker->query(), mSources.player->over());
    if (!animation) {
        emit failed(tr("Cannot export animation"),
                    QString::fromStdString(animation.error().message));
        return;
    }
    const QString start = ExportLocation::instance().folder();
    const QString path =
        mChoosePath ? mChoosePath(QDir(start).filePath(animation->name + QStringLiteral(".gif")))
                    : QString();
    if (path.isEmpty()) {
        return;
    }
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix != QLatin1String("gif") && suffix != QLatin1String("png")) {
        emit failed(tr("Cannot export animation"),
                    tr("%1: an animation is written as a .gif file, or as numbered frames from "
                       "a .png name.")
                        .arg(path));
        return;
    }
    AnimationOutput output;
    output.frameMs = mSources.player->intervalMs();
    const int frames = animation->frames;
    mProgress = new QProgressDialog(tr("Exporting %1 frames...").arg(frames), tr("Cancel"), 0,
                                    frames, mDialogParent);
    mProgress->setObjectName(QStringLiteral("animationExportProgress"));
    mProgress->setWindowTitle(tr("Export Animation"));
    mProgress->setWindowModality(Qt::NonModal);  // the window stays usable, as for overlays
    mProgress->setMinimumDuration(300);
    mProgress->setAutoClose(false);
    mProgress->setAutoReset(false);
    mProgress->setValue(0);
    connect(mProgress.data(), &QProgressDialog::canceled, this, &AnimationExporter::cancel);
    mAction->setEnabled(false);
    mJobs->start<Outcome>(
        tr("Exporting animation"),
        [animation = std::move(animation.value()), path, output](const JobContext& job) {
            AnimationOutput out = output;
            out.cancel = job.cancel;
            out.progress = [&job](int done, int total) {
                job.progress(QObject::tr("Frame %1 of %2").arg(done).arg(total), done, total);
            };
            return writeAnimation(animation, path, out);
        },
        [this](Outcome outcome) { done(outcome.error, outcome.written); });
}

void AnimationExporter::cancel() {
    if (!isRunning()) {
        return;
    }
    mJobs->cancel();  // the worker stops before its next frame and removes what it wrote
    done({}, {});
    emit statusMessage(tr("Animation export cancelled; nothing was written"), 6000);
}

void AnimationExporter::done(const QString& error, const QString& written) {
    if (mProgress) {
        mProgress->deleteLater();
        mProgress = nullptr;
    }
    mAction->setEnabled(true);
    if (!error.isEmpty()) {
        emit failed(tr("Cannot export animation"), error);
    } else if (!written.isEmpty()) {
        ExportLocation::instance().reportWritten(written);
    }
    emit finished();
}

}  // namespace vitscope::ui
