#pragma once
/// LayerPlayer: plays the layers (or the heads of the shown layer) as an animation in the
/// window. A play/pause button, what to step through and the time per frame; on each tick of a
/// timer it moves the LayerHeadPicker to the next layer or head, wrapping round. It stops when
/// the user picks a layer or head (any change of the picker's layer or head that it did not
/// make), when stop() is called (the window calls it when the model or image changes), and when
/// the picker has no layers. The play action (shortcut P) is for the window's menu.

#include <QWidget>

#include "ui/export/animation_export.h"
#include "ui/layer_head_picker.h"

class QAction;
class QComboBox;
class QSpinBox;
class QTimer;
class QToolButton;

namespace vitscope::ui {

class LayerPlayer : public QWidget {
    Q_OBJECT
public:
    /// Drives `picker` (not owned; must outlive the player).
    explicit LayerPlayer(LayerHeadPicker* picker, QWidget* parent = nullptr);

    bool isPlaying() const;
    AnimateOver over() const;
    int intervalMs() const;
    /// Checkable Play/Pause action with the shortcut P, owned by the player.
    QAction* playAction() const { return mPlayAction; }

public slots:
    void setPlaying(bool on);
    void play() { setPlaying(true); }
    void stop() { setPlaying(false); }
    void setOver(vitscope::ui::AnimateOver over);
    /// Milliseconds per frame, clamped to 50..10000.
    void setIntervalMs(int ms);
    /// Moves to the next layer or head now.
    void step();

signals:
    void playingChanged(bool playing);

private:
    void onQueryChanged(const AttentionQuery& query);
    void syncButton();

    LayerHeadPicker* mPicker = nullptr;
    QTimer* mTimer = nullptr;
    QAction* mPlayAction = nullptr;
    QToolButton* mPlayButton = nullptr;
    QComboBox* mOverCombo = nullptr;
    QSpinBox* mIntervalSpin = nullptr;
    bool mStepping = false;  // the picker's change comes from step()
    int mLayer = -1;         // what the player last showed
    int mHead = -2;
};

}  // namespace vitscope::ui
