#include "ui/layer_player.h"

#include <QAction>
#include <QComboBox>
#include <QGridLayout>
#include <QSpinBox>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <algorithm>

namespace vitscope::ui {

namespace {
constexpr int kMinIntervalMs = 50;
constexpr int kMaxIntervalMs = 10000;
constexpr int kDefaultIntervalMs = 700;
}  // namespace

LayerPlayer::LayerPlayer(LayerHeadPicker* picker, QWidget* parent)
    : QWidget(parent), mPicker(picker), mTimer(new QTimer(this)) {
    mTimer->setInterval(kDefaultIntervalMs);
    connect(mTimer, &QTimer::timeout, this, &LayerPlayer::step);

    mPlayAction = new QAction(tr("Play Layers"), this);
    mPlayAction->setObjectName(QStringLiteral("playAction"));
    mPlayAction->setCheckable(true);
    mPlayAction->setShortcut(QKeySequence(Qt::Key_P));
    mPlayAction->setShortcutContext(Qt::WindowShortcut);
    connect(mPlayAction, &QAction::toggled, this, &LayerPlayer::setPlaying);

    mPlayButton = new QToolButton(this);
    mPlayButton->setObjectName(QStringLiteral("playButton"));
    mPlayButton->setDefaultAction(mPlayAction);
    mPlayButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    mPlayButton->setFocusPolicy(Qt::StrongFocus);

    mOverCombo = new QComboBox(this);
    mOverCombo->setObjectName(QStringLiteral("animateCombo"));
    mOverCombo->addItem(tr("Layers"), int(AnimateOver::Layers));
    mOverCombo->addItem(tr("Heads of this layer"), int(AnimateOver::Heads));
    mOverCombo->setToolTip(
        tr("Step through every layer, or through every head of the shown "
           "layer."));
    connect(mOverCombo, &QComboBox::currentIndexChanged, this, [this] { syncButton(); });

    mIntervalSpin = new QSpinBox(this);
    mIntervalSpin->setObjectName(QStringLiteral("intervalSpin"));
    mIntervalSpin->setRange(kMinIntervalMs, kMaxIntervalMs);
    mIntervalSpin->setSingleStep(100);
    mIntervalSpin->setValue(kDefaultIntervalMs);
    mIntervalSpin->setSuffix(tr(" ms"));
    mIntervalSpin->setToolTip(
        tr("How long each layer or head is shown. An exported animation "
           "uses the same time per frame."));
    connect(mIntervalSpin, &QSpinBox::valueChanged, mTimer, qOverload<int>(&QTimer::setInterval));

    // Two rows, so that the attention panel stays narrow enough for a compact window.
    auto* grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(mPlayButton, 0, 0);
    grid->addWidget(mIntervalSpin, 0, 1);
    grid->addWidget(mOverCombo, 1, 0, 1, 2);
    grid->setColumnStretch(0, 1);

    setFocusProxy(mPlayButton);  // the row's label mnemonic lands on the button
    connect(mPicker, &LayerHeadPicker::queryChanged, this, &LayerPlayer::onQueryChanged);
    syncButton();
}

bool LayerPlayer::isPlaying() const { return mTimer->isActive(); }

AnimateOver LayerPlayer::over() const { return AnimateOver(mOverCombo->currentData().toInt()); }

int LayerPlayer::intervalMs() const { return mIntervalSpin->value(); }

void LayerPlayer::setOver(AnimateOver over) {
    mOverCombo->setCurrentIndex(mOverCombo->findData(int(over)));
}

void LayerPlayer::setIntervalMs(int ms) {
    mIntervalSpin->setValue(std::clamp(ms, kMinIntervalMs, kMaxIntervalMs));
}

void LayerPlayer::setPlaying(bool on) {
    const int frames = over() == AnimateOver::Layers ? mPicker->numLayers() : mPicker->numHeads();
    on = on && frames > 1;
    if (on != isPlaying()) {
        if (on) {
            const AttentionQuery q = mPicker->query();
            mLayer = q.layer;
            mHead = q.head;
            mTimer->start();
        } else {
            mTimer->stop();
        }
        emit playingChanged(on);
    }
    syncButton();
}

void LayerPlayer::step() {
    const int layers = mPicker->numLayers();
    const int heads = mPicker->numHeads();
    if (layers <= 0) {
        stop();
        return;
    }
    const AttentionQuery q = mPicker->query();
    mStepping = true;
    if (over() == AnimateOver::Layers) {
        mPicker->setLayer((q.layer + 1) % layers);
    } else if (heads > 0) {
        // Every head in turn (a fused view starts at head 1); a rollout has no heads, so the
        // picker leaves it for the raw attention.
        mPicker->setLayerAndHead(q.layer, q.rollout ? 0 : (q.head + 1) % heads);
    }
    mStepping = false;
    mLayer = mPicker->query().layer;
    mHead = mPicker->query().head;
}

void LayerPlayer::onQueryChanged(const AttentionQuery& query) {
    if (mStepping || !isPlaying()) {
        return;
    }
    if (query.layer != mLayer || query.head != mHead) {
        stop();  // the user picked a layer or head, or a new result reset the selection
    }
}

void LayerPlayer::syncButton() {
    const bool playing = isPlaying();
    const bool layers = over() == AnimateOver::Layers;
    {
        const QSignalBlocker block(mPlayAction);
        mPlayAction->setChecked(playing);
    }
    mPlayAction->setText(playing ? tr("Pause") : layers ? tr("Play Layers") : tr("Play Heads"));
    mPlayAction->setIcon(
        style()->standardIcon(playing ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
    mPlayAction->setToolTip(playing ? tr("Pause the animation (P)")
                                    : tr("Show the layers or heads one after another (P)"));
}

}  // namespace vitscope::ui
