#include "ui/guide_hint.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QToolButton>
#include <algorithm>

namespace vitscope::ui {

namespace {

const char* const kDismissedKey = "guide/hintDismissed";

/// The first shortcut of the action named `name`, as the user reads it; empty when none.
QString keyOf(const QList<QAction*>& actions, const char* name, int which = 0) {
    for (const QAction* a : actions) {
        if (a->objectName() == QLatin1String(name) && a->shortcuts().size() > which) {
            return a->shortcuts().at(which).toString(QKeySequence::NativeText);
        }
    }
    return {};
}

/// "Help › Keyboard Shortcuts (F1) lists every key."
QString whereKeysAre(const QAction* shortcutsAction) {
    const QString key = shortcutsAction->shortcut().toString(QKeySequence::NativeText);
    return key.isEmpty() ? QObject::tr("Help › Keyboard Shortcuts lists every key.")
                         : QObject::tr("Help › Keyboard Shortcuts (%1) lists every key.").arg(key);
}

}  // namespace

QString guideHintText(const QList<QAction*>& actions, const QAction* shortcutsAction) {
    QStringList parts{QObject::tr("Click a patch to see where it attends")};
    const QString prevLayer = keyOf(actions, "previousLayerAction");
    const QString nextLayer = keyOf(actions, "nextLayerAction");
    if (!prevLayer.isEmpty() && !nextLayer.isEmpty()) {
        QString layers = QObject::tr("%1 and %2").arg(prevLayer, nextLayer);
        const QString prevPage = keyOf(actions, "previousLayerAction", 1);
        const QString nextPage = keyOf(actions, "nextLayerAction", 1);
        if (!prevPage.isEmpty() && !nextPage.isEmpty()) {
            layers += QObject::tr(" (or %1 and %2)").arg(prevPage, nextPage);
        }
        parts << QObject::tr("%1 change the layer").arg(layers);
    }
    const QString prevHead = keyOf(actions, "previousHeadAction");
    const QString nextHead = keyOf(actions, "nextHeadAction");
    if (!prevHead.isEmpty() && !nextHead.isEmpty()) {
        parts << QObject::tr("%1 and %2 the head").arg(prevHead, nextHead);
    }
    if (const QString rollout = keyOf(actions, "rolloutAction"); !rollout.isEmpty()) {
        parts << QObject::tr("%1 toggles attention rollout").arg(rollout);
    }
    if (const QString reverse = keyOf(actions, "reverseAction"); !reverse.isEmpty()) {
        parts << QObject::tr("%1 the reverse view").arg(reverse);
    }
    QString text = parts.join(QStringLiteral("; ")) + QLatin1Char('.');
    if (shortcutsAction) {
        text += QLatin1Char(' ') + whereKeysAre(shortcutsAction);
    }
    return text;
}

QString guideHintShortText(const QAction* shortcutsAction) {
    QString text = QObject::tr("Click a patch to see where it attends.");
    if (shortcutsAction) {
        text += QLatin1Char(' ') + whereKeysAre(shortcutsAction);
    }
    return text;
}

GuideHint::GuideHint(QWidget* parent, const QString& text, const QString& shortText)
    : QFrame(parent) {
    setObjectName(QStringLiteral("guideHint"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::ToolTipBase);
    setForegroundRole(QPalette::ToolTipText);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 4, 6);
    mText = new QLabel(this);
    mText->setObjectName(QStringLiteral("guideHintText"));
    mText->setWordWrap(true);
    mText->setForegroundRole(QPalette::ToolTipText);
    layout->addWidget(mText, 1);
    auto* close = new QToolButton(this);
    close->setObjectName(QStringLiteral("guideHintClose"));
    close->setText(QStringLiteral("×"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Close this hint; Help › Keyboard Shortcuts lists the keys."));
    layout->addWidget(close, 0, Qt::AlignTop);
    connect(close, &QToolButton::clicked, this, &GuideHint::dismiss);
    setTexts(text, shortText);
    setVisible(!wasDismissed());
}

void GuideHint::setTexts(const QString& text, const QString& shortText) {
    mFull = text;
    mShort = shortText.isEmpty() ? text : shortText;
    chooseText();
}

QString GuideHint::shownText() const { return mText->text(); }

bool GuideHint::wasDismissed() { return QSettings().value(QLatin1String(kDismissedKey)).toBool(); }

void GuideHint::dismiss() {
    QSettings().setValue(QLatin1String(kDismissedKey), true);
    hide();
}

void GuideHint::resizeEvent(QResizeEvent* event) {
    QFrame::resizeEvent(event);
    chooseText();
}

void GuideHint::chooseText() {
    // The label's width once laid out; before that, the banner's less its margins and button.
    const int room = std::max(1, mText->width() > 0 ? mText->width() : width() - 40);
    const bool fitsTwoLines = mText->fontMetrics().horizontalAdvance(mFull) <= 2 * room * 9 / 10;
    const QString& wanted = fitsTwoLines ? mFull : mShort;
    if (mText->text() != wanted) {
        mText->setText(wanted);
        updateGeometry();
    }
}

}  // namespace vitscope::ui
