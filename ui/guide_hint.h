#pragma once
/// GuideHint: the first-launch hint, a banner above the attention view ("Click a patch to see
/// where it attends; [ and ] change the layer; …"). It sits in the layout, so it never covers the
/// image: the image shrinks while it shows. The keys it names are read from the window's
/// actions, so the hint cannot name a key that does nothing. Where the whole sentence would take
/// more than two lines (a narrow central area, a large scale factor) it shows the short form,
/// which points at Help › Keyboard Shortcuts. It closes with its × button or after the first
/// patch click, and stays closed (QSettings "guide/hintDismissed").

#include <QFrame>
#include <QList>

class QAction;
class QLabel;

namespace vitscope::ui {

/// The hint's sentence for the layer-and-head `actions` (LayerHeadPicker::navigationActions(),
/// found by object name) and `shortcutsAction` (Help > Keyboard Shortcuts, may be null).
QString guideHintText(const QList<QAction*>& actions, const QAction* shortcutsAction);
/// The short form: the first clause and where the keys are listed.
QString guideHintShortText(const QAction* shortcutsAction);

class GuideHint : public QFrame {
    Q_OBJECT
public:
    /// Hidden from the start when the hint was dismissed before; the owner puts it in a layout.
    explicit GuideHint(QWidget* parent, const QString& text = {}, const QString& shortText = {});

    void setTexts(const QString& text, const QString& shortText);
    /// The whole sentence, and what the banner shows at its current width.
    QString text() const { return mFull; }
    QString shownText() const;
    static bool wasDismissed();

public slots:
    /// Hides the hint for good.
    void dismiss();

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void chooseText();

    QLabel* mText = nullptr;
    QString mFull;
    QString mShort;
};

}  // namespace vitscope::ui
