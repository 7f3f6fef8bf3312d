#pragma once
/// ExportLocation: the one starting folder and the one confirmation for every export of the
/// window: File > Export (single figures and Export All), the Inductive Bias views' "Export…"
/// and "Export numbers…", and the Compare dock's export. Every save dialog starts in the last
/// folder anything was exported to (QSettings "export/lastDir"; the Pictures folder, else the
/// home folder, before the first export), and every finished export is announced through
/// written(), which the window shows in its status bar. Process-wide (one per application):
/// the views that export do not know the window.

#include <QObject>
#include <QString>
#include <functional>

class QWidget;

namespace vitscope::ui {

class ExportLocation : public QObject {
    Q_OBJECT
public:
    static ExportLocation& instance();

    /// Where the next export dialog starts.
    QString folder() const;
    /// Remembers the folder of `path` (a written file) or `path` itself (a folder).
    void remember(const QString& path);

    /// A save dialog for `suggestedName` (a file name) in folder(); returns the chosen path or
    /// empty (cancelled). The default is QFileDialog::getSaveFileName; tests install their own.
    using SaveChooser = std::function<QString(QWidget* parent, const QString& title,
                                              const QString& startPath, const QString& filter)>;
    void setSaveChooser(SaveChooser chooser);
    QString chooseSaveFile(QWidget* parent, const QString& title, const QString& suggestedName,
                           const QString& filter);

    /// The confirmation for one written file: "Exported /abs/path/name.png".
    static QString confirmation(const QString& path);
    /// The confirmation for `count` files written into `folder`.
    static QString confirmation(int count, const QString& folder);
    /// Remembers the file's folder and emits written() with confirmation(path).
    void reportWritten(const QString& path);
    /// The same for a batch of `count` files in `folder`.
    void reportWritten(int count, const QString& folder);

signals:
    /// An export finished: `message` names what was written.
    void written(const QString& message);

private:
    ExportLocation() = default;
    SaveChooser mChooser;
};

}  // namespace vitscope::ui
