#include "ui/layer_head_picker.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <algorithm>

#include "core/model/token_names.h"

namespace vitscope::ui {

core::Result<core::Matrix> attentionMapOrError(const core::InferenceResult& result,
                                               const AttentionQuery& query) {
    core::AttentionSelection selection;
    selection.layer = query.layer;
    selection.head = query.rollout ? -1 : query.head;
    selection.fusion = query.fusion;
    selection.sourceToken = query.sourceToken;
    selection.reverse = query.reverse;
    selection.rollout = query.rollout;
    core::RolloutOptions rollout;
    rollout.discardRatio = query.discardRatio;
    return core::selectedMap(result, selection, rollout);
}

core::Matrix attentionMap(const core::InferenceResult& result, const AttentionQuery& query) {
    auto map = attentionMapOrError(result, query);
    return map ? std::move(map.value()) : core::Matrix();
}

QString fusionName(core::HeadFusion fusion) {
    switch (fusion) {
        case core::HeadFusion::Mean:
            return QStringLiteral("mean");
        case core::HeadFusion::Max:
            return QStringLiteral("max");
        case core::HeadFusion::Min:
            return QStringLiteral("min");
    }
    return {};
}

namespace {

QString tokenTitle(const core::TokenLayout& tokens, int token) {
    return QString::fromStdString(core::tokenLabel(tokens, token));
}

/// "Class token", "Register 1", "Patch (row 2, column 3)": the label as a list item.
QString tokenItem(const core::TokenLayout& tokens, int token) {
    QString title = tokenTitle(tokens, token);
    if (title.startsWith(QStringLiteral("the "))) {
        title.remove(0, 4);
    }
    title[0] = title[0].toUpper();
    return title;
}

}  // namespace

QString describeQuery(const AttentionQuery& q, const core::TokenLayout& tokens, int numLayers,
                      int numHeads) {
    QString heads =
        q.head >= 0 && !q.rollout ? QObject::tr("head %1/%2").arg(q.head + 1).arg(numHeads)
        : numHeads == 1           ? QObject::tr("the only head")  // no "mean of 1 heads"
                        : QObject::tr("%1 of %2 heads").arg(fusionName(q.fusion)).arg(numHeads);
    QString what =
        q.rollout ? QObject::tr("Attention rollout, layers 1-%1/%2").arg(q.layer + 1).arg(numLayers)
                  : QObject::tr("Layer %1/%2").arg(q.layer + 1).arg(numLayers);
    if (q.rollout && q.discardRatio > 0) {
        heads += QObject::tr(", discard %1").arg(q.discardRatio, 0, 'g', 3);
    }
    const QString dir = q.reverse ? QObject::tr("attention to %1") : QObject::tr("from %1");
    return QStringLiteral("%1 · %2 · %3")
        .arg(what, heads, dir.arg(tokenTitle(tokens, q.sourceToken)));
}

LayerHeadPicker::LayerHeadPicker(QWidget* parent) : QWidget(parent) {
    qRegisterMetaType<AttentionQuery>();
    buildWidgets();
    buildActions();
    syncWidgets();
}

void LayerHeadPicker::buildWidgets() {
    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    mLayerSlider = new QSlider(Qt::Horizontal, this);
    mLayerSlider->setObjectName(QStringLiteral("layerSlider"));
    mLayerSpin = new QSpinBox(this);
    mLayerSpin->setObjectName(QStringLiteral("layerSpin"));
    mLayerSpin->setToolTip(tr("Layer (1 = first block). Shortcuts: [ ] or Page Up / Page Down"));
    auto* layerRow = new QHBoxLayout;
    layerRow->addWidget(mLayerSlider, 1);
    layerRow->addWidget(mLayerSpin);
    auto* layerLabel = new QLabel(tr("&Layer"), this);
    layerLabel->setBuddy(mLayerSpin);
    form->addRow(layerLabel, layerRow);
    connect(mLayerSlider, &QSlider::valueChanged, this, [this](int v) { setLayer(v - 1); });
    connect(mLayerSpin, &QSpinBox::valueChanged, this, [this](int v) { setLayer(v - 1); });
    buildHeadRows(form);
    buildSourceRows(form);
    buildRolloutRows(form);
    mSummary = new QLabel(this);
    mSummary->setObjectName(QStringLiteral("querySummary"));
    mSummary->setWordWrap(true);
    mSummary->setForegroundRole(QPalette::PlaceholderText);
    form->addRow(mSummary);
}

void LayerHeadPicker::buildHeadRows(QFormLayout* form) {
    mHeadCombo = new QComboBox(this);
    mHeadCombo->setObjectName(QStringLiteral("headCombo"));
    mHeadCombo->setToolTip(tr("One head, or all heads fused. Shortcuts: , and ."));
    form->addRow(tr("He&ad"), mHeadCombo);
    connect(mHeadCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (!mSyncing && i >= 0) {
            setHead(mHeadCombo->itemData(i).toInt());
        }
    });

