#pragma once
/// AttentionDisplayBar: the toolbar controls of how the attention view draws its map: on the
/// model input or on the opened image, blocky or smooth, heatmap, attention-mass mask (with the
/// share kept) or alpha over black. Remembered across sessions (settings "view/attentionOn",
/// "view/upsampling", "view/attentionDisplay", "view/maskMass").
///
/// The bar itself holds "Draw on" and "Upsampling"; "Show" and the mask's share are a second
/// widget (mapControls()), so that the window can put the two on separate tool bars that wrap
/// onto two rows when one does not fit. The share is shown only in the mask mode it applies to.

#include <QWidget>

#include "ui/figures/attention_display.h"

class QComboBox;
class QSpinBox;

namespace vitscope::ui {

class AttentionDisplayBar : public QWidget {
    Q_OBJECT
public:
    /// Starts from the saved settings.
    explicit AttentionDisplayBar(QWidget* parent = nullptr);

    AttentionDisplayOptions options() const;
    void setOptions(const AttentionDisplayOptions& options);

    QComboBox* onCombo() const { return mOn; }
    QComboBox* upsamplingCombo() const { return mUpsampling; }
    QComboBox* displayCombo() const { return mDisplay; }
    QSpinBox* massSpin() const { return mMass; }
    /// "Show" and the mask's share: a sibling of this bar (same parent), for its own tool bar.
    QWidget* mapControls() const { return mMap; }

signals:
    void changed(const vitscope::ui::AttentionDisplayOptions& options);

private:
    void emitChanged();
    void showMassFor(AttentionDisplay display);

    QComboBox* mOn = nullptr;
    QComboBox* mUpsampling = nullptr;
    QComboBox* mDisplay = nullptr;
    QSpinBox* mMass = nullptr;
    QWidget* mMap = nullptr;
    bool mQuiet = false;
};

}  // namespace vitscope::ui
