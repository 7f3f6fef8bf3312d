#include "ui/attention_display_bar.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>

namespace vitscope::ui {

namespace {

QComboBox* combo(QWidget* parent, const char* name, const QString& tip,
                 std::initializer_list<std::pair<QString, QString>> items) {
    auto* box = new QComboBox(parent);
    box->setObjectName(QLatin1String(name));
    box->setToolTip(tip);
    for (const auto& [text, key] : items) {
        box->addItem(text, key);
    }
    return box;
}

void selectKey(QComboBox* box, const QString& key) {
    const int at = box->findData(key);
    box->setCurrentIndex(at >= 0 ? at : 0);
}

}  // namespace

AttentionDisplayBar::AttentionDisplayBar(QWidget* parent) : QWidget(parent) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 0, 6, 0);
    mOn = combo(this, "attentionOnCombo",
                tr("Draw the map on the model input, or on the image you opened with each patch "
                   "mapped back through the resize and crop (the part the crop cut away is "
                   "dimmed)."),
                {{tr("Model input"), QStringLiteral("input")},
                 {tr("Opened image"), QStringLiteral("original")}});
    mUpsampling = combo(
        this, "upsamplingCombo",
        tr("Blocky shows one crisp cell per patch; smooth upsamples the map "
           "bicubically."),
        {{tr("Blocky"), QStringLiteral("nearest")}, {tr("Smooth"), QStringLiteral("bicubic")}});
    mDisplay = combo(this, "attentionDisplayCombo",
                     tr("Heatmap: the coloured map over the image. Mass mask: the fewest patches "
                        "that hold the chosen share of the attention, outlined (as DINO shows "
                        "it). Alpha: the image times the map over its maximum, black elsewhere "
                        "(the ViT paper's Figure 6)."),
                     {{tr("Heatmap"), QStringLiteral("overlay")},
                      {tr("Mass mask"), QStringLiteral("mask")},
                      {tr("Alpha over black"), QStringLiteral("alpha")}});
    // Without a parent to share, the map controls stay inside this bar (laid out at its end).
    mMap = new QWidget(parent ? parent : this);
    mMap->setObjectName(QStringLiteral("attentionMapControls"));
    auto* mapLayout = new QHBoxLayout(mMap);
    mapLayout->setContentsMargins(2, 0, 2, 0);
    mDisplay->setParent(mMap);
    mMass = new QSpinBox(mMap);
    mMass->setObjectName(QStringLiteral("maskMassSpin"));
    mMass->setRange(1, 100);
    mMass->setSuffix(tr(" %"));
    mMass->setToolTip(tr("The share of the attention mass the mask keeps."));
    auto label = [](const QString& text, QWidget* buddy) {
        auto* l = new QLabel(text, buddy->parentWidget());
        l->setBuddy(buddy);
        return l;
    };
    layout->addWidget(label(tr("Dra&w on"), mOn));
    layout->addWidget(mOn);
    layout->addWidget(label(tr("Ups&ampling"), mUpsampling));
    layout->addWidget(mUpsampling);
    if (mMap->parentWidget() == this) {
        layout->addWidget(mMap);
    }
    mapLayout->addWidget(label(tr("Sh&ow"), mDisplay));
    mapLayout->addWidget(mDisplay);
    mapLayout->addWidget(mMass);

    const QSettings settings;
    mQuiet = true;
    selectKey(mOn, settings.value(QStringLiteral("view/attentionOn")).toString());
    selectKey(mUpsampling, settings.value(QStringLiteral("view/upsampling")).toString());
    selectKey(mDisplay, settings.value(QStringLiteral("view/attentionDisplay")).toString());
    mMass->setValue(settings.value(QStringLiteral("view/maskMass"), 60).toInt());
    mQuiet = false;
    showMassFor(options().display);

    for (QComboBox* box : {mOn, mUpsampling, mDisplay}) {
        connect(box, &QComboBox::currentIndexChanged, this, &AttentionDisplayBar::emitChanged);
    }
    connect(mMass, &QSpinBox::valueChanged, this, &AttentionDisplayBar::emitChanged);
}

AttentionDisplayOptions AttentionDisplayBar::options() const {
    AttentionDisplayOptions o;
    o.on = mOn->currentData().toString() == QLatin1String("original") ? AttentionBase::Original
                                                                      : AttentionBase::Input;
    o.upsampling = mUpsampling->currentData().toString() == QLatin1String("bicubic")
                       ? core::Upsampling::Bicubic
                       : core::Upsampling::Nearest;
    const QString display = mDisplay->currentData().toString();
    o.display = display == QLatin1String("mask")    ? AttentionDisplay::Mask
                : display == QLatin1String("alpha") ? AttentionDisplay::Alpha
                                                    : AttentionDisplay::Overlay;
    o.maskMass = mMass->value() / 100.0;
    return o;
}

void AttentionDisplayBar::setOptions(const AttentionDisplayOptions& options) {
    mQuiet = true;
    selectKey(mOn, QLatin1String(toString(options.on)));
    selectKey(mUpsampling, QLatin1String(core::toString(options.upsampling)));
    selectKey(mDisplay, QLatin1String(toString(options.display)));
    mMass->setValue(static_cast<int>(std::lround(options.maskMass * 100.0)));
    mQuiet = false;
    emitChanged();
}

void AttentionDisplayBar::showMassFor(AttentionDisplay display) {
    const bool mask = display == AttentionDisplay::Mask;
    mMass->setEnabled(mask);
    mMass->setVisible(mask);
}

void AttentionDisplayBar::emitChanged() {
    if (mQuiet) {
        return;
    }
    const AttentionDisplayOptions o = options();
    showMassFor(o.display);
    QSettings settings;
    settings.setValue(QStringLiteral("view/attentionOn"), mOn->currentData());
    settings.setValue(QStringLiteral("view/upsampling"), mUpsampling->currentData());
    settings.setValue(QStringLiteral("view/attentionDisplay"), mDisplay->currentData());
    settings.setValue(QStringLiteral("view/maskMass"), mMass->value());
    emit changed(o);
}

}  // namespace vitscope::ui
