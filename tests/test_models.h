#pragma once
// Shared by the experiments, inductive-bias and figure tests: the small random models of
// tests/data/models/<case>/ (their expected.json names the file to open) and a deterministic
// input image.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <cstdint>

#include "core/image/image_io.h"
#include "core/model/vit_model.h"

namespace vitscope::testing {

/// Path of the model of a test case, from its expected.json "model_path".
inline QString testModelPath(const QString& testCase) {
    const QString dir = QStringLiteral(VITSCOPE_TEST_DATA "/models/") + testCase;
    QFile file(dir + QStringLiteral("/expected.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    return QDir(dir).filePath(json.value(QStringLiteral("model_path")).toString());
}

/// Loads a test case's model, with its "heads_override" when the file cannot tell the heads.
inline core::Result<core::ModelPtr> loadTestModel(const QString& testCase) {
    const QString path = testModelPath(testCase);
    if (path.isEmpty()) {
        return core::makeError(core::ErrorCode::Io,
                               testCase.toStdString() + ": no expected.json with model_path");
    }
    QFile file(QStringLiteral(VITSCOPE_TEST_DATA "/models/") + testCase +
               QStringLiteral("/expected.json"));
    core::LoadOptions options;
    if (file.open(QIODevice::ReadOnly)) {
        options.numHeads =
            QJsonDocument::fromJson(file.readAll()).object().value("heads_override").toInt();
    }
    return core::loadModel(path.toStdString(), options);
}

/// A smooth RGB (or grey) test image with structure at every scale, deterministic.
inline core::Image8 syntheticImage(int width, int height, int channels) {
    core::Image8 image;
    image.width = width;
    image.height = height;
    image.channels = channels;
    image.pixels.resize(static_cast<size_t>(width) * height * channels);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < channels; ++c) {
                const uint32_t v = static_cast<uint32_t>(x * 7 + y * 13 + c * 50 + (x * y) % 31);
                image.pixels[(static_cast<size_t>(y) * width + x) * channels + c] =
                    static_cast<uint8_t>(v % 256);
            }
        }
    }
    return image;
}

}  // namespace vitscope::testing
