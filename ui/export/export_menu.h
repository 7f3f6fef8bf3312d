#pragma once
/// ExportMenu: fills the window's File > Export menu. The three figures the window shows go to
/// one file each through a save dialog; "Export All Layer x Head Overlays..." asks for a folder
/// and writes every layer x head overlay plus each layer's mean (BatchExporter, off the GUI
/// thread) in the format picked under Overlay Format (remembered in QSettings), with a progress
/// dialog whose Cancel stops between files. It reads the views and the current snapshot and
/// changes none of them; errors go out through failed(), written files through ExportLocation
/// (export_location.h), whose folder every dialog starts in.

#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>

class QAction;
class QActionGroup;
class QMenu;
class QProgressDialog;
class QWidget;

namespace vitscope::ui {

class AttentionView;
class BatchExporter;
class Figure;
class HeadsPanel;
class InferenceController;
class LayerHeadPicker;
class LayersHeadsOverview;

class ExportMenu : public QObject {
    Q_OBJECT
public:
    /// The window's parts an export reads (not owned).
    struct Sources {
        InferenceController* controller = nullptr;
        LayerHeadPicker* picker = nullptr;
        AttentionView* view = nullptr;
        HeadsPanel* heads = nullptr;
        LayersHeadsOverview* overview = nullptr;
    };
    /// Adds the export actions to `menu`; dialogs are children of `dialogParent`.
    ExportMenu(QMenu* menu, const Sources& sources, QWidget* dialogParent);

    /// Asks for the batch's folder, starting in `startDir` (ExportLocation::folder()); empty
    /// means cancelled. The default
    /// is QFileDialog::getExistingDirectory; tests install their own.
    using FolderChooser = std::function<QString(const QString& startDir)>;
    void setFolderChooser(FolderChooser chooser) { mChooseFolder = std::move(chooser); }

    /// "png", "svg" or "pdf".
    QString overlayFormat() const;
    void setOverlayFormat(const QString& format);
    QAction* exportAllAction() const { return mExportAll; }
    BatchExporter* batchExporter() const { return mBatch; }
    /// The progress dialog of the running batch (null when none runs).
    QProgressDialog* progressDialog() const;

public slots:
    /// Asks for a folder and starts the batch for the current image, source token, colormap
    /// and overlay settings.
    void exportAllOverlays();

signals:
    void failed(const QString& title, const QString& message);
    void statusMessage(const QString& text, int timeoutMs);

private:
    void exportFigureAs(const Figure& figure);
    void batchFinished(int written, int total, bool cancelled, const QString& error);

    Sources mSources;
    QWidget* mDialogParent = nullptr;
    FolderChooser mChooseFolder;
    BatchExporter* mBatch = nullptr;
    QAction* mExportAll = nullptr;
    QActionGroup* mFormats = nullptr;
    QPointer<QProgressDialog> mProgress;
    QString mBatchFolder;
};

}  // namespace vitscope::ui