    mFusionCombo = new QComboBox(this);
    mFusionCombo->setObjectName(QStringLiteral("fusionCombo"));
    mFusionCombo->addItem(tr("Mean over heads"), int(core::HeadFusion::Mean));
    mFusionCombo->addItem(tr("Max over heads"), int(core::HeadFusion::Max));
    mFusionCombo->addItem(tr("Min over heads"), int(core::HeadFusion::Min));
    form->addRow(tr("F&usion"), mFusionCombo);
    connect(mFusionCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (!mSyncing && i >= 0) {
            setFusion(core::HeadFusion(mFusionCombo->itemData(i).toInt()));
        }
    });
}

void LayerHeadPicker::buildSourceRows(QFormLayout* form) {
    mSourceCombo = new QComboBox(this);
    mSourceCombo->setObjectName(QStringLiteral("sourceCombo"));
    mSourceCombo->setToolTip(
        tr("The token whose attention is shown. Click a patch in the image "
           "to use that patch."));
    form->addRow(tr("S&ource"), mSourceCombo);
    connect(mSourceCombo, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (!mSyncing && i >= 0) {
            AttentionQuery q = mQuery;
            q.sourceToken = mSourceCombo->itemData(i).toInt();
            apply(q);
        }
    });

    mReverseCheck = new QCheckBox(tr("R&everse: which patches attend to the source"), this);
    mReverseCheck->setObjectName(QStringLiteral("reverseCheck"));
    form->addRow(mReverseCheck);
    connect(mReverseCheck, &QCheckBox::toggled, this, &LayerHeadPicker::setReverse);
}

void LayerHeadPicker::buildRolloutRows(QFormLayout* form) {
    mRolloutCheck = new QCheckBox(tr("Attention &rollout up to this layer"), this);
    mRolloutCheck->setObjectName(QStringLiteral("rolloutCheck"));
    mRolloutCheck->setToolTip(
        tr("Abnar & Zuidema 2020: fuse heads, add the identity for the "
           "residual, renormalise rows and multiply from the first layer."));
    mDiscardSpin = new QDoubleSpinBox(this);
    mDiscardSpin->setObjectName(QStringLiteral("discardSpin"));
    mDiscardSpin->setRange(0.0, 0.99);
    mDiscardSpin->setSingleStep(0.05);
    mDiscardSpin->setDecimals(2);
    mDiscardSpin->setToolTip(
        tr("Fraction of the lowest attention weights dropped per layer "
           "(never the source token's own)."));
    form->addRow(mRolloutCheck);
    form->addRow(tr("&Discard ratio"), mDiscardSpin);
    connect(mRolloutCheck, &QCheckBox::toggled, this, &LayerHeadPicker::setRollout);
    connect(mDiscardSpin, &QDoubleSpinBox::valueChanged, this, [this](double v) {
        AttentionQuery q = mQuery;
        q.discardRatio = static_cast<float>(v);
        apply(q);
    });
}

void LayerHeadPicker::buildActions() {
    auto add = [this](const QString& text, const char* name, QList<QKeySequence> keys, auto slot) {
        auto* action = new QAction(text, this);
        action->setObjectName(QLatin1String(name));
        action->setShortcuts(keys);
        action->setShortcutContext(Qt::WindowShortcut);
        connect(action, &QAction::triggered, this, slot);
        mActions.append(action);
        return action;
    };
    add(tr("Next Layer"), "nextLayerAction", {Qt::Key_BracketRight, Qt::Key_PageDown},
        [this] { setLayer(std::min(mQuery.layer + 1, mNumLayers - 1)); });
    add(tr("Previous Layer"), "previousLayerAction", {Qt::Key_BracketLeft, Qt::Key_PageUp},
        [this] { setLayer(std::max(mQuery.layer - 1, 0)); });
    add(tr("Next Head"), "nextHeadAction", {Qt::Key_Period},
        [this] { setHead(mQuery.head + 1 >= mNumHeads ? -1 : mQuery.head + 1); });
    add(tr("Previous Head"), "previousHeadAction", {Qt::Key_Comma},
        [this] { setHead(mQuery.head < 0 ? mNumHeads - 1 : mQuery.head - 1); });
    add(tr("All Heads Fused"), "allHeadsAction", {Qt::Key_A}, [this] { setHead(-1); });
    add(tr("Cycle Head Fusion"), "fusionAction", {Qt::Key_F},
        [this] { setFusion(core::HeadFusion((int(mQuery.fusion) + 1) % 3)); });
    add(tr("Source: Class Token"), "classTokenAction", {Qt::Key_C}, [this] {
        AttentionQuery q = mQuery;
        q.sourceToken = core::defaultQueryToken(mTokens);
        apply(q);
    });
    add(tr("Toggle Reverse View"), "reverseAction", {Qt::Key_V},
        [this] { setReverse(!mQuery.reverse); });
    add(tr("Toggle Attention Rollout"), "rolloutAction", {Qt::Key_R},
        [this] { setRollout(!mQuery.rollout); });
}

