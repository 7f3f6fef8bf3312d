#include "ui/export/export_location.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include "ui/plural.h"

namespace vitscope::ui {

namespace {
const char* const kLastDirKey = "export/lastDir";
}  // namespace

ExportLocation& ExportLocation::instance() {
    static ExportLocation* location = new ExportLocation;  // lives as long as the process
    return *location;
}

QString ExportLocation::folder() const {
    const QString last = QSettings().value(QLatin1String(kLastDirKey)).toString();
    if (!last.isEmpty() && QFileInfo(last).isDir()) {
        return last;
    }
    const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    return !pictures.isEmpty() && QFileInfo(pictures).isDir() ? pictures : QDir::homePath();
}

void ExportLocation::remember(const QString& path) {
    const QFileInfo info(path);
    const QString dir = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    QSettings().setValue(QLatin1String(kLastDirKey), dir);
}

void ExportLocation::setSaveChooser(SaveChooser chooser) { mChooser = std::move(chooser); }

QString ExportLocation::chooseSaveFile(QWidget* parent, const QString& title,
                                       const QString& suggestedName, const QString& filter) {
    const QString start = QDir(folder()).filePath(suggestedName);
    const QString path = mChooser ? mChooser(parent, title, start, filter)
                                  : QFileDialog::getSaveFileName(parent, title, start, filter);
    if (!path.isEmpty()) {
        remember(path);  // a cancelled or failed write still moves the next dialog there
    }
    return path;
}

QString ExportLocation::confirmation(const QString& path) {
    return tr("Exported %1").arg(QDir::toNativeSeparators(QFileInfo(path).absoluteFilePath()));
}

QString ExportLocation::confirmation(int count, const QString& folder) {
    return tr("Exported %1 to %2")
        .arg(countText(count, tr("file"), tr("files")),
             QDir::toNativeSeparators(QFileInfo(folder).absoluteFilePath()));
}

void ExportLocation::reportWritten(const QString& path) {
    remember(path);
    emit written(confirmation(path));
}

void ExportLocation::reportWritten(int count, const QString& folder) {
    remember(folder);
    emit written(confirmation(count, folder));
}

}  // namespace vitscope::ui
