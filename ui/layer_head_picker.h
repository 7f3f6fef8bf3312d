#pragma once
/// LayerHeadPicker: chooses which attention map the window shows — layer, head (or a fusion of
/// all heads), the source token (class / distillation / register token or a clicked patch), the
/// reverse view and attention rollout. Also home of AttentionQuery, the selection as a value, and
/// of attentionMap(), the single call through which every view computes its numbers (the same
/// core::selectedMap the CLI uses).

#include <QList>
#include <QString>
#include <QWidget>

#include "core/analysis/attention_maps.h"
#include "core/analysis/head_fusion.h"
#include "core/model/inference_result.h"

class QAction;
class QCheckBox;
class QComboBox;
class QFormLayout;
class QDoubleSpinBox;
class QLabel;
class QSlider;
class QSpinBox;

namespace vitscope::ui {

/// One attention selection. Plain value; layer and head are 0-based.
struct AttentionQuery {
    int layer = 0;
    int head = -1;  ///< -1: fuse all heads with `fusion`
    core::HeadFusion fusion = core::HeadFusion::Mean;
    int sourceToken = 0;   ///< token index (see core::TokenLayout)
    bool reverse = false;  ///< "which patches attend to the source" instead of "where it attends"
    bool rollout = false;  ///< attention rollout over layers 0..layer (Abnar & Zuidema 2020)
    float discardRatio = 0.0f;

    bool operator==(const AttentionQuery&) const = default;
};

/// The (gridH, gridW) map for `query`, via core::selectedMap. Empty matrix when the query does not
/// fit the result (no attention, layer/head/token out of range).
core::Matrix attentionMap(const core::InferenceResult& result, const AttentionQuery& query);
/// The same, with the core's error when the query does not fit the result.
core::Result<core::Matrix> attentionMapOrError(const core::InferenceResult& result,
                                               const AttentionQuery& query);
/// One-line description for captions and the status bar, e.g.
/// "Layer 12/12 · mean of 12 heads · from class token".
QString describeQuery(const AttentionQuery& query, const core::TokenLayout& tokens, int numLayers,
                      int numHeads);
QString fusionName(core::HeadFusion fusion);

class LayerHeadPicker : public QWidget {
    Q_OBJECT
public:
    explicit LayerHeadPicker(QWidget* parent = nullptr);

    AttentionQuery query() const { return mQuery; }
    int numLayers() const { return mNumLayers; }
    int numHeads() const { return mNumHeads; }
    /// Puts `controls` (the LayerPlayer) in a row of its own under the layer row; reparented.
    void addPlaybackRow(const QString& label, QWidget* controls);
    /// Adapts the selectors to a new result's shape. The selection is kept when it still fits
    /// (same depth, heads and token layout); otherwise it resets to the default: last layer, all
    /// heads fused by mean, class token (or the centre patch when there is no prefix token).
    void setShape(int numLayers, int numHeads, const core::TokenLayout& tokens);
    /// Navigation actions with shortcuts ([ ] PgUp PgDn for layers, , . for heads, ...), for the
    /// window's View menu. Owned by the picker.
    QList<QAction*> navigationActions() const { return mActions; }

public slots:
    void setQuery(const AttentionQuery& query);
    void setLayer(int layer);
    void setHead(int head);  ///< -1: all heads fused
    void setLayerAndHead(int layer, int head);
    void setSourcePatch(int row, int col);
    void setFusion(core::HeadFusion fusion);
    void setRollout(bool on);
    void setReverse(bool on);

signals:
    void queryChanged(const vitscope::ui::AttentionQuery& query);

private:
    void buildWidgets();
    void buildHeadRows(QFormLayout* form);
    void buildSourceRows(QFormLayout* form);
    void buildRolloutRows(QFormLayout* form);
    void buildActions();
    void rebuildSourceItems();
    void syncWidgets();
    void apply(const AttentionQuery& query);

    AttentionQuery mQuery;
    core::TokenLayout mTokens;
    int mNumLayers = 0;
    int mNumHeads = 0;
    bool mSyncing = false;

    QSlider* mLayerSlider = nullptr;
    QSpinBox* mLayerSpin = nullptr;
    QComboBox* mHeadCombo = nullptr;
    QComboBox* mFusionCombo = nullptr;
    QComboBox* mSourceCombo = nullptr;
    QCheckBox* mReverseCheck = nullptr;
    QCheckBox* mRolloutCheck = nullptr;
    QDoubleSpinBox* mDiscardSpin = nullptr;
    QLabel* mSummary = nullptr;
    QList<QAction*> mActions;
};

}  // namespace vitscope::ui

Q_DECLARE_METATYPE(vitscope::ui::AttentionQuery)