void LayerHeadPicker::setShape(int numLayers, int numHeads, const core::TokenLayout& tokens) {
    const bool same = numLayers == mNumLayers && numHeads == mNumHeads &&
                      tokens.numPrefix == mTokens.numPrefix && tokens.gridH == mTokens.gridH &&
                      tokens.gridW == mTokens.gridW && tokens.clsIndex == mTokens.clsIndex;
    mNumLayers = numLayers;
    mNumHeads = numHeads;
    mTokens = tokens;
    AttentionQuery q = mQuery;
    if (!same) {
        q = AttentionQuery{};
        q.layer = std::max(numLayers - 1, 0);
        q.sourceToken = core::defaultQueryToken(tokens);
        q.fusion = mQuery.fusion;
        q.discardRatio = mQuery.discardRatio;
    }
    mSyncing = true;
    mHeadCombo->clear();
    mHeadCombo->addItem(tr("All heads (fused)"), -1);
    for (int h = 0; h < numHeads; ++h) {
        mHeadCombo->addItem(tr("Head %1").arg(h + 1), h);
    }
    mLayerSlider->setRange(1, std::max(numLayers, 1));
    mLayerSpin->setRange(1, std::max(numLayers, 1));
    mLayerSpin->setSuffix(tr(" / %1").arg(numLayers));
    mSyncing = false;
    mQuery = AttentionQuery{-1};  // force apply() to emit
    apply(q);
}

void LayerHeadPicker::setQuery(const AttentionQuery& query) { apply(query); }

void LayerHeadPicker::addPlaybackRow(const QString& label, QWidget* controls) {
    auto* form = qobject_cast<QFormLayout*>(layout());
    auto* title = new QLabel(label, this);
    title->setBuddy(controls);
    form->insertRow(1, title, controls);
}

void LayerHeadPicker::setLayer(int layer) {
    AttentionQuery q = mQuery;
    q.layer = std::clamp(layer, 0, std::max(mNumLayers - 1, 0));
    apply(q);
}

void LayerHeadPicker::setHead(int head) {
    AttentionQuery q = mQuery;
    q.head = std::clamp(head, -1, mNumHeads - 1);
    apply(q);
}

void LayerHeadPicker::setLayerAndHead(int layer, int head) {
    AttentionQuery q = mQuery;
    q.layer = std::clamp(layer, 0, std::max(mNumLayers - 1, 0));
    q.head = std::clamp(head, -1, mNumHeads - 1);
    q.rollout = false;  // a single head's map is not a rollout
    apply(q);
}

void LayerHeadPicker::setSourcePatch(int row, int col) {
    if (row < 0 || col < 0 || row >= mTokens.gridH || col >= mTokens.gridW) {
        return;
    }
    AttentionQuery q = mQuery;
    q.sourceToken = mTokens.patchToken(row, col);
    apply(q);
}

void LayerHeadPicker::setFusion(core::HeadFusion fusion) {
    AttentionQuery q = mQuery;
    q.fusion = fusion;
    apply(q);
}

void LayerHeadPicker::setRollout(bool on) {
    AttentionQuery q = mQuery;
    q.rollout = on;
    apply(q);
}

void LayerHeadPicker::setReverse(bool on) {
    AttentionQuery q = mQuery;
    q.reverse = on;
    apply(q);
}

void LayerHeadPicker::apply(const AttentionQuery& query) {
    if (mSyncing || query == mQuery) {
        return;
    }
    mQuery = query;
    syncWidgets();
    emit queryChanged(mQuery);
}

void LayerHeadPicker::rebuildSourceItems() {
    mSourceCombo->clear();
    for (int t = 0; t < mTokens.numPrefix; ++t) {
        mSourceCombo->addItem(tokenItem(mTokens, t), t);
    }
    if (mTokens.isPatch(mQuery.sourceToken)) {
        mSourceCombo->addItem(tokenItem(mTokens, mQuery.sourceToken), mQuery.sourceToken);
    }
    mSourceCombo->setCurrentIndex(mSourceCombo->findData(mQuery.sourceToken));
}

void LayerHeadPicker::syncWidgets() {
    mSyncing = true;
    const bool has = mNumLayers > 0;
    setEnabled(has);
    mLayerSlider->setValue(mQuery.layer + 1);
    mLayerSpin->setValue(mQuery.layer + 1);
    mHeadCombo->setCurrentIndex(mHeadCombo->findData(mQuery.head));
    mHeadCombo->setEnabled(!mQuery.rollout);
    mFusionCombo->setCurrentIndex(mFusionCombo->findData(int(mQuery.fusion)));
    mFusionCombo->setEnabled(mQuery.head < 0 || mQuery.rollout);
    rebuildSourceItems();
    mReverseCheck->setChecked(mQuery.reverse);
    mRolloutCheck->setChecked(mQuery.rollout);
    mDiscardSpin->setValue(mQuery.discardRatio);
    mDiscardSpin->setEnabled(mQuery.rollout);
    mSummary->setText(has ? describeQuery(mQuery, mTokens, mNumLayers, mNumHeads) : QString());
    mSyncing = false;
}

}  // namespace vitscope::ui
