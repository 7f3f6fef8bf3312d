#include "ui/export/export_menu.h"

#include <QAction>
#include <QActionGroup>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QProgressDialog>
#include <QSettings>

#include "ui/attention_view.h"
#include "ui/export/batch_export.h"
#include "ui/export/export_location.h"
#include "ui/export/figure_export.h"
#include "ui/heads_panel.h"
#include "ui/inference_controller.h"
#include "ui/layer_head_picker.h"
#include "ui/layers_heads_overview.h"

namespace vitscope::ui {

namespace {
const char* const kFormatKey = "export/overlayFormat";
}  // namespace

ExportMenu::ExportMenu(QMenu* menu, const Sources& sources, QWidget* dialogParent)
    : QObject(dialogParent), mSources(sources), mDialogParent(dialogParent) {
    mChooseFolder = [this](const QString& startDir) {
        return QFileDialog::getExistingDirectory(
            mDialogParent, tr("Export All Layer x Head Overlays to Folder"), startDir);
    };
    mBatch = new BatchExporter(this);
    connect(mBatch, &BatchExporter::finished, this, &ExportMenu::batchFinished);

    // Print colours whatever the screen palette; the same painters as on screen.
    menu->addAction(tr("&Attention Figure..."), QKeySequence(tr("Ctrl+E")), this, [this] {
        AttentionFigure f = mSources.view->figure();
        f.setPalette({});
        exportFigureAs(f);
    });
    menu->addAction(tr("&Heads of This Layer..."), this, [this] {
        HeadGridFigure f = mSources.heads->figure();
        f.setPalette({});
        exportFigureAs(f);
    });
    menu->addAction(tr("All &Layers x Heads..."), this, [this] {
        HeadGridFigure f = mSources.overview->figure();
        f.setPalette({});
        exportFigureAs(f);
    });
    menu->addSeparator();
    mExportAll =
        menu->addAction(tr("Export All Layer x Head &Overlays..."),
                        QKeySequence(tr("Ctrl+Shift+E")), this, &ExportMenu::exportAllOverlays);
    mExportAll->setObjectName(QStringLiteral("exportAllOverlaysAction"));
    QMenu* formats = menu->addMenu(tr("Overlay &Format"));
    mFormats = new QActionGroup(this);
    for (const QString& format :
         {QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")}) {
        QAction* a = formats->addAction(format.toUpper());
        a->setCheckable(true);
        a->setData(format);
        mFormats->addAction(a);
        connect(a, &QAction::triggered, this, [this, format] { setOverlayFormat(format); });
    }
    setOverlayFormat(
        QSettings().value(QLatin1String(kFormatKey), QStringLiteral("png")).toString());
}

QString ExportMenu::overlayFormat() const {
    QAction* checked = mFormats->checkedAction();
    return checked ? checked->data().toString() : QStringLiteral("png");
}

void ExportMenu::setOverlayFormat(const QString& format) {
    const QString f = figureFormat(QStringLiteral("x.") + format).isEmpty() ? QStringLiteral("png")
                                                                            : format.toLower();
    for (QAction* a : mFormats->actions()) {
        a->setChecked(a->data().toString() == f);
    }
    QSettings().setValue(QLatin1String(kFormatKey), f);
}

QProgressDialog* ExportMenu::progressDialog() const { return mProgress; }

void ExportMenu::exportFigureAs(const Figure& figure) {
    const QString path = ExportLocation::instance().chooseSaveFile(
        mDialogParent, tr("Export Figure"), figure.name() + QStringLiteral(".png"),
        tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty()) {
        return;
    }
    const core::Status status = exportFigure(figure, path);
    if (!status) {
        emit failed(tr("Cannot export figure"), QString::fromStdString(status.error().message));
    } else {
        ExportLocation::instance().reportWritten(path);
    }
}

void ExportMenu::exportAllOverlays() {
    if (mBatch->isRunning()) {
        emit statusMessage(tr("An export is already running"), 4000);
        return;
    }
    const SnapshotPtr snapshot = mSources.controller->current();
    if (!snapshot || !snapshot->result() || snapshot->result()->attention.empty()) {
        emit failed(tr("Cannot export overlays"),
                    tr("There is no attention to export: open a model and an image first."));
        return;
    }
    // Start where the last export of any kind went.
    const QString start = ExportLocation::instance().folder();
    const QString folder = mChooseFolder ? mChooseFolder(start) : QString();
    if (folder.isEmpty()) {
        return;
    }
    ExportLocation::instance().remember(folder);
    const AttentionQuery query = mSources.picker->query();
    OverlayBatch batch;
    batch.result = snapshot->run->result;
    batch.style = mSources.view->figure();
    batch.style.setPalette({});  // print colours, as a single export
    batch.sourceToken = query.sourceToken;
    batch.reverse = query.reverse;
    batch.folder = folder;
    batch.format = overlayFormat();
    const int total = overlayCount(*snapshot->result());
    mBatchFolder = folder;
    mBatch->start(std::move(batch));
    mExportAll->setEnabled(false);

    mProgress = new QProgressDialog(tr("Exporting %1 overlays...").arg(total), tr("Cancel"), 0,
                                    total, mDialogParent);
    mProgress->setObjectName(QStringLiteral("overlayExportProgress"));
    mProgress->setWindowTitle(tr("Export All Overlays"));
    // Not modal: the window stays usable (the batch holds its own copy of what it draws), and
    // setValue() on a modal dialog would process events re-entrantly.
    mProgress->setWindowModality(Qt::NonModal);
    mProgress->setMinimumDuration(300);
    mProgress->setAutoClose(false);  // closed by batchFinished, which also reports
    mProgress->setAutoReset(false);
    mProgress->setValue(0);
    connect(mProgress.data(), &QProgressDialog::canceled, mBatch, &BatchExporter::cancel);
    connect(mBatch, &BatchExporter::progressChanged, mProgress.data(),
            [dialog = mProgress.data()](int done, int of, const QString& path) {
                dialog->setLabelText(
                    tr("Exported %1 / %2: %3").arg(done).arg(of).arg(QFileInfo(path).fileName()));
                dialog->setValue(done);
            });
}

void ExportMenu::batchFinished(int written, int total, bool cancelled, const QString& error) {
    if (mProgress) {
        mProgress->hide();  // not behind an error message: deleteLater waits for the event loop
        mProgress->deleteLater();
        mProgress = nullptr;
    }
    mExportAll->setEnabled(true);
    const QString folder = QDir::toNativeSeparators(mBatchFolder);
    if (!error.isEmpty()) {
        // One arg() call: the error text may itself contain "%1".
        emit failed(tr("Cannot export overlays"),
                    tr("%1\n\n%2 of %3 files were written to %4.")
                        .arg(error, QString::number(written), QString::number(total), folder));
    } else if (cancelled) {
        emit statusMessage(tr("Export cancelled: %1 of %2 files written to %3")
                               .arg(written)
                               .arg(total)
                               .arg(folder),
                           8000);
    } else {
        ExportLocation::instance().reportWritten(written, mBatchFolder);
    }
}

}  // namespace vitscope::ui
